"""``autoglm bench …``: the benchmark suites, one module each under ``autoglm.bench``."""

from __future__ import annotations

import importlib
import logging
from typing import Any

_LOGGER = logging.getLogger(__name__)
BENCH_MODULES = ("text", "ui", "vision", "voice", "server")


def register(subparsers: Any) -> None:
    """Add ``bench`` and each available benchmark to the command line."""
    parser = subparsers.add_parser("bench", help="Measure speed and memory against a peer in the same run")
    suites = parser.add_subparsers(dest="suite", metavar="SUITE", required=True)
    for name in BENCH_MODULES:
        try:
            module = importlib.import_module(f"autoglm.bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"autoglm.bench.{name}":
                raise
            _LOGGER.debug("Benchmark %s is missing from this build", name)
            continue
        module.register(suites)
