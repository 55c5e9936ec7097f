"""Dropping the oldest turns to fit the context, with plain values."""

from __future__ import annotations

from autoglm.core.llama.engine import trim_to_fit
from autoglm.core.llama.reply import _StopMatcher
from autoglm.core.llama.sequence import common_prefix_length
from autoglm.core.types import ChatMessage


def count_words(messages: list[ChatMessage]) -> int:
    return sum(len(m.content.split()) for m in messages)


def conversation(turns: int) -> list[ChatMessage]:
    messages = [ChatMessage("system", "sys")]
    for i in range(turns):
        messages += [
            ChatMessage("user", f"question {i} a b"),
            ChatMessage("assistant", f"answer {i} c d"),
        ]
    messages.append(ChatMessage("user", "last question"))
    return messages


def test_nothing_dropped_when_it_fits() -> None:
    messages = conversation(2)
    kept, dropped = trim_to_fit(messages, count_words, 1000)
    assert kept == messages and dropped == 0


def test_oldest_turns_dropped_system_and_last_message_kept() -> None:
    messages = conversation(5)
    kept, dropped = trim_to_fit(messages, count_words, 20)
    assert kept[0].content == "sys"
    assert kept[-1].content == "last question"
    assert count_words(kept) <= 20
    assert dropped == len(messages) - len(kept)
    assert kept[1].role == "user"  # still alternates after the system prompt


def test_last_message_is_kept_even_when_too_long() -> None:
    messages = [ChatMessage("system", "sys"), ChatMessage("user", "x " * 50)]
    kept, dropped = trim_to_fit(messages, count_words, 5)
    assert kept == messages and dropped == 0


def test_common_prefix_length() -> None:
    assert common_prefix_length([1, 2, 3, 4], [1, 2, 9]) == 2
    assert common_prefix_length([1, 2], [1, 2, 3]) == 2
    assert common_prefix_length([], [1]) == 0


def test_stop_matcher_holds_back_a_possible_stop_and_cuts_at_it() -> None:
    matcher = _StopMatcher(["END"])
    first, stopped_early = matcher.push("abc EN")
    assert first == "abc " and not stopped_early  # "EN" could still become "END"
    second, stopped = matcher.push("D tail")
    assert second == "" and stopped


def test_stop_matcher_releases_held_text_that_was_not_a_stop() -> None:
    matcher = _StopMatcher(["END"])
    first, _ = matcher.push("abc EN")
    second, stopped = matcher.push("ough")
    assert not stopped
    assert first + second + matcher.flush() == "abc ENough"


def test_stop_matcher_without_stops_passes_everything() -> None:
    assert _StopMatcher([]).push("anything") == ("anything", False)
