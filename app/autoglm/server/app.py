"""The OpenAI-compatible HTTP API, built by ``create_app`` (no module-level state).

Chat requests become ``GenerationRequest``s at ``Priority.API``: they wait behind a live
voice turn or a chat typed in the app, and share that app's one model. Replies stream as
server-sent events in OpenAI's chunk shape; a client that disconnects cancels its reply.
"""

from __future__ import annotations

import io
import logging
import time
import wave
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from autoglm import __version__
from autoglm.core.errors import UserFacingError
from autoglm.core.scheduler import Scheduler
from autoglm.core.settings import Settings
from autoglm.server.anthropic import register_messages
from autoglm.server.backend import ServingBackend, ServingSource
from autoglm.server.capabilities import CapabilityLog
from autoglm.server.chat_service import ChatService, to_api_error
from autoglm.server.completions import register_completions
from autoglm.server.errors import ApiError, install_error_handlers
from autoglm.server.media import decode_audio
from autoglm.server.replies import model_card
from autoglm.server.responses import register_responses
from autoglm.server.schemas import ChatCompletionRequest, SpeechRequest
from autoglm.server.security import (
    BodyLimitMiddleware,
    RateLimiter,
    RequestGuardMiddleware,
    key_matches,
    presented_key,
)

_LOGGER = logging.getLogger(__name__)
_BEARER = HTTPBearer(
    auto_error=False, description="The API key set in Settings → Server (any value if none is set)"
)


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _health(backend: ServingBackend, detailed: bool) -> JSONResponse:
    """Readiness for monitors; the model and queue only for a client that may use the API."""
    info = backend.model_info
    if not detailed:
        return JSONResponse(
            {"status": "ok" if info is not None else "loading"},
            status_code=200 if info is not None else 503,
        )
    scheduler = backend.scheduler
    waits = scheduler.recent_queue_waits()
    queue = {
        "length": scheduler.queue_length(),
        "busy": scheduler.busy,
        "recent_requests": len(waits),
        "wait_p50_s": round(_percentile(waits, 0.5), 4),
        "wait_p95_s": round(_percentile(waits, 0.95), 4),
        "wait_max_s": round(max(waits, default=0.0), 4),
    }
    if info is None:
        return JSONResponse(
            {"status": "loading", "model": None, "queue": queue},
            status_code=503,
            headers={"Retry-After": "5"},
        )
    return JSONResponse(
        {
            "status": "ok",
            "model": info.model_id,
            "vision": info.has_vision,
            "backend": info.backend,
            "queue": queue,
        }
    )


def _wav_bytes(samples: Any, sample_rate: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(samples.tobytes())
    return buffer.getvalue()


def create_app(
    settings: Settings,
    runtime: ServingSource | Scheduler,
    *,
    transcriber: Any = None,
    synthesizer: Any = None,
    capability_log: CapabilityLog | None = None,
) -> FastAPI:
    """The API over ``runtime`` (the app's ``Runtime``, or a started ``Scheduler`` with a loaded engine).

    ``capability_log`` receives every call that uses desktop control or MCP tools (the window
    subscribes to it); one is made when none is given.
    """
    backend = ServingBackend(runtime, settings, transcriber, synthesizer)
    chat = ChatService(backend, settings)
    limiter = RateLimiter(settings.server.rate_limit_per_minute)
    expected_key = settings.server.api_key or None

    app = FastAPI(
        title="AutoGLM Desktop API",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        description="OpenAI-compatible chat, transcription and speech over the model on this computer.",
    )
    app.state.backend = backend
    app.state.settings = settings
    app.state.capability_log = capability_log or CapabilityLog()
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=int(settings.server.max_body_mb * 2**20))
    app.add_middleware(RequestGuardMiddleware, server=settings.server)  # added last: the outermost

    async def authorise(
        request: Request,
        _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)],
    ) -> None:
        key = presented_key({k.lower(): v for k, v in request.headers.items()})
        if expected_key is not None and not key_matches(key, expected_key):
            raise ApiError(
                401,
                "Incorrect or missing API key: send it as 'Authorization: Bearer KEY'.",
                code="invalid_api_key",
            )
        limiter.check(key or (request.client.host if request.client else "unknown"))

    v1 = APIRouter(prefix="/v1", dependencies=[Depends(authorise)])

    @v1.get("/models", summary="The models this server knows")
    async def list_models() -> dict[str, Any]:
        info = backend.model_info
        created = int(time.time())
        ids = [info.model_id] if info else []
        ids += [
            model_id
            for model_id in await run_in_threadpool(backend.present_model_ids)
            if model_id not in ids
        ]
        return {
            "object": "list",
            "data": [model_card(i, created, info is not None and i == info.model_id) for i in ids],
        }

    @v1.get("/models/{model_id}", summary="One model")
    async def get_model(model_id: str) -> dict[str, Any]:
        info = chat.resolve_model(model_id)
        return model_card(info.model_id, int(time.time()), True)

    @v1.post("/chat/completions", summary="Chat, streamed as server-sent events or whole")
    async def chat_completions(request: Request, body: ChatCompletionRequest) -> Response:
        return await chat.respond(request, body)

    @v1.post("/audio/transcriptions", summary="Speech to text (OpenAI's multipart shape)")
    async def transcriptions(
        file: Annotated[UploadFile, File()],
        model: Annotated[str, Form()] = "whisper-1",
        response_format: Annotated[str, Form()] = "json",
        language: Annotated[str | None, Form()] = None,
    ) -> Response:
        if response_format not in ("json", "text", "verbose_json"):
            raise ApiError(
                400, "response_format must be json, text or verbose_json.", param="response_format"
            )
        data = await file.read()
        try:
            audio = await run_in_threadpool(decode_audio, data, settings.server.max_audio_seconds)

            def recognise() -> Any:
                with backend.asr_lock:
                    return backend.transcriber.transcribe(audio)

            transcript = await run_in_threadpool(recognise)
        except UserFacingError as exc:
            raise to_api_error(exc) from exc
        if response_format == "text":
            return PlainTextResponse(transcript.text)
        if response_format == "verbose_json":
            return JSONResponse(
                {
                    "task": "transcribe",
                    "language": transcript.language,
                    "duration": round(transcript.audio_s, 3),
                    "text": transcript.text,
                    "segments": [],
                }
            )
        return JSONResponse({"text": transcript.text})

    @v1.post("/audio/speech", summary="Text to speech (WAV, or raw 16-bit PCM)")
    async def speech(body: SpeechRequest) -> Response:
        def synthesise() -> Any:
            with backend.tts_lock:
                return backend.synthesizer.synthesize(body.input)

        try:
            audio = await run_in_threadpool(synthesise)
        except UserFacingError as exc:
            raise to_api_error(exc) from exc
        pcm = audio.int16()
        if body.response_format == "pcm":
            return Response(
                pcm.tobytes(),
                media_type="audio/pcm",
                headers={"X-Sample-Rate": str(audio.sample_rate)},
            )
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
        return JSONResponse(
            {"name": "AutoGLM Desktop API", "openai_base_url": "/v1", "health": "/health"}
        )

    _LOGGER.debug("API created (key required: %s)", expected_key is not None)
    return app
