"""``autoglm bench text`` runs end to end and writes every figure the issue names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

KEYS = {
    "load_s",
    "ttft_turn1_s",
    "ttft_turn8_s",
    "ttft_turn8_over_turn1",
    "decode_tok_s",
    "peer_decode_tok_s",
    "decode_ratio_vs_peer",
    "peak_rss_mb",
}


def test_bench_text_writes_json(tmp_path: Path, starter_gguf: Path) -> None:
    out = tmp_path / "text.json"
    env = {**os.environ, "AUTOGLM_HOME": str(tmp_path / "home")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "autoglm",
            "bench",
            "text",
            "--model",
            str(starter_gguf),
            "--trials",
            "1",
            "--decode-tokens",
            "24",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(out.read_text())
    assert KEYS <= figures.keys()
    assert figures["decode_tok_s"] > 0 and figures["peer_decode_tok_s"] > 0
    assert len(figures["ttft_by_turn_s"]) == 8
    assert "decode_ratio_vs_peer" in result.stdout  # the table is printed too
