"""Keyboard and screen-reader access: focus rings, tab order, keyboard context menus, names, the shortcuts list."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMenu, QWidget

from autoglm.core.settings import Settings
from autoglm.ui.chat_model import MessageItem
from autoglm.ui.settings_dialog import SettingsDialog


def _focusable(root: QWidget) -> list[QWidget]:
    """Controls a Tab can reach in ``root`` (shown, enabled, not a proxy for another)."""
    return [
        widget
        for widget in root.findChildren(QWidget)
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        and widget.isVisible()
        and widget.isEnabled()
        and widget.window() is root
        and widget.focusProxy() is None
        and widget.width() > 0
    ]


def _without_ring(qtbot: Any, root: QWidget) -> list[str]:
    """The focusable controls of ``root`` that look the same focused and unfocused."""
    missing = []
    root.activateWindow()
    qtbot.waitUntil(root.isActiveWindow, timeout=5000)
    for widget in _focusable(root):
        if widget.objectName() == "qt_scrollarea_viewport":
            continue
        root.setFocus()
        qtbot.wait(10)
        if not (widget.isEnabled() and widget.isVisible()):
            continue  # disabled meanwhile (the device list arrived): not focusable now
        before = widget.grab().toImage()
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(
            widget.hasFocus, timeout=5000
        )  # {type(widget).__name__}:{widget.objectName()}
        qtbot.wait(10)
        if widget.grab().toImage() == before:
            widget.window().grab().save(
                f"/tmp/polish/ring-{widget.objectName() or type(widget).__name__}.png"
            )
            missing.append(f"{type(widget).__name__}:{widget.objectName()}")
    return missing


def _unnamed(root: QWidget) -> list[str]:
    """Focusable controls a screen reader would announce without a name."""
    unnamed = []
    for widget in _focusable(root):
        interface = QAccessible.queryAccessibleInterface(widget)
        name = interface.text(QAccessible.Text.Name) if interface is not None else ""
        if not (name or widget.accessibleName()).strip():
            unnamed.append(f"{type(widget).__name__}:{widget.objectName()}")
    return unnamed


def test_every_focusable_control_shows_a_focus_ring_in_light_and_dark(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(gui_settings, load=False)
    assert _without_ring(qtbot, window) == []
    window.theme.set_choice("dark")
    qtbot.wait(50)
    assert _without_ring(qtbot, window) == []
    dialog = SettingsDialog(Settings(), window, gpu_offload=True)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    assert _without_ring(qtbot, dialog) == []
    dialog.close()


def test_every_focusable_control_has_an_accessible_name(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    from autoglm.ui.keyboard import ShortcutsDialog

    window = make_window(gui_settings, load=False)
    assert _unnamed(window) == []
    for dialog in (SettingsDialog(Settings(), window, gpu_offload=True), ShortcutsDialog(window)):
        dialog.show()
        qtbot.waitExposed(dialog)
        for row in range(
            getattr(dialog, "_pages", None).count() if hasattr(dialog, "_pages") else 1
        ):
            if hasattr(dialog, "_pages"):
                dialog._pages.setCurrentRow(row)
                qtbot.wait(10)
            assert _unnamed(dialog) == [], type(dialog).__name__
        dialog.close()


def test_settings_tab_order_visits_the_fields_before_the_buttons(qtbot: Any) -> None:
    dialog = SettingsDialog(Settings(), gpu_offload=True)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    pages = dialog._pages
    pages.setFocus()
    fields = [
        dialog.editor("model", name)
        for name in ("active_model", "mmproj_path", "n_ctx", "n_gpu_layers")
    ]
    buttons = set(dialog.findChild(QDialogButtonBox).buttons())
    visited: list[QWidget] = []
    for _ in range(30):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        visited.append(QApplication.focusWidget())
    first_button = next(n for n, widget in enumerate(visited) if widget in buttons)
    for field in fields:
        reached = [
            n for n, widget in enumerate(visited) if widget is field or field.isAncestorOf(widget)
        ]
        assert reached and reached[0] < first_button, (
            f"{field.objectName()} comes after the buttons"
        )


def test_shift_f10_and_the_menu_key_open_context_menus_and_reach_a_code_blocks_copy(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(gui_settings, load=False)
    window.runtime.store.create_conversation("Keyboard menus")
    window.sidebar.refresh()
    qtbot.waitUntil(
        lambda: window.sidebar.conversation_titles() == ["Keyboard menus"], timeout=10_000
    )
    tree = window.sidebar.tree
    tree.setFocus()
    tree.setCurrentItem(window.sidebar._conversation_items()[0])
    # through the window, as a key press arrives from the desktop
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=5000)
    QApplication.activePopupWidget().close()

    window.controller.model.append(MessageItem("user", "Show me code"))
    window.controller.model.append(
        MessageItem("assistant", "Here:\n\n```python\nprint('hi')\n```\n\nDone.")
    )
    window._update_stack()
    view = window.chat_view
    view.setFocus()
    view.setCurrentIndex(view.model().index(1, 0))
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_Menu)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=5000)
    menu = QApplication.activePopupWidget()
    copy_code = [action for action in menu.actions() if action.text() == "Copy the code block"]
    assert copy_code, [action.text() for action in menu.actions()]
    copy_code[0].trigger()
    menu.close()
    assert QGuiApplication.clipboard().text() == "print('hi')"


def test_help_lists_every_keyboard_shortcut(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(gui_settings, load=False)
    assert window.shortcuts_action in window.help_menu.actions()
    window.shortcuts_action.trigger()
    dialog = next(d for d in window._dialogs if d.objectName() == "shortcutsDialog")
    rows = dict(dialog.rows())
    assert rows["New chat"] == "Ctrl+N" and rows["Keyboard shortcuts"] == "Ctrl+/"
    assert (
        rows["Push to talk (hold)"] == "F9"
        and "Shift+F10" in rows["Open the menu of the focused item"]
    )
    dialog.grab().save("/tmp/polish/shortcuts.png")


def test_typing_goes_to_the_message_box_as_soon_as_the_window_starts(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(gui_settings, load=True)
    qtbot.waitUntil(window.composer.input.hasFocus, timeout=5000)


def test_shift_f10_opens_the_menu_of_a_field_in_a_dialog(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    from PySide6.QtWidgets import QDialog, QLineEdit, QVBoxLayout

    window = make_window(gui_settings, load=False)
    dialog = QDialog(window)
    field = QLineEdit("some text", dialog)
    QVBoxLayout(dialog).addWidget(field)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    field.setFocus()
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is dialog.windowHandle(), timeout=5000)
    qtbot.keyClick(dialog.windowHandle(), Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=5000)
    QApplication.activePopupWidget().close()
