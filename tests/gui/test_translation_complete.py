"""Every string the window and its dialogs show is translated in 简体中文."""

from __future__ import annotations

import html
import re
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QTabWidget,
    QWidget,
)

from autoglm.core.settings import updated
from autoglm.ui.chat_model import MessageItem
from autoglm.ui.message_delegate import action_label

# Words that stay as they are in Chinese: names, formats, units, keys.
KEEP = {
    "autoglm",
    "glm",
    "gguf",
    "json",
    "md",
    "markdown",
    "api",
    "url",
    "gpu",
    "cpu",
    "cuda",
    "metal",
    "vulkan",
    "ctrl",
    "shift",
    "alt",
    "esc",
    "tab",
    "enter",
    "http",
    "https",
    "openai",
    "anthropic",
    "mcp",
    "mmproj",
    "qwen",
    "coder",
    "instruct",
    "whisper",
    "piper",
    "llama",
    "cpp",
    "python",
    "qt",
    "pyside",
    "kv",
    "top",
    "tok",
    "mb",
    "gb",
    "ms",
    "wal",
    "sqlite",
    "phone",
    "desktop",
    "starter",
    "joe",
    "en_us",
    "q4_k_m",
    "f16",
    "zh_cn",
    "localhost",
    "faster",
    "tiny",
    "base",
    "small",
    "medium",
    "large",
    "v3",
    "onnx",
    "silero",
    "pulseaudio",
    "alsa",
    "portaudio",
    "jack",
    "bos",
    "eos",
    "adb",
    "min_p",
    "top_p",
    "top_k",
    "ok",
    "hugging",
    "face",
    "modelscope",
}
ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’]+(?:[ \-][A-Za-z][A-Za-z'’]+)+")


def untranslated(text: str) -> bool:
    """Whether ``text`` still holds a run of English words (not names or formats)."""
    plain = html.unescape(re.sub(r"<[^>]+>", " ", text)).replace("&", "")
    plain = re.sub(
        r"\b[A-Z]+-[\d.]+-or-later\b", " ", plain
    )  # licence identifiers stay as they are
    for run in ENGLISH_RUN.findall(plain):
        words = [w.lower() for w in re.split(r"[ \-]", run)]
        if any(w not in KEEP and not re.search(r"\d", w) for w in words):
            return True
    return False


def visible_strings(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) for the texts a user sees in ``root`` and its menus."""
    found: list[tuple[str, str]] = [("window title", root.windowTitle())]
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.window() is not root and not (
            isinstance(widget, QMenu)
            and widget.parent() is not None
            and widget.parent().window() is root
        ):
            continue  # a dialog of its own is checked as its own root
        name = type(widget).__name__ + ":" + widget.objectName()
        if isinstance(widget, QLabel):
            found.append((name, widget.text()))
        elif isinstance(widget, QAbstractButton):
            found.append((name, widget.text()))
        elif isinstance(widget, QGroupBox):
            found.append((name, widget.title()))
        elif isinstance(widget, QLineEdit):
            found.append((name, widget.placeholderText()))
        elif isinstance(widget, QTabWidget):
            found.extend((name, widget.tabText(i)) for i in range(widget.count()))
        elif isinstance(widget, QComboBox):
            found.extend((name, widget.itemText(i)) for i in range(widget.count()))
        elif isinstance(widget, QMenu):
            found.append((name, widget.title()))
            found.extend((name, action.text()) for action in widget.actions() if action.isVisible())
        if widget.toolTip():
            found.append((name + " tooltip", widget.toolTip()))
    return [(where, text) for where, text in found if text]


def test_the_window_menus_and_dialogs_are_all_in_chinese(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(updated(gui_settings, "appearance", language="zh_CN"), load=False)
    window.languages.apply("zh_CN")
    try:
        _check_chinese(qtbot, window)
    finally:
        window.languages.apply("en")  # translators are application-wide: later tests expect English


def _check_chinese(qtbot: Any, window: Any) -> None:
    store = window.runtime.store
    chat = store.create_conversation("你好")
    store.add_message(chat, "user", "你好")
    with qtbot.waitSignal(window.controller.loaded):
        window.open_conversation(chat)
    roots: list[QWidget] = [window]
    for opener in (window.show_about, lambda: window.export_chats(None)):
        opener()
        roots.append(window._dialogs[-1])
    missing = [
        (type(root).__name__, where, text)
        for root in roots
        for where, text in visible_strings(root)
        if untranslated(text)
    ]
    factory = window.chat_view.delegate.factory
    for item in (
        MessageItem("assistant", "好", stopped=True),
        MessageItem("assistant", "好", length_limited=True),
        MessageItem("assistant", "", streaming=True, finished=False),
    ):
        missing.extend(
            ("message", "html", text)
            for text in [factory.html(item, keep=False)]
            if untranslated(text)
        )
    labels = [
        action_label(name)
        for name in (
            "edit",
            "copy",
            "regenerate",
            "speak",
            "continue",
            "version-previous",
            "version-next",
        )
    ]
    labels.append(QCoreApplication.translate("ChatViewWidget", "Copy selection"))
    missing.extend(("message", "action", label) for label in labels if untranslated(label))
    assert not missing, "\n".join(f"{root} {where}: {text!r}" for root, where, text in missing)
