"""Passages go into the question numbered and labelled; the reply's sources are picked and spoken."""

from __future__ import annotations

from autoglm.core.conversation import (
    Citation,
    build_request,
    cited_sources,
    grounded_messages,
    sources_line,
    spoken_attribution,
)
from autoglm.core.settings import GenerationSettings
from autoglm.core.types import ChatMessage

REPORT = Citation("report.pdf", "The crane lifts 38 tonnes.", "page 3", 0.03, "/docs/report.pdf", 3)
NOTES = Citation("notes.md", "The budget is 48,500 euros.", "Budget", 0.02, "/docs/notes.md")


def test_the_last_user_message_carries_the_numbered_passages() -> None:
    messages = [
        ChatMessage("user", "Hi"),
        ChatMessage("assistant", "Hello"),
        ChatMessage("user", "Crane limit?"),
    ]
    grounded = grounded_messages(messages, [REPORT, NOTES])
    assert grounded[:2] == messages[:2]
    text = grounded[2].content
    assert "[1] report.pdf, page 3\nThe crane lifts 38 tonnes." in text
    assert "[2] notes.md, Budget" in text and text.endswith("Question: Crane limit?")
    assert grounded_messages(messages, []) == messages
    request = build_request(
        messages, GenerationSettings(system_prompt="Be brief."), passages=[REPORT]
    )
    assert (
        request.messages[0].content == "Be brief."
        and "report.pdf, page 3" in request.messages[-1].content
    )


def test_sources_are_those_the_reply_marks_or_names_else_all() -> None:
    assert cited_sources([REPORT, NOTES], "It lifts 38 tonnes [1].") == [REPORT]
    assert cited_sources([REPORT, NOTES], "As notes.md says, 48,500 euros.") == [NOTES]
    assert cited_sources([REPORT, NOTES], "I am not sure.") == [REPORT, NOTES]
    assert sources_line([REPORT, REPORT, NOTES]) == "Sources: report.pdf, page 3; notes.md, Budget"
    assert sources_line([]) == ""


def test_spoken_replies_say_according_to_which_file() -> None:
    assert spoken_attribution([REPORT]) == "According to report.pdf, "
    assert spoken_attribution([REPORT, NOTES, REPORT]) == "According to report.pdf and notes.md, "
    assert spoken_attribution([REPORT], "zh-CN") == "根据report.pdf，"
    assert spoken_attribution([]) == ""
