"""``autoglm bench vision`` runs end to end against llama-cpp-python's MTMD handler and writes its figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

KEYS = {
    "followup_ttft_s",
    "peer_followup_ttft_s",
    "followup_ttft_ratio_vs_peer",
    "first_turn_ttft_s",
    "peer_first_turn_ttft_s",
    "followup_cached_prompt_tokens",
    "followup_image_encodes",
    "peak_rss_mb",
}


def test_bench_vision_writes_json(tmp_path: Path, starter_gguf: Path, projector_gguf: Path) -> None:
    out = tmp_path / "vision.json"
    env = {**os.environ, "AUTOGLM_HOME": str(tmp_path / "home")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "autoglm",
            "bench",
            "vision",
            "--model",
            str(starter_gguf),
            "--mmproj",
            str(projector_gguf),
            "--trials",
            "1",
            "--threads",
            "2",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=1200,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(out.read_text())
    assert KEYS <= figures.keys()
    assert figures["followup_ttft_s"] > 0 and figures["peer_followup_ttft_s"] > 0
    assert figures["followup_image_encodes"] == 0  # the follow-up reused the image's KV entries
    assert figures["followup_cached_prompt_tokens"] > 256
    assert "followup_ttft_ratio_vs_peer" in result.stdout  # the table is printed too


def test_bench_vision_on_the_autoglm_stand_in_reuses_the_mrope_image(
    tmp_path: Path, glm_standin
) -> None:
    out = tmp_path / "vision-glm.json"
    env = {**os.environ, "AUTOGLM_HOME": str(tmp_path / "home")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "autoglm",
            "bench",
            "vision",
            "--model",
            str(glm_standin.model),
            "--mmproj",
            str(glm_standin.mmproj),
            "--trials",
            "1",
            "--threads",
            "2",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=1200,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(out.read_text())
    assert figures["followup_image_encodes"] == 0
    assert figures["followup_cached_prompt_tokens"] > (800 // 28) * (600 // 28)
    assert (
        figures["phone_screenshot_1080x2400_prompt_tokens"] == 21 * 48
    )  # the default budget, 1,024
    assert (
        figures["desktop_screenshot_2560x1440_prompt_tokens"]
        <= figures["image_tokens_budget"]
        == 1024
    )
    assert (
        figures["followup_ttft_ratio_vs_peer"] < 1.0
    )  # the peer re-encodes and re-evaluates the image
