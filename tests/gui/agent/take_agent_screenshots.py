"""Screenshots of a pointed answer and of an agent run with its steps, in the real window.

    Xvfb :98 -screen 0 2200x900x24 &
    DISPLAY=:98 QT_QPA_PLATFORM=xcb .venv/bin/python tests/gui/agent/take_agent_screenshots.py docs/screenshots

Writes pointed-answer.png: a screenshot attached with "Where is the Wi-Fi setting?", answered
by the starter model with the test projector (held to a tap by the action grammar: it does
not really see, so the place is where its answer says, not where Wi-Fi is) and marked on
the image; agent-target.png: Act mode's "Act on" list open on the same X display, the
click-target window (buttons at known places) listed by title; and agent-run.png: that
window chosen, clicked, confirmed and typed into by a replayed run, every step in the chat
with its marked screenshot of the window, thinking and result.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # tests/, for fixtures
sys.path.insert(0, str(HERE))  # the click target's layout


def settings_screen(path: Path) -> Path:
    """A phone-like settings screen to ask about (drawn, so nothing private is shown)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (540, 960), (246, 246, 248))
    draw = ImageDraw.Draw(image)
    title = ImageFont.load_default(size=40)
    row = ImageFont.load_default(size=30)
    draw.text((36, 60), "Settings", fill=(20, 20, 20), font=title)
    for number, label in enumerate(
        ("Wi-Fi", "Bluetooth", "Mobile network", "Display", "Sound", "Battery")
    ):
        top = 160 + number * 110
        draw.rounded_rectangle((24, top, 516, top + 92), radius=18, fill=(255, 255, 255))
        draw.ellipse((44, top + 26, 84, top + 66), fill=(40, 120, 240))
        draw.text((110, top + 28), label, fill=(30, 30, 30), font=row)
    image.save(path)
    return path


def main(out_dir: Path) -> int:
    """Ask about a screenshot and save the marked answer, then replay a run on the desktop and save its steps."""
    os.environ.setdefault("AUTOGLM_HOME", tempfile.mkdtemp(prefix="autoglm-shots-"))
    from click_target import BUTTONS, FIELD, WINDOW

    from autoglm.agent.grammar import POINT_GBNF
    from autoglm.bench.ui import settle, wait_until
    from autoglm.core.gguf_file import inspect_gguf
    from autoglm.core.settings import GenerationSettings, updated
    from autoglm.vision.synthetic import write_random_projector
    from fixtures.screenshot_window import show_loaded_window, starter_runtime

    out_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="agent-shots-"))
    app, runtime = starter_runtime(GenerationSettings(max_tokens=120, temperature=0.0, seed=3))
    starter = Path(runtime.settings.model.active_model)
    projector = write_random_projector(
        scratch / "test-mmproj-f32.gguf", inspect_gguf(starter).embedding_length
    )
    runtime.apply_settings(updated(runtime.settings, "model", mmproj_path=str(projector)))
    window = show_loaded_window(runtime, app, 1200, 860)
    window.move(WINDOW[0] + WINDOW[2] + 60, 0)

    # a pointed answer
    runtime.build_request = partial(runtime.build_request, grammar=POINT_GBNF)
    window.new_chat()
    window.composer.add_files([str(settings_screen(scratch / "settings.png"))])
    wait_until(lambda: len(window.composer.attachments()) == 1, 60)
    finished: list[object] = []
    window.controller.replyFinished.connect(finished.append)
    window.send(
        "Where is the Wi-Fi setting? (It is the first row, at about [300, 215] on the 0–1000 grid.)",
        window.composer.attachments(),
    )
    wait_until(lambda: bool(finished), 900)
    settle(1.0)
    window.grab().save(str(out_dir / "pointed-answer.png"))
    print(out_dir / "pointed-answer.png")

    # an agent run on this display, clicking the click-target window
    events = scratch / "events.jsonl"
    target = subprocess.Popen(
        [sys.executable, str(HERE / "click_target.py"), str(events)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert target.stdout is not None and target.stdout.readline().strip() == "READY"
    window.new_chat()
    window.agent.settle_s = 0.4
    window.agent.set_enabled(True)

    def go_ahead(box: object) -> None:
        from PySide6.QtCore import QTimer

        [button] = [b for b in box.buttons() if b.text() in ("Go ahead", "Continue")]  # type: ignore[attr-defined]
        QTimer.singleShot(600, button.click)

    window.agent.questionAsked.connect(go_ahead)

    # the "Act on" list, open, read from this X display; the click target chosen in it
    picker = window.agent.picker
    listed: list[object] = []
    picker.listed.connect(lambda: listed.append(True))
    picker.menu.popup(picker.button.mapToGlobal(picker.button.rect().bottomLeft()))
    wait_until(lambda: bool(listed), 60)
    settle(0.8)
    shown = window.frameGeometry().united(picker.menu.geometry())
    app.primaryScreen().grabWindow(0, shown.x(), shown.y(), shown.width(), shown.height()).save(
        str(out_dir / "agent-target.png")
    )
    print(out_dir / "agent-target.png")
    [entry] = [action for action in picker.entries() if action.text() == "Click target"]
    picker.menu.hide()
    entry.trigger()

    def at(name: str) -> str:
        """The grid point of a button's (or the field's) centre in the window, as the model writes it."""
        x, y, width, height = FIELD if name == "field" else BUTTONS[name]
        centre_x, centre_y = x + width // 2, y + height // 2
        return f"[{round(centre_x * 1000 / WINDOW[2])},{round(centre_y * 1000 / WINDOW[3])}]"

    alpha, beta, pay, field = (at(name) for name in ("alpha", "beta", "pay", "field"))
    replies = [
        f"<think>The alpha button is at the top left of the blue window.</think>"
        f'<answer>do(action="Tap", element={alpha})</answer>',
        f"<think>Now beta, next to it.</think><answer>do(action='Tap', element={beta})</answer>",
        f"<think>This is the pay button: the user confirms it.</think>"
        f'<answer>do(action="Tap", element={pay}, message="Confirm the payment")</answer>',
        f'<think>Click the field, then type.</think><answer>do(action="Tap", element={field})</answer>',
        '<think>Type the note.</think><answer>do(action="Type", text="Paid, thank you")</answer>',
        '<think>Everything is done.</think><answer>finish(message="Paid and left a note.")</answer>',
    ]
    done: list[object] = []
    window.agent.runFinished.connect(done.append)
    window.agent.start("Pay in the blue window and leave a note", replies)
    wait_until(lambda: bool(done), 300)
    window.chat_view.scroll_to_end()
    settle(1.5)
    window.grab().save(str(out_dir / "agent-run.png"))
    print(out_dir / "agent-run.png")
    target.terminate()
    window.close()
    window.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")))
