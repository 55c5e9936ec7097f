"""The model picker at the top of the chat lists installed models, loads one and ejects it."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def test_the_picker_loads_an_installed_model_and_ejects_it(
    qtbot: Any, window: Any, starter_gguf: Path, send_and_wait: Any
) -> None:
    picker = window.model_picker
    qtbot.waitUntil(
        lambda: picker.eject_button.isEnabled()
    )  # listed in the background after loading
    assert picker.isVisible() and picker.combo.currentIndex() >= 0
    assert picker.combo.itemData(picker.combo.currentIndex(), 3) == str(starter_gguf.resolve())
    window.runtime.repository.import_model(starter_gguf, model_id="starter-copy")
    with qtbot.waitSignal(picker.listed):
        picker.refresh()
    assert "starter-copy" in picker.models()
    paths = [picker.combo.itemData(row, 3) for row in range(picker.combo.count())]
    assert (
        paths.count(str(starter_gguf.resolve())) <= 2
    )  # the file itself and its imported name, no more
    row = picker.combo.findData("starter-copy")
    with qtbot.waitSignal(window.modelLoaded, timeout=180_000):
        picker.combo.activated.emit(row)
    assert window.runtime.settings.model.active_model == "starter-copy"
    qtbot.waitUntil(lambda: picker.combo.currentData() == "starter-copy")
    with qtbot.waitSignal(window.modelEjected, timeout=30_000):
        picker.eject_button.click()
    assert not window.runtime.ready and window.runtime.model_info is None
    assert picker.combo.currentIndex() == -1 and not picker.eject_button.isEnabled()
    assert window.status.model_label.text() == "No model loaded"
    completion = send_and_wait(window, "Hello?")
    assert completion is not None and window.controller.model.item(1).error.startswith(
        "No model is loaded"
    )


def test_the_picker_drops_a_list_below_itself_that_ends_with_manage_models(
    qtbot: Any, window: Any
) -> None:
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QDialog

    from autoglm.ui.model_manager import ModelManagerDialog
    from autoglm.ui.model_picker import MANAGE_MODELS

    picker = window.model_picker
    qtbot.waitUntil(lambda: picker.eject_button.isEnabled())
    combo = picker.combo
    loaded = combo.currentData()
    assert (
        combo.itemData(combo.count() - 1) == MANAGE_MODELS
        and combo.itemText(combo.count() - 1) == "Manage models…"
    )
    assert MANAGE_MODELS not in picker.models() and loaded in picker.models()
    combo.showPopup()
    popup = combo.view().window()
    qtbot.waitUntil(popup.isVisible)
    # a list under the box (the style would lay it over the box, hiding that it opened)
    assert (
        popup.mapToGlobal(QPoint(0, 0)).y() >= combo.mapToGlobal(QPoint(0, combo.height())).y() - 2
    )
    combo.hidePopup()
    combo.activated.emit(combo.count() - 1)
    qtbot.waitUntil(
        lambda: any(isinstance(d, ModelManagerDialog) and d.isVisible() for d in window._dialogs)
    )
    assert combo.currentData() == loaded  # the box still names the model in use
    assert window.runtime.settings.model.active_model != MANAGE_MODELS
    for dialog in window._dialogs:
        if isinstance(dialog, QDialog):
            dialog.close()
