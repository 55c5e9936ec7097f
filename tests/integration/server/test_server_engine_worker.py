"""The API over the engine worker: a request in flight when the worker dies gets an OpenAI-shaped 503,
the next one a normal answer."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from autoglm.core.llama.client import WorkerEngine
from autoglm.core.scheduler import Scheduler
from autoglm.core.settings import ModelSettings, ServerSettings, Settings
from autoglm.server import ApiServer

CHAT = {"model": "qwen2.5-coder-0.5b", "temperature": 0}


@pytest.fixture(scope="module")
def worker_api(
    starter_gguf: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, WorkerEngine]]:
    """The API on loopback over a scheduler whose engine is the starter model in a worker."""
    engine = WorkerEngine(
        starter_gguf,
        ModelSettings(n_ctx=2048, n_threads=2),
        model_id="qwen2.5-coder-0.5b",
        log_dir=tmp_path_factory.mktemp("engine-logs"),
    )
    engine.load()
    scheduler = Scheduler(engine).start()
    server = ApiServer(scheduler, Settings(server=ServerSettings(port=0))).start()
    yield f"{server.url}/v1", engine
    server.stop()
    scheduler.shutdown()
    engine.unload()


@pytest.mark.slow
def test_the_request_in_flight_gets_503_and_the_next_one_200(
    worker_api: tuple[str, WorkerEngine],
) -> None:
    v1, engine = worker_api
    answers: list[httpx.Response] = []
    long_request = {
        **CHAT,
        "max_tokens": 400,
        "messages": [{"role": "user", "content": "Count from 1 to 300, separated by commas."}],
    }
    client = threading.Thread(
        target=lambda: answers.append(
            httpx.post(f"{v1}/chat/completions", json=long_request, timeout=180)
        ),
        daemon=True,
    )
    client.start()
    deadline = time.monotonic() + 120
    while engine.events_in_flight < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    pid = engine.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    client.join(180)
    assert len(answers) == 1
    failed = answers[0]
    assert failed.status_code == 503 and failed.headers.get("retry-after")
    error = failed.json()["error"]
    assert error["code"] == "engine_restarted" and error["type"] == "server_error"
    assert "engine stopped" in error["message"] and "killed" in error["message"]
    following = httpx.post(
        f"{v1}/chat/completions",
        timeout=180,
        json={**CHAT, "max_tokens": 8, "messages": [{"role": "user", "content": "Say hello."}]},
    )
    assert following.status_code == 200
    assert following.json()["choices"][0]["message"]["content"]
