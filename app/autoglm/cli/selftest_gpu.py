"""Whether the self-tested model ran where the installer promised: Metal, CUDA or the CPU.

The release workflow passes ``selftest --expect-gpu metal|cuda|none`` on each leg, so a
build that silently lost its GPU backend (a cached CPU wheel, a library left out of the
bundle) fails there instead of on a user's computer. A CUDA build on a computer without
an NVIDIA GPU is a legitimate outcome — llama.cpp falls back to the CPU — so that case
passes, but only when the CUDA library is really in the install and the fallback is said
in words, never as a silent "CPU".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autoglm.core.errors import UserFacingError

EXPECTATIONS = ("metal", "cuda", "none")
_LIBRARY = {"metal": "ggml-metal", "cuda": "ggml-cuda"}


class GpuExpectationFailure(UserFacingError):
    """The model ran somewhere other than where this build should run it."""

    exit_code = 1


@dataclass(frozen=True)
class Placement:
    """Where llama.cpp put the loaded model, and what this build could have done."""

    backend: str  # ModelInfo.backend: "CPU", "Metal", "CUDA", "GPU"
    gpu_layers: int  # layers offloaded (-1: all)
    offload_supported: bool  # llama.cpp found a GPU device it can use
    libraries: tuple[str, ...]  # file names in llama_cpp/lib
    note: str = ""  # ModelInfo.backend_note: why it runs where it does


def llama_libraries() -> tuple[str, ...]:
    """The file names in llama-cpp-python's ``lib`` folder (inside a bundle, the bundled ones)."""
    import llama_cpp

    folder = Path(llama_cpp.__file__).parent / "lib"
    return tuple(sorted(p.name for p in folder.iterdir())) if folder.is_dir() else ()


def check_placement(expect: str, placement: Placement) -> str:
    """The ``gpu: …`` words for the summary line; ``GpuExpectationFailure`` when it is wrong."""
    backend = placement.backend.lower()
    on_gpu = backend != "cpu" and placement.gpu_layers != 0
    layers = "all layers" if placement.gpu_layers < 0 else f"{placement.gpu_layers} layers"
    why = f" ({placement.note})" if placement.note else ""
    if expect == "none":
        if on_gpu:
            raise GpuExpectationFailure(
                f"this build should run on the CPU but the model went to {placement.backend}"
            )
        return "none"
    library = _LIBRARY[expect]
    if not any(library in name for name in placement.libraries):
        raise GpuExpectationFailure(
            f"this build should run on {expect} but llama.cpp has no {library} library "
            f"(found: {', '.join(placement.libraries) or 'nothing'})"
        )
    if on_gpu and backend == expect:
        return f"{expect}, {layers} offloaded"
    if expect == "cuda" and not placement.offload_supported:
        return (
            "none - the CUDA backend is installed but this computer has no usable CUDA "
            "device, so the model ran on the CPU"
        )
    raise GpuExpectationFailure(
        f"this build should run the model on {expect} but it ran on {placement.backend}"
        f"{why}; a GPU device was {'found' if placement.offload_supported else 'not found'}"
    )
