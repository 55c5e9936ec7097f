"""ForegroundWork: the engine's wait between tokens returns at once unless a foreground job runs."""

from __future__ import annotations

import threading
import time

from autoglm.core.foreground import ForegroundWork


def test_waiting_with_no_foreground_work_does_not_pause() -> None:
    work = ForegroundWork()
    work.wait_idle(timeout=5)
    assert work.pauses == 0


def test_waiting_blocks_until_every_foreground_job_ended() -> None:
    work = ForegroundWork()
    first_done, second_done = threading.Event(), threading.Event()

    def job(done: threading.Event) -> None:
        with work.running():
            done.wait(5)

    jobs = [threading.Thread(target=job, args=(event,)) for event in (first_done, second_done)]
    for thread in jobs:
        thread.start()
    while work._running < 2:
        time.sleep(0.001)
    returned = threading.Event()
    waiter = threading.Thread(target=lambda: (work.wait_idle(timeout=5), returned.set()))
    waiter.start()
    first_done.set()
    assert not returned.wait(0.2), "one job still runs: the wait must go on"
    second_done.set()
    assert returned.wait(5)
    assert work.pauses == 1
    for thread in [*jobs, waiter]:
        thread.join(5)


def test_the_pause_is_capped() -> None:
    work = ForegroundWork()
    with work.running():
        started = time.monotonic()
        work.wait_idle(timeout=0.05)
        assert time.monotonic() - started < 2.0
