"""Indexing in a child process: progress, report, cancelling, an image described by the parent
and a crash told in words that loses the files already indexed."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from autoglm.bench.ui_documents import write_document_folder
from autoglm.knowledge.index import DocumentIndex, IndexProgress
from autoglm.knowledge.index_process import IndexingStopped, IndexProcess, describe_work


def _index(tmp_path: Path) -> DocumentIndex:
    return DocumentIndex(tmp_path / "documents.db", None)  # keyword search: no model to load


def test_a_folder_is_indexed_in_a_child_and_the_parent_reads_it(tmp_path: Path) -> None:
    folder = write_document_folder(tmp_path / "folder", 12)
    index = _index(tmp_path)
    work = describe_work(index, "7", [folder], force=False, reindex=False)
    assert work is not None
    seen: list[IndexProgress] = []
    report = IndexProcess(work, None).run(seen.append, threading.Event())
    assert len(report.indexed) == 12 and not report.failed and not report.cancelled
    assert seen and seen[-1].files_done == seen[-1].files_total == 12
    assert len(index.documents("7")) == 12
    assert index.search("7", "lighthouse keeper", 3, "keyword")
    again = describe_work(index, "7", [], force=False, reindex=True)
    assert again is not None
    assert len(IndexProcess(again, None).run(seen.append, threading.Event()).unchanged) == 12
    index.close()


def test_cancelling_stops_the_child_and_keeps_what_it_wrote(tmp_path: Path) -> None:
    folder = write_document_folder(tmp_path / "folder", 60)
    index = _index(tmp_path)
    work = describe_work(index, "7", [folder], force=False, reindex=False)
    assert work is not None
    cancel = threading.Event()

    def progress(state: IndexProgress) -> None:
        if state.files_done >= 3:
            cancel.set()

    report = IndexProcess(work, None).run(progress, cancel)
    assert report.cancelled
    assert 3 <= len(report.indexed) < 60
    assert {d.path for d in index.documents("7") if d.status == "indexed"} == set(report.indexed)
    index.close()


def test_an_image_is_described_by_the_parent(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.new("RGB", (64, 48), "orange").save(folder / "sign.png")
    index = _index(tmp_path)
    work = describe_work(index, "7", [folder], force=False, reindex=False)
    assert work is not None
    asked: list[str] = []

    def describe(path: Path) -> str:
        asked.append(path.name)
        return "A hand-painted sign that reads OPEN ON SUNDAYS, on an orange wall."

    report = IndexProcess(work, describe).run(lambda _state: None, threading.Event())
    assert asked == ["sign.png"] and len(report.indexed) == 1
    assert index.search("7", "Sundays sign", 1, "keyword")[0].name == "sign.png"
    index.close()


def test_a_crashed_child_is_told_in_words_and_loses_nothing(tmp_path: Path) -> None:
    folder = write_document_folder(tmp_path / "folder", 60)
    index = _index(tmp_path)
    work = describe_work(index, "7", [folder], force=False, reindex=False)
    assert work is not None
    child = IndexProcess(work, None)

    def progress(state: IndexProgress) -> None:
        if state.files_done == 5:
            os.kill(child._process.pid or 0, signal.SIGKILL)

    with pytest.raises(IndexingStopped, match="stopped unexpectedly.*Re-index"):
        child.run(progress, threading.Event())
    kept = [d for d in index.documents("7") if d.status == "indexed"]
    assert len(kept) >= 5
    rest = describe_work(index, "7", [], force=False, reindex=True)
    assert rest is not None
    report = IndexProcess(rest, None).run(lambda _state: None, threading.Event())
    assert len(report.unchanged) == len(kept)
    assert len([d for d in index.documents("7") if d.status == "indexed"]) == 60
    index.close()


def test_an_index_with_an_embedder_of_its_own_is_indexed_in_the_thread(tmp_path: Path) -> None:
    class Other:
        dimensions = 512

    index: Any = DocumentIndex(tmp_path / "documents.db", None)
    index.embedder = Other()
    assert describe_work(index, "7", [tmp_path], force=False, reindex=False) is None
    index.close()
