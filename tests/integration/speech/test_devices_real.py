"""Real PortAudio devices: none at all, one that vanishes and returns, silence only."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from speech_audio import wait_for

from autoglm.core.errors import DeviceError
from autoglm.speech.capture import MicrophoneCapture
from autoglm.speech.devices import find_input_device, list_input_devices

pytestmark = pytest.mark.audio

NO_DEVICES = """
import json
from autoglm.core.errors import DeviceError
from autoglm.speech.capture import MicrophoneCapture
from autoglm.speech.devices import list_input_devices
messages = []
for attempt in (lambda: MicrophoneCapture().start(), lambda: MicrophoneCapture("USB mic").start()):
    try:
        attempt()
        messages.append(None)
    except DeviceError as exc:
        messages.append([str(exc), exc.exit_code])
print(json.dumps({"devices": len(list_input_devices()), "messages": messages}))
"""


def test_no_input_device_is_one_clear_sentence(tmp_path) -> None:
    """With no sound server reachable and no sound card, PortAudio sees no microphone."""
    import json

    env = {**os.environ, "PULSE_SERVER": f"unix:{tmp_path / 'no-such-socket'}"}
    result = subprocess.run(
        [sys.executable, "-c", NO_DEVICES],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    if report["devices"]:
        pytest.skip("this machine has a real sound card, so 'no microphone' cannot be staged")
    for message, exit_code in report["messages"]:
        assert message.startswith("No microphone was found")
        assert "\n" not in message and "Traceback" not in message
        assert exit_code == 4


def test_the_virtual_microphone_is_listed_and_chosen_by_name(virtual_sound) -> None:
    names = [device.name for device in list_input_devices()]
    assert names, "PortAudio sees no input device through PulseAudio"
    assert find_input_device(names[0]).name == names[0]
    with pytest.raises(DeviceError, match="No microphone called 'Nonexistent Mic'"):
        find_input_device("Nonexistent Mic")


def test_microphone_vanishing_mid_recording_is_reported_and_recovers(virtual_sound) -> None:
    lost: list[str] = []
    back: list[str] = []
    capture = MicrophoneCapture(
        on_device_lost=lost.append,
        on_device_back=back.append,
        stall_timeout_s=1.0,
        retry_interval_s=0.5,
    )
    received = []
    stop = threading.Event()

    def consume() -> None:
        while not stop.is_set():
            block = capture.read(0.1)
            if block is not None:
                received.append(len(block))

    with capture:
        reader = threading.Thread(target=consume, daemon=True)
        reader.start()
        try:
            assert wait_for(lambda: len(received) > 10, 10), (
                "no sound arrived from the virtual microphone"
            )
            virtual_sound.unload_mic()
            assert wait_for(lambda: lost, 10), "unplugging the microphone went unnoticed"
            assert (
                "stopped delivering sound" in lost[0] and "waiting for it to come back" in lost[0]
            )
            assert not capture.connected
            time.sleep(1.5)  # several reopen attempts fail while it is gone: still one message
            assert len(lost) == 1
            virtual_sound.load_mic()
            count_at_return = len(received)
            assert wait_for(lambda: back, 15), "the returning microphone was not picked up again"
            assert "is back" in back[0]
            assert wait_for(lambda: len(received) > count_at_return + 10, 10)
            assert capture.connected
        finally:
            stop.set()
            reader.join(2)
            if virtual_sound.mic_module is None:
                virtual_sound.load_mic()


def test_silence_only_makes_no_turn(virtual_sound) -> None:
    from autoglm.speech.vad import SileroFrameVad, TurnDetector

    detector = TurnDetector(SileroFrameVad())
    events = []
    samples = 0
    with MicrophoneCapture() as capture:
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline or samples == 0:
            block = capture.read(0.2)
            if block is not None:
                samples += len(block)
                events += detector.feed(block)
            if time.monotonic() > deadline + 10:
                break
    assert samples >= 16_000, "the virtual microphone delivered less than a second of sound"
    assert events == []
    assert detector.last_probability < 0.5
    assert float(np.float32(capture.level)) <= -60.0
