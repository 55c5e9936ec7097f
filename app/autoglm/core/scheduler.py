"""One engine thread, one priority queue: every front asks for tokens through here.

Requests wait in a priority queue (a live voice turn, then an interactive chat turn,
then API work; first come first served within a priority) and each caller gets a
``ReplyStream`` to iterate or cancel. Cancelling a queued request removes it without
ever reaching the engine; cancelling a running one stops decoding at the next token.

An engine that decodes several replies together (``parallel_replies`` > 1: the local
engine's worker batches them into shared ``llama_decode`` steps) gets up to that many
at once, each on a thread of its own waiting for its reply, and a chat or voice turn is
let in even when they are all taken by API work — the engine puts its prompt and tokens
first. Any other
engine — like a one-worker executor — gets one request at a time on the engine thread.
Calls (``submit_call``) run on the engine thread; an ``exclusive`` one (an engine swap)
waits until no reply is running.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from autoglm.core.errors import UserFacingError
from autoglm.core.types import (
    ChatMessage,
    Completion,
    GenerationRequest,
    ModelInfo,
    Notice,
    Priority,
    StreamEvent,
    ToolSpec,
)

if TYPE_CHECKING:
    from autoglm.core.chat_template import RenderedPrompt

_LOGGER = logging.getLogger(__name__)
_END = object()


class Engine(Protocol):
    """What every front may ask of an engine (local llama.cpp or a remote server)."""

    @property
    def info(self) -> ModelInfo | None:
        """The model it serves (``None`` before one is loaded)."""

    @property
    def loaded(self) -> bool:
        """Whether it can answer now."""

    def generate(
        self,
        request: GenerationRequest,
        emit: Callable[[StreamEvent], None],
        cancel: threading.Event,
    ) -> Completion:
        """Produce one reply, calling ``emit`` for each delta, stopping soon after ``cancel``."""

    def count_tokens(self, messages: list[ChatMessage], thinking: bool = True) -> int:
        """Prompt tokens ``messages`` would take (an estimate where the engine cannot tokenise)."""

    def unload(self) -> None:
        """Free the model (the engine can be loaded again later)."""


@runtime_checkable
class PromptRenderer(Protocol):
    """An engine that shows the prompt text its chat template makes: continuing a reply where
    it stopped sends that text, with the reply so far, as a raw prompt (the local engine can;
    a remote server cannot)."""

    def render(
        self,
        messages: list[ChatMessage],
        thinking: bool = True,
        tools: list[ToolSpec] | None = None,
    ) -> RenderedPrompt:
        """The prompt text of ``messages`` (and ``tools``)."""


class ReplyStream:
    """A reply being produced: iterate its events, ``cancel()`` it, wait for its ``result()``."""

    def __init__(self, request: GenerationRequest):
        self.request = request
        self.submitted_at = time.monotonic()
        self.started_at: float | None = None
        self._events: queue.Queue[Any] = queue.Queue()
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._completion: Completion | None = None
        self._listeners: list[Callable[[StreamEvent], None]] = []
        self._emitted: list[StreamEvent] = []
        self._listener_lock = threading.Lock()

    # -- caller side -----------------------------------------------------------------
    def __iter__(self) -> Iterator[StreamEvent]:
        """The reply's events as they come, ending when it finishes."""
        while True:
            item = self._events.get()
            if item is _END:
                self._events.put(_END)  # let a second iteration end too
                return
            yield item

    def cancel(self) -> None:
        """Stop this reply: at once if still queued, after the current token if running."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """Whether ``cancel()`` was called."""
        return self._cancel.is_set()

    @property
    def done(self) -> bool:
        """Whether the reply has finished (completed, cancelled or failed)."""
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until finished; ``False`` on timeout."""
        return self._done.wait(timeout)

    def result(self, timeout: float | None = None) -> Completion:
        """The finished reply; raises ``TimeoutError`` if not done within ``timeout``."""
        if not self._done.wait(timeout):
            raise TimeoutError("the reply did not finish in time")
        assert self._completion is not None
        return self._completion

    def add_listener(self, callback: Callable[[StreamEvent], None]) -> None:
        """Also call ``callback`` for every event: those already emitted at once, later ones on the engine thread.

        Replaying the past means a listener attached a moment after ``submit`` (while a
        voice loads, say) still sees the reply from its first token.
        """
        with self._listener_lock:
            past = list(self._emitted)
            self._listeners.append(callback)
            for event in past:
                self._call(callback, event)

    # -- engine side ---------------------------------------------------------------------
    @property
    def cancel_event(self) -> threading.Event:
        """The event the engine polls between tokens."""
        return self._cancel

    def emit(self, event: StreamEvent) -> None:
        """Deliver one event to the iterator and listeners."""
        self._events.put(event)
        with self._listener_lock:
            self._emitted.append(event)
            listeners = list(self._listeners)
            for listener in listeners:
                self._call(listener, event)

    @staticmethod
    def _call(listener: Callable[[StreamEvent], None], event: StreamEvent) -> None:
        try:
            listener(event)
        except Exception:  # a broken listener must not kill generation
            _LOGGER.exception("Reply listener failed")

    def finish(self, completion: Completion) -> None:
        """Record the final reply and wake every waiter."""
        self._completion = completion
        self._events.put(_END)
        self._done.set()


@dataclass(order=True)
class _Job:
    priority: int
    sequence: int
    stream: ReplyStream | None = field(compare=False, default=None)
    call: Callable[[], Any] | None = field(compare=False, default=None)
    future: Future | None = field(compare=False, default=None)
    exclusive: bool = field(compare=False, default=False)  # a call that waits for no reply running


class Scheduler:
    """Owns the engine thread; ``submit`` a request, get a ``ReplyStream``."""

    def __init__(self, engine: Engine, name: str = "autoglm-engine"):
        self._engine = engine
        self._queue: queue.PriorityQueue[_Job] = queue.PriorityQueue()
        self._sequence = itertools.count()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._running: set[ReplyStream] = set()
        self._changed = threading.Condition()  # a job queued, a reply finished
        self._waits: list[float] = []
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        """The engine in use (swap it with ``replace_engine``)."""
        return self._engine

    def start(self) -> Scheduler:
        """Start the engine thread; returns ``self``."""
        if not self._thread.is_alive():
            self._thread.start()
        return self

    def submit(self, request: GenerationRequest) -> ReplyStream:
        """Queue a request by its priority and return its stream."""
        stream = ReplyStream(request)
        if self._stop.is_set():
            stream.finish(
                Completion(finish_reason="error", error="The assistant is shutting down.")
            )
            return stream
        self._enqueue(_Job(int(request.priority), next(self._sequence), stream=stream))
        return stream

    def submit_call(
        self,
        function: Callable[[], Any],
        priority: Priority = Priority.VOICE,
        exclusive: bool = False,
    ) -> Future:
        """Run ``function`` on the engine thread (load, unload, token counting) and return a future.

        ``exclusive``: only once no reply is running (the engine is about to change).
        """
        future: Future = Future()
        if self._stop.is_set():
            future.set_exception(RuntimeError("the engine thread has shut down"))
            return future
        self._enqueue(
            _Job(
                int(priority) - 1,
                next(self._sequence),
                call=function,
                future=future,
                exclusive=exclusive,
            )
        )
        return future

    def _enqueue(self, job: _Job) -> None:
        self._queue.put(job)
        with self._changed:
            self._changed.notify_all()

    def replace_engine(self, engine: Engine) -> Future:
        """Switch engines between two requests (model switch); returns a future of the old one."""

        def swap() -> Engine:
            old, self._engine = self._engine, engine
            return old

        return self.submit_call(swap, exclusive=True)

    def queue_length(self) -> int:
        """Requests waiting (not counting the one running)."""
        return self._queue.qsize()

    @property
    def busy(self) -> bool:
        """Whether a reply is being generated right now."""
        return bool(self._running)

    @property
    def running(self) -> int:
        """How many replies are being generated right now."""
        return len(self._running)

    def recent_queue_waits(self) -> list[float]:
        """Queue waits (seconds) of the last requests started, oldest first."""
        with self._lock:
            return list(self._waits)

    def cancel_all(self) -> None:
        """Cancel the running reply and everything queued."""
        for current in list(self._running):
            current.cancel()
        pending: list[_Job] = []
        while True:
            try:
                pending.append(self._queue.get_nowait())
            except queue.Empty:
                break
        for job in pending:
            if job.stream is not None:
                job.stream.cancel()
            self._queue.put(job)

    def shutdown(self, timeout: float = 5.0) -> bool:
        """Cancel everything, stop the thread and wait for it up to ``timeout`` seconds;
        ``False`` if it is still inside the engine when the time is up."""
        self._stop.set()
        self.cancel_all()
        self._enqueue(_Job(-100, next(self._sequence)))
        deadline = time.monotonic() + timeout
        self._thread.join(timeout)
        with self._changed:
            self._changed.wait_for(lambda: not self._running, max(0.0, deadline - time.monotonic()))
        return not self._thread.is_alive() and not self._running

    # -- the engine thread -----------------------------------------------------------
    def _parallel(self) -> int:
        """How many replies the engine takes at once."""
        return max(1, int(getattr(self._engine, "parallel_replies", 1)))

    def _admissible(self, job: _Job) -> bool:
        """Whether ``job`` may start now: a call always, a reply while a place is free.

        A chat turn has one place more than API work, a voice turn two, so neither
        waits for API streams to end: the engine decodes them first.
        """
        if job.stream is None or job.stream.cancelled:
            return True  # a cancelled one only needs finishing: it never reaches the engine
        extra = max(0, int(Priority.API) - job.priority)
        return len(self._running) < self._parallel() + extra

    def _next_job(self) -> _Job:
        """The most urgent job once it may start (the queue's head waits for a free place)."""
        with self._changed:
            while True:
                with self._queue.mutex:
                    head = self._queue.queue[0] if self._queue.queue else None
                if head is not None and self._admissible(head):
                    return self._queue.get_nowait()
                self._changed.wait(0.1)  # a cancel of the waiting head is not announced

    def _run(self) -> None:
        while True:
            job = self._next_job()
            if job.call is not None:
                if job.exclusive:
                    with self._changed:
                        self._changed.wait_for(lambda: not self._running)
                self._run_call(job)
                continue
            if job.stream is None:
                if self._stop.is_set():
                    self._drain()
                    return
                continue
            with self._changed:
                self._running.add(job.stream)
            if self._parallel() > 1 and not job.stream.cancelled:
                threading.Thread(
                    target=self._run_stream,
                    args=(job.stream,),
                    name="autoglm-engine-reply",
                    daemon=True,
                ).start()
            else:
                self._run_stream(job.stream)

    def _run_call(self, job: _Job) -> None:
        assert job.future is not None and job.call is not None
        if not job.future.set_running_or_notify_cancel():
            return
        try:
            job.future.set_result(job.call())
        except BaseException as exc:  # noqa: BLE001 - delivered to whoever waits on the future
            job.future.set_exception(exc)

    def _run_stream(self, stream: ReplyStream) -> None:
        stream.started_at = time.monotonic()
        wait = stream.started_at - stream.submitted_at
        with self._lock:
            self._waits = (self._waits + [wait])[-256:]
        if stream.cancelled or self._stop.is_set():
            completion = Completion(finish_reason="cancelled")
            completion.timings.queue_wait_s = wait
            self._release(stream)
            stream.finish(completion)
            return
        try:
            completion = self._engine.generate(stream.request, stream.emit, stream.cancel_event)
        except UserFacingError as exc:
            stream.emit(Notice("error", str(exc)))
            completion = Completion(finish_reason="error", error=str(exc))
        except Exception as exc:  # reported in words, logged with the trace
            _LOGGER.exception("Generation failed")
            completion = Completion(
                finish_reason="error", error=f"The model failed while answering: {exc}"
            )
        finally:
            self._release(stream)
        completion.timings.queue_wait_s = wait
        stream.finish(completion)

    def _release(self, stream: ReplyStream) -> None:
        """``stream`` no longer holds a place: let the next job in."""
        with self._changed:
            self._running.discard(stream)
            self._changed.notify_all()

    def _drain(self) -> None:
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                return
            if job.stream is not None:
                job.stream.finish(Completion(finish_reason="cancelled"))
            if job.future is not None:
                job.future.cancel()
