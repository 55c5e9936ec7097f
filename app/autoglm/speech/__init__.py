"""Speech in and out: microphone and speaker streams, endpointing, whisper, piper, chunking.

Importing this package is cheap: faster-whisper, CTranslate2, onnxruntime, piper and
PortAudio are imported only inside the functions that first need them, so text-only use
never pays their memory.

What a front uses (all Qt-free; callbacks arrive on worker threads):

- ``conversation.VoiceConversation(scheduler, settings.voice, VoiceCallbacks(...))`` —
  ``start(hands_free=...)``, ``press()``/``release()`` for push-to-talk, ``interrupt()``,
  ``read_aloud(reply_stream)`` for typed chats, ``stop_speaking()``, ``close()``;
  callbacks report ``VoiceState`` changes, the mic level (dBFS), the user's words, reply
  text, finished ``VoiceTurn``s (the stored reply cut to what was spoken), errors in words.
- ``devices.list_input_devices()`` / ``list_output_devices()`` for a device chooser.
- ``capture.MicrophoneCapture`` (level meter, device loss and recovery), ``asr``,
  ``tts``, ``chunker.SentenceChunker``, ``playback.AudioPlayer`` for finer control.
"""
