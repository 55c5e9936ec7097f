"""``autoglm docs`` as a user runs it: add, list, search, reindex, remove, watch; mistakes told in one line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fixtures.documents import write_bad_files, write_corpus

APP_DIR = Path(__file__).resolve().parents[3] / "app"
pytestmark = pytest.mark.slow


def _env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "AUTOGLM_HOME": str(home),
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(APP_DIR), os.environ.get("PYTHONPATH", "")) if p
        ),
    }


def docs(home: Path, *words: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autoglm", "docs", *words],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_docs_commands_add_list_search_reindex_and_remove(tmp_path: Path) -> None:
    home, folder = tmp_path / "home", write_corpus(tmp_path / "docs")
    write_bad_files(folder / "bad")
    added = docs(home, "add", "harbour", str(folder))
    assert added.returncode == 0 and "Indexed 6 file(s)" in added.stdout
    assert "locked.pdf is protected by a password." in added.stdout
    listed = json.loads(docs(home, "list", "harbour", "--json").stdout)
    status = {d["name"]: d["status"] for d in listed["documents"]}
    assert status["harbour-report.pdf"] == "indexed" and status["damaged.pdf"] == "failed"
    found = json.loads(
        docs(
            home, "search", "harbour", "Who is the lighthouse keeper?", "--passages", "2", "--json"
        ).stdout
    )
    assert (
        found["citations"][0]["source"] == "harbour-report.pdf"
        and found["citations"][0]["page"] == 2
    )
    assert len(found["citations"]) <= 2 and found["prompt_tokens"] > 10
    assert json.loads(docs(home, "reindex", "harbour", "--json").stdout)["indexed"] == []
    removed = docs(home, "remove", "harbour", "--all")
    assert (
        removed.returncode == 0
        and docs(home, "list", "--json").stdout.strip() == '{"projects": {}}'
    )
    refused = docs(home, "reindex", "nowhere")
    assert (
        refused.returncode == 2
        and "has no documents" in refused.stderr
        and "Traceback" not in refused.stderr
    )


def test_docs_watch_indexes_new_files_until_stopped(tmp_path: Path) -> None:
    home, folder = tmp_path / "home", tmp_path / "watched"
    folder.mkdir()
    (folder / "first.md").write_text(
        "# Ferry\n\nThe ferry to Zanthor leaves at 06:40.\n", encoding="utf-8"
    )
    watcher = subprocess.Popen(
        [sys.executable, "-m", "autoglm", "docs", "watch", "p", str(folder), "--json"],
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while (
            time.monotonic() < deadline
            and docs(home, "list", "p", "--json").stdout.count('"indexed"') < 1
        ):
            time.sleep(1)
        (folder / "second.md").write_text(
            "# Bridge\n\nThe Quorvel bridge opened in 1931.\n", encoding="utf-8"
        )
        while (
            time.monotonic() < deadline
            and docs(home, "list", "p", "--json").stdout.count('"indexed"') < 2
        ):
            time.sleep(1)
        assert docs(home, "list", "p", "--json").stdout.count('"indexed"') == 2
    finally:
        watcher.send_signal(signal.SIGINT)
        out, err = watcher.communicate(timeout=60)
    assert watcher.returncode == 0 and "Traceback" not in err
    assert any(
        "second.md" in json.loads(line)["indexed"][0] for line in out.splitlines() if line.strip()
    )
