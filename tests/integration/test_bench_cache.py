"""``autoglm bench cache`` runs end to end, as the app runs the engine, and writes every figure it names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

KEYS = {
    "switch_back_ttft_ratio",
    "restart_ttft_ratio",
    "ttft_follow_up_no_switch_s",
    "ttft_follow_up_after_switch_s",
    "ttft_after_restart_s",
    "ttft_from_scratch_s",
    "restart_cached_prompt_tokens",
    "peak_rss_mb",
    "aggregate_speedup_4",
    "aggregate_speedup_4_end_to_end",
    "raw_batched_speedup_4",
    "aggregate_over_raw",
    "voice_priority_delay_ms",
    "decode_step_ms",
    "concurrent_matches_alone",
}


@pytest.mark.timeout(900)  # a whole bench run: minutes on two busy cores
def test_bench_cache_writes_json(tmp_path: Path, starter_gguf: Path) -> None:
    """A short run (few tokens, one trial, no peer): the figures' names and meaning, not their values."""
    out = tmp_path / "cache.json"
    env = {**os.environ, "AUTOGLM_HOME": str(tmp_path / "home")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "autoglm",
            "bench",
            "cache",
            "--model",
            str(starter_gguf),
            "--turns",
            "2",
            "--threads",
            "2",
            "--stream-tokens",
            "16",
            "--trials",
            "1",
            "--no-peer",
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
    assert (
        figures["switch_back_cached_prompt_tokens"] > 0
    )  # the switch back reused A's own sequence
    assert figures["restart_cached_prompt_tokens"] > 0  # A came back from disk after the restart
    assert figures["concurrent_matches_alone"] is True  # greedy replies decoded together = alone
    assert figures["aggregate_speedup_4"] > 0 and figures["decode_step_ms"] > 0
    assert "restart_ttft_ratio" in result.stdout  # the table is printed too
