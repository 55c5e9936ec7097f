"""How the self-test decides that the model ran where the build promised (``--expect-gpu``)."""

from __future__ import annotations

import pytest

from autoglm.cli.selftest_gpu import GpuExpectationFailure, Placement, check_placement

CUDA_LIBS = ("libggml-base.so", "libggml-cpu.so", "libggml-cuda.so", "libllama.so")
METAL_LIBS = ("libggml-base.dylib", "libggml-metal.dylib", "libllama.dylib")
CPU_LIBS = ("libggml-base.so", "libggml-cpu.so", "libllama.so")


def test_metal_with_every_layer_offloaded_passes_and_says_so() -> None:
    placement = Placement("Metal", -1, offload_supported=True, libraries=METAL_LIBS)
    assert check_placement("metal", placement) == "metal, all layers offloaded"


def test_cuda_without_a_device_falls_back_to_the_cpu_in_words() -> None:
    placement = Placement("CPU", 0, offload_supported=False, libraries=CUDA_LIBS)
    words = check_placement("cuda", placement)
    assert words.startswith("none - the CUDA backend is installed") and "CPU" in words


def test_cuda_with_a_device_that_stayed_on_the_cpu_fails_with_the_reason() -> None:
    placement = Placement("CPU", 0, offload_supported=True, libraries=CUDA_LIBS, note="out of VRAM")
    with pytest.raises(GpuExpectationFailure, match="ran on CPU \\(out of VRAM\\)"):
        check_placement("cuda", placement)


@pytest.mark.parametrize("expect", ["cuda", "metal"])
def test_a_build_that_lost_its_gpu_library_fails_even_without_a_device(expect: str) -> None:
    placement = Placement("CPU", 0, offload_supported=False, libraries=CPU_LIBS)
    with pytest.raises(GpuExpectationFailure, match=f"no ggml-{expect} library"):
        check_placement(expect, placement)


def test_metal_that_fell_back_to_the_cpu_fails_where_cuda_would_not() -> None:
    placement = Placement("CPU", 0, offload_supported=False, libraries=METAL_LIBS)
    with pytest.raises(GpuExpectationFailure, match="not found"):
        check_placement("metal", placement)


def test_a_cpu_build_whose_model_went_to_a_gpu_fails() -> None:
    with pytest.raises(GpuExpectationFailure, match="should run on the CPU"):
        check_placement("none", Placement("CUDA", 24, True, CUDA_LIBS))
    assert check_placement("none", Placement("CPU", 0, False, CPU_LIBS)) == "none"
