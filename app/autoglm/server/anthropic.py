"""Anthropic's ``POST /v1/messages`` over the same chat path, so tools written for Claude use the local model.

A request is translated into an OpenAI chat request (system, text, base64 images,
``tool_use`` / ``tool_result`` blocks, tools and ``tool_choice``), served by the chat
service — grammars, tool-call parsing and all — and its reply or chunks translated
back into Anthropic's message, or its event stream (``message_start`` …
``message_stop``).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sse_starlette.sse import EventSourceResponse

from autoglm.server.chat_service import ChatService
from autoglm.server.errors import ApiError, describe_validation_error
from autoglm.server.schemas import ChatCompletionRequest

_LOGGER = logging.getLogger(__name__)
_STOP_REASONS = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class AnthropicMessage(_Open):
    """One turn: text, or a list of content blocks."""

    role: Literal["user", "assistant"]
    content: str | list[dict[str, Any]]


class AnthropicTool(_Open):
    """A client tool: name, description and the JSON schema of its input."""

    name: str = Field(min_length=1, max_length=64)
    description: str | None = None
    input_schema: dict[str, Any] = Field(
        default_factory=lambda: {"type": "object", "properties": {}}
    )
    type: str | None = None


class MessagesRequest(BaseModel):
    """``POST /v1/messages`` (Anthropic's shape)."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(max_length=256)
    max_tokens: int = Field(ge=1, le=32768)
    messages: list[AnthropicMessage] = Field(min_length=1, max_length=1000)
    system: str | list[dict[str, Any]] | None = None
    stop_sequences: list[str] | None = Field(None, max_length=16)
    temperature: float | None = Field(None, ge=0.0, le=1.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    top_k: int | None = Field(None, ge=0, le=1000)
    stream: bool = False
    tools: list[AnthropicTool] | None = Field(None, max_length=128)
    tool_choice: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    thinking: dict[str, Any] | None = None


def _text_of(blocks: str | list[dict[str, Any]]) -> str:
    if isinstance(blocks, str):
        return blocks
    return "\n".join(
        str(b.get("text", "")) for b in blocks if isinstance(b, dict) and b.get("type") == "text"
    )


def _image_url(block: dict[str, Any]) -> dict[str, Any]:
    source = block.get("source")
    if not isinstance(source, dict):
        raise ApiError(400, "An image block needs a 'source' object.", param="messages")
    if source.get("type") == "base64":
        return {
            "type": "image_url",
            "image_url": {
                "url": f"data:{source.get('media_type', 'image/png')};base64,"
                f"{source.get('data', '')}"
            },
        }
    return {"type": "image_url", "image_url": {"url": str(source.get("url", ""))}}


def _turns(message: AnthropicMessage) -> list[dict[str, Any]]:
    """One Anthropic turn as OpenAI messages (tool results become ``tool`` messages)."""
    if isinstance(message.content, str):
        return [{"role": message.role, "content": message.content}]
    parts: list[dict[str, Any]] = []
    calls: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for block in message.content:
        kind = block.get("type")
        if kind == "text":
            parts.append({"type": "text", "text": str(block.get("text", ""))})
        elif kind == "image":
            parts.append(_image_url(block))
        elif kind == "tool_use":
            calls.append(
                {
                    "id": str(block.get("id", "")),
                    "type": "function",
                    "function": {
                        "name": str(block.get("name", "")),
                        "arguments": json.dumps(block.get("input") or {}),
                    },
                }
            )
        elif kind == "tool_result":
            content = block.get("content", "")
            text = _text_of(content) if isinstance(content, list | str) else str(content)
            if block.get("is_error"):
                text = f"Error: {text}"
            results.append(
                {"role": "tool", "tool_call_id": str(block.get("tool_use_id", "")), "content": text}
            )
        elif kind in ("thinking", "redacted_thinking"):
            continue  # earlier reasoning is not sent back to the model
        else:
            raise ApiError(
                400, f"Content blocks of type '{kind}' are not supported.", param="messages"
            )
    out: list[dict[str, Any]] = [*results]
    if message.role == "assistant":
        text = "".join(p["text"] for p in parts if p["type"] == "text")
        if text or calls:
            out.append(
                {
                    "role": "assistant",
                    "content": text or None,
                    **({"tool_calls": calls} if calls else {}),
                }
            )
    elif parts:
        out.append({"role": "user", "content": parts})
    return out


def _tool_choice(choice: dict[str, Any] | None) -> tuple[Any, bool | None]:
    if choice is None:
        return None, None
    kind = choice.get("type")
    parallel = False if choice.get("disable_parallel_tool_use") else None
    if kind == "auto":
        return "auto", parallel
    if kind == "any":
        return "required", parallel
    if kind == "none":
        return "none", None
    if kind == "tool":
        return {"type": "function", "function": {"name": str(choice.get("name", ""))}}, parallel
    raise ApiError(
        400, f"tool_choice type '{kind}' is not one of auto, any, tool, none.", param="tool_choice"
    )


def chat_request(body: MessagesRequest) -> ChatCompletionRequest:
    """The OpenAI chat request that serves this Anthropic request."""
    messages: list[dict[str, Any]] = []
    if body.system:
        messages.append({"role": "system", "content": _text_of(body.system)})
    for message in body.messages:
        messages.extend(_turns(message))
    fields: dict[str, Any] = {
        "model": body.model,
        "messages": messages,
        "max_tokens": body.max_tokens,
        "stream": body.stream,
    }
    for name in ("temperature", "top_p", "top_k"):
        if getattr(body, name) is not None:
            fields[name] = getattr(body, name)
    if body.stop_sequences:
        fields["stop"] = body.stop_sequences
    if body.tools:
        for tool in body.tools:
            if tool.type not in (None, "custom"):
                raise ApiError(
                    400,
                    f"Server tools ('{tool.type}') are not available here: only client tools.",
                    param="tools",
                )
        fields["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": t.name,
                    "description": t.description or "",
                    "parameters": t.input_schema,
                },
            }
            for t in body.tools
        ]
    choice, parallel = _tool_choice(body.tool_choice)
    if choice is not None:
        fields["tool_choice"] = choice
    if parallel is not None:
        fields["parallel_tool_calls"] = parallel
    if body.metadata and body.metadata.get("user_id"):
        fields["user"] = str(body.metadata["user_id"])
    if body.thinking is not None:
        enabled = body.thinking.get("type") == "enabled"
        fields.update(enable_thinking=enabled, return_reasoning=enabled)
    try:
        return ChatCompletionRequest.model_validate(fields)
    except ValidationError as exc:
        words, param = describe_validation_error([dict(error) for error in exc.errors()])
        raise ApiError(400, words, param=param, code="invalid_request") from exc


def _usage(usage: dict[str, Any]) -> dict[str, int]:
    return {
        "input_tokens": int(usage.get("prompt_tokens", 0)),
        "output_tokens": int(usage.get("completion_tokens", 0)),
    }


def message_body(reply: dict[str, Any], model: str) -> dict[str, Any]:
    """An OpenAI ``chat.completion`` body as Anthropic's message."""
    choice = reply["choices"][0]
    message = choice["message"]
    content: list[dict[str, Any]] = []
    if message.get("reasoning_content"):
        content.append(
            {"type": "thinking", "thinking": message["reasoning_content"], "signature": ""}
        )
    if message.get("content"):
        content.append({"type": "text", "text": message["content"]})
    for call in message.get("tool_calls") or []:
        content.append(
            {
                "type": "tool_use",
                "id": call["id"],
                "name": call["function"]["name"],
                "input": json.loads(call["function"]["arguments"] or "{}"),
            }
        )
    return {
        "id": f"msg_{uuid.uuid4().hex[:24]}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": _STOP_REASONS.get(choice["finish_reason"], "end_turn"),
        "stop_sequence": None,
        "usage": _usage(reply.get("usage") or {}),
    }


def _event(name: str, data: dict[str, Any]) -> dict[str, str]:
    return {"event": name, "data": json.dumps({"type": name, **data}, ensure_ascii=False)}


async def message_events(
    chunks: AsyncIterator[dict[str, Any]], model: str
) -> AsyncIterator[dict[str, str]]:
    """OpenAI chunk bodies as Anthropic's stream events."""
    ident = f"msg_{uuid.uuid4().hex[:24]}"
    yield _event(
        "message_start",
        {
            "message": {
                "id": ident,
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {"input_tokens": 0, "output_tokens": 0},
            }
        },
    )
    index, open_kind, finish = -1, "", "stop"

    def start(kind: str, block: dict[str, Any]) -> list[dict[str, str]]:
        nonlocal index, open_kind
        events = [_event("content_block_stop", {"index": index})] if open_kind else []
        index += 1
        open_kind = kind
        return [*events, _event("content_block_start", {"index": index, "content_block": block})]

    try:
        async for chunk in chunks:
            if not chunk["choices"]:
                if open_kind:
                    yield _event("content_block_stop", {"index": index})
                yield _event(
                    "message_delta",
                    {
                        "delta": {
                            "stop_reason": _STOP_REASONS.get(finish, "end_turn"),
                            "stop_sequence": None,
                        },
                        "usage": _usage(chunk.get("usage") or {}),
                    },
                )
                yield _event("message_stop", {})
                return
            choice = chunk["choices"][0]
            delta = choice["delta"]
            finish = choice.get("finish_reason") or finish
            if delta.get("reasoning_content"):
                if open_kind != "thinking":
                    for event in start(
                        "thinking", {"type": "thinking", "thinking": "", "signature": ""}
                    ):
                        yield event
                yield _event(
                    "content_block_delta",
                    {
                        "index": index,
                        "delta": {"type": "thinking_delta", "thinking": delta["reasoning_content"]},
                    },
                )
            if delta.get("content"):
                if open_kind != "text":
                    for event in start("text", {"type": "text", "text": ""}):
                        yield event
                yield _event(
                    "content_block_delta",
                    {"index": index, "delta": {"type": "text_delta", "text": delta["content"]}},
                )
            for call in delta.get("tool_calls") or []:
                for event in start(
                    "tool_use",
                    {
                        "type": "tool_use",
                        "id": call["id"],
                        "name": call["function"]["name"],
                        "input": {},
                    },
                ):
                    yield event
                yield _event(
                    "content_block_delta",
                    {
                        "index": index,
                        "delta": {
                            "type": "input_json_delta",
                            "partial_json": call["function"]["arguments"],
                        },
                    },
                )
    except ApiError as exc:
        yield _event("error", {"error": {"type": exc.error_type, "message": exc.message}})


def register_messages(router: APIRouter, chat: ChatService) -> None:
    """Add Anthropic's ``/messages`` to ``router``."""

    @router.post("/messages", summary="Anthropic's messages API (text, images, tools, streaming)")
    async def messages(request: Request, body: MessagesRequest) -> Response:
        chat_body = chat_request(body)
        stream, shape = await chat.submit(chat_body)
        model = shape.model
        if body.stream:
            return EventSourceResponse(
                message_events(chat.chunks(stream, shape), model),
                sep="\n",
                headers={"Cache-Control": "no-cache"},
            )
        completion = await chat.whole(request, stream)
        if completion is None:
            return Response(status_code=499)
        return JSONResponse(message_body(shape.completion(completion), model))
