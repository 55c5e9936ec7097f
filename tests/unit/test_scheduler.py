"""Scheduler ordering and cancellation, with a scripted engine (pure queueing logic)."""

from __future__ import annotations

import threading
import time

from autoglm.core.errors import ModelError
from autoglm.core.scheduler import Scheduler
from autoglm.core.types import ChatMessage, Completion, Delta, GenerationRequest, Priority


class ScriptedEngine:
    """Emits one delta per step until cancelled; records the order requests ran in."""

    def __init__(self, steps: int = 5, step_s: float = 0.01):
        self.steps, self.step_s = steps, step_s
        self.order: list[str] = []
        self.gate = threading.Event()
        self.gate.set()

    def generate(self, request, emit, cancel) -> Completion:
        self.order.append(request.label)
        self.gate.wait(5)
        for i in range(self.steps):
            if cancel.is_set():
                return Completion(content="", finish_reason="cancelled")
            emit(Delta(content=str(i)))
            time.sleep(self.step_s)
        if request.label == "fail":
            raise ModelError("the model file vanished")
        if request.label == "bug":
            raise ZeroDivisionError("oops")
        return Completion(content="done")


def req(label: str, priority: Priority = Priority.INTERACTIVE) -> GenerationRequest:
    return GenerationRequest([ChatMessage("user", label)], priority=priority, label=label)


def test_higher_priority_runs_first_fifo_within_priority() -> None:
    engine = ScriptedEngine()
    engine.gate.clear()
    scheduler = Scheduler(engine).start()
    first = scheduler.submit(req("running"))
    while not engine.order:
        time.sleep(0.001)
    streams = [
        scheduler.submit(req("api1", Priority.API)),
        scheduler.submit(req("chat", Priority.INTERACTIVE)),
        scheduler.submit(req("api2", Priority.API)),
        scheduler.submit(req("voice", Priority.VOICE)),
    ]
    assert scheduler.queue_length() == 4
    engine.gate.set()
    for stream in [first, *streams]:
        assert stream.result(5).finish_reason == "stop"
    assert engine.order == ["running", "voice", "chat", "api1", "api2"]
    scheduler.shutdown()


def test_cancelled_while_queued_never_reaches_the_engine() -> None:
    engine = ScriptedEngine()
    engine.gate.clear()
    scheduler = Scheduler(engine).start()
    running = scheduler.submit(req("running"))
    queued = scheduler.submit(req("queued"))
    queued.cancel()
    engine.gate.set()
    assert queued.result(5).finish_reason == "cancelled"
    running.result(5)
    assert "queued" not in engine.order
    scheduler.shutdown()


def test_stream_yields_deltas_then_ends() -> None:
    scheduler = Scheduler(ScriptedEngine(steps=3, step_s=0)).start()
    stream = scheduler.submit(req("x"))
    assert "".join(e.content for e in stream) == "012"
    assert stream.result(1).content == "done"
    scheduler.shutdown()


def test_errors_become_completions_in_words() -> None:
    scheduler = Scheduler(ScriptedEngine(steps=1, step_s=0)).start()
    failed = scheduler.submit(req("fail")).result(5)
    assert failed.finish_reason == "error" and failed.error == "the model file vanished"
    bug = scheduler.submit(req("bug")).result(5)
    assert bug.finish_reason == "error" and "oops" in (bug.error or "")
    assert scheduler.submit(req("after")).result(5).finish_reason == "stop"
    scheduler.shutdown()


def test_submit_call_runs_on_the_engine_thread_and_replace_engine_swaps() -> None:
    scheduler = Scheduler(ScriptedEngine(steps=0)).start()
    assert scheduler.submit_call(threading.current_thread).result(5).name == "autoglm-engine"
    new = ScriptedEngine(steps=1, step_s=0)
    scheduler.replace_engine(new).result(5)
    scheduler.submit(req("on-new")).result(5)
    assert new.order == ["on-new"]
    scheduler.shutdown()


def test_shutdown_finishes_pending_streams() -> None:
    engine = ScriptedEngine(steps=1000, step_s=0.01)
    scheduler = Scheduler(engine).start()
    running = scheduler.submit(req("long"))
    queued = scheduler.submit(req("waiting"))
    scheduler.shutdown(timeout=5)
    assert running.result(5).finish_reason == "cancelled"
    assert queued.result(5).finish_reason == "cancelled"
    assert scheduler.submit(req("late")).result(1).finish_reason == "error"


def test_calls_after_shutdown_fail_instead_of_hanging() -> None:
    scheduler = Scheduler(ScriptedEngine()).start()
    scheduler.shutdown()
    future = scheduler.replace_engine(ScriptedEngine())
    assert future.done()
    assert isinstance(future.exception(), RuntimeError)


def test_a_late_listener_sees_every_event_once_in_order() -> None:
    scheduler = Scheduler(ScriptedEngine(steps=6, step_s=0.01)).start()
    stream = scheduler.submit(req("x"))
    while not stream.done and len(stream._emitted) < 3:
        time.sleep(0.001)
    seen: list[str] = []
    stream.add_listener(lambda event: seen.append(event.content))
    stream.result(5)
    assert seen == [str(i) for i in range(6)]
    scheduler.shutdown()


class BatchingEngine(ScriptedEngine):
    """A scripted engine that takes two replies at once, as the local worker decodes several together."""

    parallel_replies = 2

    def __init__(self) -> None:
        super().__init__()
        self.running = 0
        self.most_running = 0
        self._count = threading.Lock()

    def generate(self, request, emit, cancel) -> Completion:
        with self._count:
            self.running += 1
            self.most_running = max(self.most_running, self.running)
        try:
            return super().generate(request, emit, cancel)
        finally:
            with self._count:
                self.running -= 1


def test_an_engine_that_batches_gets_that_many_replies_at_once_and_voice_one_more() -> None:
    engine = BatchingEngine()
    engine.gate.clear()
    scheduler = Scheduler(engine).start()
    api = [scheduler.submit(req(f"api{i}", Priority.API)) for i in range(3)]
    deadline = time.monotonic() + 5
    while len(engine.order) < 2 and time.monotonic() < deadline:
        time.sleep(0.001)
    time.sleep(0.05)
    # The two places run on threads of their own, so either may record its start first.
    assert sorted(engine.order) == ["api0", "api1"], (
        "the third API request did not wait for a place"
    )
    voice = scheduler.submit(req("voice", Priority.VOICE))
    while len(engine.order) < 3 and time.monotonic() < deadline:
        time.sleep(0.001)
    assert engine.order[2] == "voice", "a voice turn waited for the API streams to end"
    assert scheduler.running == 3
    replacement = ScriptedEngine()
    swapped = scheduler.replace_engine(replacement)
    time.sleep(0.05)
    assert not swapped.done(), "the engine was swapped while replies were running on it"
    engine.gate.set()
    for stream in [*api, voice]:
        assert stream.result(5).finish_reason == "stop"
    assert swapped.result(5) is engine
    assert engine.most_running == 3
    assert replacement.order == ["api2"], "the swap (more urgent) goes before queued API work"
    scheduler.shutdown()
