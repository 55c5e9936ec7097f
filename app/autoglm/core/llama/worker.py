"""The engine worker's side: one process, one thread, one ``LlamaEngine``.

Started with the ``spawn`` method (a forked Qt process is not safe to use), it sends its
native stderr to a file the app reads the last line of when the worker dies, so a
llama.cpp assertion reaches the user in words. It serves one command at a time: the
app's scheduler already serialises them.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import traceback
from multiprocessing.connection import Connection
from typing import Any

from autoglm.core.errors import InputError, UserFacingError
from autoglm.core.foreground import FOREGROUND
from autoglm.core.llama.protocol import (
    CountTokens,
    Done,
    Event,
    Failed,
    Generate,
    Load,
    Ping,
    Progress,
    Shutdown,
    Unload,
)
from autoglm.core.llama.shared import SharedCancel, SharedForeground
from autoglm.core.types import StreamEvent

_LOGGER = logging.getLogger(__name__)


def _send_stderr_to(path: str) -> None:
    """Point file descriptor 2 (llama.cpp's and Python's stderr) at ``path``, line-buffered.

    llama.cpp's own log lines go there too (as debug records), so the line it printed
    before an abort is the file's last; an abort prints no debugger backtrace after it.
    """
    os.environ["GGML_NO_BACKTRACE"] = "1"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 2)
    os.close(fd)
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("llama_cpp.native").setLevel(logging.DEBUG)


def _failure(exc: BaseException) -> Failed:
    if isinstance(exc, InputError):
        return Failed("input", str(exc))
    if isinstance(exc, UserFacingError):
        return Failed("model", str(exc))
    traceback.print_exc(file=sys.stderr)
    return Failed("bug", f"{type(exc).__name__}: {exc}")


def serve(conn: Connection, cancel_flag: Any, foreground_count: Any, stderr_path: str) -> None:
    """The worker's main function: answer commands from ``conn`` until told to stop or the pipe closes."""
    _send_stderr_to(stderr_path)
    foreground = SharedForeground(foreground_count)
    FOREGROUND.follow(foreground.running)
    cancel = SharedCancel(cancel_flag)
    engine: Any = None

    def emit(event: StreamEvent) -> None:
        conn.send(Event(event, time.monotonic()))

    while True:
        try:
            command = conn.recv()
        except (EOFError, OSError):
            break  # the app is gone
        try:
            if isinstance(command, Generate):
                if engine is None:
                    raise InputError("No model is loaded in the engine.")
                conn.send(Done(engine.generate(command.request, emit, cancel)))
            elif isinstance(command, CountTokens):
                if engine is None:
                    raise InputError("No model is loaded in the engine.")
                conn.send(Done(engine.count_tokens(command.messages, command.thinking, command.tools)))
            elif isinstance(command, Load):
                from autoglm.core.llama.engine import LlamaEngine

                if engine is not None:
                    engine.unload()
                    engine = None
                candidate = LlamaEngine(command.model_path, command.settings, model_id=command.model_id,
                                        mmproj_path=command.mmproj_path, display_name=command.display_name,
                                        native_stderr=True)
                info = candidate.load(lambda fraction, message: conn.send(Progress(fraction, message)))
                engine = candidate
                conn.send(Done(info))
            elif isinstance(command, Ping):
                conn.send(Done(engine is not None and engine.loaded))
            elif isinstance(command, Unload):
                if engine is not None:
                    engine.unload()
                    engine = None
                conn.send(Done())
            elif isinstance(command, Shutdown):
                if engine is not None:
                    engine.unload()
                conn.send(Done())
                break
            else:
                conn.send(Failed("bug", f"unknown command {type(command).__name__}"))
        except (EOFError, OSError, BrokenPipeError):
            break
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the app as a value
            conn.send(_failure(exc))
    conn.close()
