"""The chat half of the API: one validated chat request becomes a submitted reply and its response.

Each API shape (OpenAI chat and raw completions, Anthropic messages, OpenAI responses)
registers its routes over one ``ChatService``; it lives apart from ``create_app`` so that
those modules and the app both import it, and none of them imports another.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import anyio
from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sse_starlette.sse import EventSourceResponse

from autoglm.core.conversation import API, build_request
from autoglm.core.errors import ModelError, UserFacingError
from autoglm.core.llama.protocol import ENGINE_RESTARTED
from autoglm.core.scheduler import ReplyStream
from autoglm.core.settings import Settings
from autoglm.core.types import (
    ChatMessage,
    Completion,
    Delta,
    GenerationRequest,
    ImageInput,
    ModelInfo,
    Notice,
)
from autoglm.server.backend import ServingBackend
from autoglm.server.bridge import stream_events
from autoglm.server.errors import ApiError
from autoglm.server.media import decode_audio, decode_data_uri, image_bytes_from_url
from autoglm.server.replies import ReplyShape
from autoglm.server.schemas import ChatCompletionRequest
from autoglm.server.translate import (
    ParameterError,
    asks_for_images,
    chat_messages,
    refuse_unsupported,
    sampling_params,
    thinking_choice,
    tool_plan,
)
from autoglm.tools.prompt import fit_to_template
from autoglm.vision.image import normalise

if TYPE_CHECKING:
    from autoglm.knowledge.library import Retrieval


def to_api_error(exc: UserFacingError) -> ApiError:
    if isinstance(exc, ModelError):
        return ApiError(503, str(exc), code="model_unavailable", headers={"Retry-After": "30"})
    if isinstance(exc, ParameterError):
        return ApiError(400, str(exc), code="unsupported_parameter", param=exc.param)
    return ApiError(400, str(exc), code="invalid_request")


def _sse(payload: dict[str, Any] | str) -> str:
    """One server-sent event's data: a JSON chunk, or OpenAI's closing ``[DONE]``."""
    return payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)


async def _until_disconnected(request: Request) -> None:
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


class ChatService:
    """Turns one validated chat request into a submitted reply and its response."""

    def __init__(self, backend: ServingBackend, settings: Settings):
        self.backend = backend
        self.settings = settings
        self._loading = asyncio.Lock()

    async def model_for(self, requested: str | None) -> ModelInfo:
        """The model to answer ``requested`` with: the one loaded, or another installed model,
        loaded first (as LM Studio does) when the app's own engine serves."""
        info = self.backend.model_info
        if (
            requested in (None, "")
            or (info is not None and requested == info.model_id)
            or not self.backend.can_load_models
        ):
            return self.resolve_model(requested)
        async with self._loading:  # one load at a time; a second request for it finds it loaded
            info = self.backend.model_info
            if (
                info is None or requested != info.model_id
            ) and requested in await run_in_threadpool(self.backend.present_model_ids):
                try:
                    await run_in_threadpool(self.backend.load_model, requested)
                except UserFacingError as exc:
                    raise ApiError(
                        503,
                        f"The model '{requested}' could not be loaded: {exc}",
                        code="model_unavailable",
                        param="model",
                    ) from exc
        return self.resolve_model(requested)

    def resolve_model(self, requested: str | None) -> ModelInfo:
        info = self.backend.model_info
        if info is None:
            raise ApiError(
                503,
                "The model is still loading; try again shortly.",
                code="model_not_loaded",
                headers={"Retry-After": "5"},
            )
        if requested in (None, "", info.model_id):
            return info
        if requested in self.backend.present_model_ids():
            raise ApiError(
                404,
                f"The model '{requested}' is on this computer but not loaded; "
                f"'{info.model_id}' is being served.",
                code="model_not_found",
                param="model",
            )
        raise ApiError(
            404,
            f"The model '{requested}' does not exist; '{info.model_id}' is being served.",
            code="model_not_found",
            param="model",
        )

    def check_queue(self) -> None:
        limit = self.settings.server.max_queued_requests
        if self.backend.scheduler.queue_length() >= limit:
            raise ApiError(
                429,
                f"The model is busy: {limit} requests are already waiting. Retry shortly.",
                code="queue_full",
                headers={"Retry-After": "2"},
            )

    def load_image(self, url: str, image_tokens: int | None = None) -> ImageInput:
        data = image_bytes_from_url(url, self.settings.server.allowed_image_dir)
        vision = self.settings.vision
        if image_tokens is not None:
            vision = vision.model_copy(update={"image_tokens": image_tokens})
        return normalise(data, vision)

    def transcribe(self, data: str, _format: str) -> str:
        audio = decode_audio(
            decode_data_uri(data, "audio")[0], self.settings.server.max_audio_seconds
        )
        with self.backend.asr_lock:
            return self.backend.transcriber.transcribe(audio).text

    async def submit(self, body: ChatCompletionRequest) -> tuple[ReplyStream, ReplyShape]:
        info = await self.model_for(body.model)
        if asks_for_images(body) and not info.has_vision:
            raise ApiError(
                400,
                info.vision_unavailable_reason or f"{info.model_id} cannot read images.",
                code="model_has_no_vision",
                param="messages",
            )
        choice = thinking_choice(body, self.settings.generation.thinking)
        try:
            refuse_unsupported(body)
            plan = tool_plan(body, info.chat_template)
            sampling = sampling_params(body, self.settings.generation)
            sampling.grammar = plan.grammar
            messages = await run_in_threadpool(
                chat_messages,
                body,
                functools.partial(self.load_image, image_tokens=body.image_tokens),
                self.transcribe,
            )
        except UserFacingError as exc:
            raise to_api_error(exc) from exc
        messages, engine_tools = fit_to_template(messages, plan.tools, info.chat_template)
        found = await self.retrieve(body, messages)
        # a grammar shapes the reply from its first token, so there is no thinking before it
        thinking = choice.thinking and plan.grammar is None
        request = build_request(
            messages,
            self.settings.generation,
            API,
            thinking=thinking,
            sampling=sampling,
            passages=found.citations if found is not None else (),
        )
        request.tools = engine_tools
        if (
            plan.tools
        ):  # as asked, for an engine whose server enforces them (the local one uses the grammar)
            request.tool_choice = _as_json(body.tool_choice)
            request.parallel_tool_calls = body.parallel_tool_calls
        if body.response_format is not None and body.response_format.type != "text":
            request.response_format = _as_json(body.response_format)
        self.check_queue()  # no await between the check and the submit: requests cannot slip past together
        stream = self.backend.scheduler.submit(request)
        return stream, ReplyShape(
            info.model_id,
            choice.return_reasoning,
            tools=plan.tools if plan.parse_calls else [],
            dialect=plan.dialect,
            logprobs=bool(body.logprobs),
            parallel_tool_calls=plan.parallel,
            citations=found.citations if found is not None else [],
            document_tokens=found.prompt_tokens if found is not None else 0,
        )

    async def retrieve(
        self, body: ChatCompletionRequest, messages: list[ChatMessage]
    ) -> Retrieval | None:
        """The project's passages for the last user message (``None`` when the request names no project)."""
        if body.project is None:
            return None
        library = self.backend.documents
        if library is None:
            raise ApiError(
                400,
                "Documents are not available on this server.",
                code="documents_unavailable",
                param="project",
            )
        documents = await run_in_threadpool(library.documents, body.project)
        if not any(d.status == "indexed" for d in documents):
            raise ApiError(
                404,
                f"The project {body.project!r} has no indexed documents.",
                code="project_not_found",
                param="project",
            )
        question = next((m.content for m in reversed(messages) if m.role == "user"), "")
        try:
            return await run_in_threadpool(library.retrieve, body.project, question, body.passages)
        except UserFacingError as exc:
            raise to_api_error(exc) from exc

    def submit_request(self, request: GenerationRequest) -> ReplyStream:
        """Queue an engine request built elsewhere (raw completions); 429 when the queue is full."""
        self.check_queue()
        return self.backend.scheduler.submit(request)

    async def respond(self, request: Request, body: ChatCompletionRequest) -> Response:
        stream, shape = await self.submit(body)
        if body.stream:
            include_usage = bool(body.stream_options and body.stream_options.include_usage)
            # sse-starlette cancels the generator when the client leaves, which cancels the reply.
            return EventSourceResponse(
                self._sse_events(stream, shape, include_usage),
                sep="\n",
                headers={"Cache-Control": "no-cache"},
            )
        completion = await self.whole(request, stream)
        if completion is None:
            return Response(status_code=499)
        return JSONResponse(shape.completion(completion))

    async def chunks(self, stream: ReplyStream, shape: ReplyShape) -> AsyncIterator[dict[str, Any]]:
        """The reply as OpenAI chunk bodies (for the other API shapes to translate); an error is raised."""
        user_caused = False
        async for event in stream_events(stream):
            if isinstance(event, Delta):
                for chunk in shape.delta_chunks(event):
                    yield chunk
            elif event.kind == "error":
                user_caused = True
        completion = stream.result()
        if completion.error:
            raise self._generation_error(completion, user_caused)
        for chunk in shape.closing_chunks(completion):
            yield chunk
        yield shape.usage_chunk(completion)

    async def whole(self, request: Request, stream: ReplyStream) -> Completion | None:
        """The finished reply, or ``None`` if the client left first (the reply is then cancelled)."""
        error_notices: list[Notice] = []
        async with anyio.create_task_group() as group:

            async def collect() -> None:
                async for event in stream_events(stream):
                    if isinstance(event, Notice) and event.kind == "error":
                        error_notices.append(event)
                group.cancel_scope.cancel()

            async def watch() -> None:
                await _until_disconnected(request)
                group.cancel_scope.cancel()

            group.start_soon(collect)
            group.start_soon(watch)
        if not stream.done:  # the client left: the reply was cancelled, nobody reads this
            return None
        completion = stream.result()
        if completion.error:
            raise self._generation_error(completion, bool(error_notices))
        return completion

    @staticmethod
    def _generation_error(completion: Completion, user_caused: bool) -> ApiError:
        if any(notice.kind == ENGINE_RESTARTED for notice in completion.notices):
            return ApiError(
                503,
                completion.error or "The engine stopped and is being restarted.",
                error_type="server_error",
                code="engine_restarted",
                headers={"Retry-After": "5"},
            )
        if user_caused:
            return ApiError(
                400, completion.error or "The request cannot be answered.", code="invalid_request"
            )
        return ApiError(
            500,
            completion.error or "The model failed while answering.",
            error_type="api_error",
            code="generation_failed",
        )

    async def _sse_events(
        self, stream: ReplyStream, shape: ReplyShape, include_usage: bool
    ) -> AsyncIterator[str]:
        yield _sse(shape.first_chunk())
        user_caused = False
        async for event in stream_events(stream):
            if isinstance(event, Delta):
                for chunk in shape.delta_chunks(event):
                    yield _sse(chunk)
            elif event.kind == "error":
                user_caused = True
        completion = stream.result()
        if completion.error:
            error = self._generation_error(completion, user_caused)
            yield _sse(error.body())
        else:
            for chunk in shape.closing_chunks(completion):
                yield _sse(chunk)
            if include_usage:
                yield _sse(shape.usage_chunk(completion))
        yield _sse("[DONE]")


def _as_json(value: Any) -> Any:
    """A request field as the client sent it (a pydantic model back to its JSON, aliases kept)."""
    if hasattr(value, "model_dump"):
        return value.model_dump(by_alias=True, exclude_none=True)
    return value
