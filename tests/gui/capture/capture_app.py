"""Drives the real app on a real X server (Xvfb) and reports what happened as JSON.

Run by the capture tests in a subprocess (see conftest.py); also handy by hand:

    DISPLAY=:97 QT_QPA_PLATFORM=xcb PYTHONPATH=app python tests/gui/capture/capture_app.py region \\
        --report /tmp/r.json --screenshots docs/screenshots --video /tmp/v.mp4

Modes:
  region  no model: a window of four coloured blocks lies *under* the main window; a region
          is selected on the overlay; the request that reaches the engine is recorded (its
          ``ImageInput`` pixels); Esc and right-click cancel; the webcam window shows its
          no-camera message, then plays a video through its sink and takes a snapshot.
  ask     the starter model with the test projector: "screenshot and ask" → drag → type a
          question → the real reply; then "ask about what the camera sees" with a video frame.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import shiboken6
from input_events import drag, release_at, right_click
from media_samples import BLUE, GREEN, RED, YELLOW, colour_counts, pixel
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QColor, QGuiApplication, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

BLOCKS_AT = QPoint(100, 100)
BLOCK = 100  # logical pixels per coloured block; the blocks window is 2×2 blocks


class BlocksWidget(QWidget):
    """A frameless window of four solid blocks: red, green / blue, yellow."""

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.FramelessWindowHint)
        self.setGeometry(BLOCKS_AT.x(), BLOCKS_AT.y(), 2 * BLOCK, 2 * BLOCK)

    def paintEvent(self, _event: Any) -> None:  # noqa: N802
        painter = QPainter(self)
        for (column, row), colour in {
            (0, 0): RED,
            (1, 0): GREEN,
            (0, 1): BLUE,
            (1, 1): YELLOW,
        }.items():
            painter.fillRect(column * BLOCK, row * BLOCK, BLOCK, BLOCK, QColor(*colour))
        painter.end()


class DesktopBackdrop(QWidget):
    """A wallpaper and an editor window with an error in it, so a documentation screenshot looks like a desktop."""

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.FramelessWindowHint)
        self.setGeometry(QGuiApplication.primaryScreen().geometry())
        from PySide6.QtWidgets import QPlainTextEdit

        self.editor = QPlainTextEdit()
        self.editor.setWindowFlag(Qt.WindowType.FramelessWindowHint)
        self.editor.setGeometry(380, 110, 760, 330)
        self.editor.setPlainText(
            "$ python report.py\n"
            "Traceback (most recent call last):\n"
            '  File "report.py", line 14, in <module>\n'
            "    totals = summarise(rows)\n"
            '  File "report.py", line 9, in summarise\n'
            "    return {key: sum(values) / len(values) for key, values in rows.items()}\n"
            "ZeroDivisionError: division by zero\n"
        )

    def paintEvent(self, _event: Any) -> None:  # noqa: N802
        from PySide6.QtGui import QLinearGradient

        painter = QPainter(self)
        gradient = QLinearGradient(0, 0, self.width(), self.height())
        gradient.setColorAt(0, QColor("#1d3557"))
        gradient.setColorAt(1, QColor("#457b9d"))
        painter.fillRect(self.rect(), gradient)
        painter.end()

    def show_all(self) -> None:
        self.show()
        QTest.qWaitForWindowExposed(self)
        self.editor.show()
        QTest.qWaitForWindowExposed(self.editor)


def wait_until(predicate: Callable[[], Any], timeout_s: float = 30.0, what: str = "") -> None:
    """Run the event loop until ``predicate()`` is true; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what or predicate}")
        QTest.qWait(20)


def screen_pixel(x: int, y: int) -> list[int]:
    """The colour on screen at logical (x, y), read back from the X server."""
    screen = QGuiApplication.primaryScreen()
    image = screen.grabWindow(0).toImage()
    ratio = screen.devicePixelRatio()
    return list(image.pixelColor(int(x * ratio), int(y * ratio)).getRgb()[:3])


def save_screen(path: Path, area: Any = None) -> None:
    """A screenshot of the whole screen (or of ``area``, a logical QRect) as PNG."""
    screen = QGuiApplication.primaryScreen()
    pixmap = (
        screen.grabWindow(0)
        if area is None
        else screen.grabWindow(0, area.x(), area.y(), area.width(), area.height())
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    pixmap.save(str(path))


def image_report(image: Any) -> dict[str, Any]:
    """Size, colour counts and quadrant samples of an ``ImageInput``."""
    width, height, rgb = image.width, image.height, image.rgb
    counts = colour_counts(width, height, rgb)
    return {
        "width": width,
        "height": height,
        "sha256": image.sha256,
        "counts": {
            "red": counts[RED],
            "green": counts[GREEN],
            "blue": counts[BLUE],
            "yellow": counts[YELLOW],
        },
        "samples": [
            list(pixel(width, rgb, x, y))
            for x, y in (
                (width // 4, height // 4),
                (3 * width // 4, height // 4),
                (width // 4, 3 * height // 4),
                (3 * width // 4, 3 * height // 4),
            )
        ],
    }


def make_window(settings: Any, load: bool) -> Any:
    from autoglm.core.runtime import Runtime
    from autoglm.ui.app import create_main_window, ensure_application

    app = ensure_application()
    runtime = Runtime(settings=settings)
    runtime.apply_settings(settings)
    window = create_main_window(runtime, app, owns_process=False)
    window.move(0, 0)
    if load:
        loaded: list[Any] = []
        window.modelLoaded.connect(loaded.append)
        window.modelLoadFailed.connect(lambda message: loaded.append(RuntimeError(message)))
        window.start()
        wait_until(lambda: loaded, 300, "the model to load")
        if isinstance(loaded[0], Exception):
            raise loaded[0]
    return window


def spy_on_requests(window: Any) -> list[Any]:
    """Record every request submitted to the engine (and pass it on unchanged)."""
    requests: list[Any] = []
    scheduler = window.runtime.scheduler
    submit = scheduler.submit

    def recording_submit(request: Any) -> Any:
        requests.append(request)
        return submit(request)

    scheduler.submit = recording_submit
    return requests


def show_blocks_under(window: Any) -> tuple[BlocksWidget, dict[str, Any]]:
    """Show the blocks, then the main window over them; report what the screen shows."""
    blocks = BlocksWidget()
    blocks.show()
    QTest.qWaitForWindowExposed(blocks)
    QTest.qWait(200)
    centre = (BLOCKS_AT.x() + BLOCK // 2, BLOCKS_AT.y() + BLOCK // 2)
    visible_alone = screen_pixel(*centre)
    window.show()
    window.raise_()
    window.activateWindow()
    QTest.qWaitForWindowExposed(window)
    QTest.qWait(300)
    return blocks, {
        "blocks_pixel_alone": visible_alone,
        "blocks_pixel_under_window": screen_pixel(*centre),
    }


def select_region(
    window: Any,
    start: QPoint,
    end: QPoint,
    report: dict[str, Any],
    ask: bool,
    screenshot: Path | None,
) -> None:
    """Open the overlay (as the button or the shortcut would), drag from ``start`` to ``end``."""
    capture = window.capture
    overlays: list[Any] = []
    capture.overlayOpened.connect(overlays.append)
    capture.grabbed.connect(
        lambda image: report.update(
            window_visible_at_grab=window.isVisible(),
            grab_size=[image.width(), image.height()],
            grab_ratio=image.devicePixelRatio(),
            grab_pixel_at_blocks=list(
                image.pixelColor(
                    int(150 * image.devicePixelRatio()), int(150 * image.devicePixelRatio())
                ).getRgb()[:3]
            ),
        )
    )
    if ask:
        QTest.keyClick(
            window,
            Qt.Key.Key_S,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    else:
        capture.region_button.click()
    wait_until(lambda: overlays, 10, "the region overlay")
    overlay = overlays[0]
    QTest.qWaitForWindowExposed(overlay)
    report["overlay_geometry"] = [overlay.x(), overlay.y(), overlay.width(), overlay.height()]
    drag(overlay, start, end, release=False)
    QTest.qWait(300)
    if screenshot is not None:
        save_screen(screenshot)
    report["overlay_selection"] = [
        overlay.selection().x(),
        overlay.selection().y(),
        overlay.selection().width(),
        overlay.selection().height(),
    ]
    release_at(overlay, end)
    wait_until(lambda: len(window.composer.attachments()) == 1, 30, "the region in the composer")
    report["window_visible_after"] = window.isVisible()
    report["focus_in_input"] = QApplication.focusWidget() is window.composer.input


def cancelled_overlays(window: Any) -> dict[str, Any]:
    """Esc and a right click each close the overlay, attach nothing and bring the window back."""
    result = {}
    capture = window.capture
    for name, cancel in (
        ("escape", lambda o: QTest.keyClick(o, Qt.Key.Key_Escape)),
        ("right_click", lambda o: right_click(o, QPoint(200, 200))),
    ):
        overlays: list[Any] = []
        capture.overlayOpened.connect(overlays.append)
        before = len(window.composer.attachments())
        capture.select_region()
        wait_until(lambda o=overlays: o, 10, "the overlay")
        capture.overlayOpened.disconnect()
        QTest.qWaitForWindowExposed(overlays[0])
        drag(overlays[0], QPoint(120, 120), QPoint(180, 180), release=False)
        cancel(overlays[0])
        wait_until(lambda: not capture.capturing, 10, "the capture to end")
        QTest.qWait(200)
        overlay_gone = not shiboken6.isValid(overlays[0]) or not overlays[0].isVisible()
        result[name] = {
            "window_visible": window.isVisible(),
            "overlay_gone": overlay_gone,
            "attachments_added": len(window.composer.attachments()) - before,
        }
    return result


def play_into(sink: Any, video: Path) -> Any:
    from PySide6.QtMultimedia import QMediaPlayer

    player = QMediaPlayer()
    player.setVideoSink(sink)
    player.setLoops(QMediaPlayer.Loops.Infinite)
    player.setSource(QUrl.fromLocalFile(str(video)))
    player.play()
    return player


def send_typed(window: Any, text: str) -> Any:
    """Type ``text``, press Enter, wait for the reply; returns the Completion."""
    finished: list[Any] = []
    window.controller.replyFinished.connect(finished.append)
    window.composer.input.setFocus()
    QTest.keyClicks(window.composer.input, text)
    QTest.keyClick(window.composer.input, Qt.Key.Key_Return)
    wait_until(lambda: finished, 400, "the reply")
    window.controller.replyFinished.disconnect()
    return finished[0]


def completion_report(completion: Any) -> dict[str, Any]:
    if completion is None:
        return {}
    return {
        "content": completion.content,
        "finish_reason": completion.finish_reason,
        "error": completion.error,
        "prompt_tokens": completion.usage.prompt_tokens,
        "completion_tokens": completion.usage.completion_tokens,
    }


def run_region(args: argparse.Namespace) -> dict[str, Any]:
    from autoglm.core.settings import ModelSettings, Settings

    report: dict[str, Any] = {"ratio": QGuiApplication.primaryScreen().devicePixelRatio()}
    window = make_window(
        Settings(model=ModelSettings(active_model="no-model-loaded.gguf")), load=False
    )
    requests = spy_on_requests(window)
    if args.backdrop:
        backdrop = DesktopBackdrop()
        backdrop.show_all()
    _blocks, shown = show_blocks_under(window)
    report.update(shown)
    report["image_input_enabled"] = window.capture.region_button.isEnabled()
    shots = Path(args.screenshots) if args.screenshots else None
    select_region(
        window,
        QPoint(150, 150),
        QPoint(250, 250),
        report,
        ask=False,
        screenshot=shots / "capture-region.png" if shots else None,
    )
    window.composer.input.setPlainText("Which colours are these?")
    if shots is not None:
        QTest.qWait(300)
        save_screen(shots / "capture-composer.png", window.frameGeometry())
    QTest.keyClick(window.composer.input, Qt.Key.Key_Return)
    wait_until(lambda: requests, 30, "the request to reach the engine")
    wait_until(lambda: not window.controller.busy, 30, "the (failing) reply to end")
    report["engine_image"] = image_report(requests[0].messages[-1].images[0])
    report["cancel"] = cancelled_overlays(window)
    report["webcam"] = webcam_snapshot(window, Path(args.video), shots)
    window.close()
    window.shutdown()
    return report


def webcam_snapshot(window: Any, video: Path, shots: Path | None) -> dict[str, Any]:
    """Open the webcam window: no-camera message, then frames from a video, then a snapshot."""
    from autoglm.vision.image import normalise

    window.capture.open_camera()
    dialog = window.capture.webcam_dialog
    dialog.move(380, 40)
    QTest.qWaitForWindowExposed(dialog)
    webcam = dialog.webcam
    result: dict[str, Any] = {
        "cameras": webcam.chooser.count(),
        "message": webcam.preview.message,
        "snapshot_enabled_before_frames": webcam.snapshot_button.isEnabled(),
    }
    if shots is not None:
        QTest.qWait(200)
        save_screen(shots / "webcam-no-camera.png", dialog.frameGeometry())
    player = play_into(webcam.sink, video)
    wait_until(lambda: webcam.frame_count >= 5, 30, "video frames in the webcam widget")
    frame = webcam.current_frame()
    result.update(
        frames=webcam.frame_count,
        frame_size=[frame.width(), frame.height()],
        frame_left=list(frame.pixelColor(frame.width() // 4, frame.height() // 2).getRgb()[:3]),
        frame_right=list(
            frame.pixelColor(3 * frame.width() // 4, frame.height() // 2).getRgb()[:3]
        ),
        message_after_frames=webcam.preview.message,
        snapshot_enabled=webcam.snapshot_button.isEnabled(),
    )
    if shots is not None:
        webcam.question.setText("Which colours does the camera see?")
        QTest.qWait(300)
        save_screen(shots / "webcam.png", dialog.frameGeometry())
        webcam.question.clear()
    before = len(window.composer.attachments())
    webcam.snapshot_button.click()
    wait_until(
        lambda: len(window.composer.attachments()) == before + 1, 30, "the snapshot in the composer"
    )
    draft = window.composer.attachments()[-1]
    image = normalise(draft.data, window.runtime.settings.vision)
    result["snapshot"] = {
        "name": draft.name,
        "width": image.width,
        "height": image.height,
        "left": list(pixel(image.width, image.rgb, image.width // 4, image.height // 2)),
        "right": list(pixel(image.width, image.rgb, 3 * image.width // 4, image.height // 2)),
    }
    player.stop()
    dialog.close()
    return result


def run_ask(args: argparse.Namespace) -> dict[str, Any]:
    from autoglm.core.settings import GenerationSettings, ModelSettings, Settings

    settings = Settings(
        model=ModelSettings(
            active_model=args.model, mmproj_path=args.mmproj, n_ctx=1024, n_threads=2
        ),
        generation=GenerationSettings(
            max_tokens=6, temperature=0.0, seed=7, thinking=False, system_prompt="Answer briefly."
        ),
    )
    window = make_window(settings, load=False)
    _blocks, shown = show_blocks_under(window)
    report: dict[str, Any] = {"ratio": QGuiApplication.primaryScreen().devicePixelRatio(), **shown}
    loaded: list[Any] = []
    window.modelLoaded.connect(loaded.append)
    window.modelLoadFailed.connect(lambda message: loaded.append(RuntimeError(message)))
    started = time.monotonic()
    window.start()
    wait_until(lambda: loaded, 300, "the model to load")
    if isinstance(loaded[0], Exception):
        raise loaded[0]
    seconds = {"load": time.monotonic() - started}
    info = window.runtime.model_info
    report.update(
        has_vision=info.has_vision, image_input_enabled=window.capture.region_button.isEnabled()
    )
    requests = spy_on_requests(window)
    started = time.monotonic()
    select_region(window, QPoint(150, 150), QPoint(250, 250), report, ask=True, screenshot=None)
    seconds["capture"] = time.monotonic() - started
    started = time.monotonic()
    completion = send_typed(window, "Which colours are in this picture?")
    seconds["reply"] = time.monotonic() - started
    report["reply"] = completion_report(completion)
    report["engine_image"] = image_report(requests[0].messages[-1].images[0])
    report["engine_text"] = requests[0].messages[-1].content
    started = time.monotonic()
    report["camera"] = webcam_ask(window, Path(args.video), requests)
    seconds["camera"] = time.monotonic() - started
    report["seconds"] = seconds
    window.close()
    window.shutdown()
    return report


def webcam_ask(window: Any, video: Path, requests: list[Any]) -> dict[str, Any]:
    """ "Ask about what the camera sees" with a video playing into the webcam widget's sink."""
    window.capture.open_camera()
    webcam = window.capture.webcam_dialog.webcam
    player = play_into(webcam.sink, video)
    wait_until(lambda: webcam.frame_count >= 3, 30, "video frames")
    finished: list[Any] = []
    window.controller.replyFinished.connect(finished.append)
    before = len(requests)
    webcam.question.setText("What colours does the camera see?")
    webcam.ask_button.click()
    wait_until(lambda: finished, 400, "the reply about the camera picture")
    player.stop()
    request = requests[before]
    image = request.messages[-1].images[0]
    return {
        "question": request.messages[-1].content,
        "reply": completion_report(finished[0]),
        "width": image.width,
        "height": image.height,
        "left": list(pixel(image.width, image.rgb, image.width // 4, image.height // 2)),
        "right": list(pixel(image.width, image.rgb, 3 * image.width // 4, image.height // 2)),
        "messages_in_view": window.controller.model.rowCount(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mode", choices=["region", "ask"])
    parser.add_argument("--report", required=True)
    parser.add_argument("--screenshots", default="")
    parser.add_argument(
        "--backdrop", action="store_true", help="a wallpaper and an editor behind (documentation)"
    )
    parser.add_argument("--video", required=True)
    parser.add_argument("--model", default="")
    parser.add_argument("--mmproj", default="")
    args = parser.parse_args()
    from autoglm.ui.app import ensure_application

    ensure_application()
    report = run_region(args) if args.mode == "region" else run_ask(args)
    Path(args.report).write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
