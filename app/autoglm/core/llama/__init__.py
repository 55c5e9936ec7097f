"""The local engine: llama.cpp with its text and image halves in one package, run in its own process.

``engine.LlamaEngine`` loads a GGUF, renders and tokenises prompts, keeps each recent
conversation's KV cache across requests and decodes concurrent replies together (``reply``
turns one reply's sampled tokens into its text, stops and budget); ``slots`` chooses which KV
sequence a prompt continues and which are evicted, ``saved_states`` keeps evicted ones on
disk across restarts, and ``batch`` puts tokens into one sequence of the shared context.
``images`` is its image half (the projector session, image chunks and their caches),
with ``projector`` (mtmd through llama-cpp-python's bindings), ``prompt`` (multimodal
prompt rendering) and ``sequence`` (a prompt as text runs and media chunks, and how much
of it a sequence holds).

The app runs ``LlamaEngine`` in a worker process, so a native abort or an out-of-memory
kill inside llama.cpp costs a restart of the worker and a message in words, never the
window, the voice loop or the API server. ``WorkerEngine`` (``client``) is the app's side
and honours the same ``Engine`` protocol; ``worker`` is the child's side; ``protocol``
holds the messages between them; ``shared`` the two flags both processes read without a
message: cancel (read by llama.cpp's abort callback through the engine) and foreground work.
"""
