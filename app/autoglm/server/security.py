"""Who may call the API and how much: bind policy, host and origin checks, API keys, rate limits, body size.

A web page the user merely visits can reach a server on loopback: by rebinding its own
domain to 127.0.0.1 (then the browser sends ``Host: attacker.example``) or by a plain
cross-site request (then it sends ``Origin: https://attacker.example``).
``RequestGuardMiddleware`` wraps the whole app and refuses both before any other work:
only the loopback names, the address the server is bound to and the names the user added
may appear in ``Host``; only the origins the user allowed may appear in ``Origin``.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import threading
import time
from collections import deque
from typing import Any

from autoglm.core.errors import InputError
from autoglm.core.settings import ServerSettings, normalise_host_entry, normalise_origin
from autoglm.server.errors import ApiError, error_body

_LOGGER = logging.getLogger(__name__)

Scope = dict[str, Any]


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback name or address (only those may bind without a key)."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind_allowed(host: str, api_key: str | None, *, key_required: bool = False) -> None:
    """``InputError`` when a non-loopback address, or a server that must ask every client
    for a key (``key_required``), is asked for without an API key."""
    if api_key:
        return
    if not is_loopback(host):
        raise InputError(
            f"Refusing to listen on {host} without an API key: pass --api-key KEY "
            "(or set one in Settings → Server), or listen on 127.0.0.1."
        )
    if key_required:
        raise InputError(
            "The API requires a key from clients on this computer too (desktop control or MCP tools "
            "are allowed, or 'require key on loopback' is on), but no API key is set: pass "
            "--api-key KEY or set one in Settings → Server."
        )


def check_serving_allowed(server: ServerSettings) -> None:
    """``check_bind_allowed`` for a whole settings group."""
    check_bind_allowed(server.host, server.api_key, key_required=server.key_required_on_loopback)


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
                raise ApiError(
                    429,
                    f"Rate limit reached: {self.per_minute} requests per minute.",
                    code="rate_limit_exceeded",
                    headers={"Retry-After": str(retry)},
                )
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
        headers = {
            k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])
        }
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
        body = json.dumps(
            error_body(
                f"The request body is larger than the {limit_mb:g} MiB limit.",
                "invalid_request_error",
                None,
                "request_too_large",
            )
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


LOOPBACK_HOST_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})
_WILDCARD_ADDRESSES = frozenset({"0.0.0.0", "[::]"})
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_CORS_METHODS = "GET, POST, OPTIONS"
_CORS_DEFAULT_HEADERS = "Authorization, Content-Type"
_EXPOSED_HEADERS = b"Retry-After, X-Sample-Rate"
_MAX_LOGGED_REFUSALS = 200


def _scope_headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _shown(value: str) -> str:
    """An untrusted header value, short enough to quote in a message."""
    return value if len(value) <= 80 else value[:77] + "…"


class RequestGuard:
    """Decides, from the headers alone, whether a request may have come from a web page the user
    did not allow; plain values in, plain values out, so it is tested without a server."""

    def __init__(self, server: ServerSettings):
        self.allowed_origins = frozenset(server.allowed_origins)
        names: set[str] = set()
        names_with_port: set[tuple[str, int]] = set()
        for entry in server.allowed_hosts:
            host, _, port = (
                entry.rpartition(":")
                if not entry.endswith("]") and ":" in entry
                else (entry, "", "")
            )
            if port:
                names_with_port.add((host, int(port)))
            else:
                names.add(entry)
        self._names = frozenset(names)
        self._names_with_port = frozenset(names_with_port)
        try:
            configured = normalise_host_entry(server.host)
        except ValueError:
            configured = ""
        self._configured = configured if configured not in _WILDCARD_ADDRESSES else ""

    def host_refusal(
        self, host_header: str | None, scheme: str, local: tuple[str, int | None] | None
    ) -> str | None:
        """Why ``Host`` is not a name of this server, or ``None`` when it is.

        ``local`` is the socket address the request arrived on (ASGI ``scope["server"]``): its
        port is the one the loopback names must carry, its address is accepted as a name too.
        """
        if not host_header:
            return "The request has no Host header."
        try:
            name = normalise_host_entry(host_header)
        except ValueError:
            return f"'{_shown(host_header)}' is not a host name this server answers to."
        port: int | None = None
        if ":" in name and not name.endswith("]"):
            name, _, port_text = name.rpartition(":")
            port = int(port_text)
        port = port if port is not None else _DEFAULT_PORTS.get(scheme)
        if name in self._names or (name, port) in self._names_with_port:
            return None
        own_names = set(LOOPBACK_HOST_NAMES)
        if self._configured:
            own_names.add(self._configured)
        bound_port = None
        if local is not None:
            bound_port = local[1]
            try:
                own_names.add(normalise_host_entry(local[0]))
            except (ValueError, TypeError):
                pass
        if name in own_names and (bound_port is None or port == bound_port):
            return None
        return (
            f"This server does not answer to the name '{_shown(host_header)}'. If you reach the API by that "
            "name, add it in Settings → Server → Allowed host names (AUTOGLM_SERVER__ALLOWED_HOSTS)."
        )

    def origin_allowed(self, origin: str, scheme: str, host_header: str | None) -> bool:
        """Whether a browser page at ``origin`` may call: it is on the allow-list, or it is this server itself."""
        try:
            normalised = normalise_origin(origin)
        except ValueError:
            return False
        if normalised in self.allowed_origins:
            return True
        try:
            return bool(host_header) and normalised == normalise_origin(f"{scheme}://{host_header}")
        except ValueError:
            return False

    @staticmethod
    def origin_refusal(origin: str) -> str:
        """The words for an origin that is not allowed."""
        return (
            f"Web pages from '{_shown(origin)}' may not call this API. To let a web app you trust use it, "
            "add its origin in Settings → Server → Allowed web origins (AUTOGLM_SERVER__ALLOWED_ORIGINS)."
        )

    @staticmethod
    def cross_site_without_origin(headers: dict[str, str]) -> bool:
        """A browser's cross-site request that sent no ``Origin`` (an image, a script, a link)."""
        return "origin" not in headers and headers.get("sec-fetch-site", "") in (
            "cross-site",
            "same-site",
        )


class RequestGuardMiddleware:
    """Refuse (403, OpenAI-shaped) every request whose ``Host`` is not this server or whose ``Origin``
    is not allowed, before routing, keys or bodies; answer allowed origins' CORS preflights.

    Added last in ``create_app`` so it is the outermost middleware: every route, present and
    future, is behind it.
    """

    def __init__(self, app: Any, server: ServerSettings):
        self.app = app
        self.guard = RequestGuard(server)
        self._logged: set[tuple[str, str]] = set()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        """ASGI entry point."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _scope_headers(scope)
        scheme = scope.get("scheme", "http")
        host_header = headers.get("host")
        local = scope.get("server")
        refusal = self.guard.host_refusal(host_header, scheme, tuple(local) if local else None)
        if refusal is not None:
            await self._refuse(
                scope, send, refusal, "host_not_allowed", ("host", host_header or "")
            )
            return
        origin = headers.get("origin")
        if origin is not None and not self.guard.origin_allowed(origin, scheme, host_header):
            await self._refuse(
                scope,
                send,
                self.guard.origin_refusal(origin),
                "origin_not_allowed",
                ("origin", origin),
            )
            return
        if origin is None and self.guard.cross_site_without_origin(headers):
            await self._refuse(
                scope,
                send,
                "Requests from other web sites may not call this API.",
                "cross_site_request",
                ("sec-fetch-site", headers.get("sec-fetch-site", "")),
            )
            return
        if origin is None or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(send, origin, headers)
            return

        async def send_with_cors(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"access-control-allow-origin", origin.encode("latin-1")),
                    (b"vary", b"Origin"),
                    (b"access-control-expose-headers", _EXPOSED_HEADERS),
                ]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, send: Any, origin: str, headers: dict[str, str]) -> None:
        requested = headers.get("access-control-request-headers", "").strip()
        allowed_headers = (
            requested if requested and requested.isprintable() else _CORS_DEFAULT_HEADERS
        )
        answer = [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-allow-methods", _CORS_METHODS.encode()),
            (b"access-control-allow-headers", allowed_headers.encode("latin-1")),
            (b"access-control-max-age", b"600"),
            (b"vary", b"Origin, Access-Control-Request-Method, Access-Control-Request-Headers"),
            (b"content-length", b"0"),
        ]
        if headers.get("access-control-request-private-network", "").lower() == "true":
            answer.append((b"access-control-allow-private-network", b"true"))
        await send({"type": "http.response.start", "status": 204, "headers": answer})
        await send({"type": "http.response.body", "body": b""})

    async def _refuse(
        self, scope: Scope, send: Any, message: str, code: str, what: tuple[str, str]
    ) -> None:
        client = scope.get("client") or ("?", 0)
        if what not in self._logged and len(self._logged) < _MAX_LOGGED_REFUSALS:  # once per value
            self._logged.add(what)
            _LOGGER.warning(
                "Refused an API request from %s with %s %r (%s)", client[0], what[0], what[1], code
            )
        else:
            _LOGGER.debug(
                "Refused an API request from %s with %s %r (%s)", client[0], what[0], what[1], code
            )
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = json.dumps(error_body(message, "permission_error", None, code)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
