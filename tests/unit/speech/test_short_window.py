"""Short encoder windows: their size, and the checks that send a runaway decode back to 30 s."""

from __future__ import annotations

from autoglm.speech.short_window import (
    FULL_WINDOW_FRAMES,
    MIN_WINDOW_FRAMES,
    looks_degenerate,
    window_frames,
)


def test_the_window_is_three_times_the_speech_within_bounds_and_even() -> None:
    assert window_frames(50) == MIN_WINDOW_FRAMES
    assert window_frames(401) == 1204
    assert window_frames(999) == 2998
    assert window_frames(1000) == FULL_WINDOW_FRAMES
    assert all(window_frames(frames) % 2 == 0 for frames in range(1, 1200))


def test_a_plain_sentence_passes() -> None:
    assert not looks_degenerate("What is the capital of France?", tokens=8, token_limit=22)


def test_a_decode_that_hit_its_token_limit_is_rejected() -> None:
    assert looks_degenerate("What is the capital of France and", tokens=22, token_limit=22)


def test_a_repeated_phrase_is_rejected() -> None:
    assert looks_degenerate(
        "Tell me a joke about computers Tell me a joke about", tokens=12, token_limit=40
    )


def test_text_that_compresses_like_a_loop_is_rejected() -> None:
    assert looks_degenerate("ha" * 40, tokens=20, token_limit=100)
