"""What the voice says about a tool call, and what it takes for an answer."""

from __future__ import annotations

from autoglm.tools.approval import Decision, PendingCall
from autoglm.tools.spoken import SpokenTools, spoken_tool_name


def test_the_question_names_the_tool_as_it_is_said_in_the_language_it_was_asked_in() -> None:
    call = PendingCall("c1", "get_weather", {"city": "Paris"})
    assert spoken_tool_name("get-current_weather") == "get current weather"
    assert SpokenTools.question(call) == "May I run get weather?"
    assert SpokenTools.question(call, "zh") == "可以运行 get weather 吗？"
    assert SpokenTools.question(call, "fr") == "May I run get weather?"  # no French voice: English
    assert SpokenTools.ask_again("zh-CN") == "请说是或者不。"


def test_spoken_answers_and_silence() -> None:
    assert (
        SpokenTools.heard("Yes.") is Decision.ONCE and SpokenTools.heard("好的。") is Decision.ONCE
    )
    assert (
        SpokenTools.heard("No, don't.") is Decision.DENY
        and SpokenTools.heard("不要") is Decision.DENY
    )
    assert SpokenTools.heard("What is the time?") is None
    assert SpokenTools.unanswered() is Decision.DENY
