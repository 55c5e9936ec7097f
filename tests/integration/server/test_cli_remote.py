"""``autoglm chat`` and ``autoglm serve`` make the window's engine choice: a remote server saved in the
settings (even under the old keys) is used by every front; ``--remote`` picks one for a run."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

CLI_TIMEOUT_S = 180


def _autoglm(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autoglm", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
    )


def _save_old_style_remote(home: Path, url: str) -> None:
    """A settings file as the app wrote it before the remote engine had its own group."""
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "settings.json").write_text(
        json.dumps(
            {
                "appearance": {"theme": "dark", "remote_url": url, "remote_api_key": None},
                "generation": {"max_tokens": 4, "temperature": 0.0, "thinking": False},
            }
        ),
        encoding="utf-8",
    )


def test_a_saved_remote_server_answers_autoglm_chat_and_autoglm_serve(
    llama_cpp_server: Any, child_env: dict[str, str]
) -> None:
    home = Path(child_env["AUTOGLM_HOME"])
    _save_old_style_remote(home, llama_cpp_server.v1)

    answered = _autoglm(child_env, "chat", "Say hi.", "--json")
    assert answered.returncode == 0, answered.stderr
    reply = json.loads(answered.stdout)
    assert (
        reply["model"] == "starter" and reply["content"].strip()
    )  # the peer's alias: no local model loaded

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "autoglm", "serve", "--port", str(port)],
        env=child_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + CLI_TIMEOUT_S
        while True:
            assert process.poll() is None, process.communicate()[1]
            try:
                models = httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=5).json()
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "autoglm serve did not start"
                time.sleep(0.3)
        assert [entry["id"] for entry in models["data"]] == ["starter"]
    finally:
        process.terminate()
        assert process.wait(30) == 0


def test_remote_flag_and_a_bad_address_in_words(
    llama_cpp_server: Any, child_env: dict[str, str]
) -> None:
    answered = _autoglm(
        child_env,
        "chat",
        "Say hi.",
        "--json",
        "--remote",
        llama_cpp_server.v1,
        "--max-tokens",
        "4",
        "--no-thinking",
    )
    assert answered.returncode == 0, answered.stderr
    assert json.loads(answered.stdout)["model"] == "starter"

    refused = _autoglm(child_env, "chat", "Say hi.", "--remote", "ftp://gpu-box")
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "autoglm: --remote: 'ftp://gpu-box' is not an http:// or https:// address "
        "(for example http://gpu-box:8000/v1)."
    )
