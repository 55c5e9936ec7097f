"""Settings → Voice: recognition model and language, a voice per language, the turn detector and its silences."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QListWidget,
    QPushButton,
)
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


def test_models_and_voices_are_picked_from_what_is_installed(
    qtbot: QtBot, tmp_path: Path, monkeypatch: Any
) -> None:
    from autoglm.core.paths import app_paths

    voice_folder = (
        app_paths().models_dir / "piper-zh_CN-huayan-medium"
    )  # as the model manager downloads it
    voice_folder.mkdir(parents=True, exist_ok=True)
    for name in ("zh_CN-huayan-medium.onnx", "zh_CN-huayan-medium.onnx.json"):
        (voice_folder / name).write_bytes(b"{}")
    try:
        dialog = _voice_page(qtbot, Settings())
        model = dialog.editor("voice", "asr_model")
        assert isinstance(model, QComboBox) and not model.isEditable()
        assert [model.itemData(i) for i in range(model.count())] == [
            "auto",
            "whisper-tiny.en",
            "whisper-base",
        ]
        language = dialog.editor("voice", "language")
        assert not language.isEditable()
        assert [language.itemText(i) for i in range(language.count())] == [
            "Automatic",
            "English",
            "中文",
        ]
        english_voice, chinese_voice = (
            dialog.editor("voice", "tts_voice"),
            dialog.editor("voice", "tts_voice_zh"),
        )
        assert [english_voice.itemData(i) for i in range(english_voice.count())] == [
            "piper-en_US-joe-medium"
        ]
        assert [chinese_voice.itemText(i) for i in range(chinese_voice.count())] == [
            "Piper zh_CN huayan",
            "espeak-ng Mandarin",
        ]
        assert chinese_voice.currentText() == "espeak-ng Mandarin"

        model.setCurrentIndex(model.findData("whisper-base"))
        language.setCurrentIndex(language.findData("zh"))
        chinese_voice.setCurrentIndex(chinese_voice.findData("piper-zh_CN-huayan-medium"))
        new = dialog.collect()
        assert (new.voice.asr_model, new.voice.language, new.voice.tts_voice_zh) == (
            "whisper-base",
            "zh",
            "piper-zh_CN-huayan-medium",
        )
        assert _voice_page(qtbot, new).collect() == new

        own_voice = tmp_path / "my-voice.onnx"  # a voice of the user's own, browsed to
        own_voice.write_bytes(b"onnx")
        monkeypatch.setattr(
            QFileDialog, "getOpenFileName", lambda *_args, **_kw: (str(own_voice), "")
        )
        browse = dialog.findChild(QPushButton, "voice.tts_voice.browse")
        assert browse is not None
        browse.click()
        assert english_voice.currentText() == "my-voice.onnx"
        assert dialog.collect().voice.tts_voice == str(own_voice)
    finally:
        shutil.rmtree(voice_folder)


def test_a_model_or_voice_that_is_not_installed_cannot_be_saved(qtbot: QtBot) -> None:
    saved = updated(
        Settings(),
        "voice",
        asr_model="/gone/whisper-large",
        tts_voice_zh="piper-zh_CN-huayan-medium",
    )
    dialog = _voice_page(qtbot, saved)
    model, chinese_voice = (
        dialog.editor("voice", "asr_model"),
        dialog.editor("voice", "tts_voice_zh"),
    )
    assert (
        model.currentText() == "/gone/whisper-large (not found)"
    )  # shown as it is, not changed silently
    assert (
        chinese_voice.currentText() == "piper-zh_CN-huayan-medium (not found)"
    )  # not downloaded here
    qtbot.mouseClick(
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Apply),
        Qt.MouseButton.LeftButton,
    )
    problem = dialog.problem_text
    assert "Speech recognition model: '/gone/whisper-large' is not installed" in problem
    assert "Chinese voice: 'piper-zh_CN-huayan-medium' is not installed" in problem
    model.setCurrentIndex(model.findData("auto"))
    chinese_voice.setCurrentIndex(chinese_voice.findData("espeak-ng-cmn"))
    assert dialog.apply(), dialog.problem_text
    assert (dialog.collect().voice.asr_model, dialog.collect().voice.tts_voice_zh) == (
        "auto",
        "espeak-ng-cmn",
    )


def test_the_turn_detector_switches_which_silences_apply(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = _voice_page(qtbot, Settings())
    detector = dialog.editor("voice", "turn_detector")
    finished, unfinished = (
        dialog.editor("voice", "finished_silence_ms"),
        dialog.editor("voice", "unfinished_silence_ms"),
    )
    fixed = dialog.editor("voice", "end_silence_ms")
    assert isinstance(detector, QCheckBox) and detector.isChecked()
    assert (finished.value(), unfinished.value()) == (250, 1200)
    assert finished.isEnabled() and unfinished.isEnabled() and not fixed.isEnabled()
    dialog.grab().save(str(tmp_path / "settings-voice.png"))

    finished.setValue(1500)
    qtbot.mouseClick(
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Apply),
        Qt.MouseButton.LeftButton,
    )
    assert "shorter than the silence allowed mid-sentence" in dialog.problem_text

    detector.setChecked(False)
    assert not finished.isEnabled() and not unfinished.isEnabled() and fixed.isEnabled()
    assert dialog.collect() == updated(
        Settings(), "voice", turn_detector=False, finished_silence_ms=1500
    )
