"""The document library over a real runtime: documents filed under project ids, older indexes moved, folders watched."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autoglm.core.runtime import Runtime
from autoglm.knowledge.index import DocumentIndex, connect
from fixtures.documents import FACTS, write_corpus


@pytest.fixture
def runtime(sentence_embedder: object) -> Iterator[Runtime]:
    built = Runtime(embedder=lambda: sentence_embedder)  # type: ignore[arg-type, return-value]
    yield built
    built.close()


def open_library(runtime: Runtime) -> Any:
    from autoglm.knowledge.library import DocumentLibrary

    return DocumentLibrary(runtime)


def test_an_index_keyed_by_project_names_is_moved_to_project_ids_when_opened(
    tmp_path: Path, runtime: Runtime, sentence_embedder: object
) -> None:
    harbour = runtime.store.create_project("Harbour")
    folder = write_corpus(tmp_path / "docs")
    older = DocumentIndex(runtime.paths.documents_path, sentence_embedder)  # type: ignore[arg-type]
    older.add("Harbour", [folder])
    older.add("Kept by the terminal", [folder / "project-notes.md"])  # a name the window never had
    before = {d.name: d.indexed_at for d in older.documents("Harbour")}
    older.close()
    conn = connect(runtime.paths.documents_path)  # the index as it was before keys were project ids
    conn.execute("PRAGMA user_version = 0")
    conn.commit()
    conn.close()

    library = open_library(runtime)
    try:
        made = runtime.store.project_named("Kept by the terminal")
        assert made is not None, "documents under a name the store lacks become a project"
        assert library.index.keys_are_project_ids
        assert sorted(library.index.projects()) == sorted([str(harbour), str(made.id)])
        assert {
            d.name: d.indexed_at for d in library.documents(harbour)
        } == before  # moved, not indexed again
        best = library.retrieve("Harbour", FACTS[0].question).citations[0]
        assert (best.source, best.page) == (
            FACTS[0].file,
            FACTS[0].page,
        )  # keywords and vectors moved together
        assert [d.name for d in library.documents(made.id)] == ["project-notes.md"]
    finally:
        library.close()
    again = open_library(runtime)  # opened again: nothing left to move
    try:
        assert sorted(again.index.projects()) == sorted([str(harbour), str(made.id)])
    finally:
        again.close()


def test_documents_follow_a_project_through_a_rename_and_go_with_it(
    tmp_path: Path, runtime: Runtime
) -> None:
    library = open_library(runtime)
    try:
        report = library.add_in_background("Lisbon", [write_corpus(tmp_path / "docs")]).wait()
        assert report is not None and len(report.indexed) == 6
        project = runtime.store.project_named("Lisbon")
        assert project is not None, "adding to a new name makes the project"
        runtime.store.update_project(project.id, name="Porto")
        assert library.documents("Lisbon") == [] and len(library.documents("Porto")) == 6
        assert library.retrieve(project.id, FACTS[3].question).citations[0].source == FACTS[3].file
        assert library.forget_project("Porto") == 6 and library.index.projects() == []
        with pytest.raises(Exception, match="no project named 'Nowhere'"):
            library.retrieve("Nowhere", "anything")
    finally:
        library.close()


def wait_until(condition: Any, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_folders_added_are_watched_until_forgotten(tmp_path: Path, runtime: Runtime) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "ferry.md").write_text(
        "# Ferry\n\nThe ferry to Zanthor leaves at 06:40.\n", encoding="utf-8"
    )
    library = open_library(runtime)
    changes: list[tuple[str, Any]] = []
    try:
        library.keep_watching(lambda key, report: changes.append((key, report)))
        library.add_in_background("Notes", [folder]).wait()
        key = library.key("Notes")
        assert wait_until(lambda: key in library.watched())
        assert library.watched()[key] == [folder.resolve()]
        (folder / "bridge.md").write_text(
            "# Bridge\n\nThe Quorvel bridge opened in 1931.\n", encoding="utf-8"
        )
        assert wait_until(lambda: len(library.index.documents(key)) == 2)
        assert wait_until(lambda: bool(changes)) and changes[-1][0] == key
    finally:
        library.close()
    library = open_library(runtime)  # the app started again: the folder is watched again
    try:
        library.keep_watching(lambda key, report: None)
        assert library.watched() == {key: [folder.resolve()]}
        library.remove("Notes", [folder])
        assert library.index.documents(key) == [] and key not in library.watched()
    finally:
        library.close()
    reopened = open_library(runtime)
    try:  # a folder forgotten is not watched when the app starts again
        reopened.keep_watching(lambda key, report: None)
        assert reopened.watched() == {}
    finally:
        reopened.close()


def test_closing_the_library_ends_an_indexing_process_and_keeps_its_files(
    tmp_path: Path, runtime: Runtime
) -> None:
    from autoglm.bench.ui_documents import write_document_folder
    from autoglm.knowledge.library import DocumentLibrary

    folder = write_document_folder(tmp_path / "folder", 150)
    library = DocumentLibrary(runtime, apart=True)
    job = library.add_in_background("Archive", [folder])
    assert wait_until(lambda: job.progress.files_done >= 2, 120)
    children = list(library._children)
    assert len(children) == 1
    library.close()
    assert not children[0]._process.is_alive()
    report = job.wait(10)  # the child ended its batch and sent its report
    assert report is not None and report.cancelled
    assert not job.running
    reopened = open_library(runtime)
    done = [d for d in reopened.documents("Archive") if d.status == "indexed"]
    assert 2 <= len(done) < 150
    reopened.close()
