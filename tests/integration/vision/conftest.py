"""Fixtures for the real image path: a generated projector next to the real starter model.

The projector is llama.cpp's ``mlp`` type with random weights, written with the ``gguf``
package for this test session (never committed): 224-pixel images in 14-pixel patches,
so 256 image tokens, projected to the starter model's embedding width (896).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "vision"))  # vision_samples
sys.path.insert(0, str(Path(__file__).parents[2]))  # fixtures

import fixtures.projector

projector_gguf = (
    fixtures.projector.projector_gguf
)  # the projector fixture, shared with the capture tests


@pytest.fixture(scope="session")
def vision_engine(starter_gguf: Path, projector_gguf: Path) -> Iterator[object]:  # the fixture
    """The starter model with the test projector; the projector unloads after 1 idle second."""
    from autoglm.core.llama.engine import LlamaEngine
    from autoglm.core.settings import ModelSettings

    engine = LlamaEngine(
        starter_gguf,
        ModelSettings(n_ctx=4096, n_threads=2, projector_idle_unload_s=1),
        model_id="qwen2.5-coder-0.5b",
        mmproj_path=projector_gguf,
    )
    engine.load()
    yield engine
    engine.unload()


@pytest.fixture(scope="session")
def vision_scheduler(vision_engine: object) -> Iterator[object]:
    """A started scheduler over the vision engine."""
    from autoglm.core.scheduler import Scheduler

    sched = Scheduler(vision_engine).start()  # type: ignore[arg-type]
    yield sched
    sched.shutdown()
