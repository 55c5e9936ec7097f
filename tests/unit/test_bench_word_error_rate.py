"""The word error rate that ``bench voice`` reports for the two whisper windows."""

from __future__ import annotations

from autoglm.bench.voice import word_error_rate


def test_case_and_punctuation_do_not_count() -> None:
    assert (
        word_error_rate(["What is the capital of France?"], ["what is the capital of france"])
        == 0.0
    )


def test_substitutions_insertions_and_deletions_count_over_reference_words() -> None:
    # "the" deleted (1), "of" → "on" (1), "city" inserted (1): 3 edits over 6 words
    assert (
        word_error_rate(["What is the capital of France?"], ["What is capital on France city"])
        == 0.5
    )


def test_errors_add_up_over_utterances() -> None:
    assert word_error_rate(["one two", "three four"], ["one two", "three"]) == 0.25


def test_character_error_rate_counts_chinese_characters() -> None:
    from autoglm.bench.voice import character_error_rate

    assert character_error_rate(["中国的首都是哪里？"], ["中国的首都是哪里"]) == 0.0
    assert character_error_rate(["今天天气怎么样？"], ["今天天气怎样"]) == 1 / 7
    assert character_error_rate(["一加一"], ["一鱼一"]) == 1 / 3


def test_the_split_questions_first_halves_are_not_sentences_on_their_own() -> None:
    """``cut_off_rate`` counts a 700 ms pause mid-sentence: no first half may be a whole question
    (even written with the question mark whisper often adds), or answering it would be right."""
    from autoglm.bench.voice import SPLIT_QUESTIONS
    from autoglm.speech.turn_rules import TurnVerdict, judge

    assert len(SPLIT_QUESTIONS) >= 10
    for first, _second in SPLIT_QUESTIONS:
        assert judge(first + "?") is TurnVerdict.UNFINISHED, first
