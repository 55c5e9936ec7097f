"""The mic button's click/hold split, the level meter's repaint budget, and the no-microphone window."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autoglm.ui.voice_widgets import HOLD_MS, LevelMeterWidget, MicButtonWidget, meter_fraction

PROBE = Path(__file__).with_name("window_probe.py")


def run_probe(env: dict[str, str], *args: str) -> dict:
    """The window probe's report from a fresh process."""
    import autoglm

    app_root = str(Path(autoglm.__file__).resolve().parents[1])
    env = {
        **env,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": os.pathsep.join(filter(None, [app_root, env.get("PYTHONPATH")])),
    }
    result = subprocess.run(
        [sys.executable, str(PROBE), *args], env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_meter_fraction_spans_the_floor_to_full_scale() -> None:
    assert meter_fraction(-100.0) == 0.0
    assert meter_fraction(-60.0) == 0.0
    assert meter_fraction(-30.0) == pytest.approx(0.5)
    assert meter_fraction(0.0) == 1.0
    assert meter_fraction(6.0) == 1.0


def test_level_meter_repaints_at_most_30_times_a_second_however_fast_levels_change(qtbot) -> None:
    import threading

    latest = {"dbfs": -100.0}
    stop = threading.Event()

    def capture() -> None:  # levels arriving ~1000 times a second from another thread
        n = 0
        while not stop.is_set():
            n += 1
            latest["dbfs"] = -55.0 + (n * 17) % 50
            time.sleep(0.001)

    meter = LevelMeterWidget(lambda: latest["dbfs"])
    qtbot.addWidget(meter)
    meter.show()
    meter.set_running(True)
    writer = threading.Thread(target=capture, daemon=True)
    writer.start()
    qtbot.wait(50)
    meter.repaints = 0
    started = time.monotonic()
    qtbot.wait(1000)
    elapsed = time.monotonic() - started
    stop.set()
    writer.join()
    meter.set_running(False)
    assert meter.repaints > 5, "the meter did not follow the level"
    assert meter.repaints <= 31 * elapsed + 2


def test_mic_button_click_toggles_hands_free_and_hold_is_push_to_talk(qtbot) -> None:
    button = MicButtonWidget()
    qtbot.addWidget(button)
    events: list[str] = []
    button.handsFreeToggled.connect(lambda: events.append("toggle"))
    button.talkPressed.connect(lambda: events.append("press"))
    button.talkReleased.connect(lambda: events.append("release"))
    button.pressed.emit()
    button.released.emit()
    assert events == ["toggle"]
    button.pressed.emit()
    qtbot.wait(HOLD_MS + 150)
    assert events == ["toggle", "press"] and button.holding
    button.released.emit()
    assert events == ["toggle", "press", "release"] and not button.holding


def test_no_microphone_disables_the_mic_button_with_the_reason(tmp_path) -> None:
    """No sound server reachable and no sound card: PortAudio sees no microphone."""
    env = {
        **os.environ,
        "PULSE_SERVER": f"unix:{tmp_path / 'no-such-socket'}",
        "AUTOGLM_HOME": str(tmp_path / "home"),
    }
    report = run_probe(env)
    if report["mic_enabled"] and report["devices_listed"]:
        pytest.skip("this machine has a real sound card, so 'no microphone' cannot be staged")
    assert report["devices_listed"]
    assert not report["mic_enabled"] and not report["hands_free_enabled"]
    assert report["mic_tooltip"].startswith("No microphone was found")


def test_opening_the_window_and_sending_a_typed_message_imports_no_speech_models(
    tmp_path, starter_gguf
) -> None:
    env = {**os.environ, "AUTOGLM_HOME": str(tmp_path / "home")}
    report = run_probe(env, "--model", str(starter_gguf), "--send", "Say hi.")
    assert report["reply"], "the typed message got no reply"
    assert report["speech_modules"] == []
