"""The model computes below the rest of the app, so speech and the GUI never wait for it.

On a laptop with two or four cores, llama.cpp's decode threads take every core. Whatever
else the app must do meanwhile — piper synthesising the first words of a spoken reply,
whisper, the audio callbacks, the GUI — then shares the cores with them as an equal, and a
piper call that takes 0.10 s alone takes 0.15-0.17 s. Lowering the engine thread's CPU
priority by a few nice steps gives those short jobs the cores first; decoding loses only
the few milliseconds they run (``autoglm bench voice``, ``tts_first_sentence_p50_s``).

Linux keeps a nice value per thread, and threads inherit it from the thread that creates
them: llama.cpp's OpenMP workers, created by the engine thread on its first decode, run
at the same lower priority. Elsewhere this is a no-op (macOS and Windows set priorities
per process, or not inherited by worker threads).
"""

from __future__ import annotations

import logging
import os
import sys
import threading

_LOGGER = logging.getLogger(__name__)
ENGINE_NICE_STEPS = 5


def lower_current_thread(steps: int = ENGINE_NICE_STEPS) -> bool:
    """Raise this thread's nice value by ``steps``; ``True`` if it was changed."""
    if steps <= 0 or sys.platform != "linux":
        return False
    thread_id = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, thread_id, os.getpriority(os.PRIO_PROCESS, thread_id) + steps)
    except OSError:
        _LOGGER.debug("Could not lower the priority of thread %d", thread_id, exc_info=True)
        return False
    return True
