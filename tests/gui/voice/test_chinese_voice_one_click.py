"""The piper zh_CN voice is one click in the model manager (from a hub on loopback), then a Chinese voice in Settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QThreadPool
from pytestqt.qtbot import QtBot

from autoglm.core.runtime import Runtime
from autoglm.core.settings import updated
from autoglm.ui.model_manager import ModelManagerDialog
from autoglm.ui.settings_dialog import SettingsDialog
from fixtures.chinese_voice import PIPER_VOICES_REPO, chinese_voice_files
from hub_http_server import serving_hub

VOICE_ID = "piper-zh_CN-huayan-medium"


@pytest.fixture
def runtime() -> Iterator[Runtime]:
    shared = Runtime()
    yield shared
    QThreadPool.globalInstance().waitForDone(60_000)
    shared.close()


def test_one_click_downloads_the_chinese_voice_which_settings_then_offers(
    qtbot: QtBot, runtime: Runtime
) -> None:
    with serving_hub({PIPER_VOICES_REPO: chinese_voice_files()}) as hub:
        runtime.settings = updated(runtime.settings, "model", hub_endpoint=hub.endpoint)
        dialog = ModelManagerDialog(runtime)
        qtbot.addWidget(dialog)
        with qtbot.waitSignal(dialog.factsRefreshed, timeout=30_000):
            dialog.show()
        dialog.select(VOICE_ID)
        assert dialog.row_texts(VOICE_ID)["kind"] == "Voice"
        assert dialog.download_button.isEnabled() and dialog.download_button.text() == "Download"
        with qtbot.waitSignal(dialog.factsRefreshed, timeout=120_000):
            qtbot.mouseClick(dialog.download_button, Qt.MouseButton.LeftButton)
    assert dialog.progress_text == "Download complete and verified."
    assert dialog.row_texts(VOICE_ID)["status"].startswith(
        "Present"
    )  # checked against the hub's sums

    settings = SettingsDialog(runtime.settings)
    qtbot.addWidget(settings)
    chinese_voice = settings.editor("voice", "tts_voice_zh")
    assert [chinese_voice.itemData(i) for i in range(chinese_voice.count())] == [
        VOICE_ID,
        "espeak-ng-cmn",
    ]
