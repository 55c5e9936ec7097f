"""Settings → Voice: recognition model and language, a voice per language, the turn detector and its silences."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialogButtonBox, QListWidget
from pytestqt.qtbot import QtBot

from autoglm.core.settings import Settings, updated
from autoglm.ui.settings_dialog import SettingsDialog


def _voice_page(qtbot: QtBot, settings: Settings) -> SettingsDialog:
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.resize(720, 820)
    dialog.show()
    dialog.show_page("voice")
    assert dialog.findChild(QListWidget).currentItem().text() == "Voice"
    return dialog


def test_known_models_and_voices_are_listed_and_a_path_can_be_typed(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = _voice_page(qtbot, Settings())
    model = dialog.editor("voice", "asr_model")
    assert isinstance(model, QComboBox) and model.isEditable()
    assert [model.itemData(i) for i in range(model.count())] == ["auto", "whisper-tiny.en", "whisper-base"]
    language = dialog.editor("voice", "language")
    assert [language.itemText(i) for i in range(language.count())] == ["Automatic", "English", "中文"]
    chinese_voice = dialog.editor("voice", "tts_voice_zh")
    assert chinese_voice.currentText() == "espeak-ng Mandarin"

    model.setCurrentIndex(model.findData("whisper-base"))
    language.setCurrentIndex(language.findData("zh"))
    own_voice = str(tmp_path / "zh_CN-huayan-medium.onnx")
    chinese_voice.setEditText(own_voice)
    new = dialog.collect()
    assert (new.voice.asr_model, new.voice.language, new.voice.tts_voice_zh) == ("whisper-base", "zh", own_voice)
    assert _voice_page(qtbot, new).collect() == new  # a typed path comes back as typed


def test_the_turn_detector_switches_which_silences_apply(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = _voice_page(qtbot, Settings())
    detector = dialog.editor("voice", "turn_detector")
    finished, unfinished = dialog.editor("voice", "finished_silence_ms"), dialog.editor("voice", "unfinished_silence_ms")
    fixed = dialog.editor("voice", "end_silence_ms")
    assert isinstance(detector, QCheckBox) and detector.isChecked()
    assert (finished.value(), unfinished.value()) == (250, 1200)
    assert finished.isEnabled() and unfinished.isEnabled() and not fixed.isEnabled()
    dialog.grab().save(str(tmp_path / "settings-voice.png"))

    finished.setValue(1500)
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Apply),
                     Qt.MouseButton.LeftButton)
    assert "shorter than the silence allowed mid-sentence" in dialog.problem_text

    detector.setChecked(False)
    assert not finished.isEnabled() and not unfinished.isEnabled() and fixed.isEnabled()
    assert dialog.collect() == updated(Settings(), "voice", turn_detector=False, finished_silence_ms=1500)
