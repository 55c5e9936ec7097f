"""Telling a build for one machine from one that picks its CPU code at run time."""

from __future__ import annotations

from pathlib import Path

from autoglm.core.llama.backends import CpuBackend, load_cpu_backend, variant_files, variant_name


def test_variants_are_the_ggml_cpu_modules_only(tmp_path: Path) -> None:
    """``libggml-cpu-<variant>.so`` counts; the native ``libggml-cpu.so`` and the rest do not."""
    for name in (
        "libggml-cpu-haswell.so",
        "libggml-cpu-x64.so",
        "libggml-cpu.so",
        "libggml-cpu.so.0",
        "libggml-base.so",
        "libllama.so",
    ):
        (tmp_path / name).write_bytes(b"")
    assert [variant_name(p) for p in variant_files(tmp_path)] == ["haswell", "x64"]


def test_the_dev_build_is_native_and_says_so() -> None:
    """The venv's llama-cpp-python is compiled for this machine: nothing to load, one plain line."""
    cpu = load_cpu_backend()
    assert not cpu.dynamic and cpu.problem is None
    assert (cpu.lib_dir / "libllama.so").exists()
    assert cpu.describe() == "built for the machine it was compiled on only (native)"
    assert load_cpu_backend() is cpu  # once per process


def test_descriptions_of_a_run_time_build() -> None:
    """The chosen variant and how many there were, or the problem in words."""
    chosen = CpuBackend(True, Path("/lib"), "sse42", 3)
    assert chosen.describe() == "sse42 (run-time choice among 3)"
    failed = CpuBackend(
        True, Path("/lib"), None, 3, "no CPU variant in /lib runs on this processor"
    )
    assert failed.describe() == "no CPU variant in /lib runs on this processor"
