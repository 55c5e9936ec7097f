"""Help → About: the version, the llama.cpp build and backend, and every licence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import llama_cpp

from autoglm import __version__
from autoglm.core.catalog import Catalog
from autoglm.core.llama.engine import backend_name


def test_about_shows_version_llama_build_and_licences(qtbot: Any) -> None:
    """Each tab holds what it promises, read from the running build and the catalog."""
    from autoglm.core.runtime import Runtime
    from autoglm.ui.about_dialog import AboutDialog, third_party_path

    runtime = Runtime()
    try:
        dialog = AboutDialog(runtime)
        qtbot.addWidget(dialog)
        dialog.show()
        summary = dialog.summary.text()
        assert f"AutoGLM Desktop {__version__}" in summary
        assert llama_cpp.__version__ in summary
        assert f"<td>{backend_name(-1)[0]}</td>" in summary
        assert "running from source" in summary and "GPL-3.0-or-later" in summary
        licences = dialog.licences.toPlainText()
        assert "piper-tts" in licences and "GPL-3.0-or-later" in licences
        for entry in Catalog.load().entries():
            assert entry.name in licences and entry.licence in licences
        third_party = dialog.third_party.toPlainText()
        assert third_party_path().is_file()
        for name in (
            "PySide6_Essentials",
            "llama_cpp_python",
            "piper-tts",
            "faster-whisper",
            "espeak-ng",
        ):
            assert name in third_party, name
        assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
            "About",
            "Licences",
            "Third-party software",
        ]
    finally:
        runtime.close()


def test_help_about_opens_the_dialog(make_window: Callable[..., Any], qtbot: Any) -> None:
    """The main window's Help → About action opens an ``AboutDialog`` over the window's runtime."""
    from autoglm.ui.about_dialog import AboutDialog

    window = make_window(load=False)
    assert window.about_action in window.help_menu.actions()
    window.about_action.trigger()
    dialogs = [d for d in window.findChildren(AboutDialog)]
    assert len(dialogs) == 1
    qtbot.waitUntil(dialogs[0].isVisible)
    assert dialogs[0].runtime is window.runtime
    dialogs[0].reject()
    qtbot.waitUntil(lambda: not dialogs[0].isVisible())
