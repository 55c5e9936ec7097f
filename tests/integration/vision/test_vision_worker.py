"""The image path through the engine worker: an image attached is encoded at once in the worker, asking
about it encodes nothing more, and a follow-up reuses the image from the worker's KV cache."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from vision_samples import picture_png

from autoglm.core.llama.client import WorkerEngine
from autoglm.core.settings import ModelSettings, VisionSettings
from autoglm.core.types import ChatMessage, Delta, GenerationRequest, SamplingParams
from autoglm.vision.image import normalise

SAMPLING = SamplingParams(temperature=0.0, max_tokens=4, seed=3)


@pytest.fixture(scope="module")
def vision_worker(
    starter_gguf: Path, projector_gguf: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkerEngine]:
    """The starter model and the test projector in a worker process."""
    engine = WorkerEngine(
        starter_gguf,
        ModelSettings(n_ctx=4096, n_threads=2),
        model_id="qwen2.5-coder-0.5b",
        mmproj_path=projector_gguf,
        log_dir=tmp_path_factory.mktemp("engine-logs"),
    )
    engine.load()
    yield engine
    engine.unload()


def test_an_attached_image_is_encoded_once_in_the_worker_and_reused_on_later_turns(
    vision_worker: WorkerEngine,
) -> None:
    assert vision_worker.info is not None and vision_worker.info.has_vision
    image = normalise(picture_png(2), VisionSettings(), "picture.png")
    vision_worker.prepare_images([image])
    attached = vision_worker.stats()
    assert attached.images_encoded == 1, "attaching encodes the image"
    messages = [ChatMessage("user", "What is in this picture?", [image])]
    events: list[object] = []
    first = vision_worker.generate(
        GenerationRequest(list(messages), SAMPLING, thinking=False),
        events.append,
        threading.Event(),
    )
    asked = vision_worker.stats()
    assert first.error is None and first.usage.completion_tokens >= 1
    assert any(isinstance(e, Delta) for e in events)
    assert asked.images_encoded == 1 and asked.images_reused_embeddings >= 1, (
        "asking encoded it again"
    )
    messages += [ChatMessage("assistant", first.content), ChatMessage("user", "And its colours?")]
    second = vision_worker.generate(
        GenerationRequest(messages, SAMPLING, thinking=False), lambda _e: None, threading.Event()
    )
    follow_up = vision_worker.stats()
    assert second.error is None
    assert follow_up.images_encoded == 1 and follow_up.images_decoded == asked.images_decoded
    assert follow_up.images_reused_from_kv >= asked.images_reused_from_kv + 1
    assert second.usage.cached_prompt_tokens > 256, "the image stayed in the worker's KV cache"
