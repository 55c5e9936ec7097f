"""The terminal chat keeps its history in a ``core.Conversation``, which builds every request (real starter model)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autoglm.cli.chat import TerminalChat
from autoglm.core.runtime import Runtime
from autoglm.core.settings import GenerationSettings, ModelSettings, Settings
from autoglm.core.types import GenerationRequest

SYSTEM = "Answer briefly."


@pytest.fixture
def runtime(starter_gguf: Path) -> Iterator[Runtime]:
    """A runtime with the starter model loaded and greedy, short replies; every request it is sent recorded."""
    settings = Settings(
        model=ModelSettings(active_model=str(starter_gguf), n_ctx=2048, n_threads=2),
        generation=GenerationSettings(
            max_tokens=24, temperature=0.0, seed=7, thinking=False, system_prompt=SYSTEM
        ),
    )
    runtime = Runtime(settings=settings)
    runtime.load_model()
    sent: list[GenerationRequest] = []
    submit = runtime.scheduler.submit

    def recording(request: GenerationRequest, *args: Any, **kwargs: Any) -> Any:
        sent.append(request)
        return submit(request, *args, **kwargs)

    runtime.scheduler.submit = recording  # type: ignore[method-assign]
    runtime.sent = sent  # type: ignore[attr-defined]
    yield runtime
    runtime.close()


def _chat(runtime: Runtime) -> TerminalChat:
    return TerminalChat(runtime, argparse.Namespace(think=None, system=None, json=False))


def test_the_conversation_is_the_history_and_builds_each_request(
    runtime: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    chat = _chat(runtime)
    assert chat.handle("My name is Ada. Reply with OK.")
    assert chat.handle("What is my name? One word.")

    turns = chat.conversation.turns()
    assert [(t.role, t.finished, t.origin) for t in turns] == [
        ("user", True, "typed"),
        ("assistant", True, "typed"),
    ] * 2
    first_reply, second_reply = turns[1].content, turns[3].content
    assert first_reply and "Ada" in second_reply
    printed = capsys.readouterr().out
    assert first_reply in printed and second_reply in printed
    assert (
        turns[3].usage["completion_tokens"] > 0 and turns[3].model_id == runtime.model_info.model_id
    )

    # The second request is the conversation as it stood: the settings' system prompt, then every turn.
    asked = runtime.sent[1]
    assert [(m.role, m.content) for m in asked.messages] == [
        ("system", SYSTEM),
        ("user", "My name is Ada. Reply with OK."),
        ("assistant", first_reply),
        ("user", "What is my name? One word."),
    ]
    assert asked.sampling.max_tokens == 24 and asked.thinking is False and asked.label == "chat"

    # A model that reads no images refuses /image in words; nothing is added to the conversation.
    picture = tmp_path / "dot.png"
    from PIL import Image

    Image.new("RGB", (32, 32), "red").save(picture)
    assert chat.handle(f"/image {picture} What colour is it?")
    assert (
        "autoglm: " in capsys.readouterr().err
        and len(chat.conversation) == 4
        and len(runtime.sent) == 2
    )

    # /reset starts a new conversation: the next request knows nothing of Ada.
    assert chat.handle("/reset") and len(chat.conversation) == 0
    assert chat.handle("Say OK.")
    assert [(m.role, m.content) for m in runtime.sent[2].messages] == [
        ("system", SYSTEM),
        ("user", "Say OK."),
    ]
    assert not chat.handle("/exit")
