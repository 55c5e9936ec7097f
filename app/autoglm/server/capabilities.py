"""The API's powerful capabilities — acting on the desktop, calling MCP tools — and the record of their use.

Both are off unless the user turns them on (``ServerSettings.allow_desktop_control``,
``ServerSettings.allow_mcp_tools``). While either is on, clients on this computer must send
the API key too unless the user decided otherwise (``key_required_on_loopback``), and every
call that uses one is logged and passed to the listeners of the app's ``CapabilityLog``
(the window shows them).

A route that uses a capability declares it, and nothing else is needed::

    @v1.post("/agent/act", dependencies=[Depends(requires_capability(Capability.DESKTOP_CONTROL))])
    async def act(...): ...

The dependency refuses the call (403, OpenAI-shaped) when the switch is off or when a key
is required but none is set, checks the key itself (401), and records the call otherwise. A route that wants each step on the
record too (every tool it calls, every click) calls ``record_capability_use(request, ...)``.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request

from autoglm.core.settings import ServerSettings
from autoglm.server.errors import ApiError
from autoglm.server.security import key_matches, presented_key

_LOGGER = logging.getLogger(__name__)


class Capability(enum.Enum):
    """What an API call may do beyond answering."""

    DESKTOP_CONTROL = "desktop_control"
    MCP_TOOLS = "mcp_tools"

    @property
    def title(self) -> str:
        """Words for messages and the window."""
        return {"desktop_control": "desktop control", "mcp_tools": "MCP tools"}[self.value]

    def enabled(self, server: ServerSettings) -> bool:
        """Whether the user turned this capability on."""
        return bool(getattr(server, f"allow_{self.value}"))


@dataclass(frozen=True)
class CapabilityUse:
    """One API call (or one step of it) that used a capability."""

    capability: Capability
    method: str
    path: str
    client: str
    detail: str = ""
    at: float = 0.0


Listener = Callable[[CapabilityUse], None]


class CapabilityLog:
    """Every use of a capability: written to the log, the last ``keep`` kept, and passed to listeners.

    Listeners are called on the server's thread; a window listener must hand the entry to
    the GUI thread itself. A listener that raises is logged and does not stop the call.
    """

    def __init__(self, keep: int = 200):
        self._entries: deque[CapabilityUse] = deque(maxlen=keep)
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` for each use from now on; returns the function that unsubscribes it."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def record(self, use: CapabilityUse) -> None:
        """Log ``use``, keep it and tell the listeners."""
        _LOGGER.warning(
            "API call used %s: %s %s from %s%s",
            use.capability.title,
            use.method,
            use.path,
            use.client,
            f" ({use.detail})" if use.detail else "",
        )
        with self._lock:
            self._entries.append(use)
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(use)
            except Exception:
                _LOGGER.exception("A capability-use listener failed")

    def recent(self) -> list[CapabilityUse]:
        """The kept uses, oldest first."""
        with self._lock:
            return list(self._entries)


def record_capability_use(
    request: Request, capability: Capability, detail: str = ""
) -> CapabilityUse:
    """Put one use of ``capability`` by this request on the app's record (and return it)."""
    client = request.client.host if request.client else "unknown"
    use = CapabilityUse(capability, request.method, request.url.path, client, detail, time.time())
    request.app.state.capability_log.record(use)
    return use


def requires_capability(capability: Capability) -> Callable[[Request], Awaitable[CapabilityUse]]:
    """A FastAPI dependency: refuse the call unless ``capability`` is on (and keyed when it must be), then record it."""

    async def check(request: Request) -> CapabilityUse:
        server: ServerSettings = request.app.state.settings.server
        if not capability.enabled(server):
            raise ApiError(
                403,
                f"Calls that use {capability.title} are turned off on this computer: turn on "
                f"Settings → Server → Allow {capability.title} "
                f"(AUTOGLM_SERVER__ALLOW_{capability.value.upper()}=true) to allow them.",
                code="capability_disabled",
            )
        if server.key_required_on_loopback and not server.api_key:
            raise ApiError(
                403,
                f"Calls that use {capability.title} need an API key, and none is set: "
                "set one in Settings → Server → API key.",
                code="api_key_required",
            )
        if server.api_key:  # checked here too, so a route outside /v1 cannot skip the key
            presented = presented_key({k.lower(): v for k, v in request.headers.items()})
            if not key_matches(presented, server.api_key):
                raise ApiError(
                    401,
                    "Incorrect or missing API key: send it as 'Authorization: Bearer KEY'.",
                    code="invalid_api_key",
                )
        return record_capability_use(request, capability)

    return check
