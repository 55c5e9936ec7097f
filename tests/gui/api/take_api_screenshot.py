"""Take docs/screenshots/api-status.png under Xvfb: the window's lower part with the API running.

    Xvfb :94 -screen 0 1400x900x24 &
    DISPLAY=:94 QT_QPA_PLATFORM=xcb .venv/bin/python tests/gui/api/take_api_screenshot.py docs/screenshots

The reply shown is real (the starter model, asked through the window), and the API is
the app's own server on a free loopback port, asked once through the openai SDK first.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/, for fixtures

STRIP_HEIGHT = 230


def main(out_dir: Path) -> int:
    """Start the API from settings, ask it and the window once, save the bottom of the window."""
    import os

    os.environ.setdefault("AUTOGLM_HOME", tempfile.mkdtemp(prefix="autoglm-shots-"))
    import openai

    from autoglm.bench.ui import settle, wait_until
    from autoglm.core.settings import GenerationSettings, updated
    from fixtures.screenshot_window import show_loaded_window, starter_runtime

    out_dir.mkdir(parents=True, exist_ok=True)
    app, runtime = starter_runtime(
        GenerationSettings(max_tokens=40, temperature=0.0, seed=3, thinking=False)
    )
    window = show_loaded_window(runtime, app, 1280, 720)
    window.apply_settings(updated(runtime.settings, "server", enabled=True, port=0))
    wait_until(lambda: window.api_server.state.running, 60)
    client = openai.OpenAI(base_url=window.api_server.state.api_url, api_key="EMPTY", max_retries=0)
    client.chat.completions.create(
        model=runtime.model_info.model_id,
        max_tokens=8,
        messages=[{"role": "user", "content": "Hello from the API"}],
    )
    finished: list[object] = []
    window.controller.replyFinished.connect(finished.append)
    window.send("What does the status bar show about the API?", [])
    wait_until(lambda: bool(finished), 600)
    settle(1.0)
    shot = window.grab()
    shot.copy(
        0,
        shot.height() - STRIP_HEIGHT * shot.devicePixelRatio(),
        shot.width(),
        STRIP_HEIGHT * shot.devicePixelRatio(),
    ).save(str(out_dir / "api-status.png"))
    window.close()
    window.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")))
