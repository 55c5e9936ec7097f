"""``autoglm mcp list``: the configured MCP servers, whether they start, and the tools they offer."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from autoglm.tools.mcp_config import McpConfig


def register(subparsers: Any) -> None:
    """Add ``mcp`` and its actions to the command line."""
    parser = subparsers.add_parser("mcp", help="MCP tool servers: list them and their tools")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser(
        "list", help="Connect to every server and show its status and tools"
    )
    add_mcp_file_argument(listing)
    listing.add_argument("--json", action="store_true", help="Print one JSON object")
    listing.add_argument(
        "--timeout", type=float, default=30.0, help="Seconds to wait for each server (default 30)"
    )
    listing.set_defaults(handler=run_list)


def add_mcp_file_argument(parser: argparse.ArgumentParser) -> None:
    """``--mcp FILE``, shared with ``autoglm chat``."""
    parser.add_argument(
        "--mcp",
        type=Path,
        metavar="FILE",
        help="An mcp.json file (Claude Desktop / Cursor format; default: the app's own)",
    )


def mcp_config_from_args(args: argparse.Namespace) -> McpConfig:
    """The servers of ``--mcp FILE``, or the app's own ``mcp.json`` (Settings → Tools)."""
    from autoglm.core.paths import app_paths
    from autoglm.tools.mcp_config import app_mcp_path, load_mcp_config

    if args.mcp is not None:
        return load_mcp_config(args.mcp)
    return load_mcp_config(app_mcp_path(app_paths()), missing_ok=True)


def run_list(args: argparse.Namespace) -> int:
    """Print each server's transport, status and tools (on or off)."""
    from autoglm.tools.mcp_client import McpHub

    config = mcp_config_from_args(args)
    if not config.servers:
        print("No MCP servers are configured: add one in Settings → Tools, or pass --mcp FILE.")
        return 0
    hub = McpHub(config, connect_timeout_s=args.timeout).start()
    try:
        hub.wait_ready(args.timeout + 5)
        statuses = hub.statuses()
    finally:
        hub.close()
    if args.json:
        print(
            json.dumps(
                {
                    "servers": [
                        {
                            "name": s.name,
                            "transport": s.transport,
                            "state": s.state,
                            "message": s.message,
                            "tools": [
                                {
                                    "name": t.function_name,
                                    "description": t.description,
                                    "enabled": t.enabled,
                                }
                                for t in s.tools
                            ],
                        }
                        for s in statuses
                    ]
                },
                ensure_ascii=False,
            )
        )
        return 0
    for status in statuses:
        detail = f" — {status.message}" if status.message else ""
        print(
            f"{status.name} ({status.transport}, {config.servers[status.name].summary}): {status.state}{detail}"
        )
        for tool in status.tools:
            mark = "on " if tool.enabled else "off"
            description = (
                tool.description.strip().splitlines()[0] if tool.description.strip() else ""
            )
            print(f"  [{mark}] {tool.function_name}  {description}")
    return 0
