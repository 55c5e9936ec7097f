"""The Settings dialog, generated from the settings model, driven through its real widgets."""

from __future__ import annotations

from pydantic import BaseModel
from PySide6.QtCore import QCoreApplication, Qt, QTranslator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QSpinBox,
)
from pytestqt.qtbot import QtBot

from autoglm.core.settings import SETTINGS_GROUPS, Settings, load_settings, save_settings, updated
from autoglm.ui.settings_dialog import SettingsDialog


def _dialog(qtbot: QtBot, settings: Settings | None = None) -> SettingsDialog:
    dialog = SettingsDialog(settings or Settings())
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _click(qtbot: QtBot, dialog: SettingsDialog, which: QDialogButtonBox.StandardButton) -> None:
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(which), Qt.MouseButton.LeftButton)


def test_a_page_per_group_and_a_described_widget_per_field(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    pages = dialog.findChild(QListWidget)
    assert [pages.item(i).text() for i in range(pages.count())] == [
        "Model",
        "Remote engine",
        "Generation",
        "Voice",
        "Vision",
        "Server",
        "Appearance",
        "Updates",
    ]
    settings = Settings()
    for group in SETTINGS_GROUPS:
        model: BaseModel = getattr(settings, group)
        for name, info in type(model).model_fields.items():
            widget = dialog.editor(group, name)
            assert widget.accessibleName(), f"{group}.{name} has no accessible name"
            assert widget.toolTip().startswith(info.description or ""), f"{group}.{name} tooltip"
            assert widget.accessibleDescription() == info.description


def test_widgets_follow_types_and_bounds(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    n_ctx = dialog.editor("model", "n_ctx")
    assert isinstance(n_ctx, QSpinBox) and (n_ctx.minimum(), n_ctx.maximum()) == (512, 262144)
    temperature = dialog.editor("generation", "temperature")
    assert isinstance(temperature, QDoubleSpinBox) and (
        temperature.minimum(),
        temperature.maximum(),
    ) == (0.0, 2.0)
    top_p = dialog.editor("generation", "top_p")
    assert top_p.minimum() > 0.0 and top_p.maximum() == 1.0  # gt=0 excludes zero
    assert isinstance(dialog.editor("model", "flash_attn"), QCheckBox)
    theme = dialog.editor("appearance", "theme")
    assert isinstance(theme, QComboBox)
    assert [theme.itemData(i) for i in range(theme.count())] == ["system", "light", "dark"]
    assert isinstance(dialog.editor("server", "host"), QLineEdit)
    assert dialog.editor("server", "api_key").echoMode() != QLineEdit.EchoMode.Normal
    assert isinstance(dialog.editor("generation", "system_prompt"), QPlainTextEdit)
    seed = dialog.editor("generation", "seed")
    assert (
        seed.value() == seed.minimum() and seed.text() == "Random"
    )  # unset optional shows as words


def test_every_value_round_trips_through_the_widgets(qtbot: QtBot) -> None:
    custom = Settings()
    custom = updated(
        custom, "model", n_ctx=4096, n_threads=3, flash_attn=False, mmproj_path="/models/mm.gguf"
    )
    custom = updated(
        custom,
        "generation",
        temperature=0.25,
        seed=1234,
        system_prompt="Be brief.\nUse lists.",
        thinking=False,
    )
    custom = updated(
        custom, "voice", input_device="USB Mic", vad_threshold=0.35, barge_in=True, headset=True
    )
    custom = updated(
        custom,
        "server",
        allowed_origins=["http://a.example", "http://b.example"],
        max_body_mb=12.5,
        allowed_hosts=["mybox.lan", "proxy.lan:8443"],
        require_key_on_loopback=False,
        allow_mcp_tools=True,
    )
    custom = updated(custom, "appearance", theme="dark", language="zh_CN", font_size=14)

    assert _dialog(qtbot, custom).collect() == custom
    assert _dialog(qtbot).collect() == Settings()


def test_apply_emits_validated_settings_and_stays_open(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.editor("model", "n_ctx").setValue(4096)
    dialog.editor("generation", "temperature").setValue(0.2)
    dialog.editor("generation", "seed").setValue(7)
    theme = dialog.editor("appearance", "theme")
    theme.setCurrentIndex(theme.findData("dark"))
    dialog.editor("server", "allowed_origins").setText(" http://x.example ,, HTTP://Y.example:80/ ")

    with qtbot.waitSignal(dialog.settingsApplied, timeout=2000) as applied:
        _click(qtbot, dialog, QDialogButtonBox.StandardButton.Apply)

    new: Settings = applied.args[0]
    assert isinstance(new, Settings)
    assert (new.model.n_ctx, new.generation.temperature, new.generation.seed) == (4096, 0.2, 7)
    assert new.appearance.theme == "dark"
    assert new.server.allowed_origins == ["http://x.example", "http://y.example"]
    assert dialog.isVisible() and dialog.problem_text == ""

    save_settings(new)
    assert load_settings() == new  # what the dialog produced survives a restart


def test_ok_applies_and_closes_cancel_emits_nothing(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.editor("appearance", "font_size").setValue(16)
    with qtbot.waitSignal(dialog.settingsApplied, timeout=2000) as applied:
        _click(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    assert applied.args[0].appearance.font_size == 16
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()

    other = _dialog(qtbot)
    other.editor("appearance", "font_size").setValue(20)
    with qtbot.assertNotEmitted(other.settingsApplied):
        _click(qtbot, other, QDialogButtonBox.StandardButton.Cancel)
    assert other.result() == QDialog.DialogCode.Rejected


def test_unusable_combinations_are_explained_and_not_applied(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.editor("server", "host").setText("0.0.0.0")
    dialog.editor("voice", "barge_in").setChecked(True)

    with qtbot.assertNotEmitted(dialog.settingsApplied):
        _click(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    assert dialog.isVisible()
    assert "0.0.0.0" in dialog.problem_text and "API key" in dialog.problem_text
    assert "headset" in dialog.problem_text

    dialog.editor("server", "api_key").setText("s3cret-key")
    dialog.editor("voice", "headset").setChecked(True)
    with qtbot.waitSignal(dialog.settingsApplied, timeout=2000) as applied:
        _click(qtbot, dialog, QDialogButtonBox.StandardButton.Apply)
    assert applied.args[0].server.api_key == "s3cret-key"
    assert dialog.problem_text == ""


def test_restore_defaults_resets_only_the_current_page(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.editor("generation", "temperature").setValue(1.5)
    dialog.editor("model", "n_ctx").setValue(1024)
    dialog.show_page("generation")
    _click(qtbot, dialog, QDialogButtonBox.StandardButton.RestoreDefaults)

    collected = dialog.collect()
    assert collected.generation.temperature == Settings().generation.temperature
    assert collected.model.n_ctx == 1024


class _GermanTitles(QTranslator):
    """A translator for a few of the dialog's strings (Qt's real translation path, no .qm needed)."""

    WORDS = {
        "Model": "Modell",
        "Apply": "Anwenden",
        "Context size (tokens)": "Kontextgröße (Token)",
    }

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str:
        return self.WORDS.get(source, "") if context == "SettingsDialog" else ""

    def isEmpty(self) -> bool:  # noqa: N802 - Qt's naming; Qt skips empty translators
        return False


def test_a_language_switch_retranslates_and_keeps_edits(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.editor("model", "n_ctx").setValue(2048)
    dialog.show_page("voice")
    translator = _GermanTitles()
    QCoreApplication.installTranslator(translator)
    try:
        qtbot.waitUntil(
            lambda: dialog.findChild(QListWidget).item(0).text() == "Modell", timeout=2000
        )
        n_ctx = dialog.editor("model", "n_ctx")
        assert n_ctx.value() == 2048 and n_ctx.accessibleName() == "Kontextgröße (Token)"
        assert (
            dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Apply).text()
            == "Anwenden"
        )
        assert dialog.findChild(QListWidget).currentRow() == SETTINGS_GROUPS.index("voice")
    finally:
        QCoreApplication.removeTranslator(translator)
    qtbot.waitUntil(lambda: dialog.findChild(QListWidget).item(0).text() == "Model", timeout=2000)
    assert dialog.collect().model.n_ctx == 2048
