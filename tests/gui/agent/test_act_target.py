"""Choosing what Act mode acts on, in the window: the picker lists the open windows of a real X
server by title (never the app's own), a chosen window is what the model sees and where the
agent clicks, and a click outside it asks first.

The window is the real one (offscreen Qt); on Xvfb run the click-target window (another
process) and an X window of this very process, standing for the app's own window. Recorded
replies go through the window's own run, so the real executor clicks on Xvfb.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from click_target import BUTTONS, SHRUNK, WINDOW
from test_act_from_window import _answer_with, _run, act_window  # noqa: F401 - a fixture

from autoglm.agent.coordinates import ScreenGeometry, grid_to_screen, pixels_to_grid

pytestmark = pytest.mark.display
OWN_TITLE = "AutoGLM Desktop"
LIST_TIMEOUT_MS = 30_000


@pytest.fixture
def own_x_window(xvfb_display: str) -> Iterator[int]:
    """A mapped X window of this process, titled like the app's (the app itself runs offscreen)."""
    from Xlib import X, Xatom, display

    connection = display.Display(xvfb_display)
    screen = connection.screen()
    window = screen.root.create_window(
        950, 600, 300, 150, 0, screen.root_depth, X.InputOutput, X.CopyFromParent
    )
    window.set_wm_name(OWN_TITLE)
    window.change_property(connection.intern_atom("_NET_WM_PID"), Xatom.CARDINAL, 32, [os.getpid()])
    window.map()
    connection.sync()
    yield window.id
    window.destroy()
    connection.close()


def _center_in_window(name: str) -> tuple[int, int]:
    x, y, width, height = BUTTONS[name]
    return x + width // 2, y + height // 2


WINDOW_SHOT = ScreenGeometry(WINDOW[2], WINDOW[3], 1.0, WINDOW[0], WINDOW[1])
"""The chosen window's screenshot: its own size, its top-left where the window lies."""


def _tap(name: str) -> str:
    point = pixels_to_grid(*_center_in_window(name), WINDOW_SHOT)
    return f'<think>{name}</think><answer>do(action="Tap", element=[{point.x},{point.y}])</answer>'


def _list(window: Any, qtbot: Any) -> list[str]:
    """Open the picker as a user does; the texts of its entries once the fresh list came."""
    picker = window.agent.picker
    with qtbot.waitSignal(picker.listed, timeout=LIST_TIMEOUT_MS):
        picker.menu.popup(picker.button.mapToGlobal(picker.button.rect().bottomLeft()))
    return [action.text() for action in picker.entries()]


def test_a_chosen_window_is_listed_by_title_clicked_inside_and_a_click_outside_asks_first(
    act_window: Any,  # noqa: F811 - the fixture imported above
    shrinking_click_target: Callable[[], list],
    own_x_window: int,
    qtbot: Any,
) -> None:
    window = act_window
    picker = window.agent.picker
    assert picker.button.isVisibleTo(window) and "Whole desktop" in picker.button.text()
    texts = _list(window, qtbot)
    assert texts[0] == "Whole desktop" and "Click target" in texts
    assert OWN_TITLE not in texts, "the app's own windows are never offered"
    [entry] = [action for action in picker.entries() if action.text() == "Click target"]
    entry.trigger()
    picker.menu.hide()
    assert window.agent.window_target is not None
    assert window.agent.window_target.title == "Click target"
    assert picker.button.text().startswith("On: Click target") and entry.isChecked()

    asked = _answer_with(window, qtbot, ["Stop"])
    run = _run(window, qtbot, [_tap("alpha"), _tap("beta")], task="Press alpha, then beta")

    presses = [e for e in shrinking_click_target() if e["event"] == "press"]
    alpha = grid_to_screen(pixels_to_grid(*_center_in_window("alpha"), WINDOW_SHOT), WINDOW_SHOT)
    assert [(e["widget"], e["x"], e["y"]) for e in presses] == [("alpha", *alpha)], (
        "the first tap lands inside the chosen window, at the place its screenshot showed"
    )
    assert len(asked) == 1 and "outside the target window" in asked[0], (
        f"beta lies outside the window once it shrank to {SHRUNK}: asked first, then stopped"
    )
    assert run.outcome == "declined" and "outside the target window" in run.message
    from PIL import Image

    path = window.runtime.store.attachment_path(
        window.controller.conversation.turns()[-1].agent_steps[0].screenshot
    )
    with Image.open(path) as shot:
        assert shot.size == (WINDOW[2], WINDOW[3]), (
            "the model saw the chosen window, not the screen"
        )

    # the whole desktop again: the next run is not bound to the window
    [whole] = [action for action in picker.entries() if action.text() == "Whole desktop"]
    whole.trigger()
    assert window.agent.window_target is None and window.agent.device == "desktop"


def test_without_an_x_display_the_picker_says_so_and_offers_the_whole_desktop(
    act_window: Any,  # noqa: F811 - the fixture imported above
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtCore import QCoreApplication, QEvent

    monkeypatch.setenv("XDG_SESSION_TYPE", "wayland")
    composer = act_window.composer
    QCoreApplication.sendEvent(composer, QEvent(QEvent.Type.LanguageChange))
    assert "Describe a task" in composer.input.placeholderText(), "Act mode's hint stays"
    texts = _list(act_window, qtbot)
    assert texts == ["Whole desktop"]
    notes = [a.text() for a in act_window.agent.picker.menu.actions() if not a.isEnabled()]
    assert any("Wayland" in note and "cannot be listed" in note for note in notes), notes
