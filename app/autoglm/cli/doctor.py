"""``autoglm doctor``: what this machine can do, in one screen."""

from __future__ import annotations

import argparse
import platform
import sys
from typing import Any


def register(subparsers: Any) -> None:
    """Add ``doctor`` to the command line."""
    parser = subparsers.add_parser(
        "doctor", help="Check llama.cpp, GPU offload, audio devices, models, folders"
    )
    parser.set_defaults(handler=run)


def _line(label: str, value: str) -> None:
    print(f"{label:22} {value}")


def _llama_lines() -> None:
    try:
        import llama_cpp
    except ImportError as exc:
        _line("llama.cpp", f"NOT AVAILABLE ({exc})")
        return
    from autoglm.core.llama.backends import load_cpu_backend
    from autoglm.core.llama.engine import backend_name

    _line("llama-cpp-python", llama_cpp.__version__)
    _line("CPU variant", load_cpu_backend().describe())
    offload = bool(llama_cpp.llama_supports_gpu_offload())
    backend, _ = backend_name(-1)
    _line(
        "GPU offload",
        f"yes ({backend})" if offload else "no (CPU build; see README for Metal/CUDA)",
    )
    info = llama_cpp.llama_print_system_info().decode(errors="replace").strip()
    _line("llama.cpp features", info[:200])


def _audio_lines() -> None:
    try:
        import sounddevice
    except (ImportError, OSError) as exc:
        _line("audio", f"unavailable ({exc}); install PortAudio (libportaudio2)")
        return
    try:
        devices = sounddevice.query_devices()
    except Exception as exc:  # noqa: BLE001 - PortAudio errors are reported, not raised
        _line("audio", f"cannot list devices ({exc})")
        return
    inputs = [d["name"] for d in devices if d["max_input_channels"] > 0]
    outputs = [d["name"] for d in devices if d["max_output_channels"] > 0]
    _line("microphones", ", ".join(inputs) or "none found")
    _line("speakers", ", ".join(outputs) or "none found")


def _model_lines() -> None:
    from autoglm.core.catalog import ModelRepository
    from autoglm.core.errors import ModelError
    from autoglm.core.paths import app_paths

    repo = ModelRepository(app_paths())
    for entry in repo.catalog.entries():
        _line(f"model {entry.id}", repo.status(entry).detail)
    for model_id in repo.imported():
        if repo.catalog.get(model_id) is not None:
            continue
        try:
            summary = repo.verify_imported(model_id)
            _line(
                f"model {model_id}",
                f"imported ({summary.architecture}, {summary.quantization}), readable",
            )
        except ModelError as exc:
            _line(f"model {model_id}", f"imported, unusable: {exc}")


def run(args: argparse.Namespace) -> int:
    """Print the report; always exits 0 (it describes problems, it does not fail on them)."""
    from autoglm import __version__
    from autoglm.core.paths import app_paths

    _line("AutoGLM Desktop", __version__)
    _line("Python", f"{sys.version.split()[0]} on {platform.platform()}")
    _llama_lines()
    _audio_lines()
    _model_lines()
    paths = app_paths()
    _line("data folder", str(paths.data_dir))
    _line("settings", str(paths.settings_path))
    try:
        import psutil

        memory = psutil.virtual_memory()
        _line(
            "memory",
            f"{memory.available / 2**30:.1f} GB available of {memory.total / 2**30:.1f} GB",
        )
    except ImportError:  # pragma: no cover
        pass
    return 0
