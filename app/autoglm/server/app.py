"""The OpenAI-compatible HTTP API, built by ``create_app`` (no module-level state).

Chat requests become ``GenerationRequest``s at ``Priority.API``: they wait behind a live
voice turn or a chat typed in the app, and share that app's one model. Replies stream as
server-sent events in OpenAI's chunk shape; a client that disconnects cancels its reply.
"""

from __future__ import annotations

import asyncio
import functools
import io
import json
import logging
import time
import wave
from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sse_starlette.sse import EventSourceResponse

from autoglm import __version__
from autoglm.core.conversation import API, build_request
from autoglm.core.errors import ModelError, UserFacingError
from autoglm.core.llama.protocol import ENGINE_RESTARTED
from autoglm.core.scheduler import ReplyStream, Scheduler
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
from autoglm.server.anthropic import register_messages
from autoglm.server.backend import ServingBackend, ServingSource
from autoglm.server.bridge import stream_events
from autoglm.server.capabilities import CapabilityLog
from autoglm.server.completions import register_completions
from autoglm.server.errors import ApiError, install_error_handlers
from autoglm.server.media import (
    decode_audio,
    decode_data_uri,
    image_bytes_from_url,
)
from autoglm.server.replies import ReplyShape, model_card
from autoglm.server.responses import register_responses
from autoglm.server.schemas import ChatCompletionRequest, SpeechRequest
from autoglm.server.security import (
    BodyLimitMiddleware,
    RateLimiter,
    RequestGuardMiddleware,
    key_matches,
    presented_key,
)
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

_LOGGER = logging.getLogger(__name__)
_BEARER = HTTPBearer(auto_error=False, description="The API key set in Settings → Server (any value if none is set)")


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _to_api_error(exc: UserFacingError) -> ApiError:
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


class _ChatService:
    """Turns one validated chat request into a submitted reply and its response."""

    def __init__(self, backend: ServingBackend, settings: Settings):
        self.backend = backend
        self.settings = settings
        self._loading = asyncio.Lock()

    async def model_for(self, requested: str | None) -> ModelInfo:
        """The model to answer ``requested`` with: the one loaded, or another installed model,
        loaded first (as LM Studio does) when the app's own engine serves."""
        info = self.backend.model_info
        if requested in (None, "") or (info is not None and requested == info.model_id) \
                or not self.backend.can_load_models:
            return self.resolve_model(requested)
        async with self._loading:  # one load at a time; a second request for it finds it loaded
            info = self.backend.model_info
            if (info is None or requested != info.model_id) \
                    and requested in await run_in_threadpool(self.backend.present_model_ids):
                try:
                    await run_in_threadpool(self.backend.load_model, requested)
                except UserFacingError as exc:
                    raise ApiError(503, f"The model '{requested}' could not be loaded: {exc}",
                                   code="model_unavailable", param="model") from exc
        return self.resolve_model(requested)

    def resolve_model(self, requested: str | None) -> ModelInfo:
        info = self.backend.model_info
        if info is None:
            raise ApiError(503, "The model is still loading; try again shortly.", code="model_not_loaded",
                           headers={"Retry-After": "5"})
        if requested in (None, "", info.model_id):
            return info
        if requested in self.backend.present_model_ids():
            raise ApiError(404, f"The model '{requested}' is on this computer but not loaded; "
                                f"'{info.model_id}' is being served.", code="model_not_found", param="model")
        raise ApiError(404, f"The model '{requested}' does not exist; '{info.model_id}' is being served.",
                       code="model_not_found", param="model")

    def check_queue(self) -> None:
        limit = self.settings.server.max_queued_requests
        if self.backend.scheduler.queue_length() >= limit:
            raise ApiError(429, f"The model is busy: {limit} requests are already waiting. Retry shortly.",
                           code="queue_full", headers={"Retry-After": "2"})

    def load_image(self, url: str, image_tokens: int | None = None) -> ImageInput:
        data = image_bytes_from_url(url, self.settings.server.allowed_image_dir)
        vision = self.settings.vision
        if image_tokens is not None:
            vision = vision.model_copy(update={"image_tokens": image_tokens})
        return normalise(data, vision)

    def transcribe(self, data: str, _format: str) -> str:
        audio = decode_audio(decode_data_uri(data, "audio")[0], self.settings.server.max_audio_seconds)
        with self.backend.asr_lock:
            return self.backend.transcriber.transcribe(audio).text

    async def submit(self, body: ChatCompletionRequest) -> tuple[ReplyStream, ReplyShape]:
        info = await self.model_for(body.model)
        if asks_for_images(body) and not info.has_vision:
            raise ApiError(400, info.vision_unavailable_reason or f"{info.model_id} cannot read images.",
                           code="model_has_no_vision", param="messages")
        choice = thinking_choice(body, self.settings.generation.thinking)
        try:
            refuse_unsupported(body)
            plan = tool_plan(body, info.chat_template)
            sampling = sampling_params(body, self.settings.generation)
            sampling.grammar = plan.grammar
            messages = await run_in_threadpool(chat_messages, body,
                                               functools.partial(self.load_image, image_tokens=body.image_tokens),
                                               self.transcribe)
        except UserFacingError as exc:
            raise _to_api_error(exc) from exc
        messages, engine_tools = fit_to_template(messages, plan.tools, info.chat_template)
        found = await self.retrieve(body, messages)
        # a grammar shapes the reply from its first token, so there is no thinking before it
        thinking = choice.thinking and plan.grammar is None
        request = build_request(messages, self.settings.generation, API, thinking=thinking, sampling=sampling,
                                passages=found.citations if found is not None else ())
        request.tools = engine_tools
        if plan.tools:  # as asked, for an engine whose server enforces them (the local one uses the grammar)
            request.tool_choice = _as_json(body.tool_choice)
            request.parallel_tool_calls = body.parallel_tool_calls
        if body.response_format is not None and body.response_format.type != "text":
            request.response_format = _as_json(body.response_format)
        self.check_queue()  # no await between the check and the submit: requests cannot slip past together
        stream = self.backend.scheduler.submit(request)
        return stream, ReplyShape(info.model_id, choice.return_reasoning,
                                  tools=plan.tools if plan.parse_calls else [], dialect=plan.dialect,
                                  logprobs=bool(body.logprobs), parallel_tool_calls=plan.parallel,
                                  citations=found.citations if found is not None else [],
                                  document_tokens=found.prompt_tokens if found is not None else 0)

    async def retrieve(self, body: ChatCompletionRequest, messages: list[ChatMessage]) -> Any:
        """The project's passages for the last user message (``None`` when the request names no project)."""
        if body.project is None:
            return None
        library = self.backend.documents
        if library is None:
            raise ApiError(400, "Documents are not available on this server.", code="documents_unavailable",
                           param="project")
        documents = await run_in_threadpool(library.index.documents, body.project)
        if not any(d.status == "indexed" for d in documents):
            raise ApiError(404, f"The project {body.project!r} has no indexed documents.", code="project_not_found",
                           param="project")
        question = next((m.content for m in reversed(messages) if m.role == "user"), "")
        try:
            return await run_in_threadpool(library.retrieve, body.project, question, body.passages)
        except UserFacingError as exc:
            raise _to_api_error(exc) from exc

    def submit_request(self, request: GenerationRequest) -> ReplyStream:
        """Queue an engine request built elsewhere (raw completions); 429 when the queue is full."""
        self.check_queue()
        return self.backend.scheduler.submit(request)

    async def respond(self, request: Request, body: ChatCompletionRequest) -> Response:
        stream, shape = await self.submit(body)
        if body.stream:
            include_usage = bool(body.stream_options and body.stream_options.include_usage)
            # sse-starlette cancels the generator when the client leaves, which cancels the reply.
            return EventSourceResponse(self._sse_events(stream, shape, include_usage), sep="\n",
                                       headers={"Cache-Control": "no-cache"})
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
            return ApiError(503, completion.error or "The engine stopped and is being restarted.",
                            error_type="server_error", code="engine_restarted", headers={"Retry-After": "5"})
        if user_caused:
            return ApiError(400, completion.error or "The request cannot be answered.", code="invalid_request")
        return ApiError(500, completion.error or "The model failed while answering.", error_type="api_error",
                        code="generation_failed")

    async def _sse_events(self, stream: ReplyStream, shape: ReplyShape, include_usage: bool) -> AsyncIterator[str]:
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


def _health(backend: ServingBackend, detailed: bool) -> JSONResponse:
    """Readiness for monitors; the model and queue only for a client that may use the API."""
    info = backend.model_info
    if not detailed:
        return JSONResponse({"status": "ok" if info is not None else "loading"},
                            status_code=200 if info is not None else 503)
    scheduler = backend.scheduler
    waits = scheduler.recent_queue_waits()
    queue = {"length": scheduler.queue_length(), "busy": scheduler.busy, "recent_requests": len(waits),
             "wait_p50_s": round(_percentile(waits, 0.5), 4), "wait_p95_s": round(_percentile(waits, 0.95), 4),
             "wait_max_s": round(max(waits, default=0.0), 4)}
    if info is None:
        return JSONResponse({"status": "loading", "model": None, "queue": queue}, status_code=503,
                            headers={"Retry-After": "5"})
    return JSONResponse({"status": "ok", "model": info.model_id, "vision": info.has_vision,
                         "backend": info.backend, "queue": queue})


def _wav_bytes(samples: Any, sample_rate: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(samples.tobytes())
    return buffer.getvalue()


def create_app(settings: Settings, runtime: ServingSource | Scheduler, *, transcriber: Any = None, synthesizer: Any = None,
               capability_log: CapabilityLog | None = None) -> FastAPI:
    """The API over ``runtime`` (the app's ``Runtime``, or a started ``Scheduler`` with a loaded engine).

    ``capability_log`` receives every call that uses desktop control or MCP tools (the window
    subscribes to it); one is made when none is given.
    """
    backend = ServingBackend(runtime, settings, transcriber, synthesizer)
    chat = _ChatService(backend, settings)
    limiter = RateLimiter(settings.server.rate_limit_per_minute)
    expected_key = settings.server.api_key or None

    app = FastAPI(title="AutoGLM Desktop API", version=__version__, docs_url=None, redoc_url=None,
                  description="OpenAI-compatible chat, transcription and speech over the model on this computer.")
    app.state.backend = backend
    app.state.settings = settings
    app.state.capability_log = capability_log or CapabilityLog()
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=int(settings.server.max_body_mb * 2**20))
    app.add_middleware(RequestGuardMiddleware, server=settings.server)  # added last: the outermost

    async def authorise(request: Request,
                        _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)]) -> None:
        key = presented_key({k.lower(): v for k, v in request.headers.items()})
        if expected_key is not None and not key_matches(key, expected_key):
            raise ApiError(401, "Incorrect or missing API key: send it as 'Authorization: Bearer KEY'.",
                           code="invalid_api_key")
        limiter.check(key or (request.client.host if request.client else "unknown"))

    v1 = APIRouter(prefix="/v1", dependencies=[Depends(authorise)])

    @v1.get("/models", summary="The models this server knows")
    async def list_models() -> dict[str, Any]:
        info = backend.model_info
        created = int(time.time())
        ids = [info.model_id] if info else []
        ids += [model_id for model_id in await run_in_threadpool(backend.present_model_ids) if model_id not in ids]
        return {"object": "list", "data": [model_card(i, created, info is not None and i == info.model_id)
                                           for i in ids]}

    @v1.get("/models/{model_id}", summary="One model")
    async def get_model(model_id: str) -> dict[str, Any]:
        info = chat.resolve_model(model_id)
        return model_card(info.model_id, int(time.time()), True)

    @v1.post("/chat/completions", summary="Chat, streamed as server-sent events or whole")
    async def chat_completions(request: Request, body: ChatCompletionRequest) -> Response:
        return await chat.respond(request, body)

    @v1.post("/audio/transcriptions", summary="Speech to text (OpenAI's multipart shape)")
    async def transcriptions(file: Annotated[UploadFile, File()],
                             model: Annotated[str, Form()] = "whisper-1",
                             response_format: Annotated[str, Form()] = "json",
                             language: Annotated[str | None, Form()] = None) -> Response:
        if response_format not in ("json", "text", "verbose_json"):
            raise ApiError(400, "response_format must be json, text or verbose_json.", param="response_format")
        data = await file.read()
        try:
            audio = await run_in_threadpool(decode_audio, data, settings.server.max_audio_seconds)

            def recognise() -> Any:
                with backend.asr_lock:
                    return backend.transcriber.transcribe(audio)

            transcript = await run_in_threadpool(recognise)
        except UserFacingError as exc:
            raise _to_api_error(exc) from exc
        if response_format == "text":
            return PlainTextResponse(transcript.text)
        if response_format == "verbose_json":
            return JSONResponse({"task": "transcribe", "language": transcript.language,
                                 "duration": round(transcript.audio_s, 3), "text": transcript.text, "segments": []})
        return JSONResponse({"text": transcript.text})

    @v1.post("/audio/speech", summary="Text to speech (WAV, or raw 16-bit PCM)")
    async def speech(body: SpeechRequest) -> Response:
        def synthesise() -> Any:
            with backend.tts_lock:
                return backend.synthesizer.synthesize(body.input)

        try:
            audio = await run_in_threadpool(synthesise)
        except UserFacingError as exc:
            raise _to_api_error(exc) from exc
        pcm = audio.int16()
        if body.response_format == "pcm":
            return Response(pcm.tobytes(), media_type="audio/pcm",
                            headers={"X-Sample-Rate": str(audio.sample_rate)})
        return Response(_wav_bytes(pcm, audio.sample_rate), media_type="audio/wav")

    register_completions(v1, chat, backend)
    register_messages(v1, chat)
    register_responses(v1, chat)
    app.include_router(v1)

    @app.get("/health", summary="Ready once the model is loaded; queue length and recent waits")
    async def health(request: Request) -> JSONResponse:
        presented = presented_key({k.lower(): v for k, v in request.headers.items()})
        return _health(backend, expected_key is None or key_matches(presented, expected_key))

    @app.get("/", include_in_schema=False)
    async def root() -> JSONResponse:
        return JSONResponse({"name": "AutoGLM Desktop API", "openai_base_url": "/v1", "health": "/health"})

    _LOGGER.debug("API created (key required: %s)", expected_key is not None)
    return app

