"""Exporting chats from the sidebar, the File menu and the command line, images included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QColor, QImage

from autoglm.cli import main as cli_main
from autoglm.ui.export_dialog import ExportDialog


def _png() -> bytes:
    image = QImage(8, 8, QImage.Format.Format_RGB32)
    image.fill(QColor("#3366cc"))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


def _chats(store: Any) -> tuple[int, int, str]:
    sha = store.put_attachment(_png(), ".png")
    first = store.create_conversation("Blue square")
    store.add_message(first, "user", "What colour is this?", attachments=[sha])
    store.add_message(first, "assistant", "It is **blue**.")
    second = store.create_conversation("Second chat")
    store.add_message(second, "user", "Hi")
    return first, second, sha


def _export_dialog(window: Any) -> ExportDialog:
    dialogs = [d for d in window._dialogs if isinstance(d, ExportDialog)]
    assert len(dialogs) == 1 and dialogs[0].isVisible()
    return dialogs[0]


def test_export_one_chat_as_json_from_the_sidebar_menu(
    qtbot: Any, make_window: Any, gui_settings: Any, tmp_path: Path
) -> None:
    window = make_window(gui_settings, load=False)
    first, _second, sha = _chats(window.runtime.store)
    window.sidebar.refresh()
    row = next(
        item for item in window.sidebar._conversation_items() if item.text(0) == "Blue square"
    )
    menu = window.sidebar.context_menu(row)
    export = next(action for action in menu.actions() if action.objectName() == "exportChat")
    export.trigger()
    dialog = _export_dialog(window)
    dialog.set_format("json")
    dialog.folder.setText(str(tmp_path / "out"))
    with qtbot.waitSignal(window.chatsExported) as blocker:
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    [written] = blocker.args[0]
    assert written.name == f"Blue-square-{first}.json"
    data = json.loads(written.read_text(encoding="utf-8"))
    assert [m["content"] for m in data["messages"]] == ["What colour is this?", "It is **blue**."]
    image = tmp_path / "out" / data["attachment_files"][sha]
    assert image.read_bytes() == _png()


def test_export_all_chats_as_markdown_from_the_file_menu(
    qtbot: Any, make_window: Any, gui_settings: Any, tmp_path: Path
) -> None:
    window = make_window(gui_settings, load=False)
    first, second, sha = _chats(window.runtime.store)
    assert window.export_all_action in window.file_menu.actions()
    window.export_all_action.trigger()
    dialog = _export_dialog(window)
    dialog.folder.setText(str(tmp_path))
    with qtbot.waitSignal(window.chatsExported) as blocker:
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    names = sorted(path.name for path in blocker.args[0])
    assert names == sorted([f"Blue-square-{first}.md", f"Second-chat-{second}.md"])
    markdown = (tmp_path / f"Blue-square-{first}.md").read_text(encoding="utf-8")
    assert "It is **blue**." in markdown
    link = markdown.split(f"[{sha}.png](", 1)[1].split(")", 1)[0]
    assert (tmp_path / link).read_bytes() == _png()


def test_export_this_chat_needs_an_open_chat(make_window: Any, gui_settings: Any) -> None:
    window = make_window(gui_settings, load=False)
    assert not window.export_action.isEnabled()


def test_export_command_writes_every_chat_and_refuses_unknown_ids(
    make_window: Any, gui_settings: Any, tmp_path: Path, capsys: Any
) -> None:
    window = make_window(gui_settings, load=False)
    first, second, sha = _chats(window.runtime.store)
    assert cli_main(["export", "--all", "--format", "json", "--out", str(tmp_path / "all")]) == 0
    printed = capsys.readouterr().out.split()
    assert sorted(Path(p).name for p in printed) == sorted(
        [f"Blue-square-{first}.json", f"Second-chat-{second}.json"]
    )
    assert cli_main(["export", str(second), "--out", str(tmp_path / "one")]) == 0
    assert (tmp_path / "one" / f"Second-chat-{second}.md").exists()
    assert cli_main(["export", "999", "--out", str(tmp_path / "none")]) == 2
    assert "no chat with id 999" in capsys.readouterr().err
