"""The engine worker's side: one process, one thread, one ``LlamaEngine``.

Started with the ``spawn`` method (a forked Qt process is not safe to use), it sends its
native stderr to a file the app reads the last line of when the worker dies, so a
llama.cpp assertion reaches the user in words.

Replies are decoded together: between two engine steps (one ``llama_decode`` each) it
reads every command that arrived, so a request sent while others stream joins their
next step, and a quick command (count tokens, render) is answered at once. A voice
turn's request also stops the step under way (the app raises the shared preemption
flag as it sends one), so it waits for no API step at all. Each reply's
events and its end go back tagged with the call they belong to.
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
    Tagged,
    Unload,
)
from autoglm.core.llama.shared import SharedCancel, SharedForeground
from autoglm.core.types import Completion, Priority, StreamEvent

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
            shared_steps=getattr(engine, "shared_steps", 0),
            preempted_steps=getattr(engine, "preempted_steps", 0),
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


class _Server:
    """The worker's state: the engine, the replies in flight (by the call that asked for each)."""

    def __init__(self, conn: Connection, cancel_flags: Any, preempt: Any = None):
        self.conn = conn
        self.cancel_flags = cancel_flags
        self.preempt = preempt  # shared bytes the app sets to stop an API step for a voice turn
        self.engine: Any = None
        self.counts = _PromptCounts()
        self.calls: dict[Any, int] = {}  # reply in flight -> its call's tag

    def send(self, tag: int, message: Any) -> None:
        """One answer (or event) of call ``tag``."""
        self.conn.send(Tagged(tag, message))

    def emitter(self, tag: int) -> Any:
        """The ``emit`` of call ``tag``'s reply: each event goes back with its send time."""

        def emit(event: StreamEvent) -> None:
            self.send(tag, Event(event, time.monotonic()))

        return emit

    def finish(self, replies: list[Any]) -> None:
        """Send each finished reply's completion (or failure) to its call."""
        for reply in replies:
            tag = self.calls.pop(reply)
            try:
                self.send(tag, Done(self.counts.add(reply.result())))
            except (EOFError, OSError, BrokenPipeError):
                raise
            except BaseException as exc:  # noqa: BLE001 - every failure goes back as a value
                self.send(tag, _failure(exc))

    def drop_engine(self) -> None:
        """End the replies in flight (as cancelled) and unload the model."""
        if self.engine is not None:
            self.finish(self.engine.abandon())
            self.engine.unload()
            self.engine = None

    def handle(self, tag: int, command: Any) -> bool:
        """Answer one command (a ``Generate`` joins the replies in flight); ``False`` to stop serving."""
        if isinstance(command, Generate):
            cancel = SharedCancel(self.cancel_flags, command.cancel_slot)
            engine = _loaded(self.engine)
            if command.request.priority == Priority.VOICE:
                engine.clear_preemption()  # read: the steps it stopped have done their job
            reply = engine.submit(command.request, self.emitter(tag), cancel)
            self.calls[reply] = tag
        elif isinstance(command, CountTokens):
            self.send(
                tag,
                Done(
                    _loaded(self.engine).count_tokens(
                        command.messages, command.thinking, command.tools
                    )
                ),
            )
        elif isinstance(command, Render):
            self.send(
                tag,
                Done(
                    _loaded(self.engine).render(command.messages, command.thinking, command.tools)
                ),
            )
        elif isinstance(command, PrepareImages):
            _loaded(self.engine).prepare_images(command.images)
            self.send(tag, Done())
        elif isinstance(command, Stats):
            self.send(tag, Done(self.counts.stats(self.engine)))
        elif isinstance(command, Load):
            from autoglm.core.llama.engine import LlamaEngine

            self.drop_engine()
            candidate = LlamaEngine(
                command.model_path,
                command.settings,
                model_id=command.model_id,
                mmproj_path=command.mmproj_path,
                display_name=command.display_name,
                native_stderr=True,
                state_dir=command.state_dir,
                preempt_buffer=self.preempt,
            )
            info = candidate.load(
                lambda fraction, message: self.send(tag, Progress(fraction, message))
            )
            self.engine = candidate
            self.counts = _PromptCounts()
            self.send(tag, Done(info))
        elif isinstance(command, Ping):
            self.send(tag, Done(self.engine is not None and self.engine.loaded))
        elif isinstance(command, Unload):
            self.drop_engine()
            self.send(tag, Done())
        elif isinstance(command, Shutdown):
            self.drop_engine()
            self.send(tag, Done())
            return False
        else:
            self.send(tag, Failed("bug", f"unknown command {type(command).__name__}"))
        return True

    def serve(self) -> None:
        """Read commands (waiting for one only when no reply is in flight), step the engine, repeat."""
        while True:
            busy = self.engine is not None and self.engine.busy
            while not busy or self.conn.poll(0):
                tagged = self.conn.recv()
                try:
                    if not self.handle(tagged.tag, tagged.message):
                        return
                except (EOFError, OSError, BrokenPipeError):
                    raise
                except BaseException as exc:  # noqa: BLE001 - every failure goes back to the app as a value
                    self.send(tagged.tag, _failure(exc))
                busy = self.engine is not None and self.engine.busy
            try:
                finished = self.engine.step()
            except (EOFError, OSError, BrokenPipeError):
                raise
            except BaseException as exc:  # noqa: BLE001 - the replies in flight end with it, in words
                failure = _failure(exc)
                for reply in self.engine.abandon():
                    self.send(self.calls.pop(reply), failure)
                continue
            self.finish(finished)


def serve(
    conn: Connection,
    cancel_flags: Any,
    foreground_count: Any,
    stderr_path: str,
    preempt: Any = None,
) -> None:
    """The worker's main function: answer commands from ``conn`` until told to stop or the pipe closes."""
    _send_stderr_to(stderr_path)
    tune_openmp()
    foreground = SharedForeground(foreground_count)
    FOREGROUND.follow(foreground.running)
    server = _Server(conn, cancel_flags, preempt)
    try:
        server.serve()
    except (EOFError, OSError, BrokenPipeError):
        pass  # the app is gone
    conn.close()
