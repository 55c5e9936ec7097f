"""The one history of a chat: requests built in one place, images decoded once, saved through the real store."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

from autoglm.core.conversation import (
    API,
    SPOKEN,
    AgentStep,
    Citation,
    Conversation,
    ImageCache,
    ToolCall,
    ToolResult,
    answering_in,
    build_request,
)
from autoglm.core.projects import ProjectRecord
from autoglm.core.settings import GenerationSettings
from autoglm.core.store import ConversationStore
from autoglm.core.types import ChatMessage, ImageInput, Priority, SamplingParams

GENERATION = GenerationSettings(
    temperature=0.4, max_tokens=900, system_prompt="Be brief.", thinking=True
)


def image(sha: str) -> ImageInput:
    return ImageInput(2, 1, b"\x00" * 6, sha)


def test_typed_spoken_and_api_requests_share_the_settings_defaults() -> None:
    messages = [ChatMessage("user", "hi")]
    typed = build_request(messages, GENERATION)
    assert typed.messages[0] == ChatMessage("system", "Be brief.")
    assert typed.sampling.temperature == 0.4 and typed.sampling.max_tokens == 900 and typed.thinking
    spoken = build_request(messages, GENERATION, SPOKEN)
    assert spoken.priority is Priority.VOICE and not spoken.thinking
    assert spoken.sampling.max_tokens == 160 and spoken.sampling.temperature == 0.4
    assert "voice assistant" in spoken.messages[0].content
    api = build_request(messages, GENERATION, API, sampling=SamplingParams(temperature=1.0))
    assert (
        api.messages == messages
        and api.priority is Priority.API
        and api.sampling.temperature == 1.0
    )
    own = build_request(
        [ChatMessage("system", "Mine."), *messages], GENERATION, thinking=False, top_k=7
    )
    assert own.messages[0].content == "Mine." and len(own.messages) == 2
    assert not own.thinking and own.sampling.top_k == 7


def test_a_spoken_question_is_answered_in_the_language_it_was_heard_in() -> None:
    conversation = Conversation()
    chinese = conversation.request(GENERATION, answering_in(SPOKEN, "zh"), draft="太阳从哪边升起？")
    english = conversation.request(
        GENERATION, answering_in(SPOKEN, "en"), draft="Where does the sun rise?"
    )
    assert "简体中文" in chinese.messages[0].content and chinese.messages[0].content.startswith(
        "You are"
    )
    assert "English" in english.messages[0].content
    # an unknown language, or a front that keeps the settings' own prompt, is left as it is
    assert answering_in(SPOKEN, "sw") == SPOKEN and answering_in(SPOKEN, "") == SPOKEN
    assert answering_in(replace(SPOKEN, system_prompt=None), "zh").system_prompt is None


def test_images_are_decoded_once_across_turns_and_conversations() -> None:
    decoded: list[str] = []

    def load(sha: str) -> ImageInput:
        decoded.append(sha)
        return image("ignored")

    cache = ImageCache()
    first = Conversation(images=cache, load_image=load)
    first.add_user("what is this?", ["a" * 64])
    for _ in range(3):
        request = first.request(GENERATION, draft="and now?")
        assert request.messages[1].images[0].sha256 == "a" * 64  # known by the attachment's hash
    other = Conversation(images=cache, load_image=load)
    other.add_user("again", ["a" * 64])
    other.request(GENERATION)
    assert decoded == ["a" * 64] and cache.decodes == 1


def test_image_cache_keeps_to_its_byte_budget() -> None:
    cache = ImageCache(max_bytes=12)
    for sha in "abc":
        cache.put(image(sha))
    assert cache.peek("a") is None and cache.peek("b") is not None and cache.peek("c") is not None


def test_turns_with_tool_calls_steps_and_citations_round_trip_through_the_store(
    tmp_path: Path,
) -> None:
    store = ConversationStore(tmp_path / "db.sqlite", tmp_path / "attachments")
    try:
        chat = Conversation(store)
        chat.add_user("open the settings", origin="spoken")
        reply = chat.begin_reply("model-x")
        reply.tool_calls.append(ToolCall("c1", "open", '{"what": "settings"}'))
        reply.tool_results.append(ToolResult("c1", "done"))
        reply.agent_steps.append(AgentStep('do(action="Tap", element=[5,5])', "tap it", "f" * 64))
        reply.citations.append(Citation("manual.pdf", "Settings live in …", "p. 3", 0.9))
        chat.save_partial(reply, "Open")
        assert store.get_message(reply.message_id).finished is False
        chat.finish_reply(reply, "Opened.")
        again = Conversation.open(store, chat.id)
        user, answer = again.turns()
        assert user.origin == "spoken" and answer.content == "Opened." and answer.finished
        assert answer.tool_calls == reply.tool_calls and answer.tool_results == reply.tool_results
        assert answer.agent_steps == reply.agent_steps and answer.citations == reply.citations
        again.drop_from(answer)
        assert [t.role for t in Conversation.open(store, chat.id).turns()] == ["user"]
    finally:
        store.close()


def test_tool_calls_and_results_are_saved_as_they_happen_and_come_back_after_a_reopen(
    tmp_path: Path,
) -> None:
    paths = (tmp_path / "db.sqlite", tmp_path / "attachments")
    store = ConversationStore(*paths)
    chat = Conversation(store)
    chat.add_user("weather in Paris and Rome?")
    calls = chat.begin_reply("model-x")
    chat.finish_reply(calls, "")
    chat.record_tool_calls(
        calls,
        [
            ToolCall("c1", "get_weather", '{"city": "Paris"}'),
            ToolCall("c2", "get_weather", '{"city": "Rome"}'),
        ],
    )
    chat.record_tool_result(calls, ToolResult("c1", "31 degrees"))
    chat.record_tool_result(calls, ToolResult("c2", "not allowed", is_error=True, denied=True))
    answer = chat.begin_reply("model-x")
    chat.finish_reply(answer, "Paris has 31 degrees.")
    store.close()  # nothing is kept in memory: a new store reads the file
    store = ConversationStore(*paths)
    try:
        user, again, words = Conversation.open(store, chat.id).turns()
        assert [c.name for c in again.tool_calls] == ["get_weather", "get_weather"]
        assert again.tool_calls[1].arguments == '{"city": "Rome"}'
        assert again.tool_results == [
            ToolResult("c1", "31 degrees"),
            ToolResult("c2", "not allowed", is_error=True, denied=True),
        ]
        assert words.content == "Paris has 31 degrees." and not words.tool_calls
    finally:
        store.close()


def test_two_threads_adding_turns_lose_none(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "db.sqlite", tmp_path / "attachments")
    try:
        chat = Conversation(store)
        chat.ensure_stored("race")

        def talk(name: str) -> None:
            for i in range(50):
                chat.add_user(f"{name} {i}")

        threads = [threading.Thread(target=talk, args=(name,)) for name in ("gui", "voice")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(chat) == 100 and len(store.messages(chat.id)) == 100
        assert [t.message_id for t in chat.turns()] == [m.id for m in store.messages(chat.id)]
    finally:
        store.close()


def test_a_project_sets_the_persona_and_sampling_of_every_front() -> None:
    project = ProjectRecord(
        1, "Pirates", "You are a pirate.", "starter", {"temperature": 0.0, "max_tokens": 50}
    )
    chat = Conversation(project=project)
    typed = chat.request(GENERATION, draft="hi")
    assert typed.messages[0] == ChatMessage("system", "You are a pirate.")
    assert typed.sampling.temperature == 0.0 and typed.sampling.max_tokens == 50
    assert typed.sampling.top_p == GENERATION.top_p
    # the voice's own rules come after the persona; its reply cap still holds
    spoken = chat.request(GENERATION, SPOKEN, draft="hi")
    assert spoken.messages[0].content.startswith("You are a pirate.\n\n")
    assert "voice assistant" in spoken.messages[0].content and spoken.sampling.max_tokens == 50
    # a call's own values win over the project's
    mine = chat.request(
        GENERATION, draft="hi", system_prompt="Mine.", temperature=0.9, max_tokens=None
    )
    assert mine.messages[0].content == "Mine." and mine.sampling.temperature == 0.9
    assert mine.sampling.max_tokens == 50
    # a project without a persona keeps the settings' prompt
    blank = Conversation(project=replace(project, system_prompt="  ")).request(
        GENERATION, draft="hi"
    )
    assert blank.messages[0].content == "Be brief."


def test_a_chat_filed_under_a_project_is_stored_and_reopened_there(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "db.sqlite", tmp_path / "attachments")
    try:
        project = store.get_project(store.create_project("Pirates", "You are a pirate."))
        chat = Conversation(store).empty_like(project)
        chat.add_user("ahoy")
        assert store.get_conversation(chat.id).project_id == project.id
        again = Conversation.open(store, chat.id)
        assert again.project == project
        assert again.request(GENERATION).messages[0].content == "You are a pirate."
        again.set_project(None)
        assert store.get_conversation(chat.id).project_id is None
        assert (
            Conversation.open(store, chat.id).request(GENERATION).messages[0].content == "Be brief."
        )
    finally:
        store.close()


def test_a_reply_finished_after_its_new_version_began_is_still_stored_finished(
    tmp_path: Path,
) -> None:
    store = ConversationStore(tmp_path / "c.sqlite3", tmp_path / "attachments")
    try:
        chat = Conversation(store)
        chat.add_user("Name a cat.")
        first = chat.begin_reply()
        second = chat.begin_reply(
            version_of=first
        )  # Regenerate pressed before the first was saved finished
        chat.finish_reply(first, "Tom")
        chat.finish_reply(second, "Felix")
        assert [t.content for t in chat.turns()] == [
            "Name a cat.",
            "Felix",
        ] and second.versions == [first.message_id, second.message_id]
        assert (
            store.get_message(first.message_id).finished
            and store.get_message(first.message_id).content == "Tom"
        )
        chat.select_version(first.message_id)
        assert [t.content for t in chat.turns()] == ["Name a cat.", "Tom"]
        chat.drop_from(chat.turns()[1])
        chat.finish_reply(first, "gone")  # deleted: nothing to save, no error
    finally:
        store.close()
