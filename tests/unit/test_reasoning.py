"""The streaming reasoning splitter, fed the way tokens arrive: in arbitrary pieces."""

from __future__ import annotations

import pytest

from autoglm.core.reasoning import ReasoningSplitter, split_reasoning


def feed_in_pieces(text: str, size: int, start_in_reasoning: bool = False) -> tuple[str, str]:
    splitter = ReasoningSplitter(start_in_reasoning)
    reasoning, content = [], []
    for i in range(0, len(text), size):
        delta = splitter.feed(text[i : i + size])
        reasoning.append(delta.reasoning)
        content.append(delta.content)
    last = splitter.flush()
    return "".join(reasoning) + last.reasoning, "".join(content) + last.content


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 100])
def test_autoglm_form_is_split_whatever_the_token_boundaries(size: int) -> None:
    text = "<think>The user wants the capital.</think><answer>Paris is the capital.</answer>"
    reasoning, content = feed_in_pieces(text, size)
    assert reasoning == "The user wants the capital."
    assert content == "Paris is the capital."


def test_plain_reply_is_all_content() -> None:
    assert feed_in_pieces("Just an answer < 3 > 2.", 2) == ("", "Just an answer < 3 > 2.")


def test_a_lone_angle_bracket_at_the_end_is_released_on_flush() -> None:
    splitter = ReasoningSplitter()
    assert splitter.feed("a <").content == "a "
    assert splitter.flush().content == "<"


def test_template_that_opens_think_starts_in_reasoning() -> None:
    reasoning, content = feed_in_pieces("step one</think>\n\nDone.", 3, start_in_reasoning=True)
    assert reasoning == "step one"
    assert content == "Done."


def test_unclosed_think_stays_reasoning() -> None:
    assert split_reasoning("<think>still thinking") == ("still thinking", "")


def test_leading_whitespace_after_thought_is_dropped() -> None:
    assert split_reasoning("<think>x</think>\n\n  Hello") == ("x", "Hello")
