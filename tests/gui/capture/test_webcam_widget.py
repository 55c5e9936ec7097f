"""The webcam widget's frame path, fed by a QMediaPlayer playing a real video into its QVideoSink."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from media_samples import BLUE, RED
from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QMediaDevices, QMediaPlayer

from autoglm.ui.capture.webcam import WebcamWidget

COLOUR_TOLERANCE = 24  # MPEG-4 is lossy; the halves are still unmistakably red and blue


def _close(colour: tuple[int, ...], expected: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= COLOUR_TOLERANCE for a, b in zip(colour[:3], expected))


@pytest.fixture
def webcam(qtbot: Any) -> Iterator[WebcamWidget]:
    widget = WebcamWidget()
    qtbot.addWidget(widget)
    widget.resize(480, 420)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.stop()


@pytest.fixture
def playing(webcam: WebcamWidget, sample_video: Path, qtbot: Any) -> Iterator[QMediaPlayer]:
    """The sample video playing into the widget's sink, until a few frames have arrived."""
    player = QMediaPlayer()
    player.setVideoSink(webcam.sink)
    player.setLoops(QMediaPlayer.Loops.Infinite)
    player.setSource(QUrl.fromLocalFile(str(sample_video)))
    player.play()
    qtbot.waitUntil(lambda: webcam.frame_count >= 3, timeout=30_000)
    yield player
    player.stop()


def test_without_a_camera_the_widget_says_so(webcam: WebcamWidget) -> None:
    if QMediaDevices.videoInputs():
        pytest.skip("this machine has a camera; the no-camera message cannot show")
    assert not webcam.has_camera and webcam.camera is None
    assert "No camera was found" in webcam.preview.message
    assert not webcam.snapshot_button.isEnabled() and not webcam.ask_button.isEnabled()


def test_frames_from_the_sink_become_the_preview_and_the_current_frame(
    webcam: WebcamWidget, playing: QMediaPlayer
) -> None:
    frame = webcam.current_frame()
    assert (frame.width(), frame.height()) == (160, 120)
    assert _close(frame.pixelColor(40, 60).getRgb(), RED)
    assert _close(frame.pixelColor(120, 60).getRgb(), BLUE)
    assert webcam.preview.message == "" and not webcam.preview.image.isNull()
    assert webcam.snapshot_button.isEnabled() and webcam.ask_button.isEnabled()
    painted = webcam.preview.grab().toImage()
    centre_left = painted.pixelColor(
        painted.width() // 2 - painted.width() // 6, painted.height() // 3
    ).getRgb()
    assert _close(centre_left, RED)


def test_snapshot_hands_over_the_current_frame(
    qtbot: Any, webcam: WebcamWidget, playing: QMediaPlayer
) -> None:
    with qtbot.waitSignal(webcam.snapshotTaken) as taken:
        webcam.snapshot_button.click()
    image: QImage = taken.args[0]
    assert (image.width(), image.height()) == (160, 120)
    assert _close(image.pixelColor(20, 20).getRgb(), RED)


def test_ask_sends_the_frame_with_the_typed_question_or_a_default(
    qtbot: Any, webcam: WebcamWidget, playing: QMediaPlayer
) -> None:
    webcam.question.setText("Is the left half red?")
    with qtbot.waitSignal(webcam.askRequested) as asked:
        webcam.ask_button.click()
    assert asked.args[1] == "Is the left half red?" and not asked.args[0].isNull()
    assert webcam.question.text() == ""
    with qtbot.waitSignal(webcam.askRequested) as asked:
        webcam.ask()
    assert asked.args[1] == "What do you see in this camera picture?"


def test_a_model_without_vision_disables_snapshot_and_ask_with_its_reason(
    qtbot: Any, webcam: WebcamWidget, playing: QMediaPlayer
) -> None:
    reason = (
        "This model has no vision projector (mmproj); import one with the model to send images."
    )
    webcam.set_images_allowed(False, reason)
    assert not webcam.snapshot_button.isEnabled() and webcam.ask_button.toolTip() == reason
    with qtbot.assertNotEmitted(webcam.snapshotTaken), qtbot.assertNotEmitted(webcam.askRequested):
        webcam.snapshot()
        webcam.ask()
    webcam.set_images_allowed(True)
    assert webcam.snapshot_button.isEnabled() and webcam.ask_button.toolTip() != reason
