"""Qt-free GUI agent: AutoGLM's action protocol, pointing, the act loop and its executors.

The model sees a screenshot and answers ``<think>…</think><answer>do(action=…)</answer>``
on a 0–1000 grid; ``protocol`` reads that, ``coordinates`` turns the grid into pixels,
``loop`` runs screenshot → model → action → settle with its safety checks, and the
executors act on the desktop (``desktop``) or an Android phone (``adb``).
"""
