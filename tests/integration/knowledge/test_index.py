"""Indexing the test documents with the real embedding model and sqlite-vec: search, re-index, cancel, watch."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from autoglm.core.paths import AppPaths
from autoglm.core.store import ConversationStore
from autoglm.knowledge.index import DocumentIndex, IndexProgress
from fixtures.documents import FACTS, write_bad_files, write_corpus


@pytest.fixture
def index(tmp_path: Path, sentence_embedder: object) -> DocumentIndex:
    built = DocumentIndex(tmp_path / "documents.sqlite3", sentence_embedder)  # type: ignore[arg-type]
    yield built
    built.close()


def test_each_fact_is_found_in_its_file_and_page_and_bad_files_are_listed(
    tmp_path: Path, index: DocumentIndex
) -> None:
    folder = write_corpus(tmp_path / "docs")
    reasons = write_bad_files(folder / "bad")
    seen: list[float] = []
    report = index.add("harbour", [folder], progress=lambda state: seen.append(state.fraction))
    assert len(report.indexed) == 6 and not report.cancelled
    assert {Path(p).name: r for p, r in report.failed.items()}.keys() == reasons.keys()
    for name, word in reasons.items():
        assert word in report.failed[str((folder / "bad" / name).resolve())]
    assert seen[-1] == 1.0 and seen == sorted(seen)
    listed = {d.name: d for d in index.documents("harbour")}
    assert (
        listed["harbour-report.pdf"].pages == 3 and listed["harbour-report.pdf"].status == "indexed"
    )
    assert listed["locked.pdf"].status == "failed" and "password" in listed["locked.pdf"].reason
    for fact in FACTS:
        for mode in ("hybrid", "vector"):
            best = index.search("harbour", fact.question, 5, mode)[0]
            assert (best.name, best.page) == (fact.file, fact.page), (mode, fact.question, best)
            assert fact.answer in best.text
        keyword = index.search("harbour", fact.question, 5, "keyword")
        assert fact.file in [p.name for p in keyword]
    assert (
        index.search("elsewhere", FACTS[0].question) == []
    )  # projects do not see each other's documents
    assert index.rename_project("harbour", "port") == len(listed)
    assert index.documents("harbour") == [] and len(index.documents("port")) == len(listed)
    moved = index.search("port", FACTS[0].question, 1)[0]
    assert (moved.name, moved.page, moved.vector_rank) == (FACTS[0].file, FACTS[0].page, 1)


def test_unchanged_files_are_skipped_changed_ones_reindexed_and_deleted_ones_forgotten(
    tmp_path: Path, index: DocumentIndex
) -> None:
    folder = write_corpus(tmp_path / "docs")
    index.add("p", [folder])
    again = index.add("p", [folder])
    assert again.indexed == [] and len(again.unchanged) == 6
    notes = folder / "project-notes.md"
    os.utime(
        notes, (time.time() + 5, time.time() + 5)
    )  # touched, same content: hashed, still unchanged
    assert index.add("p", [notes]).unchanged == [str(notes.resolve())]
    notes.write_text(
        "# Budget\n\nThe Quillfeather budget was cut to 12,000 euros.\n", encoding="utf-8"
    )
    (folder / "tool.py").unlink()
    report = index.reindex("p")
    assert report.indexed == [str(notes.resolve())] and report.removed == [
        str((folder / "tool.py").resolve())
    ]
    best = index.search("p", "What is the Quillfeather budget?", 1)[0]
    assert "12,000" in best.text and not any(
        "48,500" in p.text for p in index.search("p", "Quillfeather", 10)
    )
    assert index.remove("p", [folder]) and index.documents("p") == []
    assert index.search("p", "Quillfeather budget") == []


def test_indexing_reports_progress_and_stops_when_cancelled(
    tmp_path: Path, index: DocumentIndex
) -> None:
    big = tmp_path / "long.txt"
    big.write_text(
        "".join(f"Paragraph {i} tells of harbour number {i}.\n\n" for i in range(20000)),
        encoding="utf-8",
    )
    cancel = threading.Event()
    states: list[IndexProgress] = []

    def progress(state: IndexProgress) -> None:
        states.append(IndexProgress(**vars(state)))
        if state.chunks >= 64:
            cancel.set()

    report = index.add("p", [big], progress=progress, cancel=cancel)
    assert report.cancelled and report.indexed == []
    assert 0 < states[-1].current_fraction < 0.5
    (record,) = index.documents("p")
    assert record.status == "cancelled"
    assert index.search("p", "harbour number 3", 3, "keyword")  # what was written stays searchable


def test_the_index_and_the_conversation_store_are_used_side_by_side(
    tmp_path: Path, index: DocumentIndex
) -> None:
    folder = write_corpus(tmp_path / "docs")
    index.add("p", [folder / "project-notes.md"])
    # separate files: the index may be opened by another SQLite library (sqlean), and two SQLite
    # libraries on one file in one process break each other's locks (SIGBUS in the window's tests)
    store = ConversationStore(tmp_path / "conversations.sqlite3", tmp_path / "attachments")
    paths = AppPaths(tmp_path / "config", tmp_path / "data", tmp_path / "cache", tmp_path / "logs")
    assert paths.documents_path != paths.database_path
    try:
        conversation = store.create_conversation("Budget")
        store.add_message(conversation, "user", "Quillfeather?")
        assert [hit.conversation_id for hit in store.search("Quillfeather")] == [conversation]
    finally:
        store.close()
    assert index.search("p", "Quillfeather budget", 1)[0].name == "project-notes.md"


def test_a_watched_folder_is_reindexed_when_files_change(
    tmp_path: Path, index: DocumentIndex
) -> None:
    from autoglm.knowledge.watch import FolderWatcher

    folder = tmp_path / "watched"
    folder.mkdir()
    changes = []
    watcher = FolderWatcher(index, "p", [folder], changes.append, quiet_s=0.2).start()
    try:
        (folder / "new.md").write_text(
            "# Ferry\n\nThe ferry to Zanthor leaves at 06:40.\n", encoding="utf-8"
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not index.search("p", "ferry Zanthor", 1, "keyword"):
            time.sleep(0.2)
        assert index.search("p", "When does the ferry to Zanthor leave?", 1)[0].name == "new.md"
        (folder / "new.md").unlink()
        while time.monotonic() < deadline and index.documents("p"):
            time.sleep(0.2)
        assert index.documents("p") == [] and changes
    finally:
        watcher.stop()


@pytest.mark.slow
def test_a_200_mb_file_is_indexed_in_the_background_in_bounded_memory(
    tmp_path: Path, sentence_embedder: object
) -> None:
    import psutil

    from autoglm.knowledge.index import DocumentIndex as Index
    from autoglm.knowledge.library import IndexJob

    big = tmp_path / "huge-log.txt"
    block = "".join(
        f"Entry {i}: the pump at station {i % 97} reported pressure {i % 13} bar.\n\n"
        for i in range(2000)
    ).encode()
    with big.open("wb") as out:
        while out.tell() < 200 * 2**20:
            out.write(block)
    index = Index(tmp_path / "big.sqlite3", sentence_embedder)  # type: ignore[arg-type]
    process = psutil.Process()
    baseline = process.memory_info().rss
    states: list[float] = []
    started = time.monotonic()
    job = IndexJob(
        lambda progress, cancel: index.add("p", [big], progress=progress, cancel=cancel),
        lambda state: states.append(state.current_fraction),
    ).start()
    assert time.monotonic() - started < 1.0  # the caller (the window) goes on at once
    peak = baseline
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(states) < 8 and job.running:
        peak = max(peak, process.memory_info().rss)
        time.sleep(0.1)
    job.cancel()
    report = job.wait(60)
    index.close()
    assert report is not None and report.cancelled
    assert len(states) >= 5 and states[-1] > 0
    assert (peak - baseline) < 300 * 2**20, (
        f"indexing grew memory by {(peak - baseline) / 2**20:.0f} MiB"
    )


def test_the_embedding_model_unloads_when_idle_and_loads_again_on_use() -> None:
    from autoglm.knowledge.embedder import SentenceEmbedder

    embedder = SentenceEmbedder(threads=2, idle_unload_s=0.5)
    try:
        first, tokens = embedder.embed(["The crane lifts 38 tonnes.", "起重机能吊起三十八吨。"])
        assert embedder.loaded and embedder.loads == 1 and tokens == 5 + 10
        deadline = time.monotonic() + 30
        while embedder.loaded and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not embedder.loaded
        again, _ = embedder.embed(["The crane lifts 38 tonnes."])
        assert (
            embedder.loads == 2 and max(abs(a - b) for a, b in zip(again[0], first[0])) < 1e-2
        )  # batched or alone
    finally:
        embedder.close()
