"""The turn detector's rules on partial transcripts, and the endpointer following them."""

from __future__ import annotations

import pytest

from autoglm.speech.turn_rules import TurnVerdict, end_silence_ms, judge
from autoglm.speech.vad import EndpointConfig, Endpointer, TurnEventKind


@pytest.mark.parametrize(
    "text",
    [
        "What is the capital of France?",
        "Tell me a joke.",
        "Stop!",
        "今天天气怎么样？",
        "中国的首都是哪里？",
        "你好吗",
        "好的。",
        "是的",
        "I want to know about cats.",
        "What is 2 plus 3?",
    ],
)
def test_finished_sentences(text: str) -> None:
    assert judge(text) is TurnVerdict.FINISHED


@pytest.mark.parametrize(
    "text",
    [
        "What is the capital of",
        "I went to the shop and",
        "Tell me about, um",
        "but",
        "The weather is,",
        "So I was thinking...",
        "我想知道然后",
        "今天的",
        "我们在",
        "请问，",
        "Could you tell me the?",
    ],
)
def test_unfinished_sentences(text: str) -> None:
    assert judge(text) is TurnVerdict.UNFINISHED


@pytest.mark.parametrize("text", ["", "Paris", "我想知道中国"])
def test_no_clear_sign_is_unsure(text: str) -> None:
    assert judge(text) is TurnVerdict.UNSURE


def test_a_sentence_mark_the_recogniser_was_unsure_of_does_not_finish_the_sentence() -> None:
    # whisper heard "What do bees make and" as "What do these make?", giving its "?" 0.2
    assert judge("What do these make?", end_confidence=0.2) is TurnVerdict.UNFINISHED
    assert judge("What do these make?", end_confidence=0.9) is TurnVerdict.FINISHED
    assert (
        judge("What do these make?") is TurnVerdict.FINISHED
    )  # no confidence known: the words decide
    assert (
        judge("What is the capital of?", end_confidence=0.9) is TurnVerdict.UNFINISHED
    )  # a leaning word still leans


def test_each_verdict_has_its_silence() -> None:
    assert end_silence_ms(TurnVerdict.FINISHED, 250, 1200, 600) == 250
    assert end_silence_ms(TurnVerdict.UNFINISHED, 250, 1200, 600) == 1200
    assert end_silence_ms(TurnVerdict.UNSURE, 250, 1200, 600) == 600


def _silence_until_end(
    endpointer: Endpointer, change_after_frames: int, silence_ms: float | None
) -> int:
    for _ in range(20):
        endpointer.update(0.9)
    for frame in range(1, 200):
        if frame == change_after_frames:
            endpointer.extend_or_shorten(silence_ms)
        if endpointer.update(0.01) is TurnEventKind.TURN_ENDED:
            return frame
    raise AssertionError("the turn never ended")


def test_a_finished_verdict_shortens_the_pause_and_an_unfinished_one_keeps_it_long() -> None:
    config = EndpointConfig(end_silence_ms=1200, likely_end_ms=96)
    frame_ms = config.frame_ms
    short = _silence_until_end(Endpointer(config), 5, 250)
    assert short * frame_ms == pytest.approx(256, abs=frame_ms)
    long = _silence_until_end(Endpointer(config), 5, 1200)
    assert long * frame_ms >= 1200
    # a verdict arriving after its silence already passed ends the turn on the next frame
    late = _silence_until_end(Endpointer(config), 12, 250)
    assert late == 12


def test_resumed_speech_forgets_the_verdict() -> None:
    endpointer = Endpointer(EndpointConfig(end_silence_ms=1200, likely_end_ms=96))
    for _ in range(20):
        endpointer.update(0.9)
    for _ in range(4):
        endpointer.update(0.01)
    endpointer.extend_or_shorten(250)
    assert endpointer.update(0.9) is TurnEventKind.SPEECH_RESUMED
    assert endpointer.end_silence_ms == 1200
