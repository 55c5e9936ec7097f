"""Citations in the real window: a reply's sources under it, each opening its document at the passage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from autoglm.core.conversation import Citation, Turn
from autoglm.ui.citation_viewer import CitationViewerDialog
from autoglm.ui.documents_panel import DocumentsPanelDialog

INDEX_TIMEOUT_MS = 180_000


def open_citation(qtbot: Any, window: Any, item: Any, number: int) -> CitationViewerDialog:
    """Follow the reply's ``cite:N`` link and wait until the viewer shows the document."""
    with qtbot.waitSignal(window.projects.dialogShown, timeout=5000) as shown:
        window.chat_view.anchorActivated.emit(f"cite:{number}", item)
    viewer = shown.args[0]
    assert isinstance(viewer, CitationViewerDialog)
    with qtbot.waitSignal(viewer.shown, timeout=30_000):
        pass
    return viewer


def test_sources_are_listed_under_a_reply_and_open_at_the_page_or_passage(
    qtbot, make_window, gui_settings, tmp_path: Path
) -> None:
    from fixtures.documents import write_corpus

    corpus = write_corpus(tmp_path / "corpus")
    window = make_window(gui_settings, load=False)
    store = window.runtime.store
    conversation = store.create_conversation("Harbour")
    store.add_message(conversation, "user", "Who keeps the lighthouse?")
    citations = [
        Citation(
            "harbour-report.pdf",
            "The lighthouse keeper of Vardo harbour is named Ingrid Solbakken.",
            "page 2",
            0.9,
            path=str(corpus / "harbour-report.pdf"),
            page=2,
        ),
        Citation(
            "project-notes.md",
            "The Quillfeather project budget is 48,500 euros for the whole year.",
            "Budget",
            0.5,
            path=str(corpus / "project-notes.md"),
        ),
        Citation(
            "gone.txt",
            "A file that was moved away.",
            "line 3",
            0.1,
            path=str(tmp_path / "gone.txt"),
        ),
        Citation(
            "whiteboard.png",
            "A whiteboard reading: crane inspection on Friday.",
            "whiteboard",
            0.05,
            path=str(tmp_path / "whiteboard.png"),
        ),
    ]
    from PIL import Image

    Image.new("RGB", (1600, 800), "#3b6ea5").save(tmp_path / "whiteboard.png")
    reply = Turn("assistant", "Ingrid Solbakken keeps it [1].", citations=citations)
    store.add_message(conversation, "assistant", reply.content, extra=reply.extra())
    with qtbot.waitSignal(window.controller.loaded, timeout=10_000):
        window.open_conversation(conversation)
    item = window.controller.model.items()[-1]
    assert [c.source for c in item.citations] == [
        "harbour-report.pdf",
        "project-notes.md",
        "gone.txt",
        "whiteboard.png",
    ]
    html = window.chat_view.delegate.factory.html(item, keep=False)
    assert "Sources:" in html and 'href="cite:0"' in html and "harbour-report.pdf, page 2" in html

    # a PDF passage opens on its page, drawn
    viewer = open_citation(qtbot, window, item, 0)
    assert viewer.windowTitle() == "harbour-report.pdf, page 2"
    qtbot.waitUntil(viewer.page_scroll.isVisible, timeout=5000)
    assert (
        viewer.page_image.width() == 900 and viewer.page_image.height() > 900
    )  # an A4 page, drawn
    pixmap = viewer.page_view.pixmap()
    assert not pixmap.isNull() and pixmap.width() <= viewer.page_scroll.viewport().width()
    assert viewer.file_url().fragment() == "page=2" and viewer.file_url().isLocalFile()
    viewer.close()

    # a Markdown passage opens in the file's text, marked and scrolled to
    viewer = open_citation(qtbot, window, item, 1)
    assert viewer.text_view.isVisible() and viewer.marked
    assert "48,500" in viewer.text_view.textCursor().block().text()
    viewer.close()

    # a file that moved away is said in words; the cited passage is still there to read
    viewer = open_citation(qtbot, window, item, 2)
    assert "no longer where it was indexed" in viewer.message.text()
    assert not viewer.open_button.isEnabled() and "moved away" in viewer.passage.toPlainText()
    viewer.close()

    # an image opens as the picture, its description (what was indexed) below it
    viewer = open_citation(qtbot, window, item, 3)
    qtbot.waitUntil(viewer.page_scroll.isVisible, timeout=5000)
    assert (viewer.page_image.width(), viewer.page_image.height()) == (
        900,
        450,
    )  # scaled to a page's width
    assert "crane inspection" in viewer.passage.toPlainText() and not viewer.text_view.isVisible()


@pytest.mark.slow
def test_a_question_in_a_project_with_documents_is_answered_with_its_sources(
    qtbot, window, send_and_wait, tmp_path: Path
) -> None:
    from fixtures.documents import FACTS, write_corpus

    corpus = write_corpus(tmp_path / "corpus")
    store = window.runtime.store
    project_id = store.create_project(
        "Harbour", "Answer from the documents, in one sentence.", sampling={"max_tokens": 24}
    )
    window.sidebar.refresh()
    window.projects.open_documents(project_id)
    panel = window._dialogs[-1]
    assert isinstance(panel, DocumentsPanelDialog)
    panel.add_paths([corpus])
    with qtbot.waitSignal(panel.run.ended, timeout=INDEX_TIMEOUT_MS):
        pass
    panel.close()

    window.projects.new_chat_in(project_id)
    submitted: list[Any] = []
    window.controller.replySubmitted.connect(submitted.append)
    fact = FACTS[0]
    send_and_wait(window, fact.question)
    question = submitted[0].request.messages[-1].content
    assert (
        "Ingrid Solbakken" in question and "harbour-report.pdf" in question
    )  # the passage went with it
    item = window.controller.model.items()[-1]
    assert item.citations, "the reply lists no sources"
    assert any(c.source == fact.file and c.page == fact.page for c in item.citations)
    assert "Sources:" in window.chat_view.delegate.factory.html(item, keep=False)
    qtbot.waitUntil(
        lambda: "citations" in store.messages(window.controller.conversation_id)[-1].extra,
        timeout=10_000,
    )
    stored = store.messages(window.controller.conversation_id)[-1].extra["citations"]
    assert {c["source"] for c in stored} == {c.source for c in item.citations}
