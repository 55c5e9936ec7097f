"""``autoglm gui`` (and ``autoglm`` alone): open the desktop app."""

from __future__ import annotations

import argparse
from typing import Any

from autoglm.core.settings_cli import add_settings_arguments


def register(subparsers: Any) -> None:
    """Add ``gui`` to the command line."""
    parser = subparsers.add_parser(
        "gui",
        help="Open the desktop app (the default)",
        description="Open the AutoGLM Desktop window.",
    )
    parser.add_argument(
        "--exit-after-show", type=float, default=0, metavar="SECONDS", help=argparse.SUPPRESS
    )
    add_settings_arguments(parser, ("model", "generation", "appearance"))
    parser.set_defaults(handler=run_gui)


def run_gui(args: argparse.Namespace | None = None) -> int:
    """Open the window and run until it closes (Qt is imported only now)."""
    from autoglm.ui.app import run_gui as run_app

    return run_app(args)
