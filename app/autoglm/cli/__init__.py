"""The ``autoglm`` command: the desktop app by default, and chat, models, serve, voice, bench.

Each subcommand lives in its own module with a ``register(subparsers)`` function. Every
failure a user can cause ends as one line on stderr and an exit code — 2 for usage, 3 for
a model problem, 4 for a device problem — never as a traceback; unexpected errors are
logged with their trace to the log folder and summarised in one line.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import logging.handlers
import os
import sys
from collections.abc import Sequence
from typing import Any

from autoglm import __version__
from autoglm.core.errors import UserFacingError

_LOGGER = logging.getLogger(__name__)
COMMAND_MODULES = (
    "gui",
    "chat",
    "docs",
    "models",
    "mcp",
    "export",
    "doctor",
    "serve",
    "voice",
    "agent",
    "bench",
    "selftest",
    "update",
)
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_MODEL = 0, 1, 2, 3


def configure_logging(verbose: bool = False) -> None:
    """Log to a rotating file in the log folder; to stderr too with ``--verbose``."""
    from autoglm.core.paths import app_paths

    root = logging.getLogger()
    if getattr(root, "_autoglm_configured", False):
        return
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    try:
        log_dir = app_paths().log_dir
        log_dir.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            log_dir / "autoglm.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
        )
        root.addHandler(handler)
    except OSError:
        pass
    if verbose:
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(console)
    logging.getLogger("llama_cpp.native").setLevel(logging.DEBUG if verbose else logging.WARNING)
    root._autoglm_configured = True  # type: ignore[attr-defined]  # noqa: SLF001 - our own mark on the root logger


def register_modules(subparsers: Any, package: str, names: Sequence[str]) -> None:
    """Let each module ``package.name`` add its subcommand(s) with its ``register(subparsers)``."""
    for name in names:
        importlib.import_module(f"{package}.{name}").register(subparsers)


def version_line() -> str:
    """``AutoGLM Desktop 0.2.0``, and where an updated install's version came from."""
    from autoglm.core.update_origin import origin_line

    origin = origin_line()
    return f"AutoGLM Desktop {__version__}" + (f" ({origin})" if origin else "")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="autoglm", description="AutoGLM Desktop: a private, offline assistant."
    )
    parser.add_argument("--version", action="version", version=version_line())
    parser.add_argument("-v", "--verbose", action="store_true", help="Log details to stderr")
    parser.add_argument(
        "--selftest", action="store_true", help="Check this installation headlessly and exit"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    register_modules(subparsers, "autoglm.cli", COMMAND_MODULES)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.selftest and args.command is None:
        args = parser.parse_args([*(sys.argv[1:] if argv is None else argv), "selftest"])
    configure_logging(args.verbose)
    handler = getattr(args, "handler", None)
    if handler is None:
        from autoglm.cli.gui import run_gui

        handler = run_gui
    try:
        return int(handler(args) or 0)
    except UserFacingError as exc:
        print(f"autoglm: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return 130
    except BrokenPipeError:
        os._exit(EXIT_OK)  # the reader went away (e.g. `| head`): nothing left to say
    except Exception as exc:  # the funnel: logged with its trace, shown in one line
        _LOGGER.exception("Unexpected error in `autoglm %s`", args.command)
        print(
            f"autoglm: unexpected error: {exc} (details in the log folder: `autoglm models where`)",
            file=sys.stderr,
        )
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
