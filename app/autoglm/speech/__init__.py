"""Speech in and out: microphone and speaker streams, endpointing, whisper, piper, chunking.

Importing this package is cheap: faster-whisper, CTranslate2, onnxruntime and piper are
imported only inside the functions that first need them, so text-only use never pays
their memory.
"""
