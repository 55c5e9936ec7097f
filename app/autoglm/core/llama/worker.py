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
from collections.abc import MutableMapping
from multiprocessing.connection import Connection
from typing import Any

from autoglm.core.errors import InputError, UserFacingError
from autoglm.core.foreground import FOREGROUND
from autoglm.core.llama.protocol import (
    CountTokens,
    Done,
    EngineStats,
    Event,
    Failed,
    Generate,
    Load,
    Ping,
    PrepareImages,
    Progress,
    Render,
    Shutdown,
    Stats,
    Unload,
)
from autoglm.core.llama.shared import SharedCancel, SharedForeground
from autoglm.core.types import Completion, StreamEvent

_LOGGER = logging.getLogger(__name__)


OPENMP_SPIN_COUNT = "1000"


def tune_openmp(environ: MutableMapping[str, str] = os.environ) -> None:
    """Let llama.cpp's OpenMP threads sleep soon at a barrier instead of spinning 300,000 times.

    ggml's CPU threads meet at an OpenMP barrier after every graph node, hundreds of
    times per token. libgomp lets a waiting thread spin for 300,000 rounds unless it
    sees more threads than cores; on a computer busy with other work the spinning
    thread burns the time slice its partner needs, and decoding on two threads fell to
    a tenth of its speed (0.5 instead of 5 tokens/s). 1,000 rounds is libgomp's own
    choice for a crowded machine. Must run before llama.cpp is loaded; a user's own
    ``OMP_WAIT_POLICY`` or ``GOMP_SPINCOUNT`` wins.
    """
    if "llama_cpp" in sys.modules:
        _LOGGER.warning("llama.cpp is already loaded; its OpenMP settings stay as they are")
    if "OMP_WAIT_POLICY" not in environ:
        environ.setdefault("GOMP_SPINCOUNT", OPENMP_SPIN_COUNT)


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
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("llama_cpp.native").setLevel(logging.DEBUG)


def _failure(exc: BaseException) -> Failed:
    if isinstance(exc, InputError):
        return Failed("input", str(exc))
    if isinstance(exc, UserFacingError):
        return Failed("model", str(exc))
    traceback.print_exc(file=sys.stderr)
    return Failed("bug", f"{type(exc).__name__}: {exc}")


class _PromptCounts:
    """Prompt tokens asked for and found in the KV cache since the model loaded."""

    def __init__(self) -> None:
        self.prompts = self.prompt_tokens = self.cached_prompt_tokens = 0

    def add(self, completion: Completion) -> Completion:
        """Count one reply's prompt."""
        self.prompts += 1
        self.prompt_tokens += completion.usage.prompt_tokens
        self.cached_prompt_tokens += completion.usage.cached_prompt_tokens
        return completion

    def stats(self, engine: Any) -> EngineStats:
        """These counts and the image path's."""
        vision = getattr(engine, "vision", None)
        images = vision.stats if vision is not None else None
        return EngineStats(
            self.prompts,
            self.prompt_tokens,
            self.cached_prompt_tokens,
            foreground_pauses=FOREGROUND.pauses,
            **(
                {
                    name: getattr(images, name)
                    for name in (
                        "images_encoded",
                        "images_decoded",
                        "images_reused_from_kv",
                        "images_reused_embeddings",
                    )
                }
                if images is not None
                else {}
            ),
        )


def _loaded(engine: Any) -> Any:
    if engine is None:
        raise InputError("No model is loaded in the engine.")
    return engine


def serve(conn: Connection, cancel_flag: Any, foreground_count: Any, stderr_path: str) -> None:
    """The worker's main function: answer commands from ``conn`` until told to stop or the pipe closes."""
    _send_stderr_to(stderr_path)
    tune_openmp()
    foreground = SharedForeground(foreground_count)
    FOREGROUND.follow(foreground.running)
    cancel = SharedCancel(cancel_flag)
    engine: Any = None
    counts = _PromptCounts()

    def emit(event: StreamEvent) -> None:
        conn.send(Event(event, time.monotonic()))

    while True:
        try:
            command = conn.recv()
        except (EOFError, OSError):
            break  # the app is gone
        try:
            if isinstance(command, Generate):
                conn.send(Done(counts.add(_loaded(engine).generate(command.request, emit, cancel))))
            elif isinstance(command, CountTokens):
                conn.send(
                    Done(
                        _loaded(engine).count_tokens(
                            command.messages, command.thinking, command.tools
                        )
                    )
                )
            elif isinstance(command, Render):
                conn.send(
                    Done(_loaded(engine).render(command.messages, command.thinking, command.tools))
                )
            elif isinstance(command, PrepareImages):
                _loaded(engine).prepare_images(command.images)
                conn.send(Done())
            elif isinstance(command, Stats):
                conn.send(Done(counts.stats(engine)))
            elif isinstance(command, Load):
                from autoglm.core.llama.engine import LlamaEngine

                if engine is not None:
                    engine.unload()
                    engine = None
                candidate = LlamaEngine(
                    command.model_path,
                    command.settings,
                    model_id=command.model_id,
                    mmproj_path=command.mmproj_path,
                    display_name=command.display_name,
                    native_stderr=True,
                    state_dir=command.state_dir,
                )
                info = candidate.load(
                    lambda fraction, message: conn.send(Progress(fraction, message))
                )
                engine = candidate
                counts = _PromptCounts()
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
