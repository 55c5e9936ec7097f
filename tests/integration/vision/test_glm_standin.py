"""AutoGLM-Phone-9B's architecture through llama.cpp, proven on a tiny stand-in of the same layout.

The stand-in (``fixtures.glm``) is a ``glm4`` text model with M-RoPE sections and GLM's
template, quantised to Q4_K_M, with a ``glm4v`` projector as wide as the text model.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from autoglm.core.catalog import ModelRepository
from autoglm.core.errors import ModelError
from autoglm.core.gguf_file import inspect_gguf
from autoglm.core.llama.engine import LlamaEngine
from autoglm.core.llama.projector import check_projector_file
from autoglm.core.paths import app_paths
from autoglm.core.settings import ModelSettings, VisionSettings
from autoglm.core.types import ChatMessage, GenerationRequest, SamplingParams, StreamEvent
from autoglm.vision.glm_standin import LONG_PIECES, write_glm4v_projector
from autoglm.vision.image import image_from_rgb

OLD_CONVERSION = "converted before llama.cpp supported its images"


def _image(width: int, height: int) -> object:
    pixels = bytes(
        (x * 7 + y * 3) % 256 for y in range(height) for x in range(width) for _ in range(3)
    )
    return image_from_rgb(width, height, pixels, VisionSettings())


def _engine(model: Path, mmproj: Path | None = None, n_ctx: int = 1024) -> LlamaEngine:
    engine = LlamaEngine(
        model, ModelSettings(n_ctx=n_ctx, n_threads=2, flash_attn=True), mmproj_path=mmproj
    )
    engine.load()
    return engine


def _ask(
    engine: LlamaEngine,
    text: str,
    images: list | None = None,
    max_tokens: int = 24,
    thinking: bool = True,
    events: list[StreamEvent] | None = None,
):
    request = GenerationRequest(
        [ChatMessage("user", text, images=images or [])],
        SamplingParams(temperature=0.0, max_tokens=max_tokens, seed=1),
        thinking=thinking,
    )
    return engine.generate(
        request, (events.append if events is not None else lambda _e: None), threading.Event()
    )


@pytest.fixture(scope="module")
def glm_engine(glm_standin):
    engine = _engine(glm_standin.model, glm_standin.mmproj)
    yield engine
    engine.unload()


def test_the_stand_in_has_the_real_models_layout(glm_standin) -> None:
    model, projector = (
        inspect_gguf(glm_standin.model),
        inspect_gguf(glm_standin.mmproj, role="projector"),
    )
    assert (model.architecture, model.quantization) == ("glm4", "Q4_K_M")
    assert model.uses_mrope and model.rope_sections[:3] == [4, 6, 6]
    assert model.chat_template.startswith("[gMASK]<sop>")
    assert projector.projector_type == "glm4v"
    assert projector.metadata["clip.vision.projection_dim"] == model.embedding_length
    check_projector_file(glm_standin.mmproj, model)


def test_glm_prompt_puts_the_image_line_before_the_text(glm_engine) -> None:
    prompt = glm_engine.build_prompt([ChatMessage("user", "Open the app", images=[_image(56, 56)])])
    sequence = prompt.sequence
    assert prompt.text_parts[0].endswith("<|user|>\n")
    assert prompt.text_parts[1].startswith("\nOpen the app<|assistant|>\n")
    assert (
        sequence.n_cells > sequence.n_positions
    )  # M-RoPE: an image takes fewer positions than cells


def test_an_old_conversion_with_a_glm4v_projector_is_refused_at_load(
    glm_old_conversion, glm_standin
) -> None:
    engine = LlamaEngine(
        glm_old_conversion, ModelSettings(n_ctx=512, n_threads=2), mmproj_path=glm_standin.mmproj
    )
    with pytest.raises(
        ModelError, match=OLD_CONVERSION + ".*reconvert it with a current llama.cpp"
    ):
        engine.load()
    assert not engine.loaded


def test_an_old_conversion_still_works_for_text(glm_old_conversion) -> None:
    engine = _engine(glm_old_conversion, n_ctx=512)
    try:
        completion = _ask(engine, "Hello", max_tokens=8)
        assert completion.usage.completion_tokens > 0
        assert not engine.info.has_vision
    finally:
        engine.unload()


def test_an_old_conversion_with_a_glm4v_projector_is_refused_at_import(
    glm_old_conversion, glm_standin
) -> None:
    repo = ModelRepository(app_paths().ensure())
    with pytest.raises(ModelError, match=OLD_CONVERSION):
        repo.import_model(glm_old_conversion, glm_standin.mmproj, model_id="old")
    assert "old" not in repo.imported()
    assert repo.import_model(glm_old_conversion, model_id="old-text") == "old-text"


def test_a_glm4v_projector_next_to_another_architecture_is_refused(
    tmp_path: Path, starter_gguf: Path
) -> None:
    projector = write_glm4v_projector(tmp_path / "mmproj-glm-896.gguf", 896)
    engine = LlamaEngine(starter_gguf, ModelSettings(n_ctx=512, n_threads=2), mmproj_path=projector)
    with pytest.raises(
        ModelError, match="is a glm4v projector for glm4 models, but .* is a qwen2 model"
    ):
        engine.load()


def test_a_glm4v_projector_of_another_width_is_refused(tmp_path: Path, glm_standin) -> None:
    projector = write_glm4v_projector(tmp_path / "mmproj-glm-128.gguf", 128)
    with pytest.raises(
        ModelError, match="projects images to 128 values, but the language model expects 256"
    ):
        ModelRepository(app_paths().ensure()).import_model(glm_standin.model, projector)


def test_an_image_and_a_question_get_an_answer(glm_engine) -> None:
    completion = _ask(glm_engine, "What is on the screen?", [_image(112, 84)])
    assert completion.finish_reason in ("stop", "length")
    assert completion.usage.prompt_tokens > 12  # 4×3 image tokens plus the text


def test_a_long_reply_after_an_image_stops_at_the_context_not_past_it(
    glm_long_pieces, glm_standin
) -> None:
    engine = _engine(glm_long_pieces, glm_standin.mmproj, n_ctx=512)
    try:
        image = _image(616, 616)  # 22×22 = 484 KV cells, but only 22 positions
        completion = _ask(engine, "Describe it", [image], max_tokens=400)
        assert completion.finish_reason == "length"
        assert completion.usage.prompt_tokens > 484
        assert completion.usage.prompt_tokens + completion.usage.completion_tokens <= 512
        follow_up = _ask(
            engine, "Describe it", [image], max_tokens=4
        )  # the context is still usable
        assert follow_up.usage.completion_tokens > 0
    finally:
        engine.unload()


def test_pieces_longer_than_32_bytes_reach_the_reader(glm_long_pieces) -> None:
    engine = _engine(glm_long_pieces, n_ctx=512)
    try:
        events: list[StreamEvent] = []
        completion = _ask(engine, "Say something", max_tokens=6, events=events)
        assert completion.usage.completion_tokens == 6
        streamed = "".join(getattr(e, "content", "") for e in events)
        assert streamed and streamed.replace(LONG_PIECES[0], "").replace(LONG_PIECES[1], "") == ""
        assert len(streamed) >= 6 * 40 and completion.content == streamed
    finally:
        engine.unload()


def test_control_tokens_the_model_emits_never_show(glm_control_tokens) -> None:
    engine = _engine(glm_control_tokens, n_ctx=512)
    try:
        completion = _ask(engine, "Hello", max_tokens=6)
        assert completion.usage.completion_tokens == 6
        assert completion.content == "" and completion.reasoning == ""
    finally:
        engine.unload()


def test_thinking_off_closes_an_empty_thought_in_the_glm_prompt(glm_engine) -> None:
    messages = [ChatMessage("user", "Open Settings")]
    assert glm_engine.render(messages, thinking=False).text.endswith(
        "<|assistant|>\n<think></think>\n"
    )
    assert glm_engine.render(messages, thinking=True).text.endswith("<|assistant|>\n")


def test_glm_replies_stop_at_the_protocols_end_strings(glm_engine) -> None:
    assert set(glm_engine.template.stop_strings) == {
        "</answer>",
        "<|user|>",
        "<|observation|>",
        "<|endoftext|>",
    }


def test_a_glm_reply_ends_at_answer_close_and_the_other_end_strings(glm_end_strings) -> None:
    engine = _engine(glm_end_strings, n_ctx=512)
    try:
        completion = _ask(engine, "Open Settings", max_tokens=20)
        assert completion.finish_reason == "stop" and completion.usage.completion_tokens == 1
        assert completion.content == "" and completion.raw == ""
    finally:
        engine.unload()


def test_the_raw_reply_keeps_the_tags_that_content_and_reasoning_split(glm_thinking) -> None:
    from autoglm.core.reasoning import split_reasoning

    engine = _engine(glm_thinking, n_ctx=512)
    try:
        events: list[StreamEvent] = []
        completion = _ask(engine, "Open Settings", max_tokens=12, events=events)
        assert "</think>" in completion.raw or "Tap" in completion.raw
        assert "".join(e.raw for e in events if getattr(e, "raw", None)) == completion.raw
        reasoning, content = split_reasoning(completion.raw)
        assert (reasoning, content) == (completion.reasoning, completion.content)
    finally:
        engine.unload()


@pytest.mark.parametrize(("width", "height"), [(1080, 2400), (2560, 1440)])
def test_a_screen_costs_the_model_what_the_budget_says(glm_engine, width: int, height: int) -> None:
    from autoglm.vision.image import image_token_cost

    image = image_from_rgb(
        width, height, bytes(width * height * 3), VisionSettings(image_tokens=1024)
    )
    sequence = glm_engine.build_prompt([ChatMessage("user", "x", images=[image])]).sequence
    assert [piece.n_tokens for piece in sequence.media] == [image_token_cost(width, height, 1024)]
    assert image_token_cost(width, height, 1024) <= 1024
