"""Settings that used to change silently: out-of-range numbers, the trained context, GPU layers on a CPU build."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel
from pytestqt.qtbot import QtBot

from autoglm.core.settings import Settings
from autoglm.core.types import ModelInfo
from autoglm.ui.settings_dialog import SettingsDialog


def _dialog(qtbot: QtBot, **kwargs: object) -> SettingsDialog:
    dialog = SettingsDialog(Settings(), **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def _type(qtbot: QtBot, box: object, text: str) -> None:
    box.setFocus()  # type: ignore[attr-defined]
    box.selectAll()  # type: ignore[attr-defined]
    qtbot.keyClicks(box, text)


def _ok(qtbot: QtBot, dialog: SettingsDialog) -> None:
    button = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_a_temperature_typed_out_of_range_is_set_to_the_bound_with_a_message(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot, gpu_offload=True)
    applied: list[Settings] = []
    dialog.settingsApplied.connect(applied.append)
    dialog.show_page("generation")
    temperature = dialog.editor("generation", "temperature")
    _type(qtbot, temperature, "3.5")
    _ok(qtbot, dialog)
    assert temperature.value() == 2.0  # the bound, not the "0.50" the dropped keys left
    assert "3.5" in dialog.problem_text and "2.00" in dialog.problem_text, dialog.problem_text
    assert dialog.isVisible() and applied == []  # the first OK shows the note
    _ok(qtbot, dialog)
    assert [settings.generation.temperature for settings in applied] == [2.0]
    assert not dialog.isVisible()


def test_context_size_is_bounded_by_the_models_trained_context_and_says_so(qtbot: QtBot) -> None:
    info = ModelInfo("qwen", "Qwen2.5 Coder 0.5B", n_ctx=8192, n_ctx_train=32768)
    dialog = _dialog(qtbot, model_info=info, gpu_offload=True)
    n_ctx = dialog.editor("model", "n_ctx")
    assert n_ctx.maximum() == 32768
    note = dialog.findChild(QLabel, "model.n_ctx.note")
    assert note is not None and "32,768" in note.text() and "trained" in note.text()
    _type(qtbot, n_ctx, "100000")
    dialog.editor("model", "n_batch").setFocus()
    qtbot.waitUntil(lambda: "trained" in dialog.problem_text)
    assert n_ctx.value() == 32768 and "100000" in dialog.problem_text
    dialog.grab().save("/tmp/polish/settings-clamp.png")


def test_gpu_layers_on_a_cpu_only_build_says_the_build_has_no_gpu(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot, gpu_offload=False)
    assert not dialog.editor("model", "n_gpu_layers").isEnabled()
    note = dialog.findChild(QLabel, "model.n_gpu_layers.note")
    assert note is not None and "no GPU support" in note.text()
    assert dialog.findChild(QLabel, "model.n_gpu_layers.note") is not None
    with_gpu = _dialog(qtbot, gpu_offload=True)
    assert with_gpu.editor("model", "n_gpu_layers").isEnabled()
    assert with_gpu.findChild(QLabel, "model.n_gpu_layers.note") is None


def test_the_model_page_says_ok_reloads_the_model_at_once(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot, gpu_offload=True)
    note = dialog.findChild(QLabel, "modelReloadNote")
    assert "reloads the model at once" in note.text()
    assert "next time" not in note.text()
