"""``bench ui``'s documents scenario: the GUI thread while a large folder indexes with the
Documents panel open (its progress bar, status line and list follow the run)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from autoglm.bench.docs import write_pdf

_TOPICS = (
    "harbour",
    "orchard",
    "observatory",
    "railway",
    "library",
    "bakery",
    "quarry",
    "lighthouse",
)
PDF_FILES = 5
"""PDFs among the files (three pages each), the rest Markdown and plain text."""


def write_document_folder(folder: Path, files: int) -> Path:
    """``files`` documents of a few paragraphs each, in two subfolders, a few of them PDFs."""
    for sub in ("notes", "reports"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for number in range(files):
        topic = _TOPICS[number % len(_TOPICS)]
        paragraphs = [
            f"The {topic} number {number} was surveyed in year {1900 + number % 120}. "
            f"Its keeper noted {number * 7 % 97} visitors on the first day and "
            f"{number * 13 % 89} on the second; the {topic} is {number % 40 + 3} metres wide. " * 3
            for _ in range(6)
        ]
        sub = "notes" if number % 2 else "reports"
        if number < PDF_FILES:
            write_pdf(folder / sub / f"{topic}-{number:03d}.pdf", [" ".join(paragraphs)] * 3)
        elif number % 3:
            body = "\n\n".join(
                [
                    f"# The {topic} {number}",
                    *(f"## Part {n}\n\n{text}" for n, text in enumerate(paragraphs)),
                ]
            )
            (folder / sub / f"{topic}-{number:03d}.md").write_text(body + "\n", encoding="utf-8")
        else:
            (folder / sub / f"{topic}-{number:03d}.txt").write_text(
                "\n\n".join(paragraphs) + "\n", encoding="utf-8"
            )
    return folder


def index_with_panel_open(
    window: Any, runtime: Any, heartbeat: Any, folder: Path, files: int
) -> dict[str, Any]:
    """Open a project's Documents panel, add a folder of ``files`` documents and measure the
    GUI thread until the run has ended and the panel lists them all."""
    from autoglm.bench.event_loop import settle, wait_until

    write_document_folder(folder, files)
    project_id = runtime.store.create_project("Bench documents")
    shown: list[Any] = []
    window.projects.dialogShown.connect(shown.append)
    window.projects.open_documents(project_id)
    panel = shown[-1]
    wait_until(panel.list_current, 30)
    settle(0.2)
    heartbeat.start()
    started = time.perf_counter()
    panel.add_paths([folder])
    ended = wait_until(lambda: panel.run is not None and not panel.run.running, 900)
    seconds = time.perf_counter() - started
    listed = wait_until(
        lambda: panel.list_current() and panel.list.topLevelItemCount() >= files, 30
    )
    settle(0.3)
    stall = heartbeat.stop()
    report = panel.run.report if panel.run is not None else None
    figures = {
        "docs_index_max_gui_stall_ms": round(stall, 1),
        "docs_index_gui_cpu_ms": heartbeat.max_cpu_ms,
        "docs_index_files": files,
        "docs_index_indexed": len(report.indexed) if report is not None else 0,
        "docs_index_s": round(seconds, 1),
        "docs_index_completed": bool(ended and listed and report is not None),
    }
    panel.close()
    window.projects.dialogShown.disconnect(shown.append)
    return figures
