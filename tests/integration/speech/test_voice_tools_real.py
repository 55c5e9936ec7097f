"""A spoken request that uses an MCP tool, approved or refused by voice, through real devices.

espeak-ng asks the question and answers "yes" or "no" into the virtual microphone; whisper
hears both; the starter model calls the test MCP server's ``get_weather`` (run over stdio
by the official SDK); piper asks "May I run get weather?" on the virtual speaker, recorded
with parec and transcribed back. The tool runs only after the spoken yes.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from speech_audio import espeak_wav, wait_for

from autoglm.core.settings import VoiceSettings
from autoglm.core.types import SamplingParams
from autoglm.speech.conversation import VoiceCallbacks, VoiceConversation, VoiceState
from autoglm.tools.approval import Decision
from autoglm.tools.mcp_client import McpHub
from autoglm.tools.spoken import SpokenTools
from autoglm.tools.tool_turns import ToolSession
from fixtures.mcp_fixtures import stdio_server

pytestmark = [pytest.mark.audio, pytest.mark.slow, pytest.mark.timeout(1200)]
QUESTION = "What is the weather in Paris?"


def words(text: str) -> set[str]:
    """Lower-case words without punctuation."""
    return set("".join(c if c.isalnum() else " " for c in text.lower()).split())


def ask_and_answer(
    virtual_sound: Any,
    scheduler: Any,
    llama_engine: Any,
    whisper: Any,
    piper_voice: Any,
    tmp_path: Path,
    answer: str,
) -> tuple[Any, list[Any], Any, str, VoiceConversation]:
    """Say the question, wait for the spoken question about the tool, say ``answer``; the finished turn."""
    server = stdio_server(tmp_path, only=("get_weather",))
    hub = McpHub(server.mcp_config, call_timeout_s=20).start()
    assert hub.wait_ready(60) and hub.find("get_weather") is not None
    tools = SpokenTools(ToolSession(hub), lambda: llama_engine.info.chat_template)
    turns: list[Any] = []
    errors: list[str] = []
    asked: list[Any] = []
    calls_before_answer: list[str] = []
    conversation = VoiceConversation(
        scheduler,
        VoiceSettings(),
        VoiceCallbacks(
            on_turn_done=turns.append, on_error=errors.append, on_tool_question=asked.append
        ),
        transcriber=whisper,
        synthesizer=piper_voice,
        tools=lambda: tools,
        sampling=SamplingParams(temperature=0.0, max_tokens=60, seed=1),
    )
    conversation.tool_answer_timeout_s = (
        180  # a loaded test machine: the default minute is for people
    )
    question = espeak_wav(QUESTION, tmp_path / "question.wav")
    spoken_answer = espeak_wav(answer, tmp_path / "answer.wav")
    recording = virtual_sound.record_speaker(tmp_path / "speaker.raw")
    try:
        conversation.start()
        assert wait_for(lambda: conversation.source.blocks_since_open > 0, 15), (
            "the microphone gave no sound"
        )
        virtual_sound.play_into_mic(question).wait(30)
        assert wait_for(lambda: conversation.awaiting_tool_answer, 300), (
            f"no question about a tool; {errors}"
        )
        calls_before_answer = server.calls()
        question_audio = (
            recording.stop()
        )  # transcribed after the answer: the voice waits for it meanwhile
        recording = virtual_sound.record_speaker(tmp_path / "speaker-answer.raw")
        virtual_sound.play_into_mic(spoken_answer).wait(30)
        assert wait_for(lambda: turns, 600), (
            f"no answer; errors: {errors}"
        )  # a busy machine is slow
        assert wait_for(lambda: conversation.state is VoiceState.LISTENING, 60)
    finally:
        conversation.close()
        recording.stop()
        hub.close()
    heard_question = whisper.transcribe(question_audio).text
    assert errors == []
    assert calls_before_answer == [], "the tool ran before it was allowed"
    assert [call.function_name for call in asked] == ["get_weather"]
    assert {"may", "run", "weather"} <= words(heard_question), (
        f"the speaker said: {heard_question!r}"
    )
    return turns[0], server.calls(), asked[0], heard_question, conversation


def test_a_spoken_yes_runs_the_tool_and_the_spoken_answer_uses_its_result(
    virtual_sound: Any,
    scheduler: Any,
    llama_engine: Any,
    whisper: Any,
    piper_voice: Any,
    tmp_path: Path,
) -> None:
    turn, calls, asked, _, conversation = ask_and_answer(
        virtual_sound, scheduler, llama_engine, whisper, piper_voice, tmp_path, "Yes, go ahead."
    )
    assert "weather" in words(turn.user_text)
    city = asked.arguments["city"]  # the city whisper heard (tiny.en does not always hear "Paris")
    assert words(city) <= words(turn.user_text), (city, turn.user_text)
    assert calls == [f"get_weather {city}"], turn.tool_exchanges
    [exchange] = turn.tool_exchanges
    assert exchange.decision is Decision.ONCE and "31 degrees" in exchange.result.text
    assert "31" in turn.full_reply and "<tool_call>" not in turn.full_reply, turn.full_reply
    # the terminal's conversation keeps the call and its result between the question and the answer
    user, call_turn, answer = conversation.own_conversation.turns()
    assert user.content == turn.user_text and call_turn.tool_calls[0].name == "get_weather"
    assert (
        "31 degrees" in call_turn.tool_results[0].content and not call_turn.tool_results[0].denied
    )
    assert answer.content == turn.reply_text


def test_a_spoken_no_leaves_the_tool_unrun_and_the_model_is_told(
    virtual_sound: Any,
    scheduler: Any,
    llama_engine: Any,
    whisper: Any,
    piper_voice: Any,
    tmp_path: Path,
) -> None:
    turn, calls, _, _, conversation = ask_and_answer(
        virtual_sound, scheduler, llama_engine, whisper, piper_voice, tmp_path, "No, do not."
    )
    assert calls == []
    [exchange] = turn.tool_exchanges
    assert exchange.decision is Decision.DENY and "did not allow" in exchange.result.text
    assert turn.full_reply and "31 degrees" not in turn.full_reply
    call_turn = conversation.own_conversation.turns()[1]
    assert call_turn.tool_results[0].denied


def test_a_click_answers_the_call_while_the_voice_waits_for_a_yes(
    virtual_sound: Any,
    scheduler: Any,
    llama_engine: Any,
    whisper: Any,
    piper_voice: Any,
    tmp_path: Path,
) -> None:
    """The front's answer (a click on the card) counts as much as a spoken one (the question from a file)."""
    from speech_audio import spoken_question_16k

    from autoglm.speech.file_source import FileAudioSource

    server = stdio_server(tmp_path, only=("get_weather",))
    hub = McpHub(server.mcp_config, call_timeout_s=20).start()
    assert hub.wait_ready(60)
    tools = SpokenTools(ToolSession(hub), lambda: llama_engine.info.chat_template)
    turns: list[Any] = []
    asked: list[Any] = []
    source = FileAudioSource()
    conversation = VoiceConversation(
        scheduler,
        VoiceSettings(),
        VoiceCallbacks(on_turn_done=turns.append, on_tool_question=asked.append),
        source=source,
        transcriber=whisper,
        synthesizer=piper_voice,
        tools=lambda: tools,
        sampling=SamplingParams(temperature=0.0, max_tokens=60, seed=1),
    )
    try:
        conversation.start()
        source.play(spoken_question_16k(tmp_path, QUESTION))
        assert wait_for(lambda: conversation.awaiting_tool_answer, 300)
        time.sleep(0.5)
        assert server.calls() == []
        conversation.answer_tool_call(asked[0].call_id, Decision.ONCE)
        assert wait_for(lambda: turns, 300)
    finally:
        conversation.close()
        hub.close()
    assert server.calls() == [f"get_weather {asked[0].arguments['city']}"]
    assert "31" in turns[0].full_reply
