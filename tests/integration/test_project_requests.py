"""A chat filed under a project reaches the real engine with the project's persona and sampling."""

from __future__ import annotations

from pathlib import Path

from autoglm.core.conversation import Conversation, build_request
from autoglm.core.settings import GenerationSettings
from autoglm.core.store import ConversationStore

PERSONA = "You are Captain Brine, a pirate who ends every answer with the word arr."


def test_the_engine_receives_the_projects_persona_and_sampling(
    scheduler, llama_engine, tmp_path: Path
) -> None:
    store = ConversationStore(tmp_path / "db.sqlite", tmp_path / "attachments")
    try:
        project_id = store.create_project(
            "Pirates", PERSONA, sampling={"temperature": 0.0, "max_tokens": 6}
        )
        chat = Conversation(store, project=store.get_project(project_id))
        chat.add_user("Say hello.")
        generation = GenerationSettings(system_prompt="You are a plain assistant.", thinking=False)
        stream = scheduler.submit(chat.request(generation))
        completion = stream.result(timeout=300)
        assert completion.error is None or completion.error == ""

        sent = stream.request
        assert sent.messages[0].content == PERSONA and sent.sampling.temperature == 0.0
        plain = build_request([m for m in sent.messages if m.role != "system"], generation).messages
        count = scheduler.submit_call(
            lambda: (
                llama_engine.count_tokens(sent.messages, sent.thinking),
                llama_engine.count_tokens(plain, sent.thinking),
            )
        ).result(timeout=60)
        with_persona, with_default = count
        # what the engine evaluated is the prompt with the persona, not the settings' prompt
        assert completion.usage.prompt_tokens == with_persona != with_default
        assert 0 < completion.usage.completion_tokens <= 6
    finally:
        store.close()
