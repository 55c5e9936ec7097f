"""`autoglm bench server` end to end, shrunk: a few clients for a few seconds, peer included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
@pytest.mark.timeout(900)  # a whole bench run with its peer
def test_bench_server_accounts_for_every_request(
    starter_gguf: Path, session_home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "bench.json"
    env_home = {"AUTOGLM_HOME": str(session_home)}
    command = [
        sys.executable,
        "-c",
        "from autoglm.bench.server import main; main()",
        # More clients than the engine decodes together (parallel_replies, 4) plus the one
        # request let wait: some must be refused. With 4, the batch held them all.
        "--clients",
        "8",
        "--duration",
        "6",
        "--rounds",
        "1",
        "--max-tokens",
        "4",
        "--max-queued",
        "1",
        "--threads",
        "2",
        "--json",
        str(out),
    ]
    result = subprocess.run(
        command,
        env={
            **os.environ,
            **env_home,
            "PYTHONPATH": str(Path(__file__).resolve().parents[3] / "app"),
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    figures = json.loads(out.read_text())
    for key in ("requests", "completed", "refused", "lost", "tokens_per_s", "p95_queue_wait_s"):
        assert key in figures
    assert figures["lost"] == 0 and figures["engine_idle"] is True
    assert (
        figures["requests"] == figures["completed"] + figures["refused"] + figures["disconnected"]
    )
    assert figures["completed"] > 0 and figures["refused"] > 0, (
        "8 clients over 4 decoded together and a 1-request queue must be refused"
    )
    assert figures["replies_cancelled"] <= figures["disconnected"], (
        "only replies whose client left are cancelled"
    )
    assert figures["peer"]["completed"] > 0 and figures["tokens_per_s_ratio_vs_peer"] > 0
    assert "autoglm bench server" in result.stdout
