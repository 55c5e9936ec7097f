"""A microphone that vanishes (the sound server stopped): words in the banner, the mic back at rest."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from autoglm.speech.devices import portaudio_reason, readable_name
from fixtures.audio import MIC, SPEAKER, VirtualSound


def test_alsa_plugin_names_and_portaudio_codes_read_as_words() -> None:
    assert readable_name("pulse") == "PulseAudio sound server"
    assert readable_name("default") == "Default sound device"
    assert (
        readable_name("HDA Intel PCH: ALC3246 Analog (hw:0,0)") == "HDA Intel PCH: ALC3246 Analog"
    )
    assert readable_name("USB Headset") == "USB Headset"
    stale = Exception("Error opening InputStream: Illegal combination of I/O devices", -9993)
    busy = Exception("Error opening InputStream: Device unavailable", -9985)
    for error in (stale, busy, Exception("Error querying device -1")):
        reason = portaudio_reason(error)
        assert "Error" not in reason and "-99" not in reason and "querying" not in reason


@pytest.fixture
def private_sound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A PulseAudio daemon of this test's own, so stopping it disturbs no other test."""
    if any(shutil.which(tool) is None for tool in ("pulseaudio", "pactl")):
        pytest.skip("PulseAudio is not installed; the README's test command installs it")
    from autoglm.speech import devices

    sound = VirtualSound(tmp_path / "pulse")
    sound.start()
    monkeypatch.setenv("PULSE_SERVER", sound.server)
    monkeypatch.setenv("PULSE_SINK", SPEAKER)
    monkeypatch.setenv("PULSE_SOURCE", f"{MIC}.monitor")
    devices.rescan()
    yield sound
    sound.stop()
    monkeypatch.undo()
    devices.rescan()


def test_a_microphone_lost_with_its_sound_server_is_explained_and_the_mic_resets(
    qtbot: Any, make_window: Any, gui_settings: Any, private_sound: VirtualSound
) -> None:
    from PySide6.QtCore import Qt

    window = make_window(gui_settings, load=False)
    voice = window.voice
    qtbot.waitUntil(lambda: bool(voice.input_devices), timeout=30_000)
    labels = [action.text() for action in voice.device_menu.actions() if action.isCheckable()]
    assert "PulseAudio sound server" in labels and "pulse" not in labels, labels

    private_sound.stop()  # the sound server goes away; PortAudio still lists its devices
    window.activateWindow()
    qtbot.keyPress(window, Qt.Key.Key_F9)
    qtbot.waitUntil(
        lambda: window.banner.isVisible() and "microphone" in window.banner.text.text(),
        timeout=60_000,
    )
    qtbot.keyRelease(window, Qt.Key.Key_F9)
    message = window.banner.text.text()
    assert "could not be opened" in message and "Default sound device" in message, message
    for raw in ("PaErrorCode", "Error opening", "Illegal combination", "InputStream", "ALSA"):
        assert raw not in message, message
    qtbot.waitUntil(lambda: voice.mic_button.voice_state == "idle", timeout=10_000)
    assert voice.state_label.text() not in ("Hearing you…", "Loading speech models…")
    assert not voice.mic_button.holding and not voice.mic_button.isDown()
    window.grab().save("/tmp/polish/no-mic.png")
