"""A spoken task in Act mode, heard through the real microphone path: the agent runs it with the real
model on an X server, its progress is spoken on the speaker, and the spoken words "stop, stop" end it
within ``STOP_WITHIN_MS`` of being played.

espeak-ng speaks into the private PulseAudio's virtual microphone, whisper hears it, piper speaks
the progress and parec records the speaker, which whisper transcribes back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_voice_window_real import click_mic, wait_for_mic_sound, words

from autoglm.agent.grammar import POINT_GBNF
from autoglm.core.settings import updated
from fixtures.audio import espeak_wav
from fixtures.projector import projector_gguf  # noqa: F401 - the test projector, a fixture
from fixtures.xvfb import xvfb_display  # noqa: F401 - an X server to act on

pytestmark = [pytest.mark.audio, pytest.mark.display, pytest.mark.slow, pytest.mark.timeout(240)]
STOP_WITHIN_MS = 30_000
"""From playing "stop" into the microphone to the run's end: heard, transcribed, the step cut short."""


def test_a_spoken_task_runs_is_spoken_about_and_stops_when_told(
    virtual_sound: Any,
    make_window: Any,
    gui_settings: Any,
    projector_gguf: Path,  # noqa: F811
    xvfb_display: str,  # noqa: F811
    whisper: Any,
    qtbot: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DISPLAY", xvfb_display)
    monkeypatch.setenv("XDG_SESSION_TYPE", "x11")
    task = espeak_wav("Tap the alpha button.", tmp_path / "task.wav")
    stop = espeak_wav("Stop, stop.", tmp_path / "stop.wav")
    window = make_window(
        updated(
            updated(gui_settings, "model", mmproj_path=str(projector_gguf)),
            "generation",
            max_tokens=200,
        )
    )
    window.setGeometry(1300, 0, 720, 600)
    agent = window.agent
    agent.grammar, agent.settle_s = POINT_GBNF, 0.0  # taps only: it never finishes by itself
    agent.repeats_for_loop = 1000  # and the same tap again and again is not called a loop here,
    agent.max_steps = 1000  # nor does the run end by its step budget before "stop" is said
    agent.set_enabled(True)
    voice = window.voice
    qtbot.waitUntil(lambda: bool(voice.input_devices), timeout=15_000)
    click_mic(qtbot, window)
    qtbot.waitUntil(lambda: voice.state == "listening", timeout=120_000)
    wait_for_mic_sound(qtbot, window)
    recording = virtual_sound.record_speaker(tmp_path / "speaker.raw")
    steps: list[Any] = []
    agent.stepShown.connect(steps.append)
    heard_words: list[str] = []
    states: list[str] = []
    voice._transcriptReported.connect(heard_words.append)
    voice.stateChanged.connect(states.append)
    try:
        virtual_sound.play_into_mic(task).wait(30)
        qtbot.waitUntil(lambda: agent.running, timeout=120_000)
        assert agent.spoken and window.controller.conversation.turns()[0].origin == "spoken"
        assert {"tap", "alpha"} <= words(window.controller.conversation.turns()[0].content)
        qtbot.waitUntil(lambda: bool(steps), timeout=120_000)  # one step done: the run goes on
        # a line of progress was spoken and has ended: in the pause after it the voice listens
        qtbot.waitUntil(lambda: 0.2 < voice.voice.quiet_s < 2.0, timeout=60_000)
        assert voice.state == "listening", f"states {states!r}"
        with qtbot.waitSignal(agent.runFinished, timeout=STOP_WITHIN_MS, raising=False) as finished:
            virtual_sound.play_into_mic(stop).wait(30)
        assert finished.signal_triggered, f"heard {heard_words!r}, states {states!r}"
        qtbot.wait(3000)  # the end of the run is spoken
    finally:
        heard = recording.stop()
    assert finished.args[0].outcome == "stopped"
    played_back = words(whisper.transcribe(heard).text)
    assert played_back & {"working", "step", "stopped", "tap"}, f"the speaker said: {played_back!r}"
