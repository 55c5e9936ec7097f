"""How messages read: ruled tables, copy feedback in place, jump to latest, zoom."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QTextDocument, QTextTable, QWheelEvent
from PySide6.QtWidgets import QApplication

from autoglm.ui.chat_model import MessageItem
from autoglm.ui.code_scroll import code_areas
from autoglm.ui.markdown_html import MarkdownRenderer
from autoglm.ui.message_delegate import is_block_laid

TABLE = "| Name | Size |\n|---|--:|\n| alpha | 1 |\n| beta | 22 |"
CODE_REPLY = "Here:\n\n```python\nprint('hi')\n```\n\nDone."


def _tables(document: QTextDocument) -> list[QTextTable]:
    return [frame for frame in document.rootFrame().childFrames() if isinstance(frame, QTextTable)]


def test_markdown_tables_have_ruled_cells_with_padding(qapp: Any) -> None:
    for dark in (False, True):
        document = QTextDocument()
        document.setHtml(MarkdownRenderer(dark=dark).render(TABLE).html)
        tables = _tables(document)
        assert len(tables) == 1
        table_format = tables[0].format()
        assert table_format.border() >= 1 and table_format.cellPadding() >= 4
        assert tables[0].rows() == 3 and tables[0].columns() == 2


def _window_with_messages(make_window: Any, gui_settings: Any, qtbot: Any, count: int = 1) -> Any:
    window = make_window(gui_settings, load=False)
    for n in range(count):
        window.controller.model.append(MessageItem("user", f"Question {n}"))
        window.controller.model.append(
            MessageItem("assistant", CODE_REPLY if n == count - 1 else TABLE)
        )
    window._update_stack()
    window.chat_view.scroll_to_end()
    qtbot.wait(100)
    return window


def test_copy_shows_on_the_button_and_the_view_stays_put(
    qtbot: Any, make_window: Any, gui_settings: Any, click_action: Any
) -> None:
    window = _window_with_messages(make_window, gui_settings, qtbot, count=12)
    view = window.chat_view
    last = view.model().rowCount() - 1
    click_action(window, last, "copy")
    item = view.model().item(last)
    assert QGuiApplication.clipboard().text() == CODE_REPLY
    assert view.delegate.factory.copied == (item.key, "copy")
    assert window.statusBar().currentMessage() == ""
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum() // 2)  # read further up
    qtbot.wait(100)
    scrolled = view.verticalScrollBar().value()
    height = view.visualRect(view.model().index(last, 0)).height()
    view.anchorActivated.emit("copy-code:0", item)
    assert QGuiApplication.clipboard().text() == "print('hi')"
    assert ">Copied<" in view.delegate.document(item, 600).toHtml()
    qtbot.wait(200)
    assert view.verticalScrollBar().value() == scrolled
    assert view.visualRect(view.model().index(last, 0)).height() == height
    window.grab().save("/tmp/polish/copied.png")
    qtbot.waitUntil(lambda: view.delegate.factory.copied is None, timeout=5000)
    assert ">Copied<" not in view.delegate.document(item, 600).toHtml()


def test_a_jump_to_latest_button_shows_while_scrolled_up(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = _window_with_messages(make_window, gui_settings, qtbot, count=15)
    view = window.chat_view
    assert not view.jump_button.isVisible()
    view.verticalScrollBar().setValue(0)
    qtbot.waitUntil(view.jump_button.isVisible, timeout=3000)
    assert view.jump_button.accessibleName() == "Jump to the latest message"
    window.grab().save("/tmp/polish/jump.png")
    qtbot.mouseClick(view.jump_button, Qt.MouseButton.LeftButton)
    bar = view.verticalScrollBar()
    qtbot.waitUntil(
        lambda: bar.value() == bar.maximum() and not view.jump_button.isVisible(), timeout=3000
    )
    assert view.follow


def test_ctrl_plus_and_minus_zoom_the_chat_text_and_ctrl_0_resets_it(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = _window_with_messages(make_window, gui_settings, qtbot)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    default = window.runtime.settings.appearance.font_size
    window.chat_view.setFocus()
    qtbot.keyClick(window.chat_view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.runtime.settings.appearance.font_size == default + 1
    assert window.chat_view.delegate.factory.look.font.pointSize() == default + 1
    qtbot.keyClick(window.chat_view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.chat_view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert window.runtime.settings.appearance.font_size == default - 1
    qtbot.keyClick(window.chat_view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.runtime.settings.appearance.font_size == default


def test_one_message_is_deleted_and_the_rest_of_the_chat_stays(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(gui_settings, load=False)
    store = window.runtime.store
    conversation_id = store.create_conversation("Delete one")
    for role, text in (
        ("user", "first question"),
        ("assistant", "first answer"),
        ("user", "second question"),
        ("assistant", "second answer"),
    ):
        store.add_message(conversation_id, role, text)
    window.sidebar.refresh()
    window.open_conversation(conversation_id)
    view = window.chat_view
    qtbot.waitUntil(lambda: view.model().rowCount() == 4, timeout=10_000)
    view.setFocus()
    view.setCurrentIndex(view.model().index(1, 0))
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert [item.content for item in view.model().items()] == [
        "first question",
        "second question",
        "second answer",
    ]
    qtbot.waitUntil(lambda: len(store.messages(conversation_id)) == 3, timeout=10_000)
    assert [m.content for m in store.messages(conversation_id)] == [
        "first question",
        "second question",
        "second answer",
    ]
    window.new_chat()
    window.open_conversation(conversation_id)
    qtbot.waitUntil(lambda: view.model().rowCount() == 3, timeout=10_000)
    assert [turn.content for turn in window.controller.conversation.turns()][-1] == "second answer"


MATH_REPLY = (
    "Euler: $e^{i\\pi} + 1 = 0$, and it costs $5 or $10.\n\n$$\\int_0^1 x^2\\,dx = \\frac{1}{3}$$"
)


def test_math_is_drawn_as_formulas_and_dollar_amounts_stay_text(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = _window_with_messages(make_window, gui_settings, qtbot, count=0)
    item = MessageItem("assistant", MATH_REPLY)
    window.controller.model.append(MessageItem("user", "Formulas?"))
    window.controller.model.append(item)
    window._update_stack()
    view = window.chat_view
    # The GUI thread shows the source first, then the drawn formulas once the background draw is done.
    qtbot.waitUntil(
        lambda: view.delegate.document(item, 600).toHtml().count("data:image/png") == 2,
        timeout=60_000,
    )
    html = view.delegate.document(item, 600).toHtml()
    assert "$5 or $10" in html and "e^{i" not in html
    window.grab().save("/tmp/polish/math-window.png")


LONG_CODE_LINE = (
    "    result = compute(" + ", ".join(f"argument_{n:02d}" for n in range(24)) + ")  # END"
)


def _code_line_block(document: QTextDocument, text: str) -> Any:
    block = document.begin()
    while block.isValid() and text not in block.text():
        block = block.next()
    assert block.isValid()
    return block


def _wheel(view: Any, pos: QPoint, delta: QPoint, modifiers: Qt.KeyboardModifier) -> None:
    global_pos = QPointF(view.viewport().mapToGlobal(pos))
    event = QWheelEvent(
        QPointF(pos),
        global_pos,
        QPoint(),
        delta,
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), event)


def _scroll_code(reply: str, qtbot: Any, make_window: Any, gui_settings: Any, name: str) -> None:
    """Shift+wheel, a sideways wheel and the bar scroll a 300-character line to its end; it never wraps."""
    assert len(LONG_CODE_LINE) >= 300
    window = _window_with_messages(make_window, gui_settings, qtbot, count=0)
    item = MessageItem("assistant", reply)
    window.controller.model.append(MessageItem("user", "Code?"))
    window.controller.model.append(item)
    window._update_stack()
    window.resize(900, 600)
    view = window.chat_view
    qtbot.wait(400)  # the resize's new row heights are measured in the background
    view.scroll_to_end()
    qtbot.wait(100)
    index = view.model().index(1, 0)
    rect = view.visualRect(index)
    delegate = view.delegate
    layout = delegate.row_layout(item, rect, True)
    document, origin, _first = next(
        placed
        for placed in delegate.placed_documents(item, layout)
        if "# END" in placed[0].toPlainText()
    )
    line = _code_line_block(document, "# END")
    assert line.layout().lineCount() == 1, "the long code line wrapped"
    assert line.layout().boundingRect().width() > layout.document.width()
    area = code_areas(document, layout.document.width())[0]
    line_y = (
        area.top + 6 + line.layout().position().y() + 4
    )  # block positions are within the table cell
    centre = (origin + QPointF(40, line_y)).toPoint()
    block = delegate.code_block_at(index, rect, centre)
    assert block is not None and block.area.overflow > 0 and block.offset == 0
    window.grab().save(f"/tmp/polish/{name}-start.png")
    for _ in range(200):  # Shift+wheel down scrolls right, as in editors and browsers
        _wheel(view, centre, QPoint(0, -120), Qt.KeyboardModifier.ShiftModifier)
    block = delegate.code_block_at(index, view.visualRect(index), centre)
    assert block is not None and block.offset == block.area.overflow, (
        "not scrolled to the end of the line"
    )
    # the line's end is what is shown at the block's right edge now
    right_edge = QPointF(block.area.visible_width - 8, line_y)
    position = document.documentLayout().hitTest(
        delegate.unscrolled(item, document, right_edge, block.number - _first),
        Qt.HitTestAccuracy.FuzzyHit,
    )
    assert position >= line.position() + line.length() - 4
    window.grab().save(f"/tmp/polish/{name}-end.png")
    _wheel(
        view, centre, QPoint(120, 0), Qt.KeyboardModifier.NoModifier
    )  # a sideways wheel scrolls back
    block = delegate.code_block_at(index, view.visualRect(index), centre)
    assert block is not None and 0 < block.offset < block.area.overflow
    # dragging the bar to the left edge brings the start of the line back
    bar = (block.origin + block.area.thumb(block.offset).center()).toPoint()
    qtbot.mouseMove(view.viewport(), bar)
    assert (
        view.viewport().cursor().shape() == Qt.CursorShape.SizeHorCursor
    )  # it reads as draggable sideways
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=bar)
    qtbot.mouseMove(view.viewport(), bar - QPoint(2000, 0))
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=bar - QPoint(2000, 0))
    block = delegate.code_block_at(index, view.visualRect(index), centre)
    assert block is not None and block.offset == 0
    # the header keeps to the column, so its Copy link is where it always was, scrolled or not
    delegate.scroll_code_block(block, block.area.overflow)
    header = (block.origin + QPointF(block.area.visible_width - 20, block.area.top - 14)).toPoint()
    assert delegate.hit(index, view.visualRect(index), header) == ("anchor", "copy-code:0")


def test_a_long_code_line_stays_one_line_and_its_block_scrolls_to_its_end(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    reply = f"Here it is:\n\n```python\ndef f():\n{LONG_CODE_LINE}\n    return result\n```\n\nThat is all."
    _scroll_code(reply, qtbot, make_window, gui_settings, "code-scroll")


def test_shift_and_the_arrows_scroll_the_current_messages_code_from_the_keyboard(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = _window_with_messages(make_window, gui_settings, qtbot, count=0)
    window.controller.model.append(MessageItem("user", "Code?"))
    window.controller.model.append(MessageItem("assistant", f"```python\n{LONG_CODE_LINE}\n```"))
    window._update_stack()
    view = window.chat_view
    qtbot.wait(300)
    view.setFocus()
    index = view.model().index(1, 0)
    view.setCurrentIndex(index)
    [block] = view.delegate.code_blocks(index, view.visualRect(index))
    assert block.area.overflow > 0 and block.offset == 0
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    [block] = view.delegate.code_blocks(index, view.visualRect(index))
    assert 0 < block.offset < block.area.overflow
    qtbot.keyClick(view, Qt.Key.Key_End, Qt.KeyboardModifier.ShiftModifier)
    [block] = view.delegate.code_blocks(index, view.visualRect(index))
    assert block.offset == block.area.overflow
    qtbot.keyClick(view, Qt.Key.Key_Home, Qt.KeyboardModifier.ShiftModifier)
    [block] = view.delegate.code_blocks(index, view.visualRect(index))
    assert block.offset == 0
    assert view.currentIndex().row() == 1  # the keys scrolled the code, not the selection


def test_a_code_block_in_a_long_reply_scrolls_too(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    prose = "\n\n".join(f"Paragraph {n} says something about the code below." for n in range(80))
    reply = f"{prose}\n\n```python\n{LONG_CODE_LINE}\n```\n\nThat is all."
    assert is_block_laid(MessageItem("assistant", reply))
    _scroll_code(reply, qtbot, make_window, gui_settings, "code-scroll-long")
