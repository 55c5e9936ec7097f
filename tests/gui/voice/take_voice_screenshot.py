"""Take docs/screenshots/voice-mode.png under Xvfb: a real spoken turn, then the window hearing the user.

    Xvfb :95 -screen 0 1400x900x24 &
    DISPLAY=:95 QT_QPA_PLATFORM=xcb .venv/bin/python tests/gui/voice/take_voice_screenshot.py docs/screenshots

A private PulseAudio (``fixtures.audio.VirtualSound``) gives the app a virtual microphone;
espeak-ng asks a question in hands-free mode and the starter model answers it aloud. The
picture is taken while the same question is heard a second time, level meter moving.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/, for fixtures.audio


def main(out_dir: Path) -> int:
    """Speak one turn, then grab the window while the second one is heard."""
    work = Path(tempfile.mkdtemp(prefix="autoglm-voice-shot-"))
    os.environ.setdefault("AUTOGLM_HOME", str(work / "home"))
    from fixtures.audio import MIC, SPEAKER, VirtualSound, espeak_wav

    sound = VirtualSound(work / "pulse")
    sound.start()
    os.environ.update(PULSE_SERVER=sound.server, PULSE_SINK=SPEAKER, PULSE_SOURCE=f"{MIC}.monitor")
    try:
        return _shoot(
            out_dir, sound, espeak_wav("What is the capital of France?", work / "question.wav")
        )
    finally:
        sound.stop()


def _shoot(out_dir: Path, sound: object, question: Path) -> int:
    from autoglm.bench.ui import settle, wait_until
    from autoglm.core.settings import GenerationSettings
    from fixtures.screenshot_window import show_loaded_window, starter_runtime

    out_dir.mkdir(parents=True, exist_ok=True)
    app, runtime = starter_runtime(GenerationSettings(max_tokens=40, temperature=0.0, seed=3))
    window = show_loaded_window(runtime, app, 1180, 760)
    voice = window.voice
    wait_until(lambda: bool(voice.input_devices), 30)
    voice.set_hands_free(True)
    wait_until(lambda: voice.state == "listening", 300)
    settle(1.0)
    sound.play_into_mic(question).wait(30)  # type: ignore[attr-defined]
    wait_until(
        lambda: (
            len(window.controller.model.items()) >= 2
            and window.controller.model.items()[-1].finished
        ),
        300,
    )
    wait_until(lambda: voice.state == "listening", 120)
    settle(1.0)
    sound.play_into_mic(question)  # type: ignore[attr-defined]
    wait_until(lambda: voice.state == "hearing" and voice.meter.level > -35, 30)
    settle(0.6)
    window.grab().save(str(out_dir / "voice-mode.png"))
    window.close()
    window.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")))
