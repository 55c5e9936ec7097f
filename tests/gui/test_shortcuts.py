"""Every keyboard shortcut of the window is given once and reaches its action."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu

from autoglm.ui.main_window import unique_shortcuts


def _menu_actions(menu: QMenu) -> list[QAction]:
    found: list[QAction] = []
    for action in menu.actions():
        if action.menu() is not None:
            found.extend(_menu_actions(action.menu()))  # type: ignore[arg-type]
        elif not action.isSeparator():
            found.append(action)
    return found


def window_actions(window: Any) -> list[QAction]:
    """Every action of every menu of the menu bar, then the window's own, each once."""
    actions: list[QAction] = []
    for top in window.menuBar().actions():
        if top.menu() is not None:
            actions.extend(_menu_actions(top.menu()))
    actions.extend(window.actions())
    unique: list[QAction] = []
    for action in actions:
        if all(action is not seen for seen in unique):
            unique.append(action)
    return unique


class ShortcutRecorder(QObject):
    """Swallows the shortcut events an action receives, noting whether each was ambiguous."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[QObject, bool]] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Record shortcut events and keep them from running the action."""
        if event.type() == QEvent.Type.Shortcut:
            self.events.append((watched, event.isAmbiguous()))  # type: ignore[attr-defined]
            return True
        return False


def test_unique_shortcuts_drops_repeats_and_empty_keys(qapp: Any) -> None:
    keys = unique_shortcuts(["Ctrl+N", QKeySequence.StandardKey.New, "", "Ctrl+K"])
    names = [key.toString() for key in keys]
    assert names.count("Ctrl+N") == 1 and names[-1] == "Ctrl+K" and "" not in names, names


def test_every_shortcut_in_every_menu_is_unique_and_fires(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(gui_settings, load=False)
    store = window.runtime.store
    conversation_id = store.create_conversation("Open chat")
    store.add_message(conversation_id, "user", "Hello")
    with qtbot.waitSignal(window.controller.loaded):
        window.open_conversation(conversation_id)
    actions = window_actions(window)
    owners: dict[str, QAction] = {}
    for action in actions:
        keys = [
            sequence.toString(QKeySequence.SequenceFormat.PortableText)
            for sequence in action.shortcuts()
        ]
        assert len(keys) == len(set(keys)), f"{action.text()!r} has a key twice: {keys}"
        for key in keys:
            assert key not in owners, (
                f"{key} belongs to both {owners[key].text()!r} and {action.text()!r}"
            )
            owners[key] = action
    for required in ("Ctrl+N", "Ctrl+Q", "Ctrl+K", "Ctrl+,", "Ctrl+M", "Ctrl+B", "Esc"):
        assert required in owners, f"no action answers {required}"
    # Shortcuts reach only the active window: make sure no window an earlier test left behind is it.
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    recorder = ShortcutRecorder()
    for action in actions:
        action.installEventFilter(recorder)
    for key, action in owners.items():
        if not action.isEnabled():
            continue  # a disabled action (hands-free with no microphone yet) rightly ignores its key
        window.composer.input.setFocus()
        combination = QKeySequence(key)[0]
        recorder.events.clear()
        qtbot.keyClick(window.composer.input, combination.key(), combination.keyboardModifiers())
        assert recorder.events == [(action, False)], (
            f"{key} did not fire {action.text()!r} alone: {recorder.events}"
        )
