"""Selecting text in a painted message with the mouse, and copying it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication

from autoglm.ui.chat_model import ITEM_ROLE

REPLY = "The quick brown fox jumps over the lazy dog."


def _open_reply(qtbot: Any, make_window: Any, gui_settings: Any) -> Any:
    window = make_window(gui_settings, load=False)
    store = window.runtime.store
    conversation_id = store.create_conversation("Pangram")
    store.add_message(conversation_id, "user", "Say a pangram.")
    store.add_message(conversation_id, "assistant", REPLY)
    window.sidebar.refresh()
    with qtbot.waitSignal(window.controller.loaded):
        window.open_conversation(conversation_id)
    qtbot.waitUntil(lambda: window.chat_view.model().rowCount() == 2)
    return window


def _char_point(view: Any, row: int, position: int) -> QPoint:
    """Where the character at ``position`` of ``row``'s text is painted (viewport coordinates)."""
    index = view.model().index(row, 0)
    layout = view.delegate.row_layout(index.data(ITEM_ROLE), view.visualRect(index), True)
    document = view.delegate.document(index.data(ITEM_ROLE), layout.document.width())
    block = document.findBlock(position)
    line = block.layout().lineForTextPosition(position - block.position())
    top = document.documentLayout().blockBoundingRect(block).top()
    x = line.cursorToX(position - block.position())[0]
    return layout.document.topLeft() + QPoint(int(x) + 1, int(top + line.y() + line.height() / 2))


def test_dragging_selects_words_and_ctrl_c_copies_them(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = _open_reply(qtbot, make_window, gui_settings)
    view = window.chat_view
    viewport = view.viewport()
    start, end = REPLY.index("quick"), REPLY.index(" jumps")
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=_char_point(view, 1, start))
    qtbot.mouseMove(viewport, _char_point(view, 1, (start + end) // 2))
    qtbot.mouseMove(viewport, _char_point(view, 1, end))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=_char_point(view, 1, end))
    assert view.selected_text() == "quick brown fox"
    QGuiApplication.clipboard().clear()
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "quick brown fox"
    assert window.controller.model.rowCount() == 2, "selecting must not trigger any message action"


def test_double_click_selects_a_word_and_a_click_clears_it(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = _open_reply(qtbot, make_window, gui_settings)
    view = window.chat_view
    viewport = view.viewport()
    lazy = _char_point(view, 1, REPLY.index("lazy") + 1)
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=lazy)
    assert view.selected_text() == "lazy"
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=_char_point(view, 0, 2))
    assert view.selected_text() == "" and view.text_selection is None
