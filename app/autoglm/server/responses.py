"""OpenAI's ``POST /v1/responses`` (stateless) over the same chat path: text, images, function tools, events.

The input items (messages with ``input_text`` / ``input_image`` parts, earlier
``function_call`` and ``function_call_output`` items) and ``instructions`` become a chat
request, served with its grammars and tool-call parsing; the reply becomes ``output``
items, or the ``response.*`` event stream. Nothing is stored, so ``store`` must be false
and ``previous_response_id`` is refused.
"""

from __future__ import annotations

import json
import time
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


class ResponsesRequest(BaseModel):
    """``POST /v1/responses``."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = Field(None, max_length=256)
    input: str | list[dict[str, Any]] = Field(description="Text, or a list of input items")
    instructions: str | None = None
    max_output_tokens: int | None = Field(None, ge=1, le=32768)
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    stream: bool = False
    tools: list[dict[str, Any]] | None = Field(None, max_length=128)
    tool_choice: Literal["auto", "none", "required"] | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    text: dict[str, Any] | None = Field(
        None, description="format: text, json_object or json_schema"
    )
    store: Literal[False] | None = Field(None, description="Only false: nothing is stored")
    truncation: Literal["disabled", "auto"] | None = None
    user: str | None = Field(None, max_length=256)
    safety_identifier: str | None = Field(None, max_length=256)
    previous_response_id: None = Field(
        None, description="Refused: nothing is stored; send the whole input"
    )


def _content(content: Any) -> str | list[dict[str, Any]]:
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        raise ApiError(400, "A message's 'content' must be text or a list of parts.", param="input")
    parts: list[dict[str, Any]] = []
    for part in content:
        if not isinstance(part, dict):
            raise ApiError(400, "Each content part must be an object with a 'type'.", param="input")
        kind = part.get("type")
        if kind in ("input_text", "output_text", "text"):
            parts.append({"type": "text", "text": str(part.get("text", ""))})
        elif kind == "input_image":
            url = part.get("image_url") or ""
            parts.append(
                {"type": "image_url", "image_url": {"url": url if isinstance(url, str) else ""}}
            )
        else:
            raise ApiError(400, f"Input parts of type '{kind}' are not supported.", param="input")
    return parts


def _messages(body: ResponsesRequest) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    if body.instructions:
        messages.append({"role": "system", "content": body.instructions})
    if isinstance(body.input, str):
        return [*messages, {"role": "user", "content": body.input}]
    for item in body.input:
        kind = item.get("type", "message")
        if kind == "message":
            role = item.get("role", "user")
            content = _content(item.get("content", ""))
            if role == "assistant" and isinstance(content, list):
                content = "".join(p.get("text", "") for p in content)
            messages.append({"role": role, "content": content})
        elif kind == "function_call":
            call = {
                "id": str(item.get("call_id", "")),
                "type": "function",
                "function": {
                    "name": str(item.get("name", "")),
                    "arguments": str(item.get("arguments", "{}")),
                },
            }
            if messages and messages[-1]["role"] == "assistant" and messages[-1].get("tool_calls"):
                messages[-1]["tool_calls"].append(call)
            else:
                messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind == "function_call_output":
            output = item.get("output", "")
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": str(item.get("call_id", "")),
                    "content": output if isinstance(output, str) else json.dumps(output),
                }
            )
        elif kind == "reasoning":
            continue
        else:
            raise ApiError(400, f"Input items of type '{kind}' are not supported.", param="input")
    return messages


def chat_request(body: ResponsesRequest) -> ChatCompletionRequest:
    """The OpenAI chat request that serves this Responses request."""
    fields: dict[str, Any] = {
        "model": body.model,
        "messages": _messages(body),
        "stream": body.stream,
    }
    for name, target in (
        ("max_output_tokens", "max_tokens"),
        ("temperature", "temperature"),
        ("top_p", "top_p"),
        ("parallel_tool_calls", "parallel_tool_calls"),
        ("user", "user"),
        ("safety_identifier", "safety_identifier"),
    ):
        if getattr(body, name) is not None:
            fields[target] = getattr(body, name)
    if body.tools:
        tools = []
        for tool in body.tools:
            if tool.get("type") != "function":
                raise ApiError(
                    400,
                    f"Tools of type '{tool.get('type')}' are not available here: only functions.",
                    param="tools",
                )
            tools.append(
                {
                    "type": "function",
                    "function": {
                        "name": tool.get("name"),
                        "description": tool.get("description") or "",
                        "parameters": tool.get("parameters")
                        or {"type": "object", "properties": {}},
                    },
                }
            )
        fields["tools"] = tools
    if isinstance(body.tool_choice, dict):
        fields["tool_choice"] = {
            "type": "function",
            "function": {"name": body.tool_choice.get("name", "")},
        }
    elif body.tool_choice is not None:
        fields["tool_choice"] = body.tool_choice
    response_format = (body.text or {}).get("format")
    if isinstance(response_format, dict) and response_format.get("type") == "json_schema":
        fields["response_format"] = {
            "type": "json_schema",
            "json_schema": {
                "name": response_format.get("name", "response"),
                "schema": response_format.get("schema") or {},
                "strict": response_format.get("strict"),
            },
        }
    elif isinstance(response_format, dict):
        fields["response_format"] = {"type": response_format.get("type")}
    try:
        return ChatCompletionRequest.model_validate(fields)
    except ValidationError as exc:
        words, param = describe_validation_error([dict(error) for error in exc.errors()])
        raise ApiError(400, words, param=param, code="invalid_request") from exc


class _Builder:
    """The response object and its items, shared by the whole reply and the event stream."""

    def __init__(self, body: ResponsesRequest, model: str):
        self.body = body
        self.model = model
        self.id = f"resp_{uuid.uuid4().hex}"
        self.created = int(time.time())
        self.output: list[dict[str, Any]] = []

    def response(
        self, status: str, usage: dict[str, Any] | None = None, finish: str = "stop"
    ) -> dict[str, Any]:
        incomplete = {"reason": "max_output_tokens"} if finish == "length" else None
        return {
            "id": self.id,
            "object": "response",
            "created_at": self.created,
            "status": "incomplete" if incomplete and status == "completed" else status,
            "model": self.model,
            "output": self.output,
            "error": None,
            "incomplete_details": incomplete,
            "instructions": self.body.instructions,
            "max_output_tokens": self.body.max_output_tokens,
            "parallel_tool_calls": self.body.parallel_tool_calls is not False,
            "temperature": self.body.temperature,
            "top_p": self.body.top_p,
            "tool_choice": self.body.tool_choice or "auto",
            "tools": self.body.tools or [],
            "text": self.body.text or {"format": {"type": "text"}},
            "store": False,
            "metadata": {},
            "truncation": self.body.truncation or "disabled",
            "usage": _usage(usage) if usage is not None else None,
        }

    @staticmethod
    def message(text: str, status: str = "completed") -> dict[str, Any]:
        return {
            "type": "message",
            "id": f"msg_{uuid.uuid4().hex}",
            "status": status,
            "role": "assistant",
            "content": [{"type": "output_text", "text": text, "annotations": []}]
            if status == "completed"
            else [],
        }

    @staticmethod
    def call(call: dict[str, Any], status: str = "completed") -> dict[str, Any]:
        return {
            "type": "function_call",
            "id": f"fc_{uuid.uuid4().hex}",
            "call_id": call["id"],
            "name": call["function"]["name"],
            "arguments": call["function"]["arguments"],
            "status": status,
        }


def _usage(usage: dict[str, Any]) -> dict[str, Any]:
    prompt, completion = int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))
    cached = int((usage.get("prompt_tokens_details") or {}).get("cached_tokens", 0))
    return {
        "input_tokens": prompt,
        "output_tokens": completion,
        "total_tokens": prompt + completion,
        "input_tokens_details": {"cached_tokens": cached},
        "output_tokens_details": {"reasoning_tokens": 0},
    }


def response_body(builder: _Builder, reply: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI ``chat.completion`` body as a Responses ``response``."""
    choice = reply["choices"][0]
    message = choice["message"]
    if message.get("content"):
        builder.output.append(builder.message(message["content"]))
    for call in message.get("tool_calls") or []:
        builder.output.append(builder.call(call))
    return builder.response("completed", reply.get("usage") or {}, choice["finish_reason"])


async def response_events(
    chunks: AsyncIterator[dict[str, Any]], builder: _Builder
) -> AsyncIterator[dict[str, str]]:
    """OpenAI chunk bodies as the ``response.*`` event stream."""
    sequence = 0

    def event(kind: str, /, **data: Any) -> dict[str, str]:
        nonlocal sequence
        sequence += 1
        return {
            "event": kind,
            "data": json.dumps(
                {"type": kind, "sequence_number": sequence - 1, **data}, ensure_ascii=False
            ),
        }

    yield event("response.created", response=builder.response("in_progress"))
    yield event("response.in_progress", response=builder.response("in_progress"))
    text_item: dict[str, Any] | None = None
    text = ""
    finish = "stop"

    def close_text() -> list[dict[str, str]]:
        nonlocal text_item
        if text_item is None:
            return []
        index = len(builder.output)
        done = {
            **text_item,
            "status": "completed",
            "content": [{"type": "output_text", "text": text, "annotations": []}],
        }
        builder.output.append(done)
        text_item = None
        part = done["content"][0]
        return [
            event(
                "response.output_text.done",
                item_id=done["id"],
                output_index=index,
                content_index=0,
                text=text,
                logprobs=[],
            ),
            event(
                "response.content_part.done",
                item_id=done["id"],
                output_index=index,
                content_index=0,
                part=part,
            ),
            event("response.output_item.done", output_index=index, item=done),
        ]

    try:
        async for chunk in chunks:
            if not chunk["choices"]:
                for item in close_text():
                    yield item
                yield event(
                    "response.completed",
                    response=builder.response("completed", chunk.get("usage") or {}, finish),
                )
                return
            choice = chunk["choices"][0]
            delta = choice["delta"]
            finish = choice.get("finish_reason") or finish
            if delta.get("content"):
                index = len(builder.output)
                if text_item is None:
                    text_item = builder.message("", "in_progress")
                    yield event("response.output_item.added", output_index=index, item=text_item)
                    yield event(
                        "response.content_part.added",
                        item_id=text_item["id"],
                        output_index=index,
                        content_index=0,
                        part={"type": "output_text", "text": "", "annotations": []},
                    )
                text += delta["content"]
                yield event(
                    "response.output_text.delta",
                    item_id=text_item["id"],
                    output_index=index,
                    content_index=0,
                    delta=delta["content"],
                    logprobs=[],
                )
            for call in delta.get("tool_calls") or []:
                for item in close_text():
                    yield item
                index = len(builder.output)
                item = builder.call(call)
                yield event(
                    "response.output_item.added",
                    output_index=index,
                    item={**item, "arguments": "", "status": "in_progress"},
                )
                yield event(
                    "response.function_call_arguments.delta",
                    item_id=item["id"],
                    output_index=index,
                    delta=item["arguments"],
                )
                yield event(
                    "response.function_call_arguments.done",
                    item_id=item["id"],
                    output_index=index,
                    name=item["name"],
                    arguments=item["arguments"],
                )
                builder.output.append(item)
                yield event("response.output_item.done", output_index=index, item=item)
    except ApiError as exc:
        yield event("error", code=exc.code, message=exc.message, param=exc.param)


def register_responses(router: APIRouter, chat: ChatService) -> None:
    """Add ``/responses`` to ``router``."""

    @router.post(
        "/responses", summary="OpenAI's Responses API, stateless (text, images, tools, events)"
    )
    async def responses(request: Request, body: ResponsesRequest) -> Response:
        chat_body = chat_request(body)
        stream, shape = await chat.submit(chat_body)
        builder = _Builder(body, shape.model)
        if body.stream:
            return EventSourceResponse(
                response_events(chat.chunks(stream, shape), builder),
                sep="\n",
                headers={"Cache-Control": "no-cache"},
            )
        completion = await chat.whole(request, stream)
        if completion is None:
            return Response(status_code=499)
        return JSONResponse(response_body(builder, shape.completion(completion)))
