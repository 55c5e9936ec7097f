"""A push-to-talk hold without speech asks nothing: the window says it did not catch that."""

from __future__ import annotations

from typing import Any

import numpy as np
import shiboken6

from autoglm.speech.vad import SileroFrameVad, TurnDetector, has_words


def test_punctuation_and_blank_transcripts_hold_no_words() -> None:
    assert not any(has_words(text) for text in ("", " ", ".", "…", " . ", "?!", "。"))
    assert all(has_words(text) for text in ("Hi.", "你好", "42"))


def test_a_silent_push_to_talk_hold_sends_nothing_and_says_so(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(gui_settings, load=False)
    controller = window.voice
    conversation = (
        controller._ensure_voice()
    )  # the real voice loop, fed here instead of by a microphone
    detector = TurnDetector(SileroFrameVad())
    rng = np.random.default_rng(3)
    quiet_room = (rng.standard_normal(1600) * 0.002).astype(
        np.float32
    )  # 0.1 s of faint noise per block
    conversation._pressed = True
    pressed = False
    for _block in range(15):  # a 1.5 s hold
        pressed = conversation._push_to_talk(detector, quiet_room, pressed)
    conversation._pressed = False
    with qtbot.waitSignal(controller.nothingHeard, timeout=10_000):
        conversation._push_to_talk(detector, quiet_room, pressed)
    assert conversation._turns.empty(), "a turn without speech was queued for transcription"
    assert (
        window.controller.model.rowCount() == 0 and window.runtime.store.list_conversations() == []
    )
    qtbot.waitUntil(lambda: controller.state == "ready")  # not "Hearing you…" any more
    assert controller.state_label.text().startswith("Didn't catch that")


def test_closing_the_window_while_it_says_so_leaves_no_late_call(
    qtbot: Any, make_window: Any, gui_settings: Any, monkeypatch: Any
) -> None:
    from autoglm.ui import voice_controller

    monkeypatch.setattr(voice_controller, "NOTHING_HEARD_S", 0.2)
    window = make_window(gui_settings, load=False)
    label = window.voice.state_label
    window.voice._on_nothing_heard()
    label.deleteLater()  # the window is torn down before the message would have been cleared
    qtbot.waitUntil(lambda: not shiboken6.isValid(label))
    qtbot.wait(
        500
    )  # the cleared-message call would land now; pytest-qt fails on an exception in it
