"""The real image path: image → projector encode → decode into the starter model → streamed reply.

The reply of a random projector means nothing; what is checked is that the path runs for
real, streams, and that a follow-up about an image already in the conversation neither
re-encodes nor re-evaluates it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from vision_samples import huge_png_header, picture_png, truncated_png

from autoglm.core.errors import InputError
from autoglm.core.settings import VisionSettings
from autoglm.core.types import ChatMessage, Delta, GenerationRequest, Notice, SamplingParams
from autoglm.vision.image import load_image_file, normalise

IMAGE_TOKENS = 256
SAMPLING = SamplingParams(temperature=0.0, max_tokens=6, seed=3)


def ask(scheduler, messages):
    stream = scheduler.submit(GenerationRequest(list(messages), SAMPLING, thinking=False))
    events = list(stream)
    return stream.result(timeout=600), events


@pytest.fixture(scope="module")
def conversation(vision_engine, vision_scheduler):
    """A first image turn, answered once for the whole module."""
    image = normalise(picture_png(1), VisionSettings(), "picture.png")
    messages = [
        ChatMessage("system", "You describe images."),
        ChatMessage("user", "What is in this picture?", [image]),
    ]
    encoded_before = vision_engine.vision.stats.images_encoded
    completion, events = ask(vision_scheduler, messages)
    messages.append(ChatMessage("assistant", completion.content))
    return {
        "messages": messages,
        "completion": completion,
        "events": events,
        "encoded": vision_engine.vision.stats.images_encoded - encoded_before,
    }


def test_image_turn_runs_the_projector_and_streams_a_reply(conversation) -> None:
    completion, events = conversation["completion"], conversation["events"]
    assert completion.error is None
    assert conversation["encoded"] == 1
    assert completion.usage.prompt_tokens > IMAGE_TOKENS
    assert completion.usage.completion_tokens >= 1
    deltas = [e for e in events if isinstance(e, Delta)]
    assert deltas, "the reply must stream as deltas"
    assert "".join(d.content for d in deltas).rstrip() == completion.content
    loading = [e for e in events if isinstance(e, Notice) and e.kind == "loading"]
    assert loading and events.index(loading[0]) < events.index(deltas[0]), (
        "the projector load is announced first"
    )
    assert completion.finish_reason in ("stop", "length")


def test_follow_up_neither_re_encodes_nor_re_evaluates_the_image(
    vision_engine, vision_scheduler, conversation
) -> None:
    stats = vision_engine.vision.stats
    encoded, decoded, reused = (
        stats.images_encoded,
        stats.images_decoded,
        stats.images_reused_from_kv,
    )
    messages = conversation["messages"] + [ChatMessage("user", "What colour is the block?")]
    completion, _ = ask(vision_scheduler, messages)
    assert completion.error is None and completion.usage.completion_tokens >= 1
    assert stats.images_encoded == encoded
    assert stats.images_decoded == decoded
    assert stats.images_reused_from_kv == reused + 1
    new_tokens = completion.usage.prompt_tokens - completion.usage.cached_prompt_tokens
    assert completion.usage.cached_prompt_tokens > IMAGE_TOKENS
    assert new_tokens < 40, "only the new question (and the re-rendered last reply) is evaluated"


def test_projector_unloads_when_idle_and_follow_ups_do_not_reload_it(
    vision_engine, vision_scheduler, conversation
) -> None:
    projector = vision_engine.vision.projector
    deadline = time.monotonic() + 10
    while projector.loaded and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not projector.loaded, "the projector should unload after 1 idle second"
    loads = projector.load_count
    completion, _ = ask(
        vision_scheduler, conversation["messages"] + [ChatMessage("user", "Is it bright?")]
    )
    assert completion.error is None
    assert completion.usage.cached_prompt_tokens > IMAGE_TOKENS
    assert projector.load_count == loads and not projector.loaded


def test_bad_images_get_one_sentence_and_the_conversation_goes_on(
    tmp_path: Path, vision_engine, vision_scheduler, conversation
) -> None:
    settings = VisionSettings()
    files = {
        "cut.png": truncated_png(),
        "notes.jpg": b"shopping list: milk, eggs\n",
        "bomb.png": huge_png_header(),
    }
    messages = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(InputError) as caught:
            load_image_file(tmp_path / name, settings)
        message = str(caught.value)
        assert name in message and "\n" not in message
        messages.append(message)
    assert len(set(messages)) == 3
    stats = vision_engine.vision.stats
    encoded = stats.images_encoded
    completion, _ = ask(
        vision_scheduler, conversation["messages"] + [ChatMessage("user", "Thanks. One more look?")]
    )
    assert completion.error is None and completion.usage.cached_prompt_tokens > IMAGE_TOKENS
    assert stats.images_encoded == encoded


def test_the_image_stays_cached_with_its_conversation_while_another_runs(
    vision_engine, vision_scheduler, conversation
) -> None:
    stats = vision_engine.vision.stats
    text_only, _ = ask(
        vision_scheduler, [ChatMessage("user", "Say hi.")]
    )  # another conversation, its own sequence
    assert text_only.error is None
    encoded, decoded = stats.images_encoded, stats.images_decoded
    completion, _ = ask(
        vision_scheduler, conversation["messages"] + [ChatMessage("user", "And its colour?")]
    )
    assert completion.error is None
    assert (stats.images_encoded, stats.images_decoded) == (encoded, decoded)


def test_lost_kv_is_rebuilt_from_cached_embeddings_without_re_encoding(
    vision_engine, vision_scheduler, conversation
) -> None:
    stats = vision_engine.vision.stats
    vision_scheduler.submit_call(vision_engine.clear_cache).result(
        timeout=60
    )  # as if evicted with no disk cache
    encoded, decoded, from_embeddings = (
        stats.images_encoded,
        stats.images_decoded,
        stats.images_reused_embeddings,
    )
    completion, _ = ask(
        vision_scheduler, conversation["messages"] + [ChatMessage("user", "Describe it again.")]
    )
    assert completion.error is None
    assert stats.images_encoded == encoded
    assert stats.images_decoded == decoded + 1
    assert stats.images_reused_embeddings == from_embeddings + 1


def test_an_image_prepared_when_attached_is_not_encoded_again_when_sent(
    vision_engine, vision_scheduler
) -> None:
    session = vision_engine.vision
    image = normalise(picture_png(5), VisionSettings(), "attached.png")
    encoded = session.stats.images_encoded
    vision_scheduler.submit_call(lambda: vision_engine.prepare_images([image])).result(timeout=600)
    assert session.stats.images_encoded == encoded + 1
    decoded = session.stats.images_decoded
    completion, _ = ask(vision_scheduler, [ChatMessage("user", "What is this?", [image])])
    assert completion.error is None
    assert session.stats.images_encoded == encoded + 1
    assert session.stats.images_decoded == decoded + 1


def test_cancel_during_a_new_image_stops_and_the_engine_stays_usable(
    vision_engine, vision_scheduler
) -> None:
    image = normalise(picture_png(7), VisionSettings(), "other.png")
    request = GenerationRequest(
        [ChatMessage("user", "What is this?", [image])], SAMPLING, thinking=False
    )
    stream = vision_scheduler.submit(request)
    threading.Timer(0.3, stream.cancel).start()
    completion = stream.result(timeout=600)
    assert completion.finish_reason == "cancelled"
    after, _ = ask(vision_scheduler, [ChatMessage("user", "Say hi.")])
    assert after.error is None and after.usage.completion_tokens >= 1


def test_several_images_in_one_message_each_take_their_place(
    vision_engine, vision_scheduler
) -> None:
    first = normalise(picture_png(2, (64, 64)), VisionSettings(), "a.png")
    second = replace(first, rgb=bytes(reversed(first.rgb)), sha256="f" * 64)
    prompt = vision_engine.build_prompt(
        [ChatMessage("user", "Compare them.", [first, second])], thinking=False
    )
    sequence = prompt.sequence
    assert [m.key.split(":")[0] for m in sequence.media] == [first.sha256, second.sha256]
    assert sequence.n_cells > 2 * IMAGE_TOKENS
    assert len(prompt.text_parts) == 3


def test_a_model_without_projector_says_why(llama_engine) -> None:
    image = normalise(picture_png(1), VisionSettings(), "picture.png")
    request = GenerationRequest([ChatMessage("user", "What is this?", [image])], SAMPLING)
    with pytest.raises(InputError, match="no vision projector"):
        llama_engine.generate(request, lambda event: None, threading.Event())
    assert not llama_engine.info.has_vision and llama_engine.info.vision_unavailable_reason
