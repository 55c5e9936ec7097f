"""Who may call the API and how much: bind policy, API keys, rate limits, body size."""

from __future__ import annotations

import hmac
import ipaddress
import json
import threading
import time
from collections import deque
from typing import Any

from autoglm.core.errors import InputError
from autoglm.server.errors import ApiError, error_body

Scope = dict[str, Any]


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback name or address (only those may bind without a key)."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind_allowed(host: str, api_key: str | None) -> None:
    """``InputError`` when a non-loopback address is asked for without an API key."""
    if not is_loopback(host) and not api_key:
        raise InputError(f"Refusing to listen on {host} without an API key: pass --api-key KEY "
                         "(or set one in Settings → Server), or listen on 127.0.0.1.")


def presented_key(headers: dict[str, str]) -> str | None:
    """The key a client sent: ``Authorization: Bearer KEY`` or ``api-key`` / ``x-api-key``."""
    authorization = headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return headers.get("x-api-key") or headers.get("api-key")


def key_matches(presented: str | None, expected: str) -> bool:
    """Constant-time comparison, so response timing does not leak the key."""
    return presented is not None and hmac.compare_digest(presented.encode(), expected.encode())


class RateLimiter:
    """A sliding one-minute window of requests per client key."""

    def __init__(self, per_minute: int, clock: Any = time.monotonic):
        self.per_minute = per_minute
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        """Count one request; ``ApiError`` 429 with ``Retry-After`` when over the limit."""
        if self.per_minute <= 0:
            return
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(client, deque())
            while hits and now - hits[0] >= 60.0:
                hits.popleft()
            if len(hits) >= self.per_minute:
                retry = max(1, int(60.0 - (now - hits[0])) + 1)
                raise ApiError(429, f"Rate limit reached: {self.per_minute} requests per minute.",
                               code="rate_limit_exceeded", headers={"Retry-After": str(retry)})
            hits.append(now)


class BodyLimitMiddleware:
    """Refuse bodies over ``max_bytes`` with 413 before the app reads them into models."""

    def __init__(self, app: Any, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        """ASGI entry point."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        chunks: list[dict[str, Any]] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                chunks.append(message)
                break
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(message)
            if not message.get("more_body", False):
                break

        async def replay() -> dict[str, Any]:
            if chunks:
                return chunks.pop(0)
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Any) -> None:
        limit_mb = self.max_bytes / 2**20
        body = json.dumps(error_body(f"The request body is larger than the {limit_mb:g} MiB limit.",
                                     "invalid_request_error", None, "request_too_large")).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
