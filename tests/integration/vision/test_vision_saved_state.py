"""An image stays cached with its conversation across a restart: restored from disk, neither encoded nor decoded."""

from __future__ import annotations

import threading
from pathlib import Path

from vision_samples import picture_png

from autoglm.core.llama.engine import LlamaEngine
from autoglm.core.settings import ModelSettings, VisionSettings
from autoglm.core.types import ChatMessage, Completion, GenerationRequest, SamplingParams
from autoglm.vision.image import normalise


def ask(engine: LlamaEngine, messages: list[ChatMessage]) -> Completion:
    request = GenerationRequest(
        messages, SamplingParams(temperature=0.0, max_tokens=6), thinking=False
    )
    return engine.generate(request, lambda event: None, threading.Event())


def test_a_reopened_image_conversation_is_restored_without_the_projector(
    starter_gguf: Path, projector_gguf: Path, tmp_path: Path
) -> None:
    image = normalise(picture_png(4), VisionSettings(), "saved.png")
    messages = [
        ChatMessage("system", "You describe images."),
        ChatMessage("user", "What is in this picture?", [image]),
    ]

    def started() -> LlamaEngine:
        engine = LlamaEngine(
            starter_gguf,
            ModelSettings(n_ctx=2048, n_threads=2),
            mmproj_path=projector_gguf,
            state_dir=tmp_path,
        )
        engine.load()
        return engine

    engine = started()
    try:
        first = ask(engine, messages)
    finally:
        engine.unload()  # saves the conversation, image and all
    follow = [
        *messages,
        ChatMessage("assistant", first.content),
        ChatMessage("user", "And its colour?"),
    ]
    engine = started()
    try:
        reply = ask(engine, follow)
        assert engine.vision is not None
        stats = engine.vision.stats
        assert engine.last_restored and reply.error is None
        assert (stats.images_encoded, stats.images_decoded) == (0, 0)
        assert stats.images_reused_from_kv == 1
        assert reply.usage.cached_prompt_tokens > first.usage.prompt_tokens // 2
    finally:
        engine.unload()
