"""An engine that asks an OpenAI-compatible server for tokens instead of running llama.cpp.

For machines where one laptop is not enough: vLLM or SGLang serving AutoGLM-Phone-9B
across GPUs, llama.cpp's server, or another AutoGLM Desktop. It honours the same
``generate(request, emit, cancel) -> Completion`` contract as ``LlamaEngine``, so the
scheduler, UI, voice loop and store work unchanged.

The request runs on a reader thread while ``generate`` waits on its lines with a short
timeout, so a cancel returns at once; the connection is then shut down (not just
closed, which would not wake a blocked read), and the server sees its client leave and
stops generating.

Tools go to the server as OpenAI's ``tools``, ``tool_choice`` and ``parallel_tool_calls``,
and ``response_format`` as asked, so the server enforces them (its own grammars); earlier
calls and ``tool`` results go as structured messages. The calls the server returns come
back as text in the Hermes format (``<tool_call>{"name": …, "arguments": …}</tool_call>``),
the one every front already reads from a local model's reply: the engine's ``ModelInfo``
names that format through its ``chat_template`` (``REMOTE_CHAT_TEMPLATE``).
"""

from __future__ import annotations

import base64
import io
import json
import logging
import queue
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from autoglm.core.chat_template import tool_dicts
from autoglm.core.errors import InputError, ModelError, UserFacingError
from autoglm.core.reasoning import ReasoningSplitter
from autoglm.core.settings import normalise_server_url
from autoglm.core.types import (
    UNTIL_CONTEXT_FULL,
    ChatMessage,
    Completion,
    Delta,
    GenerationRequest,
    ImageInput,
    ModelInfo,
    StreamEvent,
    Usage,
)

_LOGGER = logging.getLogger(__name__)
_END = object()
Emit = Callable[[StreamEvent], None]
REMOTE_CHAT_TEMPLATE = (
    "{#- Rendered by the remote server. Messages, tools, tool_calls and tool results are sent to it "
    'as JSON; the calls it returns are handed on written <tool_call>{"name": ..., "arguments": ...}'
    "</tool_call>. -#}"
)
"""What the remote engine reports as its chat template: the server renders the prompt, takes tools
natively (``template_renders_tools``) and its calls arrive in the Hermes format (``dialect_for_template``)."""


def normalise_base_url(url: str) -> str:
    """``http://host:port/v1`` from what the user typed (``/v1`` added when no path is given)."""
    try:
        return normalise_server_url(url)
    except ValueError as exc:
        raise InputError(f"{str(exc)[0].upper()}{str(exc)[1:]}.") from None


def image_data_uri(image: ImageInput) -> str:
    """A PNG data URI of normalised RGB pixels."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.frombytes("RGB", (image.width, image.height), image.rgb).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _image_parts(message: ChatMessage) -> list[dict[str, Any]]:
    return [
        {"type": "image_url", "image_url": {"url": image_data_uri(image)}}
        for image in message.images
    ]


def openai_messages(messages: list[ChatMessage]) -> list[dict[str, Any]]:
    """Engine messages in OpenAI's shape: text or parts, assistant ``tool_calls``, ``tool`` results.

    A tool result's images follow it as a user message (OpenAI's tool messages hold text).
    """
    result: list[dict[str, Any]] = []
    for message in messages:
        if message.role == "tool":
            result.append(
                {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.content}
            )
            if message.images:
                result.append({"role": "user", "content": _image_parts(message)})
            continue
        entry: dict[str, Any] = {"role": message.role, "content": message.content}
        if message.images:
            parts = _image_parts(message)
            if message.content:
                parts.append({"type": "text", "text": message.content})
            entry["content"] = parts
        if message.tool_calls:
            entry["tool_calls"] = [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments},
                }
                for call in message.tool_calls
            ]
            entry["content"] = entry["content"] or None
        result.append(entry)
    return result


def call_as_text(name: str, arguments: str) -> str:
    """A call the server returned, written the way the fronts read calls from a reply (Hermes)."""
    try:
        parsed: Any = json.loads(arguments) if arguments.strip() else {}
    except ValueError:
        parsed = arguments  # the reader says the arguments are not valid JSON
    return (
        "<tool_call>\n"
        + json.dumps({"name": name, "arguments": parsed}, ensure_ascii=False)
        + "\n</tool_call>"
    )


class _CallCollector:
    """Streamed ``tool_calls`` deltas, put together by their index."""

    def __init__(self) -> None:
        self._calls: dict[int, dict[str, str]] = {}

    def feed(self, deltas: list[dict[str, Any]]) -> None:
        """Add one chunk's pieces of calls."""
        for position, delta in enumerate(deltas):
            if not isinstance(delta, dict):
                continue
            index = delta.get("index", position)
            call = self._calls.setdefault(
                index if isinstance(index, int) else position, {"name": "", "arguments": ""}
            )
            function = delta.get("function") or {}
            call["name"] += str(function.get("name") or "")
            call["arguments"] += str(function.get("arguments") or "")

    def text(self) -> str:
        """Every call, as text, in order."""
        return "\n".join(
            call_as_text(call["name"], call["arguments"])
            for _, call in sorted(self._calls.items())
            if call["name"]
        )


def server_error_message(status: int, body: bytes, base_url: str) -> UserFacingError:
    """A remote server's error response in words, as the right kind of error."""
    detail = ""
    try:
        payload = json.loads(body)
        error = payload.get("error", payload) if isinstance(payload, dict) else payload
        detail = error.get("message", "") if isinstance(error, dict) else str(error)
        if not detail and isinstance(payload, dict):
            detail = str(payload.get("detail", ""))
    except (ValueError, AttributeError):
        detail = body.decode("utf-8", errors="replace")[:300]
    detail = detail.strip() or "no detail given"
    if status in (401, 403):
        return ModelError(f"The server at {base_url} refused the API key (HTTP {status}): {detail}")
    if status == 404:
        return ModelError(f"The server at {base_url} does not serve that (HTTP 404): {detail}")
    if 400 <= status < 500:
        return InputError(f"The server at {base_url} refused the request (HTTP {status}): {detail}")
    return ModelError(f"The server at {base_url} failed (HTTP {status}): {detail}")


class _StreamReader:
    """Runs one streaming request on its own thread, handing SSE payloads to a queue."""

    def __init__(self, client: httpx.Client, url: str, payload: dict[str, Any], base_url: str):
        self.items: queue.Queue[Any] = queue.Queue()
        self._client = client
        self._url = url
        self._payload = payload
        self._base_url = base_url
        self._response: httpx.Response | None = None
        self._abandoned = threading.Event()
        self._thread = threading.Thread(target=self._run, name="autoglm-remote-reader", daemon=True)

    def start(self) -> _StreamReader:
        """Send the request."""
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            with self._client.stream("POST", self._url, json=self._payload) as response:
                self._response = response
                if self._abandoned.is_set():
                    return
                if response.status_code >= 400:
                    self.items.put(
                        server_error_message(response.status_code, response.read(), self._base_url)
                    )
                    return
                for line in response.iter_lines():
                    if line.startswith("data:"):
                        self.items.put(line[5:].strip())
        except httpx.TimeoutException as exc:
            self.items.put(
                ModelError(
                    f"The server at {self._base_url} stopped answering ({type(exc).__name__})."
                )
            )
        except httpx.HTTPError as exc:
            if not self._abandoned.is_set():
                self.items.put(ModelError(f"Cannot reach the server at {self._base_url}: {exc}."))
        finally:
            self.items.put(_END)

    def abandon(self) -> None:
        """Stop reading and drop the connection so the server stops generating."""
        self._abandoned.set()
        response = self._response
        if response is None:
            return  # still waiting for headers: the reader returns as soon as they come
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                _LOGGER.debug("Remote connection already closed")


class RemoteEngine:
    """Replies from any OpenAI-compatible server; ``load()`` checks it and picks the model."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        model: str | None = None,
        *,
        timeout_s: float = 600.0,
        vision: bool = True,
        extra_body: dict[str, Any] | None = None,
    ):
        self.base_url = normalise_base_url(base_url)
        self.api_key = api_key
        self.model = model
        self.vision = vision
        self.extra_body = dict(extra_body or {})
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(headers=headers, timeout=httpx.Timeout(timeout_s, connect=10.0))
        self._info = ModelInfo(
            model or "remote",
            model or "Remote model",
            path=self.base_url,
            backend="Remote",
            chat_template=REMOTE_CHAT_TEMPLATE,
        )
        self._loaded = False

    @property
    def info(self) -> ModelInfo:
        """The served model, as the remote server names it."""
        return self._info

    @property
    def loaded(self) -> bool:
        """Whether ``load()`` reached the server."""
        return self._loaded

    def served_models(self, timeout_s: float = 15.0) -> list[str]:
        """The model ids the server lists; ``ModelError`` in words if it is unreachable or not OpenAI-shaped."""
        try:
            response = self._client.get(f"{self.base_url}/models", timeout=timeout_s)
        except httpx.HTTPError as exc:
            raise ModelError(f"Cannot reach the server at {self.base_url}: {exc}.") from exc
        if response.status_code >= 400:
            raise server_error_message(response.status_code, response.content, self.base_url)
        try:
            return [str(entry["id"]) for entry in response.json().get("data", [])]
        except (ValueError, AttributeError, KeyError, TypeError) as exc:
            raise ModelError(
                f"{self.base_url} did not answer like an OpenAI-compatible server."
            ) from exc

    def load(self, progress: Callable[[float, str], None] | None = None) -> ModelInfo:
        """Ask the server for its models; ``ModelError`` in words if it is unreachable or lacks ours."""
        if progress:
            progress(0.0, f"Connecting to {self.base_url}")
        served = self.served_models()
        if self.model is None:
            if not served:
                raise ModelError(f"The server at {self.base_url} serves no model.")
            self.model = served[0]
        elif served and self.model not in served:
            raise ModelError(
                f"The server at {self.base_url} does not serve '{self.model}'; "
                f"it serves {', '.join(served)}."
            )
        self._info = ModelInfo(
            self.model,
            self.model,
            path=self.base_url,
            backend="Remote",
            has_vision=self.vision,
            chat_template=REMOTE_CHAT_TEMPLATE,
            vision_unavailable_reason="" if self.vision else "The remote model reads no images.",
        )
        self._loaded = True
        if progress:
            progress(1.0, f"{self.model} at {self.base_url}")
        return self._info

    def unload(self) -> None:
        """Close the connection pool."""
        self._client.close()
        self._loaded = False

    def count_tokens(self, messages: list[ChatMessage], thinking: bool = True) -> int:
        """An estimate (about four characters a token): the remote tokenizer is not reachable."""
        return sum(len(m.content) // 4 + 4 for m in messages)

    def payload(self, request: GenerationRequest) -> dict[str, Any]:
        """The JSON body for one streaming chat completion."""
        params = request.sampling
        body: dict[str, Any] = {
            "model": self.model,
            "messages": openai_messages(request.messages),
            "stream": True,
            "stream_options": {"include_usage": True},
            "temperature": params.temperature,
            "top_p": params.top_p,
            "chat_template_kwargs": {"enable_thinking": request.thinking},
        }
        if (
            params.max_tokens < UNTIL_CONTEXT_FULL
        ):  # else the server writes until its context is full
            body["max_tokens"] = params.max_tokens
        if params.top_k:
            body["top_k"] = params.top_k
        if params.stop:
            body["stop"] = params.stop
        if params.seed is not None:
            body["seed"] = params.seed
        if params.presence_penalty:
            body["presence_penalty"] = params.presence_penalty
        if params.frequency_penalty:
            body["frequency_penalty"] = params.frequency_penalty
        if request.tools:
            body["tools"] = tool_dicts(request.tools)
            if request.tool_choice is not None:
                body["tool_choice"] = request.tool_choice
            if request.parallel_tool_calls is not None:
                body["parallel_tool_calls"] = request.parallel_tool_calls
        if request.response_format is not None:
            body["response_format"] = request.response_format
        body.update(self.extra_body)
        return body

    def generate(
        self, request: GenerationRequest, emit: Emit, cancel: threading.Event
    ) -> Completion:
        """Stream one reply from the server; returns within a poll interval of ``cancel``."""
        if not self._loaded:
            self.load()
        started = time.perf_counter()
        reader = _StreamReader(
            self._client, f"{self.base_url}/chat/completions", self.payload(request), self.base_url
        ).start()
        splitter = ReasoningSplitter()
        content: list[str] = []
        reasoning: list[str] = []
        completion = Completion(usage=Usage())
        first_at: float | None = None
        chunks = 0
        finish: str | None = None
        calls = _CallCollector()

        def deliver(delta: Delta) -> None:
            if delta.content or delta.reasoning:
                content.append(delta.content)
                reasoning.append(delta.reasoning)
                emit(delta)

        try:
            while True:
                try:
                    item = reader.items.get(timeout=0.05)
                except queue.Empty:
                    if cancel.is_set():
                        finish = "cancelled"
                        break
                    continue
                if item is _END:
                    break
                if isinstance(item, UserFacingError):
                    raise item
                if item == "[DONE]":
                    continue
                if cancel.is_set():
                    finish = "cancelled"
                    break
                try:
                    chunk = json.loads(item)
                except ValueError:
                    _LOGGER.debug("Ignoring a malformed stream line: %.80s", item)
                    continue
                if isinstance(chunk.get("error"), dict):
                    raise server_error_message(500, item.encode(), self.base_url)
                if isinstance(chunk.get("usage"), dict):
                    completion.usage.prompt_tokens = int(chunk["usage"].get("prompt_tokens") or 0)
                    completion.usage.completion_tokens = int(
                        chunk["usage"].get("completion_tokens") or 0
                    )
                for choice in chunk.get("choices") or []:
                    delta = choice.get("delta") or {}
                    thought = delta.get("reasoning_content") or delta.get("reasoning") or ""
                    text = delta.get("content") or ""
                    if (thought or text) and first_at is None:
                        first_at = time.perf_counter()
                    if thought or text:
                        chunks += 1
                    if thought:
                        deliver(Delta(reasoning=thought))
                    if text:
                        deliver(splitter.feed(text))
                    if isinstance(delta.get("tool_calls"), list):
                        if first_at is None:
                            first_at = time.perf_counter()
                        chunks += 1
                        calls.feed(delta["tool_calls"])
                    finish = choice.get("finish_reason") or finish
        finally:
            if finish == "cancelled" or cancel.is_set():
                reader.abandon()
        deliver(splitter.flush())
        called = calls.text()
        if called and not cancel.is_set():
            deliver(Delta(content=("\n" if any(content) else "") + called))
        ended = time.perf_counter()
        completion.content = "".join(content).strip()
        completion.reasoning = "".join(reasoning).strip()
        completion.finish_reason = (
            "cancelled" if cancel.is_set() else ("length" if finish == "length" else "stop")
        )
        if not completion.usage.completion_tokens:
            completion.usage.completion_tokens = chunks
        completion.timings.ttft_s = (first_at or ended) - started
        completion.timings.decode_s = ended - (first_at or ended)
        completion.timings.total_s = ended - started
        if completion.usage.completion_tokens > 1 and completion.timings.decode_s > 0:
            completion.timings.decode_tok_s = (
                completion.usage.completion_tokens - 1
            ) / completion.timings.decode_s
        return completion


def check_connection(
    url: str, api_key: str | None = None, model: str | None = None, timeout_s: float = 10.0
) -> str:
    """What the server at ``url`` answered, in one sentence; ``UserFacingError`` in words when it cannot be used."""
    engine = RemoteEngine(url, api_key=api_key, model=model, timeout_s=timeout_s)
    try:
        served = engine.served_models(timeout_s)
    finally:
        engine.unload()
    if not served:
        raise ModelError(f"The server at {engine.base_url} answers but serves no model.")
    if model and model not in served:
        raise ModelError(
            f"The server at {engine.base_url} answers but does not serve '{model}'; "
            f"it serves {', '.join(served)}."
        )
    listed = ", ".join(served[:5]) + (f" and {len(served) - 5} more" if len(served) > 5 else "")
    chosen = model or served[0]
    return f"Connected to {engine.base_url}: it serves {listed}; chats will use {chosen}."
