"""Connections to MCP servers: one session per server, on one asyncio thread of its own.

The official ``mcp`` SDK is asyncio (anyio) code, and the app's fronts are threads (the
GUI, the voice loop, the CLI) or another event loop (the API server). ``McpHub`` runs
every session on a private event-loop thread and offers a blocking ``call`` (from any
thread but that one), a ``call_future`` and an ``acall`` for other loops.

Each server is connected once and its tool list cached (refreshed when the server says
it changed). Every call has a timeout. Nothing a server does reaches the caller as an
exception: a crash, a hang, an error answer or an unreadable result all come back as a
``ToolResult`` whose text says what happened, so the chat can go on and tell the model.
A server that stopped is started again on the next call of one of its tools.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import contextlib
import json
import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from autoglm.tools.mcp_config import McpConfig, McpServerConfig

_LOGGER = logging.getLogger(__name__)
DEFAULT_CALL_TIMEOUT_S = 60.0
DEFAULT_CONNECT_TIMEOUT_S = 30.0
_NAME_CHARS = re.compile(r"[^A-Za-z0-9_-]")
ServerState = Literal["connecting", "ready", "failed", "disabled", "stopped"]


@dataclass(frozen=True)
class McpTool:
    """A tool one server offers; ``function_name`` is the name the model calls it by."""

    server: str
    name: str
    description: str
    input_schema: dict[str, Any]
    enabled: bool = True
    function_name: str = ""

    def openai_tool(self) -> dict[str, Any]:
        """The tool as an OpenAI ``tools`` entry (what chat templates render)."""
        schema = (
            dict(self.input_schema) if self.input_schema else {"type": "object", "properties": {}}
        )
        schema.setdefault("type", "object")
        return {
            "type": "function",
            "function": {
                "name": self.function_name or self.name,
                "description": self.description,
                "parameters": schema,
            },
        }


@dataclass(frozen=True)
class ToolImage:
    """An image a tool returned, as the bytes of its file."""

    data: bytes
    mime_type: str


@dataclass(frozen=True)
class ToolResult:
    """What a call produced: text and images for the model; ``is_error`` when it failed.

    A failure of the server itself (not running, too slow, crashed, unreadable answer)
    is a result too, with ``text`` saying so in words.
    """

    text: str
    images: tuple[ToolImage, ...] = ()
    is_error: bool = False

    def for_model(self) -> str:
        """The text given back to the model (never empty)."""
        if self.text.strip():
            return self.text
        return (
            f"(the tool returned {len(self.images)} image(s))"
            if self.images
            else "(the tool returned nothing)"
        )


@dataclass(frozen=True)
class ServerStatus:
    """How one server is doing, for Settings → Tools and ``autoglm mcp list``."""

    name: str
    transport: str
    state: ServerState
    message: str = ""
    tools: tuple[McpTool, ...] = ()


@dataclass
class _Connection:
    """One server's session and what the hub knows about it (touched on the loop thread only)."""

    config: McpServerConfig
    state: ServerState = "stopped"
    message: str = ""
    client: Any = None
    tools: list[Any] = field(default_factory=list)
    task: asyncio.Task | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    calls: set[asyncio.Task] = field(default_factory=set)
    lost: str = ""


def _describe(exc: BaseException) -> str:
    """An exception from the SDK or a transport, in a few words (exception groups unwrapped)."""
    while getattr(exc, "exceptions", None):  # an exception group: its first member says why
        exc = exc.exceptions[0]  # type: ignore[attr-defined]
    text = str(exc).strip()
    if type(exc).__name__ == "ConnectError":
        return "nothing answers at its address"
    if isinstance(exc, FileNotFoundError):
        return f"the program {exc.filename or text} was not found"
    if isinstance(exc, (ConnectionError, OSError)) and not text:
        return "the connection failed"
    name = type(exc).__name__
    return f"{name}: {text}" if text else name


def _result_from_mcp(result: Any) -> ToolResult:
    """An SDK ``CallToolResult`` as text and images."""
    texts: list[str] = []
    images: list[ToolImage] = []
    for block in getattr(result, "content", None) or []:
        kind = getattr(block, "type", "")
        if kind == "text":
            texts.append(block.text)
        elif kind == "image":
            try:
                images.append(ToolImage(base64.b64decode(block.data), block.mime_type))
            except (ValueError, TypeError):
                texts.append("(an image that could not be decoded)")
        elif kind == "resource":
            resource = block.resource
            if getattr(resource, "text", None) is not None:
                texts.append(resource.text)
            elif str(getattr(resource, "mime_type", "") or "").startswith("image/"):
                images.append(ToolImage(base64.b64decode(resource.blob), resource.mime_type))
            else:
                texts.append(f"(a file: {resource.uri})")
        elif kind == "resource_link":
            texts.append(f"{block.name}: {block.uri}")
        elif kind == "audio":
            texts.append("(audio, which this model cannot hear)")
    structured = getattr(result, "structured_content", None)
    if not texts and structured is not None:
        texts.append(json.dumps(structured, ensure_ascii=False))
    return ToolResult("\n".join(texts), tuple(images), bool(getattr(result, "is_error", False)))


def function_names(tools: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The names the model sees for (server, tool) pairs: the tool's own, or ``server_tool`` when two clash."""
    pairs = list(tools)
    counts: dict[str, int] = {}
    for _server, tool in pairs:
        counts[tool] = counts.get(tool, 0) + 1
    names = {}
    for server, tool in pairs:
        name = tool if counts[tool] == 1 else f"{server}_{tool}"
        names[(server, tool)] = _NAME_CHARS.sub("_", name)[:64]
    return names


class McpHub:
    """Every configured MCP server, connected on a private event-loop thread."""

    def __init__(
        self,
        config: McpConfig,
        *,
        call_timeout_s: float = DEFAULT_CALL_TIMEOUT_S,
        connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
    ) -> None:
        self.call_timeout_s = call_timeout_s
        self.connect_timeout_s = connect_timeout_s
        self._config = config
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run_loop, name="autoglm-mcp", daemon=True)
        self._connections: dict[str, _Connection] = {}
        self._lock = threading.Lock()  # guards the snapshot below, read by any thread
        self._snapshot: list[ServerStatus] = []
        self._started = False
        self._closed = False

    # -- lifecycle (any thread) ---------------------------------------------------------
    def _run_loop(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    def start(self) -> McpHub:
        """Start the loop thread and begin connecting every enabled server (returns at once)."""
        if not self._started:
            self._started = True
            self._thread.start()
            self._submit(self._apply(self._config))
        return self

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Block until every enabled server is connected or has failed; ``False`` on timeout."""
        if not self._started:
            self.start()
        wait = timeout if timeout is not None else self.connect_timeout_s + 5
        try:
            self._submit(self._settled()).result(wait)
        except concurrent.futures.TimeoutError:
            return False
        return True

    def apply_config(self, config: McpConfig) -> None:
        """Use a new configuration: changed servers reconnect, tool switches apply at once."""
        self._config = config
        if self._started and not self._closed:
            self._submit(self._apply(config))
        else:
            self._refresh_snapshot_from_config()

    @property
    def config(self) -> McpConfig:
        """The configuration in use."""
        return self._config

    def close(self, timeout: float = 5.0) -> None:
        """Stop every server and the loop thread."""
        if self._closed:
            return
        self._closed = True
        if not self._started:
            return
        try:
            self._submit(self._stop_all()).result(timeout)
        except (concurrent.futures.TimeoutError, RuntimeError):
            _LOGGER.warning("Some MCP servers did not stop within %.0f s", timeout)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._loop.close()

    def _submit(self, coroutine: Any) -> concurrent.futures.Future:
        if threading.current_thread() is self._thread:
            coroutine.close()
            raise RuntimeError("McpHub's blocking calls cannot be made from its own loop thread")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    # -- what is there (any thread) ----------------------------------------------------
    def statuses(self) -> list[ServerStatus]:
        """Every configured server with its state, message and tools."""
        with self._lock:
            snapshot = list(self._snapshot)
        if not snapshot and self._config.servers:
            self._refresh_snapshot_from_config()
            with self._lock:
                snapshot = list(self._snapshot)
        servers = (
            self._config.servers
        )  # switches apply at once, before the loop has seen the new config
        return [
            replace(
                status,
                tools=tuple(
                    replace(tool, enabled=servers[status.name].tool_enabled(tool.name))
                    for tool in status.tools
                ),
            )
            if status.name in servers
            else status
            for status in snapshot
        ]

    def tools(self, include_disabled: bool = False) -> list[McpTool]:
        """The tools of connected servers (only those switched on, unless ``include_disabled``)."""
        return [
            tool
            for status in self.statuses()
            for tool in status.tools
            if include_disabled or tool.enabled
        ]

    def openai_tools(self) -> list[dict[str, Any]]:
        """The enabled tools as OpenAI ``tools`` entries."""
        return [tool.openai_tool() for tool in self.tools()]

    def find(self, function_name: str) -> McpTool | None:
        """The tool the model called ``function_name`` (switched off or unknown: ``None``)."""
        for tool in self.tools(include_disabled=True):
            if tool.function_name == function_name:
                return tool
        return None

    # -- calling ---------------------------------------------------------------------------
    def call_future(
        self, function_name: str, arguments: dict[str, Any] | None, timeout: float | None = None
    ) -> concurrent.futures.Future:
        """Start a call; the future's result is always a ``ToolResult``."""
        if self._closed:
            done: concurrent.futures.Future = concurrent.futures.Future()
            done.set_result(ToolResult("The tools are shut down.", is_error=True))
            return done
        if not self._started:
            self.start()
        return self._submit(
            self._call(function_name, arguments or {}, timeout or self.call_timeout_s)
        )

    def call(
        self, function_name: str, arguments: dict[str, Any] | None, timeout: float | None = None
    ) -> ToolResult:
        """Run a tool and wait for its result (blocking; never raises for what a server does)."""
        limit = timeout or self.call_timeout_s
        future = self.call_future(function_name, arguments, limit)
        try:
            return future.result(limit + self.connect_timeout_s + 5)
        except concurrent.futures.TimeoutError:
            future.cancel()
            return ToolResult(
                f"The tool {function_name} did not answer within {limit:.0f} s.", is_error=True
            )

    async def acall(
        self, function_name: str, arguments: dict[str, Any] | None, timeout: float | None = None
    ) -> ToolResult:
        """``call`` for code running on another event loop."""
        return await asyncio.wrap_future(self.call_future(function_name, arguments, timeout))

    # -- the loop thread ---------------------------------------------------------------------
    async def _apply(self, config: McpConfig) -> None:
        for name in [name for name in self._connections if name not in config.servers]:
            await self._stop(self._connections.pop(name))
        for name, server in config.servers.items():
            connection = self._connections.get(name)
            if connection is None:
                connection = self._connections[name] = _Connection(server)
            elif _same_endpoint(connection.config, server):
                connection.config = server
                if server.enabled and connection.state in ("disabled", "stopped"):
                    self._launch(connection)
                continue
            else:
                await self._stop(connection)
                connection.config = server
            if server.enabled:
                self._launch(connection)
            else:
                connection.state, connection.message = "disabled", ""
        self._publish()

    async def _settled(self) -> None:
        for connection in list(self._connections.values()):
            if connection.config.enabled and connection.task is not None:
                await connection.ready.wait()

    def _launch(self, connection: _Connection) -> None:
        connection.ready = asyncio.Event()
        connection.stop = asyncio.Event()
        connection.state, connection.message, connection.lost = "connecting", "", ""
        connection.task = self._loop.create_task(
            self._serve(connection), name=f"mcp-{connection.config.name}"
        )
        self._loop.create_task(self._watch_connect(connection, connection.task))
        self._publish()

    async def _watch_connect(self, connection: _Connection, task: asyncio.Task) -> None:
        """Give up on a server that does not finish connecting in time."""
        try:
            await asyncio.wait_for(asyncio.shield(connection.ready.wait()), self.connect_timeout_s)
        except asyncio.TimeoutError:
            if connection.task is task and not connection.ready.is_set():
                connection.lost = f"it did not answer within {self.connect_timeout_s:.0f} s"
                task.cancel()

    def _client(self, server: McpServerConfig) -> Any:
        from mcp import Client, StdioServerParameters

        async def on_message(message: Any) -> None:
            if type(message).__name__ == "ToolListChangedNotification":
                self._loop.create_task(self._relist(server.name))

        if server.url:
            import httpx2
            from mcp.client.streamable_http import streamable_http_client

            http = httpx2.AsyncClient(
                headers=dict(server.headers), timeout=httpx2.Timeout(30.0, read=300.0)
            )
            target: Any = streamable_http_client(server.url, http_client=http)
            return Client(target, message_handler=on_message, cache=None), http
        params = StdioServerParameters(
            command=server.command, args=list(server.args), env=dict(server.env) or None
        )
        return Client(params, message_handler=on_message, cache=None), None

    async def _serve(self, connection: _Connection) -> None:
        """Connect, list the tools, then hold the session open until stopped or lost."""
        server = connection.config
        try:
            client, http = self._client(server)
            async with contextlib.AsyncExitStack() as stack:
                if http is not None:
                    await stack.enter_async_context(http)
                await stack.enter_async_context(client)
                connection.tools = await self._list_tools(client)
                connection.client = client
                connection.state, connection.message = "ready", ""
                connection.ready.set()
                self._publish()
                _LOGGER.info(
                    "MCP server %s ready with %d tool(s)", server.name, len(connection.tools)
                )
                await connection.stop.wait()
            if connection.lost:
                connection.state, connection.message = "failed", connection.lost
            else:
                connection.state, connection.message = "stopped", ""
        except asyncio.CancelledError:
            stopping = connection.stop.is_set() or self._closed
            connection.state = "stopped" if stopping else "failed"
            connection.message = (
                "" if stopping else (connection.lost or "the connection was cancelled")
            )
            if stopping:
                raise
        except BaseException as exc:
            connection.state, connection.message = "failed", _describe(exc)
            _LOGGER.warning("MCP server %s failed: %s", server.name, connection.message)
            _LOGGER.debug("MCP server %s failure", server.name, exc_info=True)
        finally:
            connection.client = None
            connection.ready.set()
            for call in list(connection.calls):
                call.cancel()
            self._publish()

    async def _list_tools(self, client: Any) -> list[Any]:
        tools: list[Any] = []
        cursor = None
        for _page in range(100):
            page = await client.list_tools(cursor=cursor) if cursor else await client.list_tools()
            tools.extend(page.tools)
            cursor = getattr(page, "next_cursor", None)
            if not cursor:
                break
        return tools

    async def _relist(self, name: str) -> None:
        connection = self._connections.get(name)
        if connection is None or connection.client is None:
            return
        try:
            connection.tools = await asyncio.wait_for(
                self._list_tools(connection.client), self.call_timeout_s
            )
        except Exception as exc:  # noqa: BLE001 - the old list stays
            _LOGGER.warning("Refreshing the tools of %s failed: %s", name, _describe(exc))
        self._publish()

    async def _stop(self, connection: _Connection) -> None:
        task = connection.task
        connection.stop.set()
        if task is not None and not task.done():
            try:
                await asyncio.wait_for(asyncio.shield(task), 5.0)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                task.cancel()
            except Exception:
                _LOGGER.debug("Stopping %s", connection.config.name, exc_info=True)
        connection.task = None
        connection.state = "stopped"

    async def _stop_all(self) -> None:
        await asyncio.gather(
            *(self._stop(c) for c in self._connections.values()), return_exceptions=True
        )

    async def _call(
        self, function_name: str, arguments: dict[str, Any], timeout: float
    ) -> ToolResult:
        target = self._resolve(function_name)
        if target is None:
            return ToolResult(f"There is no tool called {function_name}.", is_error=True)
        connection, tool = target
        if not connection.config.tool_enabled(tool.name):
            return ToolResult(
                f"The tool {function_name} is switched off in Settings → Tools.", is_error=True
            )
        label = f"the tool server “{connection.config.name}”"
        if connection.client is None:  # stopped or crashed before: start it again once
            if (
                connection.task is not None
                and not connection.task.done()
                and connection.state != "connecting"
            ):
                await self._stop(connection)
            if connection.task is None or connection.task.done():
                self._launch(connection)
            await connection.ready.wait()
            if connection.client is None:
                return ToolResult(
                    f"The tool {function_name} cannot run: {label} is not available "
                    f"({connection.message or 'not connected'}).",
                    is_error=True,
                )
        task = asyncio.current_task()
        assert task is not None
        connection.calls.add(task)
        try:
            result = await asyncio.wait_for(
                connection.client.call_tool(tool.name, arguments), timeout
            )
        except asyncio.TimeoutError:
            return ToolResult(
                f"The tool {function_name} did not answer within {timeout:.0f} s; "
                f"{label} may be stuck.",
                is_error=True,
            )
        except asyncio.CancelledError:
            if self._closed:
                return ToolResult("The tools were shut down during the call.", is_error=True)
            return ToolResult(
                f"{label.capitalize()} stopped while running {function_name}"
                f" ({connection.message or 'the connection closed'}).",
                is_error=True,
            )
        except Exception as exc:  # noqa: BLE001 - every server failure becomes words for the user and model
            if "Connection closed" in _describe(exc):
                self._lose(connection, "the connection closed")
            return ToolResult(self._failure_text(function_name, label, exc), is_error=True)
        finally:
            connection.calls.discard(task)
        try:
            return _result_from_mcp(result)
        except Exception as exc:  # noqa: BLE001 - an unreadable result is reported, not raised
            return ToolResult(
                f"{label.capitalize()} returned a result that cannot be read: {_describe(exc)}.",
                is_error=True,
            )

    def _lose(self, connection: _Connection, why: str) -> None:
        """The session is gone although the SDK did not say so: end it; the next call reconnects."""
        connection.lost = why
        connection.client = None
        connection.state, connection.message = "failed", why
        connection.stop.set()
        self._publish()

    def _failure_text(self, function_name: str, label: str, exc: BaseException) -> str:
        from pydantic import ValidationError

        described = _describe(exc)
        if isinstance(exc, ValidationError):
            return f"{label.capitalize()} returned a result that is not valid MCP: {described}."
        if "Connection closed" in described:
            return f"{label.capitalize()} stopped while running {function_name} (the connection closed)."
        return f"The tool {function_name} failed: {described}."

    def _resolve(self, function_name: str) -> tuple[_Connection, McpTool] | None:
        for status in self._build_statuses():
            for tool in status.tools:
                if tool.function_name == function_name:
                    return self._connections[status.name], tool
        return None

    # -- status snapshots ------------------------------------------------------------------
    def _build_statuses(self) -> list[ServerStatus]:
        pairs = [(name, tool.name) for name, c in self._connections.items() for tool in c.tools]
        names = function_names(pairs)
        statuses = []
        for name, connection in self._connections.items():
            server = connection.config
            tools = tuple(
                McpTool(
                    name,
                    t.name,
                    t.description or "",
                    dict(t.input_schema or {}),
                    server.tool_enabled(t.name),
                    names[(name, t.name)],
                )
                for t in connection.tools
            )
            statuses.append(
                ServerStatus(name, server.transport, connection.state, connection.message, tools)
            )
        return statuses

    def _publish(self) -> None:
        statuses = self._build_statuses()
        with self._lock:
            self._snapshot = statuses

    def _refresh_snapshot_from_config(self) -> None:
        statuses = [
            ServerStatus(name, server.transport, "stopped" if server.enabled else "disabled")
            for name, server in self._config.servers.items()
        ]
        with self._lock:
            self._snapshot = statuses


def _same_endpoint(old: McpServerConfig, new: McpServerConfig) -> bool:
    """Whether two configurations reach the same server the same way (tool switches aside)."""
    return (old.command, old.args, dict(old.env), old.url, dict(old.headers), old.enabled) == (
        new.command,
        new.args,
        dict(new.env),
        new.url,
        dict(new.headers),
        new.enabled,
    )
