"""The word error rate that ``bench voice`` reports for the two whisper windows."""

from __future__ import annotations

from autoglm.bench.voice import word_error_rate


def test_case_and_punctuation_do_not_count() -> None:
    assert word_error_rate(["What is the capital of France?"], ["what is the capital of france"]) == 0.0


def test_substitutions_insertions_and_deletions_count_over_reference_words() -> None:
    # "the" deleted (1), "of" → "on" (1), "city" inserted (1): 3 edits over 6 words
    assert word_error_rate(["What is the capital of France?"], ["What is capital on France city"]) == 0.5


def test_errors_add_up_over_utterances() -> None:
    assert word_error_rate(["one two", "three four"], ["one two", "three"]) == 0.25


def test_character_error_rate_counts_chinese_characters() -> None:
    from autoglm.bench.voice import character_error_rate

    assert character_error_rate(["中国的首都是哪里？"], ["中国的首都是哪里"]) == 0.0
    assert character_error_rate(["今天天气怎么样？"], ["今天天气怎样"]) == 1 / 7
    assert character_error_rate(["一加一"], ["一鱼一"]) == 1 / 3
