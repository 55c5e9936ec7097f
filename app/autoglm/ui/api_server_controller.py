"""The OpenAI-compatible API served from inside the desktop app, on the app's own runtime.

Settings → Server → "enabled" (or Tools → Start API server) starts ``ApiServer`` over the
window's ``Runtime``, so the API shares the loaded model and its scheduler. Binding and
start-up run on one worker thread of their own (starts and stops are serialised by
construction and never block the GUI thread); outcomes come back as queued signals. The
server snapshots its settings when it starts, so a change to the Server group restarts it.
"""

from __future__ import annotations

import errno
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction

from autoglm.core.errors import InputError
from autoglm.core.settings import ServerSettings, Settings, updated
from autoglm.server.capabilities import CapabilityLog, CapabilityUse
from autoglm.server.security import is_loopback

if TYPE_CHECKING:
    from autoglm.core.runtime import Runtime
    from autoglm.server.runner import ApiServer

_LOGGER = logging.getLogger(__name__)
_PORT_IN_USE = {errno.EADDRINUSE, 48, 10048}  # Linux, macOS, Windows
PORT_WATCH_MS = 2000
"""How often a port that was in use is checked again; the server starts once it is free."""
BANNER_TOPIC = "api-server"


@dataclass(frozen=True)
class ApiServerState:
    """Where the API server stands: ``phase`` is off, starting, running, stopping or failed."""

    phase: str = "off"
    url: str = ""
    failure: str = ""
    """Why it failed: ``port_in_use``, ``needs_key`` or ``other`` (``detail`` says more)."""
    detail: str = ""
    host: str = ""
    port: int = 0

    @property
    def running(self) -> bool:
        """Whether requests are being served."""
        return self.phase == "running"

    @property
    def api_url(self) -> str:
        """The base URL clients use (``…/v1``), or an empty string."""
        return f"{self.url}/v1" if self.url else ""


def classify_start_failure(error: BaseException, settings: ServerSettings) -> ApiServerState:
    """A failed state naming the cause of ``error`` (port in use, or anything else)."""
    cause = error.__cause__
    if isinstance(cause, OSError) and cause.errno in _PORT_IN_USE:
        return ApiServerState(
            "failed", failure="port_in_use", host=settings.host, port=settings.port
        )
    return ApiServerState(
        "failed",
        failure="other",
        detail=str(error) or type(error).__name__,
        host=settings.host,
        port=settings.port,
    )


class ApiServerController(QObject):
    """Keeps the API server in the state the settings ask for; reports that state."""

    stateChanged = Signal(object)
    """The new ``ApiServerState`` (on the GUI thread)."""
    _reported = Signal(object)
    capabilityUsed = Signal(object)
    """A ``CapabilityUse``: an API call acted on the desktop or called an MCP tool (on the GUI thread)."""

    def __init__(
        self,
        runtime: Runtime,
        parent: QObject | None = None,
        server_factory: Callable[..., ApiServer] | None = None,
    ) -> None:
        super().__init__(parent)
        self._runtime = runtime
        if server_factory is None:
            from autoglm.server.runner import ApiServer

            server_factory = ApiServer
        self._server_factory = server_factory
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="autoglm-api-control")
        self._lock = threading.Lock()
        self._desired: Settings | None = None
        self._closed = False
        # Touched on the worker thread only:
        self._server: ApiServer | None = None
        self._serving: ServerSettings | None = None
        self._failed_for: ServerSettings | None = None
        self.state = ApiServerState()
        self.toggle_action = QAction(self)
        self.toggle_action.setObjectName("toggleApiServer")
        self._reported.connect(self._set_state)
        self._port_watch = QTimer(self)
        self._port_watch.setInterval(PORT_WATCH_MS)
        self._port_watch.timeout.connect(lambda: self._worker.submit(self._start_if_port_free))
        # One record for the app's whole life, handed to every server it starts, so a restart of
        # the server keeps the history. Listeners run on the server's thread; the signal is queued.
        self.capability_log = CapabilityLog()
        self.capability_log.subscribe(self.capabilityUsed.emit)

    # -- wiring --------------------------------------------------------------------------
    def toggle(self, apply_settings: Callable[[Settings], None]) -> None:
        """Tools → Start/Stop the API server: switch ``server.enabled`` and apply that through
        ``apply_settings`` (the window's, which saves the settings and calls ``apply``)."""
        settings = self._runtime.settings
        if self.state.phase in ("running", "starting"):
            apply_settings(updated(settings, "server", enabled=False))
        else:
            self.retry()
            apply_settings(updated(settings, "server", enabled=True))

    def describe_capability_use(self, use: CapabilityUse) -> str:
        """The status-bar sentence for one API call that acted on the desktop or called a tool."""
        text = self.tr("API client {0} used {1} ({2} {3})").format(
            use.client, use.capability.title, use.method, use.path
        )
        return f"{text}: {use.detail}" if use.detail else text

    # -- requests (GUI thread) -----------------------------------------------------------------
    def apply(self, settings: Settings) -> None:
        """Serve (or stop, or restart) as ``settings.server`` says; returns at once."""
        with self._lock:
            if self._closed:
                return
            self._desired = settings.model_copy(deep=True)
        self._submit()

    def retry(self) -> None:
        """Let the next ``apply`` try again settings that failed before."""
        self._worker.submit(self._forget_failure)

    def _forget_failure(self) -> None:
        self._failed_for = None

    def _start_if_port_free(self) -> None:
        """Worker: the port that was in use is free now? Then start as the settings ask."""
        failed = self._failed_for
        if failed is None or self._closed or not _port_free(failed.host, failed.port):
            return
        _LOGGER.info("Port %d is free again; starting the API server", failed.port)
        self._failed_for = None
        self._reconcile()

    def _submit(self) -> Future:
        return self._worker.submit(self._reconcile)

    def shutdown(self, timeout: float = 3.0) -> None:
        """Stop the server (waiting up to ``timeout``) and refuse further requests."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._desired = None
        self._port_watch.stop()
        try:
            self._worker.submit(self._reconcile).result(timeout)
        except Exception:  # quitting regardless
            _LOGGER.exception("Stopping the API server failed")
        self._worker.shutdown(wait=False)

    # -- the worker ------------------------------------------------------------------------------
    def _report(self, state: ApiServerState) -> None:
        if not self._closed:
            self._reported.emit(state)

    def _reconcile(self) -> None:
        """Worker: bring the server in line with the latest wanted settings."""
        with self._lock:
            desired = self._desired
        wanted = desired.server if desired is not None and desired.server.enabled else None
        server = self._server
        if server is not None and (wanted != self._serving or not server.running):
            self._report(ApiServerState("stopping", url=server.url))
            try:
                server.stop()
            except Exception:  # the socket is gone either way
                _LOGGER.exception("Stopping the API server failed")
            self._server = self._serving = None
            _LOGGER.info("API server stopped")
        if wanted is None:
            self._failed_for = None
            self._report(ApiServerState("off"))
            return
        if self._server is not None or wanted == self._failed_for:
            return
        assert desired is not None
        self._report(ApiServerState("starting", host=wanted.host, port=wanted.port))
        if not is_loopback(wanted.host) and not wanted.api_key:
            self._failed_for = wanted
            self._report(
                ApiServerState("failed", failure="needs_key", host=wanted.host, port=wanted.port)
            )
            return
        try:
            server = self._server_factory(
                self._runtime, desired, capability_log=self.capability_log
            ).start()
        except (InputError, OSError, RuntimeError) as exc:
            _LOGGER.info("API server not started: %s", exc)
            self._failed_for = wanted
            self._report(classify_start_failure(exc, wanted))
            return
        self._server, self._serving, self._failed_for = server, wanted, None
        if self._closed:  # the app began quitting while the server started
            server.stop()
            self._server = self._serving = None
            return
        self._report(ApiServerState("running", url=server.url, host=wanted.host, port=server.port))

    # -- state (GUI thread) ------------------------------------------------------------------------
    def _set_state(self, state: ApiServerState) -> None:
        self.state = state
        if state.phase == "failed" and state.failure == "port_in_use" and not self._closed:
            self._port_watch.start()
        else:
            self._port_watch.stop()
        self.stateChanged.emit(state)

    @property
    def server(self) -> ApiServer | None:
        """The running ``ApiServer`` (for tests and diagnostics), or ``None``."""
        return self._server


def _port_free(host: str, port: int) -> bool:
    """Whether the server could listen on ``host:port`` now (a bind, at once released)."""
    from autoglm.server.runner import bind_socket

    try:
        bind_socket(host, port).close()
    except InputError:
        return False
    return True
