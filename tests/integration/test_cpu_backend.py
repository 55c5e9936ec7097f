"""The app on llama.cpp built for every CPU: it loads the best variant itself, or says why not.

llama.cpp looks for its CPU variants beside the executable and in the current folder only;
from a venv (or a bundle) that is neither, so without the app pointing it at its library
folder no model loads at all. ``LLAMA_CPP_LIB_PATH`` makes llama-cpp-python load the
portable build from ``fixtures.portable_llama`` (three variants) instead of the venv's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures.portable_llama import CPU_VARIANTS

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


def _best_here() -> str:
    """The variant of ``CPU_VARIANTS`` this processor should get (from its /proc/cpuinfo flags)."""
    flags = set(Path("/proc/cpuinfo").read_text().split("flags", 2)[1].split("\n", 1)[0].split())
    if {"avx", "avx2", "fma", "f16c", "bmi2"} <= flags:
        return "haswell"
    return "sse42" if "sse4_2" in flags else "x64"


def _autoglm(lib_dir: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "LLAMA_CPP_LIB_PATH": str(lib_dir),
        "MTMD_CPP_LIB": str(lib_dir),
        "AUTOGLM_HOME": str(home),
    }
    return subprocess.run(
        [sys.executable, "-m", "autoglm", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=home.parent,
        timeout=600,
    )


def test_doctor_names_the_variant_and_chat_answers(
    portable_llama_lib: Path, tmp_path: Path, starter_gguf: Path
) -> None:
    """doctor names this CPU's variant; the engine worker loads it and the model answers."""
    home = tmp_path / "home"
    doctor = _autoglm(portable_llama_lib, home, "doctor")
    assert doctor.returncode == 0, doctor.stderr
    want = f"CPU variant            {_best_here()} (run-time choice among {len(CPU_VARIANTS)})"
    assert want in doctor.stdout, doctor.stdout
    chat = _autoglm(
        portable_llama_lib,
        home,
        "chat",
        "--model",
        str(starter_gguf),
        "--temperature",
        "0",
        "--max-tokens",
        "8",
        "Reply with one word: hello",
    )
    assert chat.returncode == 0, chat.stderr
    assert chat.stdout.strip()


def test_unloadable_variants_are_reported_in_words(
    portable_llama_lib: Path, tmp_path: Path, starter_gguf: Path
) -> None:
    """Variants that cannot load: doctor says so, chat fails in one message, no traceback."""
    broken = tmp_path / "lib"
    shutil.copytree(portable_llama_lib, broken, symlinks=True)
    for variant in broken.glob("libggml-cpu-*.so"):
        variant.write_bytes(b"not a library")
    home = tmp_path / "home"
    doctor = _autoglm(broken, home, "doctor")
    assert doctor.returncode == 0, doctor.stderr
    assert f"no CPU variant in {broken} runs on this processor" in doctor.stdout, doctor.stdout
    chat = _autoglm(broken, home, "chat", "--model", str(starter_gguf), "--max-tokens", "4", "hi")
    assert chat.returncode != 0
    assert "Traceback" not in chat.stderr and chat.stderr.strip(), chat.stderr
