"""The real window: conversations, search, delete, model switch, settings, language, errors, big chats."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMessageBox

from autoglm.core.settings import load_settings, updated


def _conversation(store: Any, title: str, *texts: str) -> int:
    conversation_id = store.create_conversation(title)
    for number, text in enumerate(texts):
        store.add_message(conversation_id, "user" if number % 2 == 0 else "assistant", text)
    return conversation_id


def test_search_finds_words_in_any_message_and_opens_the_conversation(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(gui_settings, load=False)
    store = window.runtime.store
    _conversation(store, "Cooking", "How long do I boil an egg?", "About nine minutes.")
    target = _conversation(
        store, "Zoo trip", "Which animals?", "The okapi and the zebra were the highlight."
    )
    window.sidebar.refresh()
    window.composer.input.setFocus()
    qtbot.keyClick(window.composer.input, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.sidebar.search, QApplication.focusWidget()
    qtbot.keyClicks(window.sidebar.search, "okapi")
    qtbot.waitUntil(lambda: len(window.sidebar.search_results()) == 1)
    conversation_id, message_id = window.sidebar.search_results()[0]
    assert conversation_id == target and message_id > 0
    with qtbot.waitSignal(window.controller.loaded):
        qtbot.keyClick(window.sidebar.search, Qt.Key.Key_Return)
    assert window.controller.conversation_id == target
    assert window.header_title.text() == "Zoo trip"
    current = window.chat_view.currentIndex()
    assert (
        current.isValid() and window.controller.model.item(current.row()).message_id == message_id
    )
    window.sidebar.search.clear()
    qtbot.waitUntil(lambda: window.sidebar.conversation_titles() == ["Zoo trip", "Cooking"])


def test_delete_rename_and_pin_from_the_sidebar(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(gui_settings, load=False)
    store = window.runtime.store
    first = _conversation(store, "First", "one")
    second = _conversation(store, "Second", "two")
    window.sidebar.refresh()
    window.controller.set_pinned(first, True)
    assert window.sidebar.conversation_titles() == ["First", "Second"]
    window.controller.rename_conversation(second, "Renamed")
    assert store.get_conversation(second).title == "Renamed"
    tree = window.sidebar.tree
    item = next(i for i in window.sidebar._conversation_items() if i.text(0) == "Renamed")
    tree.setCurrentItem(item)
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_Delete)
    box = next(
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    )
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: window.sidebar.conversation_titles() == ["First"])
    assert store.get_conversation(second) is None and store.messages(second) == []


def test_switch_model_to_an_imported_file(
    qtbot: Any, window: Any, starter_gguf: Path, send_and_wait: Any
) -> None:
    model_id = window.runtime.repository.import_model(starter_gguf, model_id="starter-copy")
    with qtbot.waitSignal(window.modelLoaded, timeout=180_000):
        window.switch_model(model_id)
    assert window.runtime.settings.model.active_model == "starter-copy"
    assert load_settings(window.runtime.paths).model.active_model == "starter-copy"
    assert window.runtime.model_info.model_id == "starter-copy"
    assert "q4_k_m" in window.status.model_label.text().lower()
    assert send_and_wait(window, "Hi").content.strip()


def test_settings_and_window_state_survive_a_restart(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(gui_settings, load=False)
    conversation_id = _conversation(window.runtime.store, "Kept", "remember me")
    window.open_conversation(conversation_id)
    qtbot.waitUntil(lambda: window.controller.conversation_id == conversation_id)
    new = updated(
        updated(window.runtime.settings, "appearance", theme="dark", font_size=14),
        "generation",
        max_tokens=5,
    )
    window.apply_settings(new)
    assert window.theme.colours.dark
    window.resize(760, 520)
    qtbot.wait(50)
    saved_size = (window.width(), window.height())
    window.close()
    window.shutdown()

    again = make_window(None, load=False)
    assert again.runtime.settings.appearance.theme == "dark"
    assert again.runtime.settings.appearance.font_size == 14
    assert again.runtime.settings.generation.max_tokens == 5
    assert again.theme.colours.dark
    assert (again.width(), again.height()) == saved_size
    again.start()
    qtbot.waitUntil(lambda: again.controller.conversation_id == conversation_id)
    assert again.controller.model.item(0).content == "remember me"


def test_chinese_interface_switches_live(qtbot: Any, make_window: Any, gui_settings: Any) -> None:
    window = make_window(gui_settings, load=False)
    assert window.file_menu.title() == "&File"
    window.apply_settings(updated(window.runtime.settings, "appearance", language="zh_CN"))
    try:
        assert window.languages.language == "zh_CN"
        qtbot.waitUntil(lambda: window.file_menu.title().startswith("文件"))
        assert window.composer.send_button.text() == "发送"
        assert "搜索" in window.sidebar.search.placeholderText()
        assert window.new_chat_action.text().startswith("新建")
    finally:
        window.apply_settings(updated(window.runtime.settings, "appearance", language="en"))
    qtbot.waitUntil(lambda: window.composer.send_button.text() == "Send")


def test_background_errors_reach_the_banner_in_words(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    from autoglm.core.errors import ModelError

    window = make_window(gui_settings, load=False)
    thread = threading.Thread(
        target=lambda: window.funnel.report(ModelError("The model file is damaged."))
    )
    thread.start()
    thread.join()
    qtbot.waitUntil(window.banner.isVisible)
    assert window.banner.text.text() == "The model file is damaged."
    window.banner.close_button.click()
    assert not window.banner.isVisible()


def test_a_500_message_conversation_opens_at_the_bottom(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(gui_settings, load=False)
    store = window.runtime.store
    conversation_id = store.create_conversation("Long")
    for number in range(500):
        store.add_message(
            conversation_id,
            "user" if number % 2 == 0 else "assistant",
            f"Message {number}\n\n```python\nprint({number})\n```"
            if number % 2
            else f"Question {number}",
        )
    with qtbot.waitSignal(window.controller.loaded, timeout=60_000):
        window.open_conversation(conversation_id)
    assert window.controller.model.rowCount() == 500
    view = window.chat_view
    last = view.model().index(499, 0)
    qtbot.waitUntil(
        lambda: view.viewport().rect().intersects(view.visualRect(last)), timeout=30_000
    )
    bar = view.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == bar.maximum()
    assert view.follow


def test_pasted_image_goes_to_the_tray_and_is_stored_with_the_message(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    from PySide6.QtCore import QMimeData

    window = make_window(gui_settings, load=False)
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkCyan)
    mime = QMimeData()
    mime.setImageData(image)
    window.composer.input.insertFromMimeData(mime)
    qtbot.waitUntil(
        lambda: len(window.composer.attachments()) == 1, timeout=30_000
    )  # checked off the GUI thread
    assert window.composer.tray.isVisible()
    window.composer.input.setPlainText("What is in this picture?")
    qtbot.keyClick(window.composer.input, Qt.Key.Key_Return)
    # the image was stored when it was attached; the message joins the chat once that is done
    qtbot.waitUntil(lambda: window.controller.model.rowCount() >= 1, timeout=30_000)
    user = window.controller.model.item(0)
    assert len(user.attachments) == 1
    assert window.runtime.store.attachment_path(user.attachments[0]).is_file()
    assert window.composer.attachments() == []
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=60_000)
    # No model is loaded in this window: the reply says so in words instead of failing silently.
    assert window.controller.model.item(1).error
    assert window.banner.isVisible()


def test_not_an_image_is_refused_with_a_message(
    qtbot: Any, make_window: Any, gui_settings: Any, tmp_path: Path
) -> None:
    window = make_window(gui_settings, load=False)
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello")
    window.composer.add_files([str(text_file)])
    qtbot.waitUntil(
        lambda: "notes.txt" in window.banner.text.text(), timeout=30_000
    )  # checked off the GUI thread
    assert window.composer.attachments() == []


def test_every_control_has_an_accessible_name(make_window: Any, gui_settings: Any) -> None:
    from PySide6.QtWidgets import QAbstractButton, QLineEdit, QPlainTextEdit

    window = make_window(gui_settings, load=False)
    unnamed = [
        w.objectName() or type(w).__name__
        for w in window.findChildren(QAbstractButton)
        + window.findChildren(QLineEdit)
        + window.findChildren(QPlainTextEdit)
        if w.isVisibleTo(window)
        and not (w.accessibleName() or w.text() if hasattr(w, "text") else w.accessibleName())
    ]
    assert unnamed == []


def test_a_banner_message_goes_once_its_problem_is_fixed(qtbot: Any, window: Any) -> None:
    banner = window.banner
    banner.show_message("Unrelated news")
    window.apply_settings(updated(window.runtime.settings, "model", active_model="no-such-model"))
    assert banner.isVisible() and "no-such-model" in banner.messages[-1]
    window.apply_settings(window.runtime.settings)  # settings that apply cleanly
    assert banner.messages == ["Unrelated news"]
    window._model_load_failed("The model could not be loaded: broken file.")
    assert "broken file" in banner.messages[-1]
    with qtbot.waitSignal(window.modelLoaded, timeout=180_000):
        window.load_model()
    assert banner.messages == ["Unrelated news"]
    banner.resolve("model-load")
    assert banner.isVisible()


def test_search_lists_a_chat_once_and_highlights_the_match(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    from autoglm.ui.search_hits import HIT_HTML_ROLE

    window = make_window(gui_settings, load=False)
    store = window.runtime.store
    target = _conversation(
        store,
        "Okapi facts",
        "Tell me about the okapi.",
        "The okapi is a forest giraffe.",
        "Where do okapis live?",
        "Okapis live in the Congo.",
    )
    _conversation(store, "Cooking", "How long do I boil an egg?", "About nine minutes.")
    window.sidebar.refresh()
    qtbot.keyClicks(window.sidebar.search, "okapi")
    qtbot.waitUntil(lambda: len(window.sidebar.search_results()) > 0)
    qtbot.wait(300)  # a second search pass would have added rows by now
    results = window.sidebar.search_results()
    assert [conversation for conversation, _message in results] == [target]
    [row] = window.sidebar._conversation_items()
    marked = row.data(0, HIT_HTML_ROLE)
    assert marked.count("background-color") >= 2 and ">Okapi<" in marked and ">okapi<" in marked
    with qtbot.waitSignal(window.controller.loaded):
        qtbot.keyClick(window.sidebar.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.chat_view.selected_text().lower() == "okapi")
    assert window.chat_view.text_selection.row == window.chat_view.currentIndex().row()
    window.new_chat()
    window.sidebar.search.clear()
    qtbot.keyClicks(window.sidebar.search, "egg")  # the list still shows the okapi results
    with qtbot.waitSignal(window.controller.loaded):  # Enter at once, before the results are listed
        qtbot.keyClick(window.sidebar.search, Qt.Key.Key_Return)
    assert window.header_title.text() == "Cooking"


def test_the_message_box_has_the_focus_again_after_attaching_a_file(
    qtbot: Any, make_window: Any, gui_settings: Any, tmp_path: Path
) -> None:
    window = make_window(gui_settings, load=False)
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkGreen)
    path = tmp_path / "shot.png"
    image.save(str(path))
    window.composer.attach_button.setFocus()
    window.composer.add_files([str(path)])  # what the file dialog hands over
    qtbot.waitUntil(lambda: len(window.composer.attachments()) == 1, timeout=30_000)
    assert QApplication.focusWidget() is window.composer.input, QApplication.focusWidget()


def test_after_a_crash_the_chat_being_written_opens_again(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(gui_settings, load=False)
    store = window.runtime.store
    _conversation(store, "Older", "An old question", "An old answer")
    # what a reply cut by a crash leaves: the question, and the reply saved unfinished as it streamed
    written = _conversation(store, "Being written", "Write a poem about tea.")
    reply_id = store.add_message(written, "assistant", "Steam rises slowly", finished=False)
    _conversation(store, "Newest", "Opened last", "but not being written")
    with qtbot.waitSignal(window.controller.loaded, timeout=30_000):
        window.start()
    assert window.controller.conversation_id == written
    reply = window.controller.model.item(1)
    assert reply.message_id == reply_id and reply.content == "Steam rises slowly" and reply.stopped
    assert "closed while this reply was being written" in window.statusBar().currentMessage()
