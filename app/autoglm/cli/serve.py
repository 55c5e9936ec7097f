"""``autoglm serve``: the OpenAI-compatible API without the desktop window."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from autoglm.cli.engine_flags import add_engine_arguments, apply_engine_arguments, start_engine
from autoglm.core.settings_cli import add_settings_arguments, overrides_from_args


def register(subparsers: Any) -> None:
    """Add ``serve`` to the command line."""
    parser = subparsers.add_parser(
        "serve",
        help="Serve the model as an OpenAI-compatible API",
        description="Serve the model on http://HOST:PORT/v1 for the openai SDK, LangChain and curl. "
        "Any address other than loopback needs --api-key.",
    )
    parser.add_argument(
        "--model", help="Catalog id, imported id or .gguf path (default: the active model)"
    )
    parser.add_argument("--mmproj", help="Vision projector GGUF for a model given by path")
    add_engine_arguments(parser, ("--remote-api-key",))
    add_settings_arguments(parser, ("server",))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Load the model, serve until Ctrl+C or SIGTERM, then shut down in order."""
    from autoglm.core.runtime import Runtime
    from autoglm.server.runner import ApiServer
    from autoglm.server.security import check_serving_allowed
    from autoglm.speech.factory import SpeechModelFactory

    runtime = Runtime(speech=SpeechModelFactory())
    settings = apply_engine_arguments(args, overrides_from_args(args, runtime.settings))
    check_serving_allowed(settings.server)  # refuse before loading anything
    runtime.settings = settings
    from autoglm.knowledge.embedder import embedder_factory

    runtime.use_embedder(embedder_factory(settings))
    try:
        start_engine(runtime, args.model, Path(args.mmproj) if args.mmproj else None)
        server = ApiServer(runtime, settings).start()
        info = runtime.model_info
        print(
            f"Serving {info.model_id if info else 'the model'} on {server.url}/v1 "
            f"(key {'required' if settings.server.api_key else 'not required'}); Ctrl+C stops.",
            flush=True,
        )
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        while not stop.wait(0.5):
            if not server.running:
                print(
                    "autoglm: the API server stopped unexpectedly (see the log).", file=sys.stderr
                )
                return 1
        server.stop()
        return 0
    finally:
        runtime.close()
