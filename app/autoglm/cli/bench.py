"""``autoglm bench …``: the benchmark suites, one module each under ``autoglm.bench``."""

from __future__ import annotations

from typing import Any

BENCH_MODULES = ("text", "ui", "vision", "voice", "server", "tools", "docs", "agent", "cache")


def register(subparsers: Any) -> None:
    """Add ``bench`` and each benchmark to the command line."""
    from autoglm.cli import register_modules

    parser = subparsers.add_parser(
        "bench", help="Measure speed and memory against a peer in the same run"
    )
    suites = parser.add_subparsers(dest="suite", metavar="SUITE", required=True)
    register_modules(suites, "autoglm.bench", BENCH_MODULES)
