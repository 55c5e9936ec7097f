"""A chat's calls and results as a model offered tools sees them, read from the conversation."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from autoglm.core.conversation import Conversation, ToolCall, ToolResult
from autoglm.core.settings import VisionSettings
from autoglm.core.store import ConversationStore
from autoglm.core.types import ImageInput
from autoglm.tools.approval import Decision
from autoglm.tools.mcp_client import McpHub, ToolImage
from autoglm.tools.mcp_client import ToolResult as McpToolResult
from autoglm.tools.mcp_config import McpConfig
from autoglm.tools.tool_turns import UNANSWERED, ToolSession, stored_result, tool_history
from autoglm.vision.image import normalise


def test_calls_are_followed_by_their_results_and_the_reply_being_written_is_left_out() -> None:
    conversation = Conversation()
    conversation.add_user("Weather in Paris?")
    called = conversation.begin_reply()
    conversation.finish_reply(called, "")
    conversation.record_tool_calls(
        called, [ToolCall("c1", "weather", '{"city": "Paris"}'), ToolCall("c2", "clock")]
    )
    conversation.record_tool_result(called, ToolResult("c1", "Sunny, 21 °C"))
    writing = conversation.begin_reply()
    messages = tool_history(conversation, ToolSession(McpHub(McpConfig())), upto=writing)
    assert [(m.role, m.content) for m in messages] == [
        ("user", "Weather in Paris?"),
        ("assistant", ""),
        ("tool", "Sunny, 21 °C"),
        ("tool", UNANSWERED),
    ]
    assert [call.id for call in messages[1].tool_calls] == ["c1", "c2"]
    assert [m.tool_call_id for m in messages[2:]] == ["c1", "c2"]
    assert (
        len(tool_history(conversation, ToolSession(McpHub(McpConfig())))) == 4
    )  # the empty reply has no words


def test_images_a_tool_returned_are_kept_with_the_chat_and_shown_again_after_a_reopen(
    tmp_path: Path,
) -> None:
    store = ConversationStore(tmp_path / "db.sqlite", tmp_path / "attachments")
    png = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(png, format="PNG")
    settings = VisionSettings()

    def reader(data: bytes) -> ImageInput:
        return normalise(data, settings, "The tool's image")

    def from_store(sha256: str) -> ImageInput:
        path = store.attachment_path(sha256)
        assert path is not None, sha256
        return normalise(path.read_bytes(), settings, sha256=sha256)

    try:
        chat = Conversation(store, load_image=from_store)
        chat.ensure_stored("screenshot tool")
        chat.add_user("What is on my screen?")
        called = chat.begin_reply()
        chat.finish_reply(called, "")
        chat.record_tool_calls(called, [ToolCall("c1", "screenshot")])
        returned = McpToolResult("Here it is.", (ToolImage(png.getvalue(), "image/png"),))
        chat.record_tool_result(called, stored_result("c1", Decision.ONCE, returned, chat, reader))
        decodes_before = chat.images.decodes

        seeing = ToolSession(McpHub(McpConfig()), image_reader=reader)
        (tool_message,) = [m for m in tool_history(chat, seeing) if m.role == "tool"]
        assert tool_message.content == "Here it is." and len(tool_message.images) == 1
        assert (tool_message.images[0].width, tool_message.images[0].height) == (64, 48)
        assert (
            chat.images.decodes == decodes_before
        )  # decoded when it arrived, not again for the request

        again = Conversation.open(store, chat.id, load_image=from_store)
        (reopened,) = [m for m in tool_history(again, seeing) if m.role == "tool"]
        assert reopened.images[0].rgb == tool_message.images[0].rgb
        (blind,) = [
            m for m in tool_history(again, ToolSession(McpHub(McpConfig()))) if m.role == "tool"
        ]
        assert blind.images == [] and "1 image(s) the tool returned are not shown" in blind.content
        store.attachment_path(again.turns()[1].tool_results[0].images[0]).unlink()  # type: ignore[union-attr]
        (lost,) = [
            m
            for m in tool_history(Conversation.open(store, chat.id, load_image=from_store), seeing)
            if m.role == "tool"
        ]
        assert lost.images == [] and "could not be read" in lost.content
    finally:
        store.close()
