"""Keyboard access the platform does not give for free: Shift+F10 and the Menu key open the
context menu of the focused control, and Help → Keyboard shortcuts lists every key.

Qt opens a context menu only for a right click here; ``KeyboardContextMenus`` turns the two
keyboard gestures into the same ``QContextMenuEvent`` a click sends, placed at the current
item of a list or the text cursor, so every control with a menu is reachable without a mouse.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, Qt
from PySide6.QtGui import (
    QAction,
    QContextMenuEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QWindow,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

_LOGGER = logging.getLogger(__name__)


def is_context_menu_key(event: QKeyEvent) -> bool:
    """The Menu key, or Shift+F10 (the keyboard's right click)."""
    modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return event.key() == Qt.Key.Key_Menu or (
        event.key() == Qt.Key.Key_F10 and modifiers == Qt.KeyboardModifier.ShiftModifier
    )


def menu_target(widget: QWidget) -> tuple[QWidget, QPoint]:
    """Where a keyboard context menu goes: the widget that takes it and the point in it."""
    if isinstance(widget, QAbstractScrollArea):
        viewport = widget.viewport()
        point = viewport.rect().center()
        if isinstance(widget, QAbstractItemView):
            index = widget.currentIndex()
            if index.isValid():
                rect = widget.visualRect(index).intersected(viewport.rect())
                point = rect.center() if not rect.isEmpty() else point
        elif isinstance(widget, QPlainTextEdit | QTextEdit):
            point = widget.cursorRect().center()
        return viewport, point
    return widget, widget.rect().center()


class KeyboardContextMenus(QObject):
    """An event filter on the window that has the keyboard: Shift+F10 or Menu on its focused
    control opens that control's menu.

    Not on the application: a filter there is called from C++ into Python for every event of
    every object (each widget's paint, each timer), hundreds a second while a reply streams,
    each call taking the GIL back from whatever thread runs Python. Key presses go to the
    focused window first, which sees a few events a second.
    """

    def install(self, app: QGuiApplication) -> None:
        """Follow the keyboard focus from window to window (the main window, dialogs, menus)."""
        app.focusWindowChanged.connect(self._watch)
        self._watch(app.focusWindow())

    def watch(self, widget: QWidget) -> None:
        """Filter ``widget``'s window now (one shown before it first had the focus)."""
        self._watch(widget.windowHandle())

    def _watch(self, window: QWindow | None) -> None:
        if window is not None:
            window.installEventFilter(self)  # installing twice moves it to the front, no copy

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Turn the keys into a keyboard ``QContextMenuEvent`` for the focus widget."""
        if (
            event.type() != QEvent.Type.KeyPress
            or not isinstance(event, QKeyEvent)
            or not is_context_menu_key(event)
        ):
            return False
        focus = QApplication.focusWidget()
        if focus is None or focus.contextMenuPolicy() in (
            Qt.ContextMenuPolicy.NoContextMenu,
            Qt.ContextMenuPolicy.PreventContextMenu,
        ):
            return False
        target, point = menu_target(focus)
        menu_event = QContextMenuEvent(
            QContextMenuEvent.Reason.Keyboard,
            point,
            target.mapToGlobal(point),
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(target, menu_event)
        return True


def shortcut_rows(window: QMainWindow) -> list[tuple[str, str]]:
    """(what, keys) for every action of the window's menus that has a key, then the fixed keys."""
    rows: list[tuple[str, str]] = []
    seen: set[int] = set()

    def add(action: QAction) -> None:
        if id(action) in seen or action.isSeparator():
            return
        seen.add(id(action))
        menu = action.menu()  # typed as QObject (Qt 6 made it a template); a menu's is a QMenu
        if isinstance(menu, QMenu):
            for child in menu.actions():
                add(child)
            return
        names = [key.toString(QKeySequence.SequenceFormat.NativeText) for key in action.shortcuts()]
        keys = [
            name for n, name in enumerate(names) if n == 0 or "+" in name
        ]  # not a keyboard's "New" key
        if keys and action.text():
            rows.append(
                (
                    action.text()
                    .replace("&&", "\0")
                    .replace("&", "")
                    .replace("\0", "&")
                    .rstrip("…"),
                    ", ".join(keys),
                )
            )

    for top in window.menuBar().actions():
        add(top)
    for action in window.actions():
        add(action)
    rows += [
        (QCoreApplication.translate("ShortcutsDialog", "Push to talk (hold)"), "F9"),
        (
            QCoreApplication.translate("ShortcutsDialog", "Send the message"),
            QCoreApplication.translate("ShortcutsDialog", "Enter"),
        ),
        (
            QCoreApplication.translate("ShortcutsDialog", "New line in the message"),
            QCoreApplication.translate("ShortcutsDialog", "Shift+Enter"),
        ),
        (
            QCoreApplication.translate("ShortcutsDialog", "Open the menu of the focused item"),
            QCoreApplication.translate("ShortcutsDialog", "Shift+F10 or Menu"),
        ),
        (
            QCoreApplication.translate(
                "ShortcutsDialog",
                "Actions of the selected message (copy, code blocks, read aloud…)",
            ),
            QCoreApplication.translate("ShortcutsDialog", "Enter"),
        ),
        (
            QCoreApplication.translate(
                "ShortcutsDialog", "Scroll the selected message's wide code sideways"
            ),
            QCoreApplication.translate("ShortcutsDialog", "Shift+Left/Right, Shift+Home/End"),
        ),
        (
            QCoreApplication.translate("ShortcutsDialog", "Move between controls"),
            QCoreApplication.translate("ShortcutsDialog", "Tab, Shift+Tab"),
        ),
        (
            QCoreApplication.translate("ShortcutsDialog", "Rename or delete the selected chat"),
            QCoreApplication.translate("ShortcutsDialog", "F2, Delete"),
        ),
    ]
    return rows


class ShortcutsDialog(QDialog):
    """Help → Keyboard shortcuts: every key of the window in one table."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.resize(560, 520)
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr("Every menu item with a key, and the keys that work anywhere in the window.")
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        rows = shortcut_rows(window)
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setObjectName("shortcutsTable")
        self.table.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.table.setHorizontalHeaderLabels([self.tr("Action"), self.tr("Keys")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents
        )
        for row, (what, keys) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(what))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText(self.tr("Close"))
        close.setAccessibleName(self.tr("Close"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def rows(self) -> list[tuple[str, str]]:
        """The table's rows as text (for tests)."""
        cells = [
            (self.table.item(row, 0), self.table.item(row, 1))
            for row in range(self.table.rowCount())
        ]
        return [
            (what.text(), keys.text())
            for what, keys in cells
            if what is not None and keys is not None
        ]
