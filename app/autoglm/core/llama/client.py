"""The app's side of the engine worker: the ``Engine`` protocol over a pipe to another process.

Why a process: llama.cpp aborts the whole process on some files (an assertion in a graph
it cannot build) and the kernel kills the biggest process when memory runs out; either
must cost a restart of the engine, not the window, the voice loop or the API.

Why this mechanism, and not another:

- ``multiprocessing`` with the ``spawn`` method, not ``fork``: the parent is a Qt app with
  threads (audio, HTTP, the scheduler); a forked copy of it may hold their locks. Spawn
  starts a clean interpreter on every platform, and packaged builds already call
  ``freeze_support()``. The child imports only ``core``; it loads llama.cpp itself, so it
  can tune llama.cpp's OpenMP threads for itself (``worker.tune_openmp``).
- One duplex ``Pipe``, not a socket or HTTP: requests and replies are the app's own
  dataclasses, pickled (a field added to ``GenerationRequest`` reaches the engine with no
  schema to update); a token's delta is under 200 bytes and its trip costs a fraction of
  a millisecond (``bench text`` reports it as ``worker_added_ms_per_token``); the child's
  death closes the pipe, so the app learns of it on the next read, mid-reply included.
  Several calls are in flight at once (replies are decoded together in the worker):
  each message is tagged with its call, one reader thread hands each answer to the call
  waiting for it, and sends take turns under a lock.
- Values in shared memory (``RawArray``/``RawValue``), not messages, for what cannot wait
  for the worker's one thread to read a pipe while it is inside llama.cpp: one cancel
  flag per reply in flight (read between tokens, and by llama.cpp's abort callback so a
  long prompt stops midway) and the count of foreground jobs (the first words of a
  spoken reply) the engine pauses for. One writer each, so no lock. And the voice
  preemption flag: a voice turn's request raises it once sent, and llama.cpp's abort
  callback stops the API step under way within a graph node (the worker clears it).

When the worker dies, the reply in flight ends with ``finish_reason="error"``, the
partial text it had, an error in words (with the last line llama.cpp printed) and an
``engine_restarted`` notice; a new worker loads the same model in the background and the
next request waits for it.

``AUTOGLM_WORKER_LAUNCHER`` names a program started in place of this executable for the
worker, with the worker's arguments: an emulator (the bundle is tested on an older CPU
under ``qemu-x86_64 -cpu Nehalem``, which does not follow a process's exec by itself) or a
profiler.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing
import os
import queue
import re
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autoglm.core.chat_template import RenderedPrompt
from autoglm.core.errors import InputError, ModelError
from autoglm.core.foreground import FOREGROUND
from autoglm.core.llama.protocol import (
    ENGINE_RESTARTED,
    Command,
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
)
from autoglm.core.llama.shared import SharedForeground
from autoglm.core.settings import ModelSettings
from autoglm.core.types import (
    ChatMessage,
    Completion,
    Delta,
    GenerationRequest,
    ImageInput,
    ModelInfo,
    Notice,
    Priority,
    ProgressCallback,
    StreamEvent,
    ToolSpec,
)

_LOGGER = logging.getLogger(__name__)
STOP_TIMEOUT_S = 5.0
MAX_REPLIES_IN_FLIGHT = 64  # cancel flags shared with the worker (one per reply in flight)
_GONE = object()  # what a waiting call receives when the worker's pipe closed


class WorkerDied(ModelError):
    """The engine worker ended while answering (a native abort, an out-of-memory kill …)."""


def describe_exit(exitcode: int | None, last_line: str) -> str:
    """The worker's end in words: how it ended and what llama.cpp said last."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        how = {
            "SIGABRT": "llama.cpp aborted",
            "SIGKILL": "it was killed (out of memory?)",
            "SIGSEGV": "llama.cpp crashed",
        }.get(name, f"it received {name}")
    elif exitcode is None:
        how = "it stopped answering"
    else:
        how = f"it exited with code {exitcode}"
    said = f" Its last words: “{last_line}”." if last_line else ""
    return f"The engine stopped: {how}.{said}"


_FAILURE_MARKS = ("GGML_ASSERT", "GGML_ABORT", "error", "failed", "terminate called")


def last_line(path: Path, limit: int = 64 * 1024) -> str:
    """What llama.cpp said last in ``path`` (the worker's stderr): its last failure line, else its last line."""
    try:
        with open(path, "rb") as file:
            file.seek(0, os.SEEK_END)
            size = file.tell()
            file.seek(max(0, size - limit))
            tail = file.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    lines = [line.strip() for line in tail.splitlines() if line.strip()]
    failures = [line for line in lines[-20:] if any(mark in line for mark in _FAILURE_MARKS)]
    chosen = failures[-1] if failures else (lines[-1] if lines else "")
    chosen = re.sub(r"^\S*/(?=[^/\s]+:\d+: )", "", chosen)  # a source path down to its file name
    return chosen[:300]


class _Worker:
    """One running worker process, its pipe (read by one thread for every call) and its stderr file."""

    def __init__(self, cancel_flags: Any, foreground_count: Any, preempt: Any, log_dir: Path):
        from autoglm.core.llama.worker import serve

        context = multiprocessing.get_context("spawn")
        launcher = os.environ.get("AUTOGLM_WORKER_LAUNCHER")
        if launcher:
            context.set_executable(launcher)
        self.conn, child = context.Pipe(duplex=True)
        handle, name = tempfile.mkstemp(prefix="engine-", suffix=".log", dir=log_dir)
        os.close(handle)
        self.stderr_path = Path(name)
        self.process = context.Process(
            target=serve,
            name="autoglm-engine-worker",
            daemon=True,
            args=(child, cancel_flags, foreground_count, str(self.stderr_path), preempt),
        )
        self.process.start()
        child.close()  # only the child holds its end: its death closes the pipe
        self.words: str | None = None  # why it ended, once known
        self._tags = itertools.count(1)
        self._calls: dict[int, queue.SimpleQueue[Any]] = {}
        self._calls_lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._gone = False
        self._reader = threading.Thread(target=self._read, name="autoglm-engine-pipe", daemon=True)
        self._reader.start()

    @property
    def alive(self) -> bool:
        """Whether the process runs."""
        return self.process.is_alive()

    def open_call(self, command: Command) -> tuple[int, queue.SimpleQueue[Any]]:
        """Send ``command``; its tag and the queue its answers arrive in (``_GONE`` if the worker ends)."""
        answers: queue.SimpleQueue[Any] = queue.SimpleQueue()
        with self._calls_lock:
            tag = next(self._tags)
            self._calls[tag] = answers
            if self._gone:
                answers.put(_GONE)
                return tag, answers
        try:
            with self._send_lock:
                self.conn.send(Tagged(tag, command))
        except (OSError, EOFError, BrokenPipeError):
            answers.put(_GONE)
        return tag, answers

    def close_call(self, tag: int) -> None:
        """Stop routing answers to call ``tag``."""
        with self._calls_lock:
            self._calls.pop(tag, None)

    def _read(self) -> None:
        """Hand each message from the worker to the call it belongs to, until the pipe closes."""
        try:
            while True:
                tagged = self.conn.recv()
                with self._calls_lock:
                    answers = self._calls.get(tagged.tag)
                if answers is not None:
                    answers.put(tagged.message)
        except (EOFError, OSError, TypeError):  # TypeError: the pipe was closed under the read
            pass
        with self._calls_lock:
            self._gone = True
            waiting = list(self._calls.values())
        for answers in waiting:
            answers.put(_GONE)

    def death(self) -> str:
        """Why it ended, in words (waits a moment for its exit status)."""
        self.process.join(2.0)
        return describe_exit(self.process.exitcode, last_line(self.stderr_path))

    def stop(self) -> None:
        """Ask it to exit, then make it; remove its stderr file."""
        if self.process.is_alive():
            tag, answers = self.open_call(Shutdown())
            with contextlib.suppress(queue.Empty):
                answers.get(timeout=STOP_TIMEOUT_S)
            self.close_call(tag)
            self.process.join(STOP_TIMEOUT_S)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(STOP_TIMEOUT_S)
        if self._reader is not threading.current_thread():
            self._reader.join(STOP_TIMEOUT_S)
        self.conn.close()
        with contextlib.suppress(OSError):
            self.stderr_path.unlink()


class WorkerEngine:
    """A GGUF model in llama.cpp in a worker process; same ``Engine`` protocol as ``LlamaEngine``."""

    def __init__(
        self,
        model_path: str | Path,
        settings: ModelSettings,
        model_id: str = "",
        mmproj_path: str | Path | None = None,
        display_name: str = "",
        log_dir: Path | None = None,
        state_dir: Path | None = None,
    ):
        self.model_path = Path(model_path)
        self.state_dir = state_dir  # conversations' KV caches are saved here on eviction and unload (None: nowhere)
        self.settings = settings
        self.model_id = model_id or self.model_path.stem
        self.mmproj_path = Path(mmproj_path) if mmproj_path else None
        self.display_name = display_name or self.model_id
        self._log_dir = log_dir or Path(tempfile.gettempdir())
        context = multiprocessing.get_context("spawn")
        self._cancel_flags = context.RawArray("b", MAX_REPLIES_IN_FLIGHT)
        self._free_cancel_slots = list(range(MAX_REPLIES_IN_FLIGHT))
        self._slots_lock = threading.Lock()
        self._foreground = SharedForeground(context.RawValue("i", 0))
        self._preempt = context.RawArray("b", 2)  # byte 0: a voice turn waits (byte 1 stays 0)
        self._lock = threading.RLock()  # loading, unloading and restarting take turns
        self._death_lock = threading.Lock()
        self._worker: _Worker | None = None
        self._info: ModelInfo | None = None
        self._restarting: threading.Thread | None = None
        self.restarts = 0  # how many times a dead worker was replaced (tests, doctor)
        self.last_death = ""  # the words of the last death
        self.added_latency_s: list[float] = []  # each event's trip from the worker, last reply
        self.events_in_flight = 0  # events received so far of the reply being generated

    # -- the Engine protocol ----------------------------------------------------------------
    @property
    def info(self) -> ModelInfo | None:
        """The loaded model's description."""
        return self._info

    @property
    def loaded(self) -> bool:
        """Whether a model is loaded in a live worker."""
        return self._info is not None

    @property
    def parallel_replies(self) -> int:
        """How many replies the worker decodes together (the scheduler lets this many run at once).

        Two sequences are left for the chat and voice turns the scheduler lets in beyond them.
        """
        return max(1, min(self.settings.parallel_replies, self.settings.kv_sequences - 2))

    @property
    def pid(self) -> int | None:
        """The worker's process id (tests kill it to see the app survive)."""
        worker = self._worker
        return worker.process.pid if worker is not None else None

    def load(self, progress: ProgressCallback | None = None) -> ModelInfo:
        """Start a worker and load the model in it; ``ModelError`` in words on failure."""
        with self._lock:
            self._start()
            info = self._call(self._load_command(), progress)
            assert isinstance(info, ModelInfo)
            self._info = info
            FOREGROUND.mirror_to(self._foreground.publish)
            return info

    def unload(self) -> None:
        """Stop the worker (which frees the model)."""
        self._wait_for_restart()
        with self._lock:
            FOREGROUND.stop_mirroring(self._foreground.publish)
            self._info = None
            worker, self._worker = self._worker, None
            if worker is not None:
                worker.stop()

    def count_tokens(
        self,
        messages: list[ChatMessage],
        thinking: bool = True,
        tools: list[ToolSpec] | None = None,
    ) -> int:
        """Prompt tokens for ``messages`` as the model's template renders them."""
        self._wait_for_restart()
        with self._lock:
            count = self._call(CountTokens(messages, thinking, tools))
            assert isinstance(count, int)
            return count

    def render(
        self,
        messages: list[ChatMessage],
        thinking: bool = True,
        tools: list[ToolSpec] | None = None,
    ) -> RenderedPrompt:
        """The prompt text the model's chat template makes of ``messages`` (to continue a reply, say)."""
        self._wait_for_restart()
        with self._lock:
            rendered = self._call(Render(messages, thinking, tools))
            assert isinstance(rendered, RenderedPrompt)
            return rendered

    def prepare_images(self, images: list[ImageInput]) -> None:
        """Have the worker's projector encode images now (when attached), so asking about them is quick."""
        if not images or self._info is None or not self._info.has_vision:
            return
        self._wait_for_restart()
        with self._lock:
            self._call(PrepareImages(images))

    def stats(self) -> EngineStats:
        """The worker's cache counters since the model loaded: prompt tokens reused, images encoded and reused."""
        self._wait_for_restart()
        with self._lock:
            stats = self._call(Stats())
            assert isinstance(stats, EngineStats)
            return stats

    def ping(self, timeout: float = 5.0) -> bool:
        """Health: whether the worker answers (and has the model loaded)."""
        worker = self._worker
        if worker is None or not worker.alive:
            return False
        tag, answers = worker.open_call(Ping())
        try:
            reply = answers.get(timeout=timeout)
        except queue.Empty:
            return False
        finally:
            worker.close_call(tag)
        return isinstance(reply, Done) and bool(reply.value)

    def generate(
        self,
        request: GenerationRequest,
        emit: Callable[[StreamEvent], None],
        cancel: threading.Event,
    ) -> Completion:
        """One reply from the worker, streamed through ``emit``; a cancel stops it within a token.

        Several threads may call it at once: the worker decodes their replies together.
        """
        self._wait_for_restart()
        with self._lock:
            worker = self._require_worker()
        with self._slots_lock:
            if not self._free_cancel_slots:
                raise ModelError("Too many replies are being generated at once.")
            index = self._free_cancel_slots.pop()
        self._cancel_flags[index] = 1 if cancel.is_set() else 0
        content: list[str] = []
        reasoning: list[str] = []
        latencies: list[float] = []
        self.events_in_flight = 0
        finished = threading.Event()
        forwarder = threading.Thread(
            target=self._forward_cancel,
            args=(cancel, finished, index),
            name="autoglm-engine-cancel",
            daemon=True,
        )
        forwarder.start()
        tag, answers = worker.open_call(Generate(request, index))
        if request.priority == Priority.VOICE:
            self._preempt[0] = 1  # after the send: the worker finds it once the step stops
        try:
            while True:
                reply = answers.get()
                if isinstance(reply, Event):
                    latencies.append(time.monotonic() - reply.sent_at)
                    self.events_in_flight += 1
                    event = reply.event
                    if isinstance(event, Delta):
                        content.append(event.content)
                        reasoning.append(event.reasoning)
                    emit(event)
                elif isinstance(reply, Done):
                    self.added_latency_s = latencies
                    return reply.value
                elif isinstance(reply, Failed):
                    raise self._error(reply)
                elif reply is _GONE:
                    return self._died(worker, "".join(content), "".join(reasoning), emit)
        finally:
            worker.close_call(tag)
            finished.set()
            forwarder.join()
            self._cancel_flags[index] = 0
            with self._slots_lock:
                self._free_cancel_slots.append(index)

    # -- internals ----------------------------------------------------------------------------
    def _load_command(self) -> Load:
        return Load(
            self.model_path,
            self.settings,
            self.model_id,
            self.mmproj_path,
            self.display_name,
            self.state_dir,
        )

    def _forward_cancel(
        self, cancel: threading.Event, finished: threading.Event, index: int
    ) -> None:
        """Copy the request's cancel into its flag in shared memory the moment it is set."""
        while not finished.is_set():
            if cancel.wait(0.05):
                self._cancel_flags[index] = 1
                return

    def _start(self) -> None:
        if self._worker is not None:
            self._worker.stop()
        self._log_dir.mkdir(parents=True, exist_ok=True)
        self._worker = _Worker(
            self._cancel_flags,
            self._foreground._counter,  # noqa: SLF001
            self._preempt,
            self._log_dir,
        )

    def _require_worker(self) -> _Worker:
        worker = self._worker
        if worker is None or self._info is None:
            raise ModelError(self.last_death or "No model is loaded yet.")
        return worker

    def _call(self, command: Command, progress: ProgressCallback | None = None) -> Any:
        """Send one command and wait for its result (``Progress`` goes to ``progress``)."""
        worker = self._worker
        if worker is None:
            raise ModelError(self.last_death or "No model is loaded yet.")
        tag, answers = worker.open_call(command)
        try:
            while True:
                reply = answers.get()
                if isinstance(reply, Progress):
                    if progress is not None:
                        progress(reply.fraction, reply.message)
                elif isinstance(reply, Done):
                    return reply.value
                elif isinstance(reply, Failed):
                    raise self._error(reply)
                elif reply is _GONE:
                    # it died preparing an image, say: the next request needs it (not when loading)
                    words = self._bury(worker, restart=not isinstance(command, Load))
                    raise WorkerDied(words)
        finally:
            worker.close_call(tag)

    def _bury(self, worker: _Worker, restart: bool) -> str:
        """The dead worker's end in words; the first caller to see it also replaces it (``restart``)."""
        with self._death_lock:
            if worker.words is not None:
                return worker.words
            words = worker.words = worker.death()
            _LOGGER.error("%s", words)
            self.last_death = words
            if self._worker is worker:
                self._worker = None
            worker.stop()
            if restart:
                self._restart_in_background()
            return words

    @staticmethod
    def _error(failure: Failed) -> Exception:
        if failure.kind == "input":
            return InputError(failure.message)
        if failure.kind == "model":
            return ModelError(failure.message)
        return RuntimeError(failure.message)

    def _died(
        self, worker: _Worker, content: str, reasoning: str, emit: Callable[[StreamEvent], None]
    ) -> Completion:
        """The worker ended mid-reply: say so, keep the partial reply, start a new worker."""
        words = self._bury(worker, restart=True)
        message = f"{words} It is being restarted; ask again in a moment."
        notice = Notice(ENGINE_RESTARTED, message)
        emit(notice)
        return Completion(
            content=content.rstrip(),
            reasoning=reasoning.strip(),
            finish_reason="error",
            error=message,
            notices=[notice],
        )

    def _restart_in_background(self) -> None:
        info = self._info
        if info is None:
            return
        self._restarting = threading.Thread(
            target=self._restart, name="autoglm-engine-restart", daemon=True
        )
        self._restarting.start()

    def _restart(self) -> None:
        with self._lock:
            try:
                self._start()
                info = self._call(self._load_command())
                self._info = info
                self.restarts += 1
                _LOGGER.info("The engine worker was restarted with %s", self.model_path.name)
            except Exception as exc:
                _LOGGER.exception("The engine worker could not be restarted")
                self._info = None
                self.last_death = f"{self.last_death} Restarting it failed: {exc}"

    def _wait_for_restart(self) -> None:
        restarting = self._restarting
        if restarting is not None and restarting is not threading.current_thread():
            restarting.join()
            self._restarting = None
