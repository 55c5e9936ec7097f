"""Projects in the real window: the sidebar's folders, moving chats by menu and by drag, the settings dialog."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from autoglm.ui.project_dialog import ProjectSettingsDialog
from autoglm.ui.sidebar import CONVERSATION_MIME

PERSONA = "You are Captain Brine, a pirate who ends every answer with the word arr."


def shown_dialog(qtbot: Any, window: Any, trigger: Any) -> Any:
    """Run ``trigger`` and return the project dialog it opened."""
    with qtbot.waitSignal(window.projects.dialogShown, timeout=5000) as blocker:
        trigger()
    return blocker.args[0]


def drop_chat(tree: Any, conversation_id: int, target: QPoint) -> None:
    """Drag a chat's row onto ``target`` (viewport coordinates): enter, move and drop events, as Qt sends them."""
    item = next(
        i for i in _all_items(tree) if i.data(0, Qt.ItemDataRole.UserRole + 1) == conversation_id
    )
    mime = tree.mimeData([item])
    assert mime.hasFormat(CONVERSATION_MIME)
    actions = Qt.DropAction.MoveAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    viewport = tree.viewport()
    enter = QDragEnterEvent(target, actions, mime, buttons, keys)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(target, actions, mime, buttons, keys)
    QApplication.sendEvent(viewport, move)
    drop = QDropEvent(target.toPointF(), actions, mime, buttons, keys)
    QApplication.sendEvent(viewport, drop)
    assert drop.isAccepted()


def _all_items(tree: Any) -> list[Any]:
    items = []
    for top in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(top)
        items.append(group)
        items.extend(group.child(i) for i in range(group.childCount()))
    return items


def test_projects_are_created_renamed_filled_by_menu_and_drag_and_deleted(
    qtbot, make_window, gui_settings
) -> None:
    window = make_window(gui_settings, load=False)
    store, sidebar = window.runtime.store, window.sidebar
    plan = store.create_conversation("Packing list")
    budget = store.create_conversation("Budget")

    dialog = shown_dialog(qtbot, window, sidebar.new_project_button.click)
    assert isinstance(dialog, ProjectSettingsDialog) and dialog.windowTitle() == "New project"
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert (
        dialog.isVisible() and "needs a name" in dialog.message.text()
    )  # said in words, dialog stays
    qtbot.keyClicks(dialog.name, "Trip to Lisbon")
    dialog.persona.setPlainText(PERSONA)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    trip = store.project_named("Trip to Lisbon")
    assert trip is not None and trip.system_prompt == PERSONA
    assert sidebar.project_rows() == {"Trip to Lisbon": []}

    # the chat's context menu files it under the project
    menu = sidebar.context_menu(sidebar.conversation_item(plan))
    move = menu.findChild(type(menu), "moveToProject")
    next(a for a in move.actions() if a.objectName() == f"moveTo{trip.id}").trigger()
    assert store.get_conversation(plan).project_id == trip.id
    assert sidebar.project_rows() == {"Trip to Lisbon": ["Packing list"]}

    # dragged onto the project's row, a chat joins it; dragged onto a date group, it leaves
    tree = sidebar.tree
    drop_chat(tree, budget, tree.visualItemRect(sidebar.project_item(trip.id)).center())
    assert store.get_conversation(budget).project_id == trip.id
    assert sorted(sidebar.project_rows()["Trip to Lisbon"]) == ["Budget", "Packing list"]
    assert sidebar.conversation_titles() == sidebar.project_rows()["Trip to Lisbon"]
    drop_chat(
        tree, budget, QPoint(20, tree.viewport().height() - 4)
    )  # the empty space below every row
    assert store.get_conversation(budget).project_id is None
    assert sidebar.project_rows() == {"Trip to Lisbon": ["Packing list"]}

    # renaming in place; a taken name is refused in words and the list shows the kept name
    store.create_project("Taxes")
    sidebar.refresh()
    sidebar.project_item(trip.id).setText(0, "Lisbon")
    assert store.get_project(trip.id).name == "Lisbon"
    sidebar.project_item(trip.id).setText(0, "taxes")
    assert (
        store.get_project(trip.id).name == "Lisbon"
        and "already a project named" in window.banner.text.text()
    )
    assert set(sidebar.project_rows()) == {"Lisbon", "Taxes"}

    # deleting, keeping the chats: they return to the date groups
    menu = sidebar.context_menu(sidebar.project_item(trip.id))
    box = shown_dialog(
        qtbot, window, menu.findChild(type(menu.actions()[0]), "deleteProject").trigger
    )
    assert isinstance(box, QMessageBox) and "1 chat" in box.text()
    box.findChild(type(box.buttons()[0]), "keepChats").click()
    assert store.get_project(trip.id) is None and store.get_conversation(plan).project_id is None
    assert (
        set(sidebar.project_rows()) == {"Taxes"} and "Packing list" in sidebar.conversation_titles()
    )


def test_the_settings_dialog_keeps_model_sampling_and_presets(
    qtbot, make_window, gui_settings
) -> None:
    window = make_window(gui_settings, load=False)
    store = window.runtime.store
    first = store.create_project("Stories")
    second = store.create_project("Code review", sampling={"top_k": 12})
    window.sidebar.refresh()

    dialog = shown_dialog(qtbot, window, lambda: window.projects.open_settings(first))
    # the default model is picked among the installed ones (listed in the background)
    qtbot.waitUntil(lambda: dialog.model.count() > 1, timeout=10_000)
    starter = gui_settings.model.active_model
    dialog.model.setCurrentIndex(dialog.model.findData(starter))
    dialog.persona.setPlainText("Tell stories to children.")
    dialog.sampling_fields["temperature"].setValue(1.2)
    dialog.sampling_fields["max_tokens"].setValue(300)
    qtbot.keyClicks(dialog.preset_name, "Storyteller")
    qtbot.mouseClick(dialog.save_preset_button, Qt.MouseButton.LeftButton)
    assert (
        "Saved as preset" in dialog.message.text() and dialog.presets.currentText() == "Storyteller"
    )
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    saved = store.get_project(first)
    assert saved.model_id == starter and saved.system_prompt == "Tell stories to children."
    assert saved.sampling == {"temperature": 1.2, "max_tokens": 300}

    # the preset applies to another project: persona and sampling replace what it had
    dialog = shown_dialog(qtbot, window, lambda: window.projects.open_settings(second))
    assert dialog.sampling() == {"top_k": 12}
    assert dialog.sampling_fields["temperature"].text() == "Settings default"
    dialog.presets.setCurrentIndex(dialog.presets.findText("Storyteller"))
    qtbot.mouseClick(dialog.apply_preset_button, Qt.MouseButton.LeftButton)
    assert dialog.persona.toPlainText() == "Tell stories to children."
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert store.get_project(second).sampling == {"temperature": 1.2, "max_tokens": 300}
    assert store.get_project(second).model_id == ""


@pytest.mark.slow
def test_a_new_chat_in_a_project_asks_with_its_persona_and_sampling(
    qtbot, window, send_and_wait
) -> None:
    store = window.runtime.store
    project_id = store.create_project(
        "Pirates",
        PERSONA,
        window.runtime.settings.model.active_model,
        {"max_tokens": 3, "top_k": 5},
    )
    window.sidebar.refresh()
    menu = window.sidebar.context_menu(window.sidebar.project_item(project_id))
    next(a for a in menu.actions() if a.objectName() == "newChatInProject").trigger()
    assert window.header_title.text() == "Pirates › New chat"
    submitted: list[Any] = []
    window.controller.replySubmitted.connect(submitted.append)
    completion = send_and_wait(window, "Say hello.")
    request = submitted[0].request
    assert request.messages[0].role == "system" and request.messages[0].content == PERSONA
    assert request.sampling.max_tokens == 3 and request.sampling.top_k == 5
    assert 0 < completion.usage.completion_tokens <= 3
    conversation = store.get_conversation(window.controller.conversation_id)
    assert conversation.project_id == project_id
    assert window.sidebar.project_rows() == {"Pirates": ["Say hello."]}
    assert window.header_title.text() == "Pirates › Say hello."

    # moved out of the project, the same chat's next reply has the settings' prompt again
    window.projects.move(conversation.id, 0)
    assert window.header_title.text() == "Say hello."
    send_and_wait(window, "Again.")
    assert (
        submitted[1].request.messages[0].content == window.runtime.settings.generation.system_prompt
    )


def test_the_project_dialogs_and_menus_are_in_chinese(qtbot, make_window, gui_settings) -> None:
    from test_translation_complete import untranslated, visible_strings

    from autoglm.core.settings import updated

    window = make_window(updated(gui_settings, "appearance", language="zh_CN"), load=False)
    window.languages.apply("zh_CN")
    try:
        store = window.runtime.store
        project = store.create_project("Lisbon", "x")
        chat = store.create_conversation("Plan", project_id=project)
        window.sidebar.refresh()
        roots = [
            shown_dialog(qtbot, window, lambda: window.projects.open_settings(project)),
            shown_dialog(qtbot, window, lambda: window.projects.confirm_delete(project)),
            window.sidebar.context_menu(window.sidebar.project_item(project)),
            window.sidebar.context_menu(window.sidebar.conversation_item(chat)),
        ]
        texts = [(where, text) for root in roots for where, text in visible_strings(root)]
        texts += [("tooltip", window.sidebar.new_project_button.toolTip())]
        missing = [(where, text) for where, text in texts if untranslated(text)]
        assert not missing and len(texts) > 20
    finally:
        window.languages.apply("en")
