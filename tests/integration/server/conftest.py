"""Real servers on loopback for the API tests.

* ``api`` — the API in this process over the session's shared scheduler (the real
  starter model), on a free port: the same object the desktop app starts.
* ``serve_url`` — ``autoglm serve`` as its own process, as a user runs it.
* ``llama_cpp_server`` — llama-cpp-python's own server on the starter model, the
  peer the remote engine is tested against.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parents[2]))  # tests/fixtures

import fixtures.projector

projector_gguf = (
    fixtures.projector.projector_gguf
)  # the generated projector, shared with the vision tests
APP_DIR = Path(__file__).resolve().parents[3] / "app"


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def subprocess_env(home: Path) -> dict[str, str]:
    """Environment for a child process: its own app home, the package importable, 2 threads."""
    python_path = os.pathsep.join(p for p in (str(APP_DIR), os.environ.get("PYTHONPATH", "")) if p)
    return {
        **os.environ,
        "AUTOGLM_HOME": str(home),
        "PYTHONPATH": python_path,
        "AUTOGLM_MODEL__N_CTX": "2048",
        "AUTOGLM_MODEL__N_THREADS": "2",
    }


def launch(command: list[str], home: Path) -> subprocess.Popen[bytes]:
    """Start a server process whose output goes to ``home/server.log`` (a pipe could fill up)."""
    home.mkdir(parents=True, exist_ok=True)
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(
        command, env=subprocess_env(home), stdout=log, stderr=subprocess.STDOUT
    )
    log.close()
    process.log_path = home / "server.log"  # type: ignore[attr-defined]
    return process


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 180.0) -> None:
    """Poll ``url`` until it answers 200; fail with the process's output if it exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.log_path.read_text(errors="replace")  # type: ignore[attr-defined]
            pytest.fail(f"server exited with {process.returncode}:\n{output[-3000:]}")
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.kill()
    pytest.fail(f"{url} did not become healthy in {timeout:.0f} s")


def stop_process(process: subprocess.Popen[bytes]) -> int:
    """SIGTERM, then kill if it lingers; the exit code."""
    process.terminate()
    try:
        return process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait(10)


class ServedApi:
    """An in-process ``ApiServer`` and its base URLs."""

    def __init__(self, server: object, model_id: str):
        self.server = server
        self.model_id = model_id

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return self.server.url  # type: ignore[attr-defined]

    @property
    def v1(self) -> str:
        """The OpenAI base URL."""
        return f"{self.url}/v1"


def _start_api(scheduler: object, **server_fields: object) -> object:
    from autoglm.core.settings import ServerSettings, Settings
    from autoglm.server import ApiServer

    settings = Settings(server=ServerSettings(port=0, **server_fields))  # type: ignore[arg-type]
    return ApiServer(scheduler, settings).start()


@pytest.fixture(scope="session")
def api(scheduler: object, llama_engine: object) -> Iterator[ServedApi]:
    """The API in this process over the shared starter-model scheduler (1 MiB body limit)."""
    server = _start_api(scheduler, max_body_mb=1.0)
    yield ServedApi(server, llama_engine.info.model_id)  # type: ignore[attr-defined]
    server.stop()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def vision_api(starter_gguf: Path, projector_gguf: Path) -> Iterator[ServedApi]:  # the fixture
    """The API over the starter model with the generated projector (its own engine and scheduler)."""
    from autoglm.core.llama.client import WorkerEngine
    from autoglm.core.scheduler import Scheduler
    from autoglm.core.settings import ModelSettings

    engine = WorkerEngine(
        starter_gguf,
        ModelSettings(n_ctx=4096, n_threads=2),
        model_id="qwen2.5-coder-0.5b",
        mmproj_path=projector_gguf,
        log_dir=projector_gguf.parent,
    )
    engine.load()
    scheduler = Scheduler(engine).start()
    server = _start_api(scheduler)
    yield ServedApi(server, engine.info.model_id)
    server.stop()  # type: ignore[attr-defined]
    scheduler.shutdown()
    engine.unload()


@pytest.fixture
def keyed_api(scheduler: object, llama_engine: object) -> Iterator[ServedApi]:
    """The same API requiring the key ``s3cret`` and allowing 3 requests a minute."""
    server = _start_api(scheduler, api_key="s3cret", rate_limit_per_minute=3)
    yield ServedApi(server, llama_engine.info.model_id)  # type: ignore[attr-defined]
    server.stop()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def serve_url(starter_gguf: Path, session_home: Path) -> Iterator[str]:
    """``autoglm serve --port N --model qwen2.5-coder-0.5b`` in its own process; yields ``http://…:N``.

    It shares the session's app home, where the starter model is already assembled.
    """
    port = free_port()
    process = launch(
        [
            sys.executable,
            "-m",
            "autoglm",
            "serve",
            "--port",
            str(port),
            "--model",
            "qwen2.5-coder-0.5b",
        ],
        session_home,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_healthy(f"{url}/health", process)
    yield url
    assert stop_process(process) == 0, "autoglm serve did not shut down cleanly on SIGTERM"


class PeerServer:
    """llama-cpp-python's server: its ``/v1`` URL and its log file."""

    def __init__(self, v1: str, log_path: Path):
        self.v1 = v1
        self.log_path = log_path

    def log_mentions(self, text: str, timeout: float = 30.0) -> bool:
        """Whether ``text`` appears in the server's log within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log_path.read_text(errors="replace"):
                return True
            time.sleep(0.2)
        return False


@pytest.fixture(scope="module")
def llama_cpp_server(
    starter_gguf: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PeerServer]:
    """``python -m llama_cpp.server`` on the starter model (alias ``starter``)."""
    pytest.importorskip(
        "sse_starlette", reason="llama-cpp-python's server extras are not installed"
    )
    port = free_port()
    process = launch(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(starter_gguf),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "2048",
            "--n_threads",
            "2",
            "--model_alias",
            "starter",
        ],
        tmp_path_factory.mktemp("peer-home"),
    )
    wait_until_healthy(f"http://127.0.0.1:{port}/v1/models", process)
    yield PeerServer(f"http://127.0.0.1:{port}/v1", process.log_path)  # type: ignore[attr-defined]
    stop_process(process)


@pytest.fixture
def child_env(tmp_path: Path) -> dict[str, str]:
    """Environment for an `autoglm` child process with its own app home."""
    return subprocess_env(tmp_path / "child-home")


@pytest.fixture(scope="module")
def autoglm_serve_url(
    glm_standin: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """``autoglm serve`` in its own process on the AutoGLM-Phone-9B stand-in and its projector."""
    port = free_port()
    process = launch(
        [
            sys.executable,
            "-m",
            "autoglm",
            "serve",
            "--port",
            str(port),
            "--model",
            str(glm_standin.model),
            "--mmproj",
            str(glm_standin.mmproj),
        ],  # type: ignore[attr-defined]
        tmp_path_factory.mktemp("autoglm-serve-home"),
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_healthy(f"{url}/health", process)
    yield url
    assert stop_process(process) == 0, "autoglm serve did not shut down cleanly on SIGTERM"


@pytest.fixture(scope="module")
def autoglm_serve_catalog_url(
    glm_standin: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """``autoglm serve`` on the stand-in installed as ``autoglm-phone-9b``, the id a download gives it."""
    home = tmp_path_factory.mktemp("autoglm-serve-catalog-home")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "autoglm",
            "models",
            "import",
            str(glm_standin.model),  # type: ignore[attr-defined]
            "--mmproj",
            str(glm_standin.mmproj),
            "--id",
            "autoglm-phone-9b",
        ],  # type: ignore[attr-defined]
        env=subprocess_env(home),
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = free_port()
    process = launch(
        [
            sys.executable,
            "-m",
            "autoglm",
            "serve",
            "--port",
            str(port),
            "--model",
            "autoglm-phone-9b",
        ],
        home,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_healthy(f"{url}/health", process)
    yield url
    assert stop_process(process) == 0, "autoglm serve did not shut down cleanly on SIGTERM"
