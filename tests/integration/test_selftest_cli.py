"""``autoglm selftest`` / ``autoglm --selftest`` from the source tree: how it fails, in one line."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from autoglm.cli import main
from fixtures.audio import VirtualSound


def test_a_file_that_is_not_a_model_fails_at_load_with_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The run stops at 'load model': one line on stderr, exit code 3, no traceback."""
    not_a_model = tmp_path / "notes.gguf"
    not_a_model.write_bytes(b"this is not a GGUF file at all" * 10)
    code = main(["selftest", "--model", str(not_a_model)])
    out, err = capsys.readouterr()
    assert code == 3, out + err
    assert "selftest (source" in out and "ok  llama.cpp" in out and "ok  find model" in out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("autoglm: selftest failed at 'load model'"), err
    assert "Traceback" not in err


def test_top_level_flag_runs_the_steps_and_stops_at_a_missing_voice(
    autoglm_home: Path,
    starter_gguf: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--selftest`` alone runs the subcommand: the model answers, then a missing voice ends it."""
    target = autoglm_home / "data" / "models" / "qwen2.5-coder-0.5b" / starter_gguf.name
    target.parent.mkdir(parents=True)
    os.link(starter_gguf, target)
    monkeypatch.setenv("AUTOGLM_VOICE__TTS_VOICE", str(autoglm_home / "missing-voice.onnx"))
    monkeypatch.setenv("AUTOGLM_MODEL__N_THREADS", "2")
    code = main(["--selftest"])
    out, err = capsys.readouterr()
    assert code == 3, out + err
    for step in ("find model", "load model", "generate"):
        assert f"ok  {step}" in out, out
    assert "tokens at" in out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "selftest failed at 'speech synthesis'" in lines[0], err
    assert "missing-voice.onnx" in lines[0]


def _link_starter(autoglm_home: Path, starter_gguf: Path) -> None:
    target = autoglm_home / "data" / "models" / "qwen2.5-coder-0.5b" / starter_gguf.name
    target.parent.mkdir(parents=True)
    os.link(starter_gguf, target)


@pytest.mark.timeout(600)
def test_the_installer_checks_open_the_window_play_and_record_and_place_the_model(
    autoglm_home: Path,
    starter_gguf: Path,
    virtual_sound: VirtualSound,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """What the release workflow runs on its CPU leg: every ``selftest: … ok`` line, and the
    sentence really leaves through the (virtual) speaker while the microphone records."""
    _link_starter(autoglm_home, starter_gguf)
    monkeypatch.setenv("AUTOGLM_MODEL__N_THREADS", "2")
    recording = virtual_sound.record_speaker(tmp_path / "speaker.raw")
    try:
        code = main(["selftest", "--window", "--audio", "--expect-gpu", "none"])
    finally:
        heard = recording.stop()
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "selftest: model ok (gpu: none)" in out, out
    assert "selftest: window ok (" in out and "offscreen platform" in out, out
    audio_line = next(line for line in out.splitlines() if line.startswith("selftest: audio"))
    assert re.fullmatch(
        r"selftest: audio ok \(device played \d+\.\d s on '.+ \(.+\)'; recorded \d\.\d s "
        r"from '.+ \(.+\)', loudest block -?\d+ dBFS\)",
        audio_line,
    ), audio_line
    assert "selftest passed" in out
    loud = heard[np.abs(heard) > 0.01]
    assert loud.size > 16_000 * 0.5, f"the speaker carried {loud.size / 16_000:.2f} s of sound"


def test_a_metal_expectation_on_a_build_without_metal_fails_at_the_gpu_step(
    autoglm_home: Path,
    starter_gguf: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A leg that lost its GPU library stops before answering, naming what is missing."""
    _link_starter(autoglm_home, starter_gguf)
    monkeypatch.setenv("AUTOGLM_MODEL__N_THREADS", "2")
    code = main(["selftest", "--expect-gpu", "metal"])
    out, err = capsys.readouterr()
    assert code == 1, out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "selftest failed at 'gpu'" in lines[0], err
    assert "no ggml-metal library" in lines[0], err
    assert "selftest: model ok" not in out


@pytest.fixture
def no_sound_server() -> Iterator[None]:
    """PortAudio pointed at a PulseAudio socket that does not exist: no device opens."""
    from autoglm.speech import devices

    saved = os.environ.get("PULSE_SERVER")
    os.environ["PULSE_SERVER"] = "unix:/nonexistent/autoglm-no-sound/native"
    devices.rescan()
    yield
    if saved is None:
        os.environ.pop("PULSE_SERVER", None)
    else:
        os.environ["PULSE_SERVER"] = saved
    devices.rescan()


@pytest.mark.timeout(600)
def test_without_any_sound_device_the_audio_check_fails_unless_allowed_and_says_so(
    autoglm_home: Path,
    starter_gguf: Path,
    no_sound_server: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A build server without sound passes only with --allow-no-audio, and the line says why."""
    from autoglm.cli.selftest_audio import play_and_record
    from autoglm.core.errors import DeviceError

    tone = (0.3 * np.sin(np.linspace(0, 2 * np.pi * 440, 22_050))).astype(np.float32)
    with pytest.raises(DeviceError, match="No (microphone|speaker) was found"):
        play_and_record(tone, 22_050)
    _link_starter(autoglm_home, starter_gguf)
    monkeypatch.setenv("AUTOGLM_MODEL__N_THREADS", "2")
    code = main(["selftest", "--audio", "--allow-no-audio"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    audio_line = next(line for line in out.splitlines() if line.startswith("selftest: audio"))
    assert audio_line.startswith("selftest: audio skipped (no speaker or microphone could be"), (
        audio_line
    )
    assert "No microphone was found" in audio_line and "No speaker was found" in audio_line
    assert "selftest: audio ok" not in out and "selftest passed" in out
