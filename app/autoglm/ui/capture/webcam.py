"""The webcam window: live preview, a camera chooser, a snapshot, and "ask about what the camera sees".

Frames flow ``QCamera`` → ``QMediaCaptureSession`` → ``QVideoSink``; every frame the sink
receives becomes the preview and the "current frame". Anything that feeds the same sink
(a ``QMediaPlayer`` playing a file, as the tests do) drives the widget the same way.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPaintEvent
from PySide6.QtMultimedia import (
    QCamera,
    QCameraDevice,
    QMediaCaptureSession,
    QMediaDevices,
    QVideoFrame,
    QVideoSink,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from autoglm.ui.application import running_application

_LOGGER = logging.getLogger(__name__)


class VideoPreviewWidget(QWidget):
    """Paints the latest frame, scaled to fit and centred; a message when there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("videoPreview")
        self.setMinimumSize(QSize(320, 240))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.image = QImage()
        self.message = ""

    def set_image(self, image: QImage) -> None:
        """Show ``image`` (the newest frame)."""
        self.image = image
        self.update()

    def set_message(self, message: str) -> None:
        """Show ``message`` instead of a frame (empty: show frames again)."""
        self.message = message
        self.setAccessibleDescription(message)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        """Black background, the frame letter-boxed, or the message."""
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        if self.message or self.image.isNull():
            painter.setPen(Qt.GlobalColor.white)
            text = self.message or self.tr("Waiting for the camera…")
            painter.drawText(
                self.rect().adjusted(24, 24, -24, -24),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                text,
            )
        else:
            size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = (self.width() - size.width()) // 2
            y = (self.height() - size.height()) // 2
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(self.rect().adjusted(x, y, -x, -y), self.image)
        painter.end()


class WebcamWidget(QWidget):
    """Camera chooser, live preview, Snapshot and Ask; a clear message when there is no camera."""

    snapshotTaken = Signal(QImage)
    askRequested = Signal(QImage, str)
    frameArrived = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("webcam")
        self.camera: QCamera | None = None
        self._frame = QImage()
        self._frames = 0
        self._images_allowed = True
        self._images_reason = ""
        self.devices = QMediaDevices(self)
        self.session = QMediaCaptureSession(self)
        self.sink = QVideoSink(self)
        self.session.setVideoSink(self.sink)
        self.sink.videoFrameChanged.connect(self._on_frame)

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.camera_label = QLabel(self)
        top.addWidget(self.camera_label)
        self.chooser = QComboBox(self)
        self.chooser.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.chooser.currentIndexChanged.connect(lambda _i: self.start())
        self.camera_label.setBuddy(self.chooser)
        top.addWidget(self.chooser, 1)
        layout.addLayout(top)
        self.preview = VideoPreviewWidget(self)
        layout.addWidget(self.preview, 1)
        self.question = QLineEdit(self)
        self.question.returnPressed.connect(self.ask)
        layout.addWidget(self.question)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.snapshot_button = QPushButton(self)
        self.snapshot_button.clicked.connect(self.snapshot)
        buttons.addWidget(self.snapshot_button)
        self.ask_button = QPushButton(self)
        self.ask_button.setDefault(True)
        self.ask_button.clicked.connect(self.ask)
        buttons.addWidget(self.ask_button)
        layout.addLayout(buttons)
        self.devices.videoInputsChanged.connect(self.refresh_cameras)
        self.retranslate()
        self.refresh_cameras()

    # -- texts -----------------------------------------------------------------------------
    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.camera_label.setText(self.tr("&Camera:"))
        self.chooser.setAccessibleName(self.tr("Camera"))
        self.chooser.setPlaceholderText(self.tr("No camera"))
        self.question.setPlaceholderText(self.tr("Ask about what the camera sees…"))
        self.question.setAccessibleName(self.tr("Question about the camera picture"))
        self.snapshot_button.setText(self.tr("&Snapshot"))
        self.ask_button.setText(self.tr("&Ask"))
        self.preview.setAccessibleName(self.tr("Camera preview"))
        self._update_buttons()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        """Follow language changes."""
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- cameras ---------------------------------------------------------------------------
    def refresh_cameras(self) -> None:
        """List the cameras; with none, say so in the preview."""
        current = self.chooser.currentData()
        cameras = QMediaDevices.videoInputs()
        self.chooser.blockSignals(True)
        self.chooser.clear()
        for device in cameras:
            self.chooser.addItem(device.description(), device)
        chosen = next(
            (i for i, d in enumerate(cameras) if current is not None and d.id() == current.id()), -1
        )
        if chosen < 0 and cameras:
            default = QMediaDevices.defaultVideoInput()
            chosen = next((i for i, d in enumerate(cameras) if d.id() == default.id()), 0)
        self.chooser.setCurrentIndex(chosen)
        self.chooser.blockSignals(False)
        self.chooser.setEnabled(len(cameras) > 1)
        if not cameras:
            self.stop()
            if self._frames == 0:
                self.preview.set_message(
                    self.tr(
                        "No camera was found on this computer. Connect one, or attach "
                        "a photo with the paper-clip button instead."
                    )
                )
        elif self.isVisible():
            self.start()

    @property
    def has_camera(self) -> bool:
        """Whether any camera is connected."""
        return self.chooser.count() > 0

    def start(self) -> None:
        """Start the chosen camera (asking for permission where the system wants that)."""
        device = self.chooser.currentData()
        if not isinstance(device, QCameraDevice) or device.isNull():
            return
        if not self._permission_granted():
            return
        self.stop()
        camera = QCamera(device, self)
        camera.errorOccurred.connect(self._camera_error)
        self.session.setCamera(camera)
        self.camera = camera
        self._frames = 0
        self.preview.set_message("")
        camera.start()
        _LOGGER.info("Camera %s started", device.description())

    def stop(self) -> None:
        """Stop and release the camera."""
        camera, self.camera = self.camera, None
        if camera is not None:
            camera.stop()
            self.session.setCamera(None)  # type: ignore[arg-type]
            camera.deleteLater()

    def _permission_granted(self) -> bool:
        try:
            from PySide6.QtCore import QCameraPermission
        except ImportError:  # Qt before 6.5 has no permission API
            return True
        app = running_application()
        permission = QCameraPermission()
        status = app.checkPermission(permission)
        if status == Qt.PermissionStatus.Granted:
            return True
        if status == Qt.PermissionStatus.Undetermined:
            app.requestPermission(permission, self, lambda _p: self.start())
            self.preview.set_message(self.tr("Waiting for permission to use the camera…"))
            return False
        self.preview.set_message(
            self.tr(
                "This app may not use the camera: allow it in the system's privacy "
                "settings, then reopen this window."
            )
        )
        return False

    def _camera_error(self, _error: QCamera.Error, message: str) -> None:
        _LOGGER.warning("Camera error: %s", message)
        self.preview.set_message(
            self.tr("The camera could not be used: {0}").format(message or _error.name)
        )
        self._update_buttons()

    # -- frames ----------------------------------------------------------------------------
    def _on_frame(self, frame: QVideoFrame) -> None:
        image = frame.toImage()
        if image.isNull():
            return
        self._frame = image
        self._frames += 1
        if self._frames == 1:
            self.preview.set_message("")
            self._update_buttons()
        self.preview.set_image(image)
        self.frameArrived.emit()

    def current_frame(self) -> QImage:
        """The newest frame (a null image before the first one)."""
        return QImage(self._frame)

    @property
    def frame_count(self) -> int:
        """Frames received since the camera (or other source) started."""
        return self._frames

    def set_images_allowed(self, allowed: bool, reason: str = "") -> None:
        """Disable Snapshot and Ask (with ``reason`` as their tooltip) when the model cannot see."""
        self._images_allowed = allowed
        self._images_reason = reason
        self._update_buttons()

    def _update_buttons(self) -> None:
        ready = self._images_allowed and not self._frame.isNull()
        for button in (self.snapshot_button, self.ask_button):
            button.setEnabled(ready)
        reason = "" if self._images_allowed else self._images_reason
        self.snapshot_button.setToolTip(
            reason or self.tr("Put the current frame in the message being written")
        )
        self.ask_button.setToolTip(reason or self.tr("Send the current frame with the question"))

    def snapshot(self) -> None:
        """Hand the current frame to the message being written."""
        if self._images_allowed and not self._frame.isNull():
            self.snapshotTaken.emit(self.current_frame())

    def ask(self) -> None:
        """Send the current frame with the typed question (or a plain "what is this")."""
        if not self._images_allowed or self._frame.isNull():
            return
        question = self.question.text().strip() or self.tr(
            "What do you see in this camera picture?"
        )
        self.askRequested.emit(self.current_frame(), question)
        self.question.clear()

    # -- visibility ------------------------------------------------------------------------
    def showEvent(self, event: object) -> None:  # noqa: N802
        """Start the camera when shown."""
        super().showEvent(event)  # type: ignore[arg-type]
        if self.camera is None and self.has_camera:
            self.start()

    def hideEvent(self, event: object) -> None:  # noqa: N802
        """Release the camera when hidden (its light goes off)."""
        self.stop()
        super().hideEvent(event)  # type: ignore[arg-type]


class WebcamDialog(QDialog):
    """A window holding the webcam widget; the camera runs only while it is open."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("webcamDialog")
        self.setModal(False)
        self.resize(640, 560)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        self.webcam = WebcamWidget(self)
        layout.addWidget(self.webcam)
        self.retranslate()

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.setWindowTitle(self.tr("Camera"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        """Follow language changes."""
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
