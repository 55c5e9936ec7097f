"""``autoglm say`` and ``autoglm transcribe`` as a user runs them, with real models and devices."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from speech_audio import read_wav

APP_DIR = Path(__file__).resolve().parents[3] / "app"


def autoglm(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **(env or {})}
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(APP_DIR), environment.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "autoglm", *args], capture_output=True, text=True,
                          timeout=300, env=environment)


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


@pytest.mark.parametrize(("args", "code", "message"), [
    (("transcribe", "{not_audio}"), 2, "could not be read as audio"),
    (("transcribe", "{missing}"), 2, "No audio file at"),
    (("say", "```\ncode only\n```"), 2, "nothing to say"),
    (("say", "hello", "--out", "{txt}"), 2, "must name a .wav file"),
])
def test_bad_input_is_one_line_with_its_exit_code(tmp_path: Path, args: tuple[str, ...], code: int,
                                                  message: str) -> None:
    not_audio = tmp_path / "notes.txt"
    not_audio.write_text("just text")
    paths = {"not_audio": str(not_audio), "missing": str(tmp_path / "missing.wav"), "txt": str(tmp_path / "x.txt")}
    result = autoglm(*(arg.format(**paths) for arg in args))
    assert result.returncode == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("autoglm: ") and message in lines[0]
    assert "Traceback" not in result.stderr


def test_say_without_any_speaker_exits_with_the_device_code(tmp_path: Path) -> None:
    result = autoglm("say", "hello", env={"PULSE_SERVER": f"unix:{tmp_path / 'none'}"})
    if result.returncode == 0:
        pytest.skip("this machine has a real sound card, so 'no speaker' cannot be staged")
    assert result.returncode == 4
    assert result.stderr.strip() == "autoglm: No speaker was found: connect one, or check that the sound system is running."
