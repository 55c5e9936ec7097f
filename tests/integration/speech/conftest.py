"""Virtual sound devices for the real-audio tests: a PulseAudio daemon with two null sinks.

The daemon is private to the test session (its own socket under a temporary folder), so
tests never disturb a desktop's sound, nor another test run on the same machine.
``autoglm_mic`` is the virtual microphone: sound played into it (``paplay``) comes out
of its monitor, which the app records through PortAudio. ``autoglm_speaker`` is the
virtual speaker: the app plays into it and ``parec`` records its monitor. Tests are
skipped, with the reason, only where PulseAudio is not installed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

MIC = "autoglm_mic"
SPEAKER = "autoglm_speaker"


class Recording:
    """A running ``parec``; ``stop()`` returns what it heard as 16 kHz float32."""

    def __init__(self, process: subprocess.Popen[bytes], handle: object, path: Path):
        self.process, self._handle, self.path = process, handle, path

    def stop(self) -> np.ndarray:
        """End the recording and read it."""
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._handle.close()  # type: ignore[attr-defined]
        return np.frombuffer(self.path.read_bytes(), dtype=np.int16).astype(np.float32) / 32768.0


class VirtualSound:
    """The private PulseAudio daemon and its two null sinks."""

    def __init__(self, runtime_dir: Path):
        self.runtime_dir = runtime_dir
        self.server = f"unix:{runtime_dir / 'native'}"
        self.env = {**os.environ, "PULSE_SERVER": self.server}
        self.process: subprocess.Popen[bytes] | None = None
        self.mic_module: str | None = None

    def pactl(self, *args: str) -> str:
        """Run pactl against the private daemon."""
        return subprocess.run(["pactl", *args], env=self.env, capture_output=True, text=True,
                              check=True, timeout=20).stdout.strip()

    def start(self) -> None:
        """Start the daemon (no default modules, no stream rescue) and create the sinks."""
        self.runtime_dir.mkdir(parents=True, exist_ok=True)
        env = {**self.env, "PULSE_RUNTIME_PATH": str(self.runtime_dir), "PULSE_STATE_PATH": str(self.runtime_dir)}
        self.process = subprocess.Popen(
            ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--system=false",
             "--disallow-exit", "--log-target=stderr", "--log-level=error",
             "-L", f"module-native-protocol-unix socket={self.runtime_dir / 'native'} auth-anonymous=1"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if subprocess.run(["pactl", "info"], env=self.env, capture_output=True, timeout=10).returncode == 0:
                break
            time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError("the private PulseAudio daemon did not start")
        self.pactl("load-module", "module-null-sink", f"sink_name={SPEAKER}", "rate=22050", "channels=1")
        self.load_mic()

    def load_mic(self) -> None:
        """Plug the virtual microphone in."""
        self.mic_module = self.pactl("load-module", "module-null-sink", f"sink_name={MIC}",
                                     "rate=16000", "channels=1")

    def unload_mic(self) -> None:
        """Unplug the virtual microphone."""
        assert self.mic_module is not None
        self.pactl("unload-module", self.mic_module)
        self.mic_module = None

    def play_into_mic(self, wav: Path) -> subprocess.Popen[bytes]:
        """Start playing ``wav`` into the virtual microphone."""
        return subprocess.Popen(["paplay", f"--device={MIC}", str(wav)], env=self.env)

    def record_speaker(self, raw: Path) -> Recording:
        """Start recording what is played on the virtual speaker (16 kHz s16le) into ``raw``."""
        handle = raw.open("wb")
        process = subprocess.Popen(
            ["parec", f"--device={SPEAKER}.monitor", "--raw", "--rate=16000", "--channels=1",
             "--format=s16le", "--latency-msec=20"], env=self.env, stdout=handle)
        return Recording(process, handle, raw)

    def stop(self) -> None:
        """Stop the daemon."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None


@pytest.fixture(scope="session")
def virtual_sound(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtualSound]:
    """PulseAudio with a virtual microphone and speaker; PortAudio defaults pointed at them."""
    missing = [tool for tool in ("pulseaudio", "pactl", "paplay", "parec") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"PulseAudio is not installed ({', '.join(missing)} missing); "
                    "the README's test command installs it")
    sound = VirtualSound(tmp_path_factory.mktemp("pulse"))
    sound.start()
    saved = {key: os.environ.get(key) for key in ("PULSE_SERVER", "PULSE_SINK", "PULSE_SOURCE")}
    os.environ.update(PULSE_SERVER=sound.server, PULSE_SINK=SPEAKER, PULSE_SOURCE=f"{MIC}.monitor")
    from autoglm.speech import devices

    devices.rescan()  # PortAudio may have started before the variables were set
    yield sound
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    devices.rescan()
    sound.stop()


@pytest.fixture(scope="session")
def whisper() -> object:
    """The real whisper tiny.en model, loaded once (also used to check what the app said)."""
    from autoglm.speech.asr import WhisperTranscriber

    transcriber = WhisperTranscriber("whisper-tiny.en", cpu_threads=2, idle_unload_s=0)
    transcriber.load()
    return transcriber


@pytest.fixture(scope="session")
def piper_voice() -> object:
    """The real piper voice, loaded once."""
    from autoglm.speech.tts import PiperSynthesizer

    synthesizer = PiperSynthesizer(idle_unload_s=0)
    synthesizer.load()
    return synthesizer
