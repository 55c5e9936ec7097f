"""Fixtures for driving the real main window with the real starter model (offscreen Qt)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

MODEL_LOAD_TIMEOUT_MS = 180_000
REPLY_TIMEOUT_MS = 240_000


@pytest.fixture
def gui_settings(starter_gguf: Path) -> Any:
    """Settings for lean tests: the starter model by path, a small context, short greedy replies."""
    from autoglm.core.settings import GenerationSettings, ModelSettings, Settings

    return Settings(
        model=ModelSettings(active_model=str(starter_gguf), n_ctx=1024, n_threads=2),
        generation=GenerationSettings(
            max_tokens=6, temperature=0.0, seed=7, thinking=False, system_prompt="Answer briefly."
        ),
    )


@pytest.fixture
def make_window(qtbot: Any) -> Iterator[Callable[..., Any]]:
    """Builds main windows over a fresh ``Runtime``; every window is shut down at teardown."""
    from autoglm.core.runtime import Runtime
    from autoglm.ui.app import create_main_window, ensure_application

    windows: list[Any] = []

    def make(settings: Any | None = None, load: bool = True) -> Any:
        app = ensure_application()
        runtime = Runtime(settings=settings)
        if settings is not None:
            runtime.apply_settings(settings)
        window = create_main_window(runtime, app, owns_process=False)
        qtbot.addWidget(window)
        windows.append(window)
        window.show()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        if load:
            with qtbot.waitSignal(window.modelLoaded, timeout=MODEL_LOAD_TIMEOUT_MS):
                window.start()
        else:
            window.sidebar.refresh()
        return window

    yield make
    for window in windows:
        window.close()
        window.shutdown()


@pytest.fixture
def window(make_window: Callable[..., Any], gui_settings: Any) -> Any:
    """A main window with the starter model loaded."""
    return make_window(gui_settings)


@pytest.fixture
def send_and_wait(qtbot: Any) -> Callable[[Any, str], Any]:
    """``send_and_wait(window, text)``: type, press Enter, wait for the reply; returns the Completion."""
    return lambda window, text: _send_and_wait(qtbot, window, text)


@pytest.fixture
def click_action(qtbot: Any) -> Callable[[Any, int, str], None]:
    """``click_action(window, row, name)``: click a message's painted action button."""
    return lambda window, row, name: _click_action(qtbot, window, row, name)


def _send_and_wait(qtbot: Any, window: Any, text: str) -> Any:
    from PySide6.QtCore import Qt

    window.composer.input.setFocus()
    window.composer.input.setPlainText(text)
    with qtbot.waitSignal(window.controller.replyFinished, timeout=REPLY_TIMEOUT_MS) as blocker:
        qtbot.keyClick(window.composer.input, Qt.Key.Key_Return)
    return blocker.args[0]


def _click_action(qtbot: Any, window: Any, row: int, action: str) -> None:
    from PySide6.QtCore import Qt

    view = window.chat_view
    index = view.model().index(row, 0)
    view.scrollTo(index)
    qtbot.wait(50)
    item = view.model().item(row)
    is_last = row == view.model().rowCount() - 1
    layout = view.delegate.row_layout(item, view.visualRect(index), is_last)
    rects = dict(layout.actions)
    assert action in rects, f"message {row} shows no {action} button (has {list(rects)})"
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rects[action].center())
