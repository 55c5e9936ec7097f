"""A project's documents panel in the real window: drop and pick files, see what failed and why, cancel."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPoint, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog

from autoglm.ui.documents_panel import DocumentsPanelDialog

INDEX_TIMEOUT_MS = 300_000


def open_panel(qtbot: Any, window: Any, project_id: int) -> DocumentsPanelDialog:
    """The panel, opened from the project's menu in the sidebar, once its list is read."""
    window.sidebar.refresh()
    menu = window.sidebar.context_menu(window.sidebar.project_item(project_id))
    with qtbot.waitSignal(window.projects.dialogShown, timeout=5000) as shown:
        next(a for a in menu.actions() if a.objectName() == "projectDocuments").trigger()
    panel = shown.args[0]
    assert isinstance(panel, DocumentsPanelDialog)
    qtbot.waitUntil(
        lambda: panel.status.text() != "" or panel.list.topLevelItemCount() >= 0, timeout=5000
    )
    return panel


def drop_files(panel: DocumentsPanelDialog, paths: list[Path]) -> None:
    """Drop files or folders on the panel as a file manager does."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    where = QPoint(panel.width() // 2, panel.height() // 2)
    enter = QDragEnterEvent(
        where,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(panel, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        where.toPointF(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(panel, drop)
    assert drop.isAccepted()


def wait_for_run(qtbot: Any, panel: DocumentsPanelDialog) -> None:
    """Until the panel's indexing run has ended and its list shows the index as it then is."""
    run = panel.run
    assert run is not None
    if run.running:
        with qtbot.waitSignal(run.ended, timeout=INDEX_TIMEOUT_MS):
            pass
    # the run's last file and its end each read the list again: wait for the latest reading
    qtbot.waitUntil(panel.list_current, timeout=10_000)


def test_dropped_and_picked_documents_are_listed_with_their_state(
    qtbot, make_window, gui_settings, tmp_path: Path
) -> None:
    window = make_window(gui_settings, load=False)
    project_id = window.runtime.store.create_project("Lisbon")
    folder = tmp_path / "trip"
    folder.mkdir()
    (folder / "trams.md").write_text(
        "# Trams\n\nTram 28 climbs to the castle of São Jorge.\n", encoding="utf-8"
    )
    (folder / "hotel.txt").write_text(
        "The hotel's wifi password is lavender-42.\n", encoding="utf-8"
    )
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\nthis is not really a PDF\n")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # no vision model is loaded here
    panel = open_panel(qtbot, window, project_id)
    assert panel.rows() == [] and not panel.progress.isVisible()

    drop_files(panel, [folder])
    assert panel.progress.isVisible() and panel.cancel_button.isVisible()
    assert not panel.add_files_button.isEnabled()  # one run at a time
    wait_for_run(qtbot, panel)
    states = dict(panel.rows())
    assert states["trams.md"] == "Indexed" and states["hotel.txt"] == "Indexed"
    assert (
        states["broken.pdf"].startswith("Failed: ")
        and len(states["broken.pdf"]) > len("Failed: ") + 5
    )
    assert states["empty.txt"].startswith("Failed: ")
    assert states["photo.png"] == "Needs a vision model"
    assert "2 indexed" in panel.status.text() and "2 could not be read" in panel.status.text()
    assert "1 image(s) wait for a vision model" in panel.status.text()
    assert not panel.progress.isVisible() and panel.add_files_button.isEnabled()

    # the picker adds files the same way
    extra = tmp_path / "budget.md"
    extra.write_text("# Budget\n\nDinner costs 40 euros.\n", encoding="utf-8")
    qtbot.mouseClick(panel.add_files_button, Qt.MouseButton.LeftButton)
    picker = panel.findChild(QFileDialog, "documentPicker")
    assert picker is not None and picker.isVisible()
    picker.setDirectory(str(tmp_path))
    picker.selectFile(str(extra))
    picker.accept()
    wait_for_run(qtbot, panel)
    assert dict(panel.rows())["budget.md"] == "Indexed"

    # removing forgets the document, not the file
    row = next(
        i
        for i in range(panel.list.topLevelItemCount())
        if panel.list.topLevelItem(i).text(0) == "budget.md"
    )
    panel.list.topLevelItem(row).setSelected(True)
    assert panel.remove_button.isEnabled()
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "budget.md" not in dict(panel.rows()), timeout=10_000)
    assert len(panel.rows()) == 5 and extra.exists() and "removed" in panel.status.text()

    # closed and opened again, the panel lists what the index holds
    panel.close()
    again = open_panel(qtbot, window, project_id)
    qtbot.waitUntil(lambda: len(again.rows()) == 5, timeout=10_000)


def test_indexing_a_large_folder_can_be_cancelled_and_never_stalls_the_window(
    qtbot, make_window, gui_settings, tmp_path: Path
) -> None:
    window = make_window(gui_settings, load=False)
    project_id = window.runtime.store.create_project("Archive")
    folder = tmp_path / "archive"
    folder.mkdir()
    paragraph = (
        "Quarterly figures for the northern branch, with remarks on staffing and stock. " * 40
    )
    for number in range(300):
        (folder / f"report-{number:03}.txt").write_text(
            f"Report {number}\n\n" + paragraph, encoding="utf-8"
        )
    panel = open_panel(qtbot, window, project_id)

    gaps: list[float] = []
    last = [time.monotonic()]

    def tick() -> None:
        now = time.monotonic()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    drop_files(panel, [folder])
    run = panel.run
    qtbot.waitUntil(
        lambda: run.progress is not None and run.progress.files_done >= 3, timeout=INDEX_TIMEOUT_MS
    )
    assert 0 < panel.progress.value() < panel.progress.maximum()
    assert "of 300" in panel.status.text()
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    wait_for_run(qtbot, panel)
    timer.stop()
    assert run.report is not None and run.report.cancelled
    assert panel.status.text().startswith("Cancelled")
    assert 3 <= len(run.report.indexed) < 300
    assert max(gaps) < 0.5, f"the GUI thread stalled for {max(gaps) * 1000:.0f} ms"


def test_the_documents_panel_and_citation_viewer_are_in_chinese(
    qtbot, make_window, gui_settings, tmp_path: Path
) -> None:
    from test_translation_complete import untranslated, visible_strings

    from autoglm.core.conversation import Citation
    from autoglm.core.settings import updated
    from autoglm.ui.chat_model import MessageItem

    window = make_window(updated(gui_settings, "appearance", language="zh_CN"), load=False)
    window.languages.apply("zh_CN")
    try:
        project_id = window.runtime.store.create_project("Lisbon")
        panel = open_panel(qtbot, window, project_id)
        (tmp_path / "a.md").write_text("# A\n\nalpha beta gamma delta\n", encoding="utf-8")
        drop_files(panel, [tmp_path / "a.md"])
        wait_for_run(qtbot, panel)
        item = MessageItem(
            "assistant",
            "好",
            citations=[
                Citation("a.md", "alpha beta gamma delta", "A", path=str(tmp_path / "a.md"))
            ],
        )
        with qtbot.waitSignal(window.projects.dialogShown, timeout=5000) as shown:
            window.projects.open_citation(item, 0)
        viewer = shown.args[0]
        texts = [(where, text) for root in (panel, viewer) for where, text in visible_strings(root)]
        texts.append(("sources", window.chat_view.delegate.factory.sources_html(item)))
        missing = [(where, text) for where, text in texts if untranslated(text)]
        assert not missing and len(texts) > 10
    finally:
        window.languages.apply("en")


def test_a_renamed_project_keeps_its_documents_without_indexing_them_again(
    qtbot, make_window, gui_settings, tmp_path: Path
) -> None:
    window = make_window(gui_settings, load=False)
    project_id = window.runtime.store.create_project("Lisbon")
    note = tmp_path / "trams.md"
    note.write_text("# Trams\n\nTram 28 climbs to the castle.\n", encoding="utf-8")
    panel = open_panel(qtbot, window, project_id)
    drop_files(panel, [note])
    wait_for_run(qtbot, panel)
    panel.close()
    library = window.projects.library()
    before = library.documents(project_id)
    assert [(d.name, d.status) for d in before] == [("trams.md", "indexed")]

    window.sidebar.refresh()
    with qtbot.waitSignal(window.projects.projectsChanged, timeout=5000):
        window.sidebar.project_item(project_id).setText(0, "Lisbon 2026")  # renamed in place
    assert window.runtime.store.get_project(project_id).name == "Lisbon 2026"
    assert window.projects.index_run(project_id) is None, "a rename indexes nothing"
    assert library.documents(project_id) == before  # same rows, same time of indexing
    assert library.documents("Lisbon 2026") == before and library.documents("Lisbon") == []
    assert [
        c.source for c in library.retrieve(project_id, "Which tram climbs to the castle?").citations
    ] == ["trams.md"]
    again = open_panel(qtbot, window, project_id)
    qtbot.waitUntil(lambda: again.rows() == [("trams.md", "Indexed")], timeout=10_000)


def test_a_folder_added_in_the_window_is_watched_while_it_runs(
    qtbot, make_window, gui_settings, tmp_path: Path
) -> None:
    window = make_window(gui_settings, load=False)
    project_id = window.runtime.store.create_project("Lisbon")
    folder = tmp_path / "trip"
    folder.mkdir()
    (folder / "trams.md").write_text("# Trams\n\nTram 28 climbs to the castle.\n", encoding="utf-8")
    panel = open_panel(qtbot, window, project_id)
    drop_files(panel, [folder])
    wait_for_run(qtbot, panel)
    library = window.projects.library()
    qtbot.waitUntil(lambda: str(project_id) in library.watched(), timeout=10_000)

    ferry = folder / "ferry.md"
    started = time.monotonic()
    ferry.write_text(
        "# Ferry\n\nThe ferry to Cacilhas leaves every 20 minutes.\n", encoding="utf-8"
    )
    qtbot.waitUntil(lambda: dict(panel.rows()).get("ferry.md") == "Indexed", timeout=30_000)
    listed_after = time.monotonic() - started
    assert (
        library.retrieve(project_id, "How often does the ferry to Cacilhas leave?")
        .citations[0]
        .source
        == "ferry.md"
    )

    ferry.write_text(
        "# Ferry\n\nThe ferry to Cacilhas leaves every 15 minutes.\n", encoding="utf-8"
    )
    qtbot.waitUntil(
        lambda: any(
            "15 minutes" in c.text for c in library.retrieve(project_id, "ferry Cacilhas").citations
        ),
        timeout=30_000,
    )
    ferry.unlink()
    qtbot.waitUntil(lambda: "ferry.md" not in dict(panel.rows()), timeout=30_000)
    assert dict(panel.rows()) == {"trams.md": "Indexed"}
    assert listed_after < 10, f"the new file was listed after {listed_after:.1f} s"

    window.projects._delete(project_id, with_conversations=True)  # as the confirmation does
    qtbot.waitUntil(lambda: library.watched() == {}, timeout=10_000)


def test_the_panel_sets_how_many_passages_go_into_a_question_and_shows_their_cost(
    qtbot, make_window, gui_settings, tmp_path: Path
) -> None:
    window = make_window(gui_settings, load=False)
    project_id = window.runtime.store.create_project("Lisbon")
    notes = tmp_path / "notes"
    notes.mkdir()
    for number in range(8):
        (notes / f"day-{number}.md").write_text(
            f"# Day {number}\n\n" + "We walked along the river and ate "
            "custard tarts in Belém before the tram ride home. " * 6,
            encoding="utf-8",
        )
    panel = open_panel(qtbot, window, project_id)
    qtbot.waitUntil(lambda: panel.cost.text() == "Nothing indexed yet", timeout=10_000)
    drop_files(panel, [notes])
    wait_for_run(qtbot, panel)
    assert panel.passages.value() == window.runtime.settings.documents.passages == 4
    qtbot.waitUntil(lambda: panel.cost.text().startswith("4 passage(s) · about "), timeout=10_000)
    assert "(estimated; no model loaded" in panel.cost.text()  # no model here: it says it estimates
    four = int(panel.cost.text().split("about ")[1].split()[0])

    with qtbot.waitSignal(panel.costShown, timeout=10_000):
        panel.passages.setValue(2)
    assert window.runtime.settings.documents.passages == 2  # the setting itself, saved
    assert panel.cost.text().startswith("2 passage(s) · about ")
    two = int(panel.cost.text().split("about ")[1].split()[0])
    assert 0 < two < four


def test_reading_the_list_again_keeps_the_rows_and_the_selection(
    qtbot, make_window, gui_settings, tmp_path: Path
) -> None:
    window = make_window(gui_settings, load=False)
    project_id = window.runtime.store.create_project("Rows")
    folder = tmp_path / "rows"
    folder.mkdir()
    for name in ("alpha", "beta", "gamma"):
        (folder / f"{name}.md").write_text(f"# {name}\n\nThe {name} note.\n", encoding="utf-8")
    panel = open_panel(qtbot, window, project_id)
    drop_files(panel, [folder])
    wait_for_run(qtbot, panel)
    rows = [panel.list.topLevelItem(i) for i in range(panel.list.topLevelItemCount())]
    rows[1].setSelected(True)
    with qtbot.waitSignal(panel.listed, timeout=10_000):
        panel.refresh()
    assert [
        panel.list.topLevelItem(i) for i in range(panel.list.topLevelItemCount())
    ] == rows  # updated in place
    assert panel.list.selectedItems() == [rows[1]]
    (folder / "aardvark.md").write_text("# aardvark\n\nFirst in the list.\n", encoding="utf-8")
    drop_files(panel, [folder / "aardvark.md"])
    wait_for_run(qtbot, panel)
    assert [name for name, _state in panel.rows()] == [
        "aardvark.md",
        "alpha.md",
        "beta.md",
        "gamma.md",
    ]
    assert panel.list.topLevelItem(2) is rows[1] and panel.list.selectedItems() == [rows[1]]


def test_a_crash_of_the_indexing_process_is_told_in_words_and_reindex_finishes(
    qtbot, make_window, gui_settings, tmp_path: Path
) -> None:
    import os
    import signal

    window = make_window(gui_settings, load=False)
    project_id = window.runtime.store.create_project("Archive")
    folder = tmp_path / "archive"
    folder.mkdir()
    for number in range(80):
        (folder / f"note-{number:03}.txt").write_text(
            f"Note {number}: the harbour master counted the boats at dawn. " * 30,
            encoding="utf-8",
        )
    panel = open_panel(qtbot, window, project_id)
    drop_files(panel, [folder])
    run = panel.run
    assert run is not None
    qtbot.waitUntil(
        lambda: run.progress is not None and run.progress.files_done >= 2, timeout=INDEX_TIMEOUT_MS
    )
    children = list(window.projects.library()._children)
    assert len(children) == 1  # the window indexes in a process of its own
    os.kill(children[0]._process.pid, signal.SIGKILL)
    wait_for_run(qtbot, panel)
    assert run.report is None
    assert "stopped unexpectedly" in panel.status.text()
    assert "Traceback" not in panel.status.text()
    indexed = [d for d in window.projects.library().documents(project_id) if d.status == "indexed"]
    assert len(indexed) >= 2  # what was written before the crash stays
    qtbot.mouseClick(panel.reindex_button, Qt.MouseButton.LeftButton)
    wait_for_run(qtbot, panel)
    assert panel.run is not None and panel.run.report is not None
    assert panel.list.topLevelItemCount() == 80
    documents = window.projects.library().documents(project_id)
    assert all(d.status == "indexed" for d in documents) and len(documents) == 80
