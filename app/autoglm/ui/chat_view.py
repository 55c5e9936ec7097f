"""The conversation view: a virtualised list of messages that follows a streaming reply.

Only visible rows are painted, heights come from the delegate's cache, and layout of a
freshly opened conversation runs in batches so the window keeps answering. The view sticks
to the bottom while a reply streams unless the user scrolls up; scrolling back to the
bottom makes it follow again. Text in a message is selected by dragging or double-clicking
(``ui.text_selection``) and copied with Ctrl+C or the context menu.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QModelIndex, QPoint, QPointF, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QContextMenuEvent,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QResizeEvent,
    QTextDocument,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QListView,
    QMenu,
    QToolButton,
    QWidget,
)

from autoglm.ui import deferred_render
from autoglm.ui.chat_model import ITEM_ROLE, ChatMessagesModel, MessageItem
from autoglm.ui.icons import icon
from autoglm.ui.main_thread import run_on_main
from autoglm.ui.markdown_html import COPY_CODE_SCHEME
from autoglm.ui.message_delegate import (
    CodeBlockHit,
    Measured,
    MessageDelegate,
    action_label,
    column_width,
    is_block_laid,
    message_actions,
)
from autoglm.ui.tasks import BackgroundTask
from autoglm.ui.text_selection import TextSelection, position_at, word_at

_LOGGER = logging.getLogger(__name__)
_FOLLOW_SLACK_PX = 24
_CODE_SCROLL_PX_PER_NOTCH = 60
_REMEASURE_DELAY_MS = 150
_DEFERRED_MARKS = ("$", "\\(", "\\[", "```", "~~~")
"""What a message holds when its look may wait for background rendering: formulas, code blocks."""
_WARM_UP_REPLY = (
    "# Title\n\n## Part\n\nText with **bold**, *italic* and `code`:\n\n1. one\n- two\n\n"
    "```python\ndef f(x: int) -> int:\n    return x  # note\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
)
COPIED_FEEDBACK_MS = 1500
"""How long a copy button shows a check mark (a code block's link reads "Copied")."""


class ChatViewWidget(QListView):
    """Shows a ``ChatMessagesModel``; emits what the user clicked in a message."""

    actionTriggered = Signal(str, object)
    """(action name, MessageItem): copy, regenerate, speak, edit, continue, delete."""
    anchorActivated = Signal(str, object)
    """(href, MessageItem): code copy links, reasoning toggle, images, web links."""

    def __init__(self, model: ChatMessagesModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatView")
        self.delegate = MessageDelegate(self)
        self.delegate.row_width = lambda: self.viewport().width()
        self.setModel(model)
        self.setItemDelegate(self.delegate)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setUniformItemSizes(False)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(25)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setMouseTracking(True)
        self.setWordWrap(True)
        self.verticalScrollBar().setSingleStep(24)
        self.follow = True
        self._adjusting = False
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(self._range_changed)
        bar.valueChanged.connect(self._value_changed)
        model.rowsInserted.connect(self._rows_inserted)
        model.modelReset.connect(self._model_reset)
        model.rowsRemoved.connect(lambda *_args: self.clear_text_selection())
        self._press: tuple[QPoint, TextSelection] | None = None  # where a possible drag began
        self._dragging = False
        self._code_drag: tuple[CodeBlockHit, float] | None = (
            None  # a code block's bar being dragged, from x
        )
        model.dataChanged.connect(self._data_changed)
        self._remeasure_timer = QTimer(self)
        self._remeasure_timer.setSingleShot(True)
        self._remeasure_timer.setInterval(_REMEASURE_DELAY_MS)
        self._remeasure_timer.timeout.connect(self._remeasure)
        self._remeasuring = False
        self.delegate.remeasureNeeded.connect(self._schedule_remeasure)
        self.delegate.layoutNeeded.connect(
            self.scheduleDelayedItemsLayout, Qt.ConnectionType.QueuedConnection
        )
        self._copied_timer = QTimer(self)
        self._copied_timer.setSingleShot(True)
        self._copied_timer.setInterval(COPIED_FEEDBACK_MS)
        self._copied_timer.timeout.connect(lambda: self.show_copied(None))
        self.jump_button = QToolButton(self)
        self.jump_button.setObjectName("jumpToLatest")
        self.jump_button.setIconSize(QSize(18, 18))
        self.jump_button.setFixedSize(QSize(36, 36))
        self.jump_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.jump_button.clicked.connect(self.scroll_to_end)
        self.jump_button.hide()
        self.retranslate_jump()
        deferred_render.add_listener(self._rendering_done)
        self.destroyed.connect(
            lambda *_args, listener=self._rendering_done: deferred_render.remove_listener(listener)
        )

    def warm_up(self) -> None:
        """Lay out and paint a sample reply off screen once (at start, while the window is idle):
        the first use of the fonts' engines and glyph caches, and drawing the reply's buttons,
        cost ~20 ms of GUI thread, which the first real reply would otherwise pay while it streams."""
        doc = self.delegate.factory.html_document(
            self.delegate.factory.rendered(
                MessageItem(role="assistant", content=_WARM_UP_REPLY), keep=False
            ),
            column_width(self.viewport().width()),
        )
        image = QImage(
            max(1, int(doc.textWidth())),
            max(1, int(doc.size().height())),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        image.fill(0)
        painter = QPainter(image)
        doc.drawContents(painter)
        for number, name in enumerate(
            ("copy", "regenerate", "speak", "edit", "continue")
        ):  # a reply's buttons
            for colour in (self.delegate.colours.muted, self.delegate.colours.text):
                icon(name, colour).paint(painter, QRect(number * 20, 0, 16, 16))
        painter.end()

    def _rendering_done(self) -> None:
        """Formulas drawn or code lexers built (a background thread): lay out the messages that have them again."""
        run_on_main(lambda: self._relayout_deferred() if shiboken6.isValid(self) else None)

    def _relayout_deferred(self) -> None:
        """Render again the messages the GUI thread drew with stand-ins: those it rendered
        itself (a reply being written, a long one laid out by blocks, HTML not from a worker)."""
        waiting, self.delegate.factory.placeholders = self.delegate.factory.placeholders, set()
        for item in self.chat_model().items():
            rendered_here = (
                item.rendered is not None and not item.rendered.final
            ) or is_block_laid(item)
            if (
                rendered_here and any(mark in item.content for mark in _DEFERRED_MARKS)
            ) or waiting.intersection(item.attachments):
                item.touch()
        self.scheduleDelayedItemsLayout()
        self.viewport().update()

    # -- copy feedback and the jump button ------------------------------------------------
    def retranslate_jump(self) -> None:
        """The jump button's words in the current language."""
        self.jump_button.setToolTip(self.tr("Jump to the latest message"))
        self.jump_button.setAccessibleName(self.tr("Jump to the latest message"))

    def show_copied(self, item: MessageItem | None, what: str = "copy") -> None:
        """Show ``item``'s copy button (or code block link ``what``) as copied for a moment, in place."""
        old = self.delegate.factory.copied
        self.delegate.factory.copied = (item.key, what) if item is not None else None
        model = self.chat_model()
        for key in {old[0] if old else None, item.key if item else None} - {None}:
            for row, candidate in enumerate(model.items()):
                if candidate.key == key:
                    candidate.revision += 1  # the label changes, its size does not: no jump
                    self.update(model.index(row, 0))
        if item is not None:
            self._copied_timer.start()

    def _update_jump_button(self) -> None:
        bar = self.verticalScrollBar()
        away = not self.follow and bar.value() < bar.maximum() - _FOLLOW_SLACK_PX
        if away != self.jump_button.isVisible():
            self.jump_button.setIcon(icon("arrow-down", self.delegate.colours.text))
            self.jump_button.setVisible(away)
            self.jump_button.raise_()
        self._place_jump_button()

    def _place_jump_button(self) -> None:
        area = self.viewport().geometry()
        self.jump_button.move(
            area.right() - self.jump_button.width() - 16,
            area.bottom() - self.jump_button.height() - 12,
        )

    # -- measuring off the GUI thread ----------------------------------------------------
    def make_measurer(
        self, keep_rendered: bool = True
    ) -> Callable[[list[MessageItem]], list[Measured]]:
        """A function a worker thread runs to measure items at the view's current width.

        Only sizes cross back to the GUI thread: a document laid out on a worker holds
        that thread's font engines, which die with the thread, so documents are rebuilt
        on the GUI thread for the rows actually painted.
        """
        factory = self.delegate.factory.clone()
        column = column_width(self.viewport().width())

        def measure(items: list[MessageItem]) -> list[Measured]:
            results = []
            for item in items:
                height, width, _doc = factory.measure(item, column, keep=keep_rendered)
                results.append(Measured(item, column, height, width))
            return results

        return measure

    def prime(self, measured: list[Measured]) -> None:
        """Use sizes measured by a worker; the list is laid out again from them."""
        self.delegate.prime(measured)
        self.scheduleDelayedItemsLayout()

    def _schedule_remeasure(self) -> None:
        if not self._remeasuring:
            self._remeasure_timer.start()

    def _remeasure(self) -> None:
        items = [item for item in self.chat_model().items() if not item.streaming]
        if not items:
            return
        self._remeasuring = True
        measure = self.make_measurer(keep_rendered=False)

        def done(measured: list[Measured]) -> None:
            self._remeasuring = False
            self.prime(measured)

        def failed(error: BaseException) -> None:
            self._remeasuring = False
            _LOGGER.warning("Measuring messages failed: %s", error)

        BackgroundTask(lambda: measure(items), name="measure-messages", owner=self).on_success(
            done
        ).on_failure(failed).start()

    def chat_model(self) -> ChatMessagesModel:
        """The model shown."""
        return self.model()  # type: ignore[return-value]

    # -- following the stream -----------------------------------------------------------
    def _range_changed(self, _minimum: int, maximum: int) -> None:
        if self.follow:
            self._adjusting = True
            self.verticalScrollBar().setValue(maximum)
            self._adjusting = False
        self._update_jump_button()

    def _value_changed(self, value: int) -> None:
        if not self._adjusting:
            self.follow = value >= self.verticalScrollBar().maximum() - _FOLLOW_SLACK_PX
        self._update_jump_button()

    def _rows_inserted(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        if self.follow:
            self.scroll_to_end()

    def _model_reset(self) -> None:
        self.delegate.selection = None
        self.follow = True
        self.scroll_to_end()

    def _data_changed(
        self, _top_left: QModelIndex, _bottom_right: QModelIndex, _roles: list[int] | None = None
    ) -> None:
        # Heights may have changed: lay out again soon (coalesced), not synchronously.
        self.scheduleDelayedItemsLayout()

    def scroll_to_end(self) -> None:
        """Jump to the newest message and follow it."""
        self.follow = True
        self._adjusting = True
        self.scrollToBottom()
        self._adjusting = False
        self._update_jump_button()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """Keep following the bottom across resizes; sizes for the new width come from a worker."""
        follow = self.follow
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._schedule_remeasure()
        if follow:
            self.scroll_to_end()
        self._place_jump_button()

    # -- clicks and hover ---------------------------------------------------------------
    def _hit(self, pos: QPoint) -> tuple[QModelIndex, tuple[str, str] | None]:
        index = self.indexAt(pos)
        if not index.isValid():
            return index, None
        return index, self.delegate.hit(index, self.visualRect(index), pos)

    # -- selecting text ------------------------------------------------------------------
    @property
    def text_selection(self) -> TextSelection | None:
        """The text selected in one message, if any."""
        return self.delegate.selection

    def _set_selection(self, selection: TextSelection | None) -> None:
        rows = {row.row for row in (self.delegate.selection, selection) if row is not None}
        self.delegate.selection = selection
        for row in rows:
            self.update(self.model().index(row, 0))

    def clear_text_selection(self) -> None:
        """Deselect (a click elsewhere, another conversation)."""
        if self.delegate.selection is not None:
            self._set_selection(None)

    def _document_at(self, row: int, pos: QPoint) -> tuple[QTextDocument, QPointF] | None:
        """The document of ``row`` and ``pos`` in its coordinates (``None`` if the row is gone)."""
        index = self.model().index(row, 0)
        if not index.isValid():
            return None
        item: MessageItem = index.data(ITEM_ROLE)
        layout = self.delegate.row_layout(
            item, self.visualRect(index), row == self.model().rowCount() - 1
        )
        document = self.delegate.document(item, layout.document.width())
        return document, self.delegate.unscrolled(
            item, document, QPointF(pos - layout.document.topLeft())
        )

    def select_words(self, row: int, words: str) -> bool:
        """Select the first place ``words`` appear (any case) in message ``row``: a search match shown."""
        found = self._document_at(row, QPoint())
        if found is None or not words.strip():
            return False
        cursor = found[0].find(words.strip())
        if cursor.isNull():
            return False
        self._set_selection(TextSelection(row, cursor.selectionStart(), cursor.selectionEnd()))
        return True

    def selected_text(self) -> str:
        """The selected text ('' if none)."""
        selection = self.delegate.selection
        if selection is None or selection.empty:
            return ""
        found = self._document_at(selection.row, QPoint())
        return selection.text(found[0]) if found else ""

    def copy_selection(self) -> bool:
        """Put the selected text on the clipboard; ``False`` if nothing is selected."""
        text = self.selected_text()
        if text:
            QGuiApplication.clipboard().setText(text)
        return bool(text)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """A press in a message's text may begin a selection; any press clears the old one."""
        pos = event.position().toPoint()
        self._press, self._dragging = None, False
        if (
            event.button() != Qt.MouseButton.LeftButton
        ):  # a right click keeps it for "Copy selection"
            super().mousePressEvent(event)
            return
        self.clear_text_selection()
        index = self.indexAt(pos)
        block = (
            self.delegate.code_block_at(index, self.visualRect(index), pos)
            if index.isValid()
            else None
        )
        if block is not None and self._over_code_bar(index, pos):
            self._code_drag = (block, pos.x())  # the bar under a wide code block: drag it to scroll
            event.accept()
            return
        found = self._document_at(index.row(), pos) if index.isValid() else None
        if found is not None:
            start = position_at(*found)
            self._press = (pos, TextSelection(index.row(), start, start))
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """Double-click selects the word under the pointer."""
        pos = event.position().toPoint()
        index = self.indexAt(pos)
        found = self._document_at(index.row(), pos) if index.isValid() else None
        if found is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        start, end = word_at(found[0], position_at(*found))
        if end > start:
            self._set_selection(TextSelection(index.row(), start, end))
        event.accept()

    def _drag_to(self, pos: QPoint) -> None:
        assert self._press is not None
        origin, selection = self._press
        if (
            not self._dragging
            and (pos - origin).manhattanLength() < QApplication.startDragDistance()
        ):
            return
        self._dragging = True
        found = self._document_at(selection.row, pos)
        if found is not None:
            self._set_selection(TextSelection(selection.row, selection.anchor, position_at(*found)))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """Drag selects text; otherwise a pointing hand over links and buttons."""
        if self._code_drag is not None:
            block, start_x = self._code_drag
            offset = block.area.offset_for_drag(block.offset, event.position().x() - start_x)
            if self.delegate.scroll_code_block(block, offset):
                self.viewport().update()
            return
        if self._press is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self._drag_to(event.position().toPoint())
            if self._dragging:
                self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
                return
        index, hit = self._hit(event.position().toPoint())
        hover = (index.row(), hit[1]) if hit and hit[0] == "action" else None
        if hover != self.delegate.hover:
            old = self.delegate.hover
            self.delegate.hover = hover
            for row in {old[0] if old else -1, hover[0] if hover else -1} - {-1}:
                self.update(self.model().index(row, 0))
        cursor = Qt.CursorShape.PointingHandCursor if hit else Qt.CursorShape.ArrowCursor
        if not hit and self._over_code_bar(index, event.position().toPoint()):
            cursor = Qt.CursorShape.SizeHorCursor  # the bar under a wide code block drags sideways
        self.viewport().setCursor(cursor)
        if hit and hit[0] == "action":
            self.setToolTip(action_label(hit[1]))
        else:
            self.setToolTip("")
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802
        """Drop the hover highlight."""
        if self.delegate.hover is not None:
            row = self.delegate.hover[0]
            self.delegate.hover = None
            self.update(self.model().index(row, 0))
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """End a drag selection, or activate the button or link under the pointer."""
        dragged, self._press, self._dragging = (
            self._dragging or self._code_drag is not None,
            None,
            False,
        )
        self._code_drag = None
        if dragged:
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            index, hit = self._hit(event.position().toPoint())
            if hit is not None:
                self.activate(index.row(), hit)
                event.accept()
                return
        super().mouseReleaseEvent(event)

    def _over_code_bar(self, index: QModelIndex, pos: QPoint) -> bool:
        block = (
            self.delegate.code_block_at(index, self.visualRect(index), pos)
            if index.isValid()
            else None
        )
        return (
            block is not None
            and bool(block.area.overflow)
            and block.area.bar_strip().contains(QPointF(pos) - block.origin)
        )

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        """A sideways wheel, or Shift with the wheel, over a wide code block scrolls that block."""
        delta = event.angleDelta()
        sideways = delta.x() or (
            delta.y() if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 0
        )
        pos = event.position().toPoint()
        index = self.indexAt(pos)
        block = (
            self.delegate.code_block_at(index, self.visualRect(index), pos)
            if sideways and index.isValid()
            else None
        )
        if block is not None and block.area.overflow:
            pixels = (
                event.pixelDelta().x()
                if event.pixelDelta().x()
                else sideways * _CODE_SCROLL_PX_PER_NOTCH / 120
            )
            if self.delegate.scroll_code_block(block, block.offset - pixels):
                self.update(index)
            event.accept()
            return
        super().wheelEvent(event)

    def activate(self, row: int, hit: tuple[str, str]) -> None:
        """Act as if ``hit`` (an action or an anchor) was clicked in ``row``."""
        item = self.chat_model().item(row)
        kind, name = hit
        if kind == "action":
            self.actionTriggered.emit(name, item)
        else:
            self.anchorActivated.emit(name, item)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Ctrl+C copies selected text; Enter on a message opens its menu of actions (keyboard access)."""
        if event.matches(QKeySequence.StandardKey.Copy) and self.copy_selection():
            return
        if event.matches(QKeySequence.StandardKey.Delete) and self.currentIndex().isValid():
            self.actionTriggered.emit("delete", self.currentIndex().data(ITEM_ROLE))
            return
        if self._scroll_code_by_key(event):
            return
        if (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Menu)
            and self.currentIndex().isValid()
        ):
            rect = self.visualRect(self.currentIndex())
            self._show_menu(self.currentIndex(), self.viewport().mapToGlobal(rect.center()))
            return
        super().keyPressEvent(event)

    def _scroll_code_by_key(self, event: QKeyEvent) -> bool:
        """Shift+Left/Right scroll the current message's wide code blocks sideways, Shift+Home/End
        to their start or end (the keyboard's way to read a long line)."""
        keys = {
            Qt.Key.Key_Left: -_CODE_SCROLL_PX_PER_NOTCH,
            Qt.Key.Key_Right: _CODE_SCROLL_PX_PER_NOTCH,
            Qt.Key.Key_Home: -float("inf"),
            Qt.Key.Key_End: float("inf"),
        }
        step = keys.get(Qt.Key(event.key()))
        index = self.currentIndex()
        if (
            step is None
            or event.modifiers() != Qt.KeyboardModifier.ShiftModifier
            or not index.isValid()
        ):
            return False
        blocks = [
            block
            for block in self.delegate.code_blocks(index, self.visualRect(index))
            if block.area.overflow
        ]
        moved = [self.delegate.scroll_code_block(block, block.offset + step) for block in blocks]
        if any(moved):
            self.update(index)
        return bool(blocks)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        """The actions of the message under the pointer."""
        index = self.indexAt(event.pos())
        if (
            event.reason() == QContextMenuEvent.Reason.Keyboard
        ):  # Shift+F10 or Menu: the current message
            index = self.currentIndex()
            if not index.isValid() and self.model().rowCount():
                index = self.model().index(self.model().rowCount() - 1, 0)
                self.setCurrentIndex(index)
        if index.isValid():
            self._show_menu(index, event.globalPos())

    def _show_menu(self, index: QModelIndex, global_pos: QPoint) -> None:
        item: MessageItem = index.data(ITEM_ROLE)
        is_last = index.row() == self.model().rowCount() - 1
        menu = QMenu(self)
        menu.setAccessibleName(self.tr("Message actions"))
        selection = self.delegate.selection
        if selection is not None and selection.row == index.row() and not selection.empty:
            copy = QAction(self.tr("Copy selection"), menu)
            copy.setShortcut(QKeySequence.StandardKey.Copy)
            copy.triggered.connect(self.copy_selection)
            menu.addAction(copy)
        for name in message_actions(item, is_last):
            action = QAction(action_label(name), menu)
            action.triggered.connect(
                lambda _checked=False, n=name, it=item: self.actionTriggered.emit(n, it)
            )
            menu.addAction(action)
        if item.role == "assistant" and not item.streaming:
            self.delegate.factory.rendered(item, keep=True)
            blocks = item.rendered.code_blocks if item.rendered is not None else []
            for number in range(len(blocks)):
                label = (
                    self.tr("Copy the code block")
                    if len(blocks) == 1
                    else self.tr("Copy code block {0}").format(number + 1)
                )
                copy_code = QAction(label, menu)
                copy_code.triggered.connect(
                    lambda _checked=False, n=number, it=item: self.anchorActivated.emit(
                        f"{COPY_CODE_SCHEME}:{n}", it
                    )
                )
                menu.addAction(copy_code)
        if item.role in ("user", "assistant") and not item.streaming:
            menu.addSeparator()
            delete = QAction(self.tr("Delete this message"), menu)
            delete.setShortcut(QKeySequence.StandardKey.Delete)
            delete.triggered.connect(
                lambda _checked=False, it=item: self.actionTriggered.emit("delete", it)
            )
            menu.addAction(delete)
        if item.reasoning:
            toggle = QAction(self.tr("Show or hide reasoning"), menu)
            toggle.triggered.connect(
                lambda _checked=False, it=item: self.anchorActivated.emit("toggle-reasoning", it)
            )
            menu.addAction(toggle)
        if not menu.isEmpty():
            menu.popup(global_pos)
