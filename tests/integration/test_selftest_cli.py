"""``autoglm selftest`` / ``autoglm --selftest`` from the source tree: how it fails, in one line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autoglm.cli import main


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
