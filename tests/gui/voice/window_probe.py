"""Opens the real main window in a process of its own and prints, as JSON, what its voice controls show.

A fresh process is the only honest way to see which modules a path imports. Used by
the voice tests; by hand: ``python tests/gui/voice/window_probe.py [--model GGUF --send TEXT]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

HEAVY_SPEECH_MODULES = ("faster_whisper", "ctranslate2", "piper", "onnxruntime", "av")


def wait_for_signal(signal: object, timeout_ms: int) -> bool:
    """Run the event loop until ``signal`` fires (``False`` on timeout)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    fired: list[bool] = []
    signal.connect(lambda *_args: (fired.append(True), loop.quit()))  # type: ignore[attr-defined]
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    return bool(fired)


def main() -> int:
    """Open the window, optionally load a model and send one typed message, then report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--model")
    parser.add_argument("--send")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from autoglm.core.runtime import Runtime
    from autoglm.core.settings import GenerationSettings, ModelSettings, Settings
    from autoglm.ui.app import create_main_window, ensure_application

    app = ensure_application()
    settings = Settings()
    if args.model:
        settings = Settings(
            model=ModelSettings(active_model=args.model, n_ctx=1024, n_threads=2),
            generation=GenerationSettings(max_tokens=6, temperature=0.0, seed=7, thinking=False),
        )
    runtime = Runtime(settings=settings)
    window = create_main_window(runtime, app, owns_process=False)
    window.show()
    listed = wait_for_signal(window.voice.devicesListed, 30_000)
    reply = None
    if args.model:
        window.load_model()
        if not wait_for_signal(window.modelLoaded, 180_000):
            raise SystemExit("the model did not load")
        window.composer.input.setPlainText(args.send or "Hi")
        window.composer.submit()
        if not wait_for_signal(window.controller.replyFinished, 240_000):
            raise SystemExit("no reply")
        reply = window.controller.model.items()[-1].content
    report = {
        "devices_listed": listed,
        "mic_enabled": window.voice.mic_button.isEnabled(),
        "mic_tooltip": window.voice.mic_button.toolTip(),
        "hands_free_enabled": window.voice.hands_free_action.isEnabled(),
        "reply": reply,
        "speech_modules": sorted(
            {
                name.split(".")[0]
                for name in sys.modules
                if name.split(".")[0] in HEAVY_SPEECH_MODULES
            }
        ),
    }
    window.close()
    window.shutdown()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
