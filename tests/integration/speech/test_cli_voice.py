"""``autoglm say`` and ``autoglm transcribe`` as a user runs them, with real models and devices."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from speech_audio import read_wav

APP_DIR = Path(__file__).resolve().parents[3] / "app"


def autoglm(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **(env or {})}
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(APP_DIR), environment.get("PYTHONPATH")])
    )
    return subprocess.run(
        [sys.executable, "-m", "autoglm", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
    )


def test_say_to_a_file_then_transcribe_it_back(tmp_path: Path) -> None:
    wav = tmp_path / "hello.wav"
    said = autoglm("say", "**Good morning.** The weather is sunny today.", "--out", str(wav))
    assert said.returncode == 0, said.stderr
    samples, rate = read_wav(wav)
    assert rate == 22_050 and len(samples) > rate  # more than a second of speech
    heard = autoglm("transcribe", str(wav))
    assert heard.returncode == 0, heard.stderr
    words = heard.stdout.lower()
    assert "morning" in words and "weather" in words and "sunny" in words


def test_say_plays_on_the_speaker(virtual_sound, whisper, tmp_path: Path) -> None:
    recording = virtual_sound.record_speaker(tmp_path / "speaker.raw")
    try:
        said = autoglm("say", "Seven green apples are on the table.")
    finally:
        heard = recording.stop()
    assert said.returncode == 0, said.stderr
    words = whisper.transcribe(heard).text.lower()
    assert "apples" in words and "table" in words


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("transcribe", "{not_audio}"), 2, "could not be read as audio"),
        (("transcribe", "{missing}"), 2, "No audio file at"),
        (("say", "```\ncode only\n```"), 2, "nothing to say"),
        (("say", "hello", "--out", "{txt}"), 2, "must name a .wav file"),
        (("say", "hello", "--out", "{missing_dir}"), 2, "does not exist"),
    ],
)
def test_bad_input_is_one_line_with_its_exit_code(
    tmp_path: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    not_audio = tmp_path / "notes.txt"
    not_audio.write_text("just text")
    paths = {
        "not_audio": str(not_audio),
        "missing": str(tmp_path / "missing.wav"),
        "txt": str(tmp_path / "x.txt"),
        "missing_dir": str(tmp_path / "missing" / "dir" / "x.wav"),
    }
    result = autoglm(*(arg.format(**paths) for arg in args))
    assert result.returncode == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("autoglm: ") and message in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("kind", ["silence", "noise"])
def test_transcribing_silence_or_noise_prints_no_words(tmp_path: Path, kind: str) -> None:
    """Three seconds without speech: whisper would invent "." or "You"; the VAD stops it first."""
    import wave

    import numpy as np

    samples = (
        np.zeros(48_000) if kind == "silence" else np.random.default_rng(7).normal(0, 0.1, 48_000)
    )
    path = tmp_path / f"{kind}.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16_000)
        wav.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    result = autoglm("transcribe", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.strip() == f"autoglm: no speech was heard in '{kind}.wav'."


def test_say_without_any_speaker_exits_with_the_device_code(tmp_path: Path) -> None:
    result = autoglm("say", "hello", env={"PULSE_SERVER": f"unix:{tmp_path / 'none'}"})
    if result.returncode == 0:
        pytest.skip("this machine has a real sound card, so 'no speaker' cannot be staged")
    assert result.returncode == 4
    assert (
        result.stderr.strip()
        == "autoglm: No speaker was found: connect one, or check that the sound system is running."
    )


def test_voice_command_push_to_talk_conversation(
    virtual_sound, starter_gguf, tmp_path: Path
) -> None:
    import queue
    import threading

    from speech_audio import QUESTION, espeak_wav

    question = espeak_wav(QUESTION, tmp_path / "question.wav")
    environment = {**os.environ, "PYTHONPATH": str(APP_DIR)}
    process = subprocess.Popen(
        [sys.executable, "-m", "autoglm", "voice", "--push-to-talk", "--model", str(starter_gguf)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    lines: queue.Queue[str] = queue.Queue()
    for pipe in (process.stdout, process.stderr):
        threading.Thread(target=lambda p=pipe: [lines.put(line) for line in p], daemon=True).start()

    def wait_line(needle: str, timeout: float) -> str:
        seen = []
        try:
            while True:
                line = lines.get(timeout=timeout)
                seen.append(line)
                if needle.lower() in line.lower():
                    return "".join(seen)
        except queue.Empty:
            raise AssertionError(f"never printed {needle!r}; got: {''.join(seen)!r}") from None

    try:
        wait_line("Press Enter to speak", 240)
        process.stdin.write("\n")
        process.stdin.flush()
        wait_line("speaking", 30)
        time.sleep(0.5)
        virtual_sound.play_into_mic(question).wait(30)
        time.sleep(0.5)
        process.stdin.write("\n")
        process.stdin.flush()
        transcript = wait_line("You:", 120)
        answer = wait_line("paris", 120)
        process.stdin.close()
        assert process.wait(60) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert "capital" in transcript.lower() and "france" in transcript.lower()
    assert "Traceback" not in answer
