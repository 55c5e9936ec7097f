"""MCP servers as configured in ``mcp.json``, the file Claude Desktop, Cursor and LM Studio use.

``{"mcpServers": {name: {"command", "args", "env"} | {"url", "headers"}}}``: a server is
either a program spoken to over stdio or a Streamable HTTP endpoint. Two keys that Cline
added to the same format are honoured too: ``disabled`` (the whole server off) and
``autoApprove`` (tools that run without asking). ``disabledTools`` lists tools switched
off in Settings → Tools. Keys this app does not know are kept, so a file imported from
another client and saved again loses nothing.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from autoglm.core.errors import InputError
from autoglm.core.paths import AppPaths

_LOGGER = logging.getLogger(__name__)
MCP_FILE_NAME = "mcp.json"
_KNOWN_KEYS = {
    "command",
    "args",
    "env",
    "url",
    "headers",
    "type",
    "transport",
    "disabled",
    "autoApprove",
    "disabledTools",
}
_HTTP_TYPES = {"http", "streamable-http", "streamable_http", "streamableHttp"}
Transport = Literal["stdio", "http"]


class McpConfigError(InputError):
    """An ``mcp.json`` that cannot be used, with what is wrong in words."""


@dataclass(frozen=True)
class McpServerConfig:
    """One server: a command over stdio or a Streamable HTTP URL, and its tool switches."""

    name: str
    command: str = ""
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    url: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    enabled: bool = True
    disabled_tools: frozenset[str] = frozenset()
    auto_approve: frozenset[str] = frozenset()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def transport(self) -> Transport:
        """``"http"`` for a URL, ``"stdio"`` for a command."""
        return "http" if self.url else "stdio"

    @property
    def summary(self) -> str:
        """What it runs or where it is, in one line (for lists)."""
        if self.url:
            return self.url
        return " ".join([self.command, *self.args])

    def tool_enabled(self, tool: str) -> bool:
        """Whether ``tool`` of this server may be offered to the model."""
        return self.enabled and tool not in self.disabled_tools

    def with_tool_enabled(self, tool: str, enabled: bool) -> McpServerConfig:
        """A copy with ``tool`` switched on or off."""
        disabled = set(self.disabled_tools)
        if enabled:
            disabled.discard(tool)
        else:
            disabled.add(tool)
        return replace(self, disabled_tools=frozenset(disabled))

    def with_auto_approve(self, tool: str) -> McpServerConfig:
        """A copy where ``tool`` runs without asking ("Always for this tool")."""
        return replace(self, auto_approve=self.auto_approve | {tool})

    def to_json(self) -> dict[str, Any]:
        """The server's entry in ``mcp.json``."""
        entry: dict[str, Any] = dict(self.extra)
        if self.url:
            entry["url"] = self.url
            if self.headers:
                entry["headers"] = dict(self.headers)
        else:
            entry["command"] = self.command
            entry["args"] = list(self.args)
            if self.env:
                entry["env"] = dict(self.env)
        if not self.enabled:
            entry["disabled"] = True
        if self.auto_approve:
            entry["autoApprove"] = sorted(self.auto_approve)
        if self.disabled_tools:
            entry["disabledTools"] = sorted(self.disabled_tools)
        return entry


@dataclass(frozen=True)
class McpConfig:
    """Every configured server, by name, in the file's order."""

    servers: Mapping[str, McpServerConfig] = field(default_factory=dict)

    def enabled_servers(self) -> list[McpServerConfig]:
        """The servers to connect to."""
        return [server for server in self.servers.values() if server.enabled]

    def with_server(self, server: McpServerConfig) -> McpConfig:
        """A copy with ``server`` added, or replacing the one of the same name."""
        servers = dict(self.servers)
        servers[server.name] = server
        return McpConfig(servers)

    def without_server(self, name: str) -> McpConfig:
        """A copy without the server called ``name``."""
        return McpConfig({key: value for key, value in self.servers.items() if key != name})

    def merged(self, other: McpConfig) -> McpConfig:
        """This configuration with ``other``'s servers added (same name: ``other`` wins)."""
        servers = dict(self.servers)
        servers.update(other.servers)
        return McpConfig(servers)

    def to_json(self) -> dict[str, Any]:
        """The whole ``mcp.json`` document."""
        return {"mcpServers": {name: server.to_json() for name, server in self.servers.items()}}


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise McpConfigError(f"{what} must be a list of strings.")
    return tuple(value)


def _string_map(value: Any, what: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise McpConfigError(f"{what} must be an object of names to strings.")
    result = {}
    for key, item in value.items():
        if not isinstance(item, (str, int, float, bool)):
            raise McpConfigError(f"{what} → {key} must be a string.")
        result[str(key)] = item if isinstance(item, str) else json.dumps(item)
    return result


def parse_server(name: str, entry: Any) -> McpServerConfig:
    """One ``mcpServers`` entry; ``McpConfigError`` says what is wrong with it."""
    label = f"Server “{name}”"
    if not name.strip():
        raise McpConfigError("A server needs a name.")
    if not isinstance(entry, dict):
        raise McpConfigError(f"{label} must be an object with a “command” or a “url”.")
    kind = str(entry.get("type") or entry.get("transport") or "")
    command = entry.get("command")
    url = entry.get("url") or entry.get("serverUrl")
    if kind == "sse":
        raise McpConfigError(
            f"{label} uses the old SSE transport, which this app does not speak; "
            "use its Streamable HTTP address (usually ending in /mcp)."
        )
    if command and url:
        raise McpConfigError(f"{label} has both a “command” and a “url”; keep one.")
    if url:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise McpConfigError(f"{label}: “url” must start with http:// or https://.")
        if kind and kind not in _HTTP_TYPES:
            raise McpConfigError(f"{label}: transport “{kind}” is not Streamable HTTP.")
    elif command:
        if not isinstance(command, str) or not command.strip():
            raise McpConfigError(f"{label}: “command” must be the program to run.")
    else:
        raise McpConfigError(
            f"{label} needs a “command” (a program spoken to over stdio) "
            "or a “url” (a Streamable HTTP server)."
        )
    disabled = entry.get("disabled", False)
    if not isinstance(disabled, bool):
        raise McpConfigError(f"{label}: “disabled” must be true or false.")
    extra = {key: value for key, value in entry.items() if key not in _KNOWN_KEYS}
    if url and entry.get("type"):
        extra["type"] = entry["type"]
    return McpServerConfig(
        name=name,
        command=(command or "").strip(),
        args=_strings(entry.get("args"), f"{label} → args"),
        env=_string_map(entry.get("env"), f"{label} → env"),
        url=url or "",
        headers=_string_map(entry.get("headers"), f"{label} → headers"),
        enabled=not disabled,
        disabled_tools=frozenset(_strings(entry.get("disabledTools"), f"{label} → disabledTools")),
        auto_approve=frozenset(_strings(entry.get("autoApprove"), f"{label} → autoApprove")),
        extra=extra,
    )


def parse_mcp_config(document: Any, source: str = "mcp.json") -> McpConfig:
    """An ``mcp.json`` document (already decoded) as a configuration."""
    if not isinstance(document, dict):
        raise McpConfigError(f"{source} must hold a JSON object with “mcpServers”.")
    servers = document.get("mcpServers", document.get("servers"))
    if servers is None:
        raise McpConfigError(f"{source} has no “mcpServers” object.")
    if not isinstance(servers, dict):
        raise McpConfigError(
            f"{source}: “mcpServers” must be an object of server names to servers."
        )
    return McpConfig({str(name): parse_server(str(name), entry) for name, entry in servers.items()})


def parse_mcp_text(text: str, source: str = "mcp.json") -> McpConfig:
    """``mcp.json`` text as a configuration; bad JSON is reported with its line."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise McpConfigError(
            f"{source} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from exc
    return parse_mcp_config(document, source)


def load_mcp_config(path: Path, missing_ok: bool = False) -> McpConfig:
    """Read an ``mcp.json`` file; a missing one is empty when ``missing_ok``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if missing_ok:
            return McpConfig()
        raise McpConfigError(f"There is no file {path}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise McpConfigError(f"{path} cannot be read: {exc}.") from exc
    return parse_mcp_text(text, path.name)


def save_mcp_config(config: McpConfig, path: Path) -> None:
    """Write ``config`` as ``mcp.json`` atomically (a crash never leaves half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(config.to_json(), indent=2, ensure_ascii=False) + "\n"
    handle, temporary = tempfile.mkstemp(prefix=".mcp-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _LOGGER.info("Saved %d MCP server(s) to %s", len(config.servers), path)


def app_mcp_path(paths: AppPaths) -> Path:
    """The app's own ``mcp.json`` in its config folder."""
    return paths.config_dir / MCP_FILE_NAME


def server_from_fields(
    name: str,
    target: str,
    arguments: Iterable[str] = (),
    env: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> McpServerConfig:
    """A server from what a form asks for: a URL, or a command and its arguments."""
    target = target.strip()
    entry: dict[str, Any]
    if target.startswith(("http://", "https://")):
        entry = {"url": target, "headers": dict(headers or {})}
    else:
        entry = {"command": target, "args": list(arguments), "env": dict(env or {})}
    return parse_server(name.strip(), entry)
