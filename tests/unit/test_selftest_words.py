"""How the selftest decides that whisper heard the sentence piper spoke."""

from __future__ import annotations

import pytest

from autoglm.cli.selftest import SENTENCE, word_overlap


@pytest.mark.parametrize(
    ("heard", "expected"),
    [
        (SENTENCE, 1.0),
        ("the QUICK brown fox, jumps over the lazy dog!", 1.0),
        (
            "The quick brown fox jumped over a lazy dog.",
            8 / 9,
        ),  # "the" counts twice, "jumps" missed
        ("A slow red cat.", 0.0),
        ("", 0.0),
    ],
)
def test_word_overlap_ignores_case_and_punctuation(heard: str, expected: float) -> None:
    assert word_overlap(SENTENCE, heard) == pytest.approx(expected)


def test_word_overlap_of_an_empty_expectation_is_zero() -> None:
    assert word_overlap("", "anything") == 0.0
