"""The engine flags ``autoglm chat`` and ``autoglm serve`` share: ``--remote URL``, its key, ``--local``.

They only change the settings; ``Runtime.start_engine`` makes the choice, the same one the
window makes, so a remote server saved in the settings is used by every front.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from autoglm.core.engine_choice import choose_engine, with_remote, without_remote
from autoglm.core.errors import InputError
from autoglm.core.settings import Settings

if TYPE_CHECKING:
    from autoglm.core.runtime import Runtime


def add_engine_arguments(parser: argparse.ArgumentParser, key_flags: tuple[str, ...]) -> None:
    """``--remote URL``, the key flags given (dest ``remote_api_key``) and ``--local``."""
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument(
        "--remote",
        metavar="URL",
        help="Use an OpenAI-compatible server (…/v1) instead of the local model "
        "(the default when Settings → Remote engine names one)",
    )
    choice.add_argument(
        "--local",
        action="store_true",
        help="Use the local model even when the settings name a remote server",
    )
    parser.add_argument(
        *key_flags, dest="remote_api_key", metavar="KEY", help="API key for the remote server"
    )


def apply_engine_arguments(args: argparse.Namespace, settings: Settings) -> Settings:
    """``settings`` with the engine flags applied; a bad ``--remote`` address is an ``InputError`` in words."""
    if args.local:
        return without_remote(settings)
    if args.remote is None and args.remote_api_key is None:
        return settings
    try:
        return with_remote(
            settings, args.remote or settings.remote.url or "", api_key=args.remote_api_key
        )
    except ValidationError as exc:
        message = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        raise InputError(f"--remote: {message}.") from None


def start_engine(
    runtime: Runtime, model: str | None, mmproj: Path | None, quiet: bool = False
) -> None:
    """Connect to the remote server or load the local model, saying which on stderr unless ``quiet``."""
    choice = choose_engine(runtime.settings, model, mmproj)
    if not quiet:
        print(
            f"Connecting to {choice.remote_url}…" if choice.is_remote else "Loading the model…",
            file=sys.stderr,
            flush=True,
        )
    runtime.start_engine(model, mmproj)
