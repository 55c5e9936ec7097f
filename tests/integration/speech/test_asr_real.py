"""The real whisper model: short utterances take the short window, long ones the full window."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from speech_audio import espeak_wav

from autoglm.speech.asr import load_audio_file
from autoglm.speech.short_window import FULL_WINDOW_FRAMES

QUESTION = "Please set a timer for ten minutes."


def _words(text: str) -> set[str]:
    return {word.strip(".,?!").lower() for word in text.split()}


def test_a_short_question_is_recognised_through_a_short_window(whisper, tmp_path: Path) -> None:
    audio = load_audio_file(espeak_wav(QUESTION, tmp_path / "q.wav"))
    short = whisper.transcribe(audio)
    full = whisper.transcribe(audio, short_window=False)
    assert short.window_frames < FULL_WINDOW_FRAMES
    assert full.window_frames == FULL_WINDOW_FRAMES
    assert {"please", "set", "timer", "minutes"} <= _words(short.text)
    assert {"please", "set", "timer", "minutes"} <= _words(full.text)


def test_speech_longer_than_ten_seconds_uses_the_full_window(whisper, tmp_path: Path) -> None:
    audio = load_audio_file(espeak_wav(QUESTION, tmp_path / "q.wav"))
    long_audio = np.concatenate([audio, np.zeros(16_000 * 9, dtype=np.float32), audio])
    transcript = whisper.transcribe(long_audio)
    assert transcript.window_frames == FULL_WINDOW_FRAMES
    assert "timer" in _words(transcript.text)


def test_silence_gives_no_runaway_text(whisper) -> None:
    transcript = whisper.transcribe(np.zeros(16_000 * 2, dtype=np.float32))
    assert len(transcript.text.split()) <= 3


def test_the_recogniser_says_how_sure_it_is_of_the_mark_ending_a_question(
    whisper, tmp_path: Path
) -> None:
    """What the turn detector reads besides the words: whisper's probability for the final "?"."""
    from autoglm.speech.turn_rules import UNSURE_END

    whole = whisper.transcribe(
        load_audio_file(espeak_wav("How many days are in a week?", tmp_path / "w.wav"))
    )
    assert whole.text.endswith(("?", ".")) and whole.end_confidence is not None
    assert UNSURE_END <= whole.end_confidence <= 1.0, whole
    fragment = whisper.transcribe(
        load_audio_file(espeak_wav("What do bees make and", tmp_path / "f.wav"))
    )
    assert fragment.end_confidence is None or fragment.end_confidence < whole.end_confidence, (
        fragment
    )


def test_a_gpu_that_cannot_run_whisper_leaves_it_on_the_cpu_in_words(
    monkeypatch, tmp_path: Path
) -> None:
    """A driver but no cuBLAS: the load-time check fails, the real model loads on the CPU.

    Without a GPU here, CUDA is the one fake: a model "on CUDA" whose first encode raises
    CTranslate2's own message for a missing cuBLAS. Everything after it is the real model.
    """
    import faster_whisper

    from autoglm.speech import asr

    real_model = faster_whisper.WhisperModel
    devices: list[str] = []

    class NoCublas:
        def transcribe(self, *args, **kwargs):
            raise RuntimeError("Library libcublas.so.12 is not found or cannot be loaded")

    def whisper_model(folder: str, device: str = "cpu", **kwargs):
        devices.append(device)
        return NoCublas() if device == "cuda" else real_model(folder, device=device, **kwargs)

    monkeypatch.setattr(asr, "_compute_device", lambda: ("cuda", "float16"))
    monkeypatch.setattr(faster_whisper, "WhisperModel", whisper_model)
    transcriber = asr.WhisperTranscriber("whisper-tiny.en", cpu_threads=2, idle_unload_s=0)
    transcriber.load()
    assert devices == ["cuda", "cpu"]
    assert transcriber.device == "cpu/int8"
    assert transcriber.device_note == (
        "Speech recognition runs on the CPU: the GPU could not run it "
        "(Library libcublas.so.12 is not found or cannot be loaded)."
    )
    audio = load_audio_file(espeak_wav(QUESTION, tmp_path / "q.wav"))
    assert {"timer", "minutes"} <= _words(transcriber.transcribe(audio).text)


def test_the_load_time_check_runs_on_the_real_model(whisper) -> None:
    """``check_runs`` decodes silence on a working model: no error, no runaway text."""
    from autoglm.speech.asr import check_runs

    assert len(check_runs(whisper._model.get()).split()) <= 3
