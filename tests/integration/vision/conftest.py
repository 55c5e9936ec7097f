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


@pytest.fixture(scope="session")
def projector_gguf(tmp_path_factory: pytest.TempPathFactory, starter_gguf: Path) -> Path:
    """A random-weight mlp projector GGUF matching the starter model."""
    from autoglm.core.gguf_file import inspect_gguf
    from autoglm.vision.synthetic import write_random_projector

    width = inspect_gguf(starter_gguf).embedding_length
    assert width == 896
    return write_random_projector(tmp_path_factory.mktemp("vision") / "test-mmproj-f32.gguf", width)


@pytest.fixture(scope="session")
def vision_engine(starter_gguf: Path, projector_gguf: Path) -> Iterator[object]:
    """The starter model with the test projector; the projector unloads after 1 idle second."""
    from autoglm.core.engine import LlamaEngine
    from autoglm.core.settings import ModelSettings

    engine = LlamaEngine(starter_gguf, ModelSettings(n_ctx=4096, n_threads=2, projector_idle_unload_s=1),
                         model_id="qwen2.5-coder-0.5b", mmproj_path=projector_gguf)
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

