"""``/v1/completions`` (a raw prompt, no chat template) and ``/v1/embeddings``, on the same model.

A completion is sampled exactly like a chat reply — the same sampling fields, seed,
penalties and log-probabilities — from the prompt as sent. Embeddings come from the
backend's embedder: the app's own when it has one, else the language model's.
"""

from __future__ import annotations

import base64
import struct
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sse_starlette.sse import EventSourceResponse

from autoglm.core.errors import UserFacingError
from autoglm.core.types import Completion, Delta, GenerationRequest, Priority, TokenLogprob
from autoglm.server.backend import ServingBackend
from autoglm.server.bridge import stream_events
from autoglm.server.chat_service import ChatService
from autoglm.server.errors import ApiError, describe_validation_error
from autoglm.server.replies import usage_body
from autoglm.server.schemas import INT64, ChatCompletionRequest
from autoglm.server.translate import sampling_params

_FINISH = {"stop": "stop", "length": "length"}


class CompletionRequest(BaseModel):
    """``POST /v1/completions``."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = None
    prompt: str | list[str] = Field(description="One prompt (a list of one is accepted)")
    max_tokens: int | None = Field(16, ge=1, le=32768)
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    top_k: int | None = Field(None, ge=0, le=1000)
    stream: bool = False
    stop: str | list[str] | None = None
    seed: int | None = Field(None, ge=-INT64 - 1, le=INT64)
    presence_penalty: float | None = Field(None, ge=-2.0, le=2.0)
    frequency_penalty: float | None = Field(None, ge=-2.0, le=2.0)
    logit_bias: dict[str, float] | None = None
    logprobs: int | None = Field(None, ge=0, le=5)
    n: Literal[1] | None = Field(None, description="Only 1")
    best_of: Literal[1] | None = Field(None, description="Only 1")
    echo: Literal[False] | None = Field(None, description="Only false: the prompt is not repeated")
    suffix: None = Field(None, description="Refused: no infilling")
    user: str | None = Field(None, max_length=256)


class EmbeddingRequest(BaseModel):
    """``POST /v1/embeddings``."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = None
    input: str | list[str] | list[int] | list[list[int]] = Field(
        description="Text, texts, or token ids"
    )
    encoding_format: Literal["float", "base64"] = "float"
    dimensions: None = Field(None, description="Refused: the model's own width is returned")
    user: str | None = Field(None, max_length=256)


def _sampling_body(body: CompletionRequest) -> ChatCompletionRequest:
    """The chat request whose sampling fields are this completion's (for ``sampling_params``)."""
    fields = body.model_dump(
        include={
            "temperature",
            "top_p",
            "top_k",
            "stop",
            "seed",
            "presence_penalty",
            "frequency_penalty",
            "logit_bias",
            "max_tokens",
        },
        exclude_none=True,
    )
    if body.logprobs is not None:
        fields.update(logprobs=True, top_logprobs=body.logprobs)
    return ChatCompletionRequest.model_validate(
        {"messages": [{"role": "user", "content": ""}], **fields}
    )


def _text(delta: Delta) -> str:
    """The model's own text of a delta (tags included, as a raw completion has no reasoning split)."""
    return delta.raw if delta.raw is not None else delta.content + delta.reasoning


def _legacy_logprobs(logprobs: list[TokenLogprob], offset: int = 0) -> dict[str, Any]:
    offsets, position = [], offset
    for logprob in logprobs:
        offsets.append(position)
        position += len(logprob.token)
    return {
        "tokens": [lp.token for lp in logprobs],
        "token_logprobs": [lp.logprob for lp in logprobs],
        "top_logprobs": [{t.token: t.logprob for t in lp.top} for lp in logprobs],
        "text_offset": offsets,
    }


def register_completions(router: APIRouter, chat: ChatService, backend: ServingBackend) -> None:
    """Add ``/completions`` and ``/embeddings`` to ``router``."""

    @router.post("/completions", summary="Text completion of a raw prompt (no chat template)")
    async def completions(request: Request, body: CompletionRequest) -> Response:
        info = await chat.model_for(body.model)
        prompts = [body.prompt] if isinstance(body.prompt, str) else body.prompt
        if len(prompts) != 1:
            raise ApiError(
                400, "Send one prompt per request.", param="prompt", code="invalid_request"
            )
        if not prompts[0]:
            raise ApiError(
                400,
                "The prompt is empty: there is nothing for the model to continue.",
                param="prompt",
                code="invalid_request",
            )
        try:
            sampling = sampling_params(_sampling_body(body), chat.settings.generation)
        except UserFacingError as exc:
            raise ApiError(400, str(exc), code="invalid_request") from exc
        except ValidationError as exc:
            words, param = describe_validation_error([dict(error) for error in exc.errors()])
            raise ApiError(400, words, param=param, code="invalid_request") from exc
        generation = GenerationRequest(
            [], sampling, thinking=False, priority=Priority.API, label="api", prompt=prompts[0]
        )
        stream = chat.submit_request(generation)
        ident, created = f"cmpl-{uuid.uuid4().hex}", int(time.time())

        def envelope(
            text: str, finish: str | None, logprobs: dict[str, Any] | None
        ) -> dict[str, Any]:
            return {
                "id": ident,
                "object": "text_completion",
                "created": created,
                "model": info.model_id,
                "choices": [
                    {"text": text, "index": 0, "logprobs": logprobs, "finish_reason": finish}
                ],
            }

        if body.stream:

            async def events() -> AsyncIterator[str]:
                import json

                sent = 0
                async for event in stream_events(stream):
                    if not isinstance(event, Delta):
                        continue
                    text = _text(event)
                    if text:
                        payload = envelope(
                            text,
                            None,
                            _legacy_logprobs(list(event.logprobs), sent)
                            if body.logprobs is not None
                            else None,
                        )
                        sent += len(text)
                        yield json.dumps(payload, ensure_ascii=False)
                completion = stream.result()
                if completion.error:
                    yield json.dumps(chat._generation_error(completion, False).body())  # noqa: SLF001
                else:
                    last = envelope("", _FINISH.get(completion.finish_reason, "stop"), None)
                    last["usage"] = usage_body(completion.usage)
                    yield json.dumps(last)
                yield "[DONE]"

            return EventSourceResponse(events(), sep="\n", headers={"Cache-Control": "no-cache"})
        pieces: list[str] = []  # the text as generated: the engine's summary strips trailing space
        stream.add_listener(
            lambda event: pieces.append(_text(event)) if isinstance(event, Delta) else None
        )
        completion: Completion | None = await chat.whole(request, stream)
        if completion is None:
            return Response(status_code=499)
        text = "".join(pieces)
        payload = envelope(
            text,
            _FINISH.get(completion.finish_reason, "stop"),
            _legacy_logprobs(completion.logprobs) if body.logprobs is not None else None,
        )
        payload["usage"] = usage_body(completion.usage)
        return JSONResponse(payload)

    @router.post("/embeddings", summary="Embeddings of texts (the language model's, mean-pooled)")
    async def embeddings(body: EmbeddingRequest) -> JSONResponse:
        info = await chat.model_for(body.model)
        embedder = backend.embedder
        if embedder is None:
            raise ApiError(
                400,
                "Embeddings need a local model or an embedding model; none is loaded.",
                code="embeddings_unavailable",
                param="model",
            )
        raw = body.input
        items: list[Any] = (
            [raw] if isinstance(raw, str) or (raw and isinstance(raw[0], int)) else list(raw)
        )
        if not items or len(items) > 256:
            raise ApiError(
                400, "Send between 1 and 256 inputs.", param="input", code="invalid_request"
            )

        def run() -> tuple[list[list[float]], int]:
            texts = [
                item if isinstance(item, str) else embedder.detokenize(list(item)) for item in items
            ]
            return embedder.embed(texts)

        try:
            vectors, tokens = await run_in_threadpool(run)
        except UserFacingError as exc:
            raise ApiError(400, str(exc), param="input", code="invalid_request") from exc

        def encode(vector: list[float]) -> Any:
            if body.encoding_format == "base64":
                return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
            return vector

        return JSONResponse(
            {
                "object": "list",
                "model": embedder.model_id or info.model_id,
                "data": [
                    {"object": "embedding", "index": i, "embedding": encode(v)}
                    for i, v in enumerate(vectors)
                ],
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }
        )
