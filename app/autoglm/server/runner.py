"""Running the API in the background: the desktop app and ``autoglm serve`` start and stop it here.

The socket is bound before uvicorn starts, so a port in use or a refused address is an
``InputError`` in words at ``start()`` rather than a log line from a thread, and port 0
gives a free port (tests, benchmarks) whose number ``url`` then reports.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Any

import uvicorn

from autoglm.core.errors import InputError
from autoglm.core.scheduler import Scheduler
from autoglm.core.settings import Settings
from autoglm.server.app import create_app
from autoglm.server.backend import ServingSource
from autoglm.server.capabilities import CapabilityLog
from autoglm.server.security import check_serving_allowed

_LOGGER = logging.getLogger(__name__)


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (``InputError`` if it cannot be had)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise InputError(f"'{host}' is not an address this computer can listen on.") from exc
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
            raise InputError(
                f"Port {port} on {host} is already in use: choose another with --port."
            ) from exc
        raise InputError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}.") from exc
    sock.set_inheritable(True)
    return sock


class ApiServer:
    """The API on a background thread: ``start()``, ``stop()``, ``running``, ``url``.

    ``capability_log`` (pass one as ``capability_log=`` to keep it across restarts) records
    every API call that used desktop control or MCP tools; subscribe to it to show them.
    """

    def __init__(
        self,
        runtime: ServingSource | Scheduler,
        settings: Settings | None = None,
        **app_options: Any,
    ):
        if settings is None:
            if isinstance(runtime, Scheduler):
                raise TypeError("a bare scheduler is served with explicit settings")
            settings = runtime.settings
        self.runtime = runtime
        self.settings = settings
        self._app_options = app_options
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._failure: BaseException | None = None
        self._port = self.settings.server.port
        self.capability_log: CapabilityLog = (
            app_options.pop("capability_log", None) or CapabilityLog()
        )
        self.app: Any = None

    @property
    def running(self) -> bool:
        """Whether the server is accepting requests."""
        return bool(
            self._server and self._server.started and self._thread and self._thread.is_alive()
        )

    @property
    def url(self) -> str:
        """``http://host:port`` as bound (the real port when 0 was asked for)."""
        host = self.settings.server.host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self._port}"

    @property
    def port(self) -> int:
        """The bound port."""
        return self._port

    def start(self, timeout: float = 15.0) -> ApiServer:
        """Check the bind policy, bind, and serve on a thread; returns once requests are accepted."""
        if self.running:
            return self
        server_settings = self.settings.server
        check_serving_allowed(server_settings)
        self._socket = bind_socket(server_settings.host, server_settings.port)
        self._port = self._socket.getsockname()[1]
        app = self.app = create_app(
            self.settings, self.runtime, capability_log=self.capability_log, **self._app_options
        )
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=3,
            log_config=None,
        )
        self._server = uvicorn.Server(config)
        self._failure = None
        self._thread = threading.Thread(target=self._serve, name="autoglm-api", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise InputError(f"The API server did not start: {self._failure or 'timed out'}.")
            time.sleep(0.02)
        _LOGGER.info("API serving on %s/v1", self.url)
        return self

    def _serve(self) -> None:
        assert self._server is not None and self._socket is not None
        try:
            self._server.run(sockets=[self._socket])
        except BaseException as exc:  # reported by start() in words
            self._failure = exc
            _LOGGER.exception("The API server stopped with an error")

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting requests, let open ones end (cancelling their replies), close the socket."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive() and self._server is not None:
                self._server.force_exit = True
                self._thread.join(timeout)
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        self._server = None
        self._thread = None
