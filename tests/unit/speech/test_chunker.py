"""SentenceChunker: sentence ends, early first sentence, code fences, markdown noise."""

from __future__ import annotations

import pytest

from autoglm.speech.chunker import SentenceChunker, speakable


def chunks(deltas: list[str], **options: int) -> list[str]:
    return SentenceChunker(**options).feed_all(deltas)


def test_sentences_are_yielded_as_soon_as_they_end() -> None:
    chunker = SentenceChunker()
    assert chunker.feed("Hello there") == []
    assert chunker.feed(".") == []  # a '.' needs the following space to count
    assert chunker.feed(" How are") == ["Hello there."]
    assert chunker.feed(" you? Fine") == ["How are you?"]
    assert chunker.flush() == ["Fine"]


def test_text_split_into_single_characters_gives_the_same_sentences() -> None:
    text = "The sky is blue. Grass is green! Is water wet? Yes."
    whole = chunks([text])
    assert whole == ["The sky is blue.", "Grass is green!", "Is water wet?", "Yes."]
    assert chunks(list(text)) == whole


def test_chinese_punctuation_ends_sentences_without_a_space() -> None:
    assert chunks(["你好。我很好！", "谢谢；再见……", "好吗？"]) == [
        "你好。",
        "我很好！",
        "谢谢；",
        "再见……",
        "好吗？",
    ]


def test_newlines_end_sentences_and_blank_lines_say_nothing() -> None:
    assert chunks(["Title line\n\nSecond line\n"]) == ["Title line", "Second line"]


def test_decimals_abbreviations_and_list_numbers_do_not_split() -> None:
    text = "1. Install it, e.g. with pip.\n2. Version 3.5 works. Dr. Smith agrees."
    assert chunks([text]) == [
        "Install it, e.g. with pip.",
        "Version 3.5 works.",
        "Dr. Smith agrees.",
    ]


def test_a_period_at_the_end_of_a_delta_waits_for_the_next_one() -> None:
    chunker = SentenceChunker()
    assert chunker.feed("Pi is 3.") == []
    assert chunker.feed("14 roughly. Next") == ["Pi is 3.14 roughly."]


def test_fenced_code_is_never_spoken_even_when_the_fence_is_split() -> None:
    deltas = [
        "Run this:\n`",
        "``pyth",
        "on\nprint('hi. there.')\n",
        "x = 1\n`",
        "``\n",
        "Then it prints. Done.",
    ]
    assert chunks(deltas) == ["Run this:", "Then it prints.", "Done."]


def test_tilde_fences_and_unclosed_fences_are_skipped() -> None:
    assert chunks(["Before.\n~~~\ncode.\n~~~\nAfter.\n```\nnever closed. really."]) == [
        "Before.",
        "After.",
    ]


def test_inline_backticks_in_prose_are_not_fences() -> None:
    assert chunks(["Use `pip install` now. Ok."]) == ["Use pip install now.", "Ok."]


def test_markdown_noise_is_stripped() -> None:
    text = (
        "## Heading\n- **Bold** item with [a link](https://example.com).\n"
        "> quoted _words_ here.\nSee https://example.com/x for more.\n| a | b |\n|---|---|\n"
    )
    assert chunks([text]) == [
        "Heading",
        "Bold item with a link.",
        "quoted words here.",
        "See for more.",
        "a b",
    ]


def test_long_first_sentence_breaks_early_at_a_comma() -> None:
    chunker = SentenceChunker(first_clause_chars=30)
    first = chunker.feed("The capital of France is Paris, which is a large city, and it is old.")
    assert first == ["The capital of France is Paris,"]
    assert chunker.flush() == ["which is a large city, and it is old."]


def test_short_clause_before_a_comma_does_not_break() -> None:
    assert chunks(["Yes, it is. Ok."]) == ["Yes, it is.", "Ok."]


def test_overlong_text_without_punctuation_is_cut_at_a_space() -> None:
    sentences = chunks(["word " * 100], max_chars=50)
    assert all(len(sentence) <= 50 for sentence in sentences)
    assert " ".join(sentences).split() == ["word"] * 100


def test_closing_quotes_stay_with_their_sentence() -> None:
    assert chunks(['He said "stop." Then left.']) == ['He said "stop."', "Then left."]


def test_reset_forgets_a_partial_reply() -> None:
    chunker = SentenceChunker()
    chunker.feed("```\nhalf a code block")
    chunker.reset()
    assert chunker.feed_all(["Fresh start. Yes."]) == ["Fresh start.", "Yes."]


@pytest.mark.parametrize("noise", ["---", "***", "|---|---|", "```", "  ", "**", "# "])
def test_lines_of_pure_markup_are_not_spoken(noise: str) -> None:
    assert speakable(noise) == ""


def test_first_words_cut_the_first_piece_early_and_only_the_first() -> None:
    chunker = SentenceChunker(first_words=4)
    assert chunker.feed("The capital city") == []
    assert chunker.feed(" of France is") == ["The capital city of France"]  # never after "of"
    assert chunker.feed(" Paris. It is a big and old city,") == ["is Paris."]
    assert chunker.flush() == ["It is a big and old city,"]


def test_first_words_wait_for_the_word_to_be_complete() -> None:
    chunker = SentenceChunker(first_words=3)
    assert chunker.feed("Seven days make") == []  # "make" may still grow into "makes"
    assert chunker.feed(" up a") == ["Seven days make"]
    assert chunker.feed(" week.") == []
    assert chunker.flush() == ["up a week."]


def test_sentences_already_complete_are_never_cut() -> None:
    # Text that arrives whole (``say``, a short first sentence) keeps its natural sentences.
    assert chunks(["Paris. The capital of France is a big city."], first_words=4) == [
        "Paris.",
        "The capital of France is a big city.",
    ]


def test_leaning_words_extend_the_first_piece_only_so_far() -> None:
    chunker = SentenceChunker(first_words=2)
    assert chunker.feed("It is of the to a an the") == ["It is of the to"]
    assert chunker.feed(" end.") == []
    assert chunker.flush() == ["a an the end."]


def test_chinese_without_spaces_waits_for_punctuation() -> None:
    assert chunks(["巴黎是法国的首都也是最大的城市。很美。"], first_words=4) == [
        "巴黎是法国的首都也是最大的城市。",
        "很美。",
    ]


def test_a_streamed_chinese_reply_speaks_its_first_clause_early() -> None:
    chunker = SentenceChunker(first_words=3)
    assert chunker.feed("中国的首都") == []
    assert chunker.feed("是北京，它也是") == ["中国的首都是北京，"]
    assert chunker.feed("一座古老的城市。") == ["它也是一座古老的城市。"]
    assert SentenceChunker().feed_all(["好，我知道了。"]) == ["好，我知道了。"]
