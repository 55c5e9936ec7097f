"""The local engine: llama.cpp with its text and image halves in one package.

``engine.LlamaEngine`` loads a GGUF, renders and tokenises prompts, keeps the KV cache
across requests and decodes replies; ``images`` is its image half (the projector
session, image chunks and their caches), with ``projector`` (mtmd through
llama-cpp-python's bindings), ``prompt`` (multimodal prompt rendering) and ``sequence``
(a prompt as text runs and media chunks, and how much of it the cache holds).
"""
