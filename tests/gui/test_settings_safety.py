"""Settings that would break the app are not saved; a saved model that vanished falls back to the starter."""

from __future__ import annotations

from typing import Any

from autoglm.core.catalog import STARTER_MODEL_ID
from autoglm.core.settings import load_settings, save_settings, updated


def test_an_unknown_saved_model_falls_back_to_the_starter_with_a_message(
        qtbot: Any, make_window: Any, gui_settings: Any) -> None:
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
        make_window: Any, gui_settings: Any) -> None:
    window = make_window(gui_settings, load=False)
    before = window.runtime.settings.model.active_model
    window.apply_settings(updated(updated(window.runtime.settings, "model", active_model="typo-model"),
                                  "appearance", font_size=13))
    assert window.runtime.settings.model.active_model == before
    assert load_settings(window.runtime.paths).model.active_model == before
    assert window.runtime.settings.appearance.font_size == 13  # the rest still applies
    assert any("“typo-model” is not an installed model" in message for message in window.banner.messages)
