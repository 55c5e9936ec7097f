"""``autoglm bench tools`` runs end to end: valid-call rates free and constrained, and the grammar's cost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autoglm.bench.tools import valid_call

QWEN = "{% if tools %}tools{% endif %}"


def test_valid_call_checks_the_schema() -> None:
    good = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'
    assert valid_call(good, QWEN) == (True, "get_weather")
    wrong_type = '<tool_call>\n{"name": "get_weather", "arguments": {"city": 3}}\n</tool_call>'
    assert valid_call(wrong_type, QWEN) == (False, "get_weather")
    missing = '<tool_call>\n{"name": "send_email", "arguments": {"to": "a@b.c"}}\n</tool_call>'
    assert valid_call(missing, QWEN)[0] is False
    assert valid_call("It is sunny.", QWEN) == (False, "")


@pytest.mark.timeout(900)  # a whole bench run with its peer
def test_bench_tools_writes_json(tmp_path: Path, starter_gguf: Path) -> None:
    out = tmp_path / "tools.json"
    env = {**os.environ, "AUTOGLM_HOME": str(tmp_path / "home")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "autoglm",
            "bench",
            "tools",
            "--model",
            str(starter_gguf),
            "--prompts",
            "2",
            "--max-tokens",
            "40",
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
    assert figures["prompts"] == 2 and len(figures["free"]) == len(figures["constrained"]) == 2
    assert figures["valid_calls_constrained"] == 1.0  # the grammar admits only valid calls
    assert 0.0 <= figures["valid_calls_free"] <= 1.0
    assert figures["ms_per_token_free"] > 0 and figures["grammar_cost_ratio"] > 0
    assert "grammar_cost_ratio" in result.stdout
