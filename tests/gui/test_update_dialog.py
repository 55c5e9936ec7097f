"""Help → Check for updates: the real dialog against a signed feed on a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from autoglm.core.settings import Settings, UpdateSettings, updated
from autoglm.core.update_install import previous_dir
from autoglm.core.update_origin import read_origin
from autoglm.ui.update_dialog import UpdateDialog
from fixtures.updates import publish

TIMEOUT_MS = 60_000


def _dialog(
    qtbot: Any, feed: str, public_key: str, cache: Path, install_dir: Path | None
) -> UpdateDialog:
    dialog = UpdateDialog(
        UpdateSettings(feed_url=feed, public_key=public_key), cache, install_dir=install_dir
    )
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_it_says_up_to_date(
    qtbot: Any, update_server: Any, release_key: Any, tmp_path: Path
) -> None:
    key_file, public = release_key
    feed = publish(update_server, key_file, "0.1.0")
    dialog = _dialog(qtbot, feed, public, tmp_path / "cache", None)
    qtbot.waitUntil(lambda: "is up to date" in dialog.status.text(), timeout=TIMEOUT_MS)
    assert not dialog.install_button.isVisible()


def test_it_installs_the_new_version_with_progress(
    qtbot: Any, update_server: Any, release_key: Any, installed_app: Path, tmp_path: Path
) -> None:
    key_file, public = release_key
    feed = publish(update_server, key_file, "0.2.0")
    dialog = _dialog(qtbot, feed, public, tmp_path / "cache", installed_app)
    qtbot.waitUntil(dialog.install_button.isVisible, timeout=TIMEOUT_MS)
    assert "Version 0.2.0 is available (this is 0.1.0)" in dialog.status.text()
    assert "What is new in 0.2.0." in dialog.notes.toPlainText()
    qtbot.mouseClick(dialog.install_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "is installed" in dialog.status.text(), timeout=TIMEOUT_MS)
    assert (installed_app / "VERSION").read_text() == "0.2.0"
    assert (previous_dir(installed_app) / "VERSION").read_text() == "0.1.0"
    origin = read_origin(installed_app)
    assert origin is not None and origin["feed_url"] == feed


def test_a_refused_update_is_said_in_the_dialog_and_changes_nothing(
    qtbot: Any, update_server: Any, release_key: Any, installed_app: Path, tmp_path: Path
) -> None:
    key_file, public = release_key
    feed = publish(update_server, key_file, "0.2.0")
    archive = next(update_server[0].glob("*.tar.gz"))
    archive.write_bytes(archive.read_bytes()[::-1])  # same size, other bytes
    dialog = _dialog(qtbot, feed, public, tmp_path / "cache", installed_app)
    qtbot.waitUntil(dialog.install_button.isVisible, timeout=TIMEOUT_MS)
    qtbot.mouseClick(dialog.install_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "signed checksum" in dialog.status.text(), timeout=TIMEOUT_MS)
    assert dialog.install_button.text() == "Try again" and dialog.install_button.isEnabled()
    assert (installed_app / "VERSION").read_text() == "0.1.0"
    assert not previous_dir(installed_app).exists()


def test_from_source_it_looks_but_does_not_offer_to_install(
    qtbot: Any, update_server: Any, release_key: Any, tmp_path: Path
) -> None:
    key_file, public = release_key
    feed = publish(update_server, key_file, "0.2.0")
    dialog = _dialog(qtbot, feed, public, tmp_path / "cache", None)
    qtbot.waitUntil(lambda: "runs from source" in dialog.status.text(), timeout=TIMEOUT_MS)
    assert not dialog.install_button.isVisible()


def test_help_menu_opens_it_and_the_settings_have_an_updates_page(
    qtbot: Any, make_window: Any, gui_settings: Settings
) -> None:
    window = make_window(updated(gui_settings, "updates", feed_url=""), load=False)
    assert window.update_action in window.help_menu.actions()
    window.update_action.trigger()
    dialog = window._dialogs[-1]
    assert isinstance(dialog, UpdateDialog)
    assert "No update feed is set" in dialog.status.text()
    from autoglm.ui.settings_dialog import SettingsDialog

    settings = SettingsDialog(window.runtime.settings)
    qtbot.addWidget(settings)
    settings.show()
    settings.show_page("updates")
    assert settings.editor("updates", "check_on_start").isVisible()
    assert settings.editor("updates", "feed_url").accessibleName() == "Update feed"
