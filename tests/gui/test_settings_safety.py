"""Settings that would break the app are not saved; a saved model that vanished falls back to the starter."""

from __future__ import annotations

from typing import Any

from autoglm.core.catalog import STARTER_MODEL_ID
from autoglm.core.settings import load_settings, save_settings, updated


def test_an_unknown_saved_model_falls_back_to_the_starter_with_a_message(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(gui_settings, load=False)
    broken = updated(window.runtime.settings, "model", active_model="no-such-model")
    save_settings(broken, window.runtime.paths)
    window.runtime.settings = broken
    window.start()
    assert any("“no-such-model” is not installed" in message for message in window.banner.messages)
    assert window.runtime.settings.model.active_model == STARTER_MODEL_ID
    assert load_settings(window.runtime.paths).model.active_model == STARTER_MODEL_ID
    assert window.runtime.store.list_conversations() == []  # no empty reply was stored


def test_settings_naming_a_model_that_is_not_installed_keep_the_old_model(
    make_window: Any, gui_settings: Any
) -> None:
    window = make_window(gui_settings, load=False)
    before = window.runtime.settings.model.active_model
    window.apply_settings(
        updated(
            updated(window.runtime.settings, "model", active_model="typo-model"),
            "appearance",
            font_size=13,
        )
    )
    assert window.runtime.settings.model.active_model == before
    assert load_settings(window.runtime.paths).model.active_model == before
    assert window.runtime.settings.appearance.font_size == 13  # the rest still applies
    assert any(
        "“typo-model” is not an installed model" in message for message in window.banner.messages
    )


def test_models_and_sound_devices_are_picked_from_what_is_installed_and_paths_have_browse(
    qtbot: Any, window: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    from PySide6.QtWidgets import QComboBox, QFileDialog, QPushButton

    from autoglm.speech.devices import AudioDevice
    from autoglm.ui.settings_dialog import SettingsDialog

    qtbot.waitUntil(lambda: window.model_picker.combo.count() > 0)
    window.voice.input_devices = [
        AudioDevice(3, "alsa_input.usb-Blue_Yeti-00.analog-stereo", "ALSA", 2, 0, 48000.0)
    ]
    window.voice.output_devices = []
    window.apply_settings(updated(window.runtime.settings, "voice", output_device="Gone speaker"))
    window.open_settings()
    dialog = next(d for d in window._dialogs if isinstance(d, SettingsDialog))
    model = dialog.editor("model", "active_model")
    assert isinstance(model, QComboBox) and not model.isEditable()
    assert [model.itemData(row) for row in range(model.count())] == window.model_picker.models()
    microphone = dialog.editor("voice", "input_device")
    assert isinstance(microphone, QComboBox) and microphone.currentText() == "System default"
    assert [microphone.itemData(row) for row in range(microphone.count())] == [
        None,
        "alsa_input.usb-Blue_Yeti-00.analog-stereo",
    ]
    speaker = dialog.editor("voice", "output_device")
    assert (
        speaker.currentText() == "Gone speaker (not found)"
    )  # kept, and said so, not changed silently
    microphone.setCurrentIndex(1)
    projector = tmp_path / "mmproj.gguf"
    projector.write_bytes(b"GGUF")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args, **_kw: (str(projector), ""))
    browse = dialog.findChild(QPushButton, "model.mmproj_path.browse")
    assert (
        browse is not None
        and dialog.findChild(QPushButton, "server.allowed_image_dir.browse") is not None
    )
    browse.click()
    assert dialog.editor("model", "mmproj_path").text() == str(projector)
    dialog.editor("model", "mmproj_path").clear()
    assert dialog.apply(), dialog.problem_text
    voice = window.runtime.settings.voice
    assert (voice.input_device, voice.output_device) == (
        "alsa_input.usb-Blue_Yeti-00.analog-stereo",
        "Gone speaker",
    )
