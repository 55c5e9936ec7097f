"""Fixtures for the app's API server and remote mode: free loopback ports, a second ``autoglm serve``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

SERVE_START_TIMEOUT_S = 180.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def free_port() -> Callable[[], int]:
    """``free_port()``: a loopback port nothing listens on right now."""
    return _free_port


@pytest.fixture
def autoglm_serve(starter_gguf: Path, tmp_path: Path) -> Iterator[str]:
    """A second ``autoglm serve`` process with the starter model on a free loopback port; its base URL."""
    port = _free_port()
    env = {
        **os.environ,
        "AUTOGLM_HOME": str(tmp_path / "serve-home"),
        "AUTOGLM_MODEL__N_CTX": "1024",
        "AUTOGLM_MODEL__N_THREADS": "1",
    }
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "autoglm",
            "serve",
            "--model",
            str(starter_gguf),
            "--port",
            str(port),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVE_START_TIMEOUT_S
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text(errors="replace")
            try:
                if httpx.get(f"{base_url}/health", timeout=2.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "autoglm serve did not become ready"
            time.sleep(0.3)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()
