"""Checking every image before it reaches the composer: files, pasted images, screenshots, frames.

Each image is decoded and normalised by ``autoglm.vision.image`` on a pool thread, so a
huge photo never freezes the window and anything unusable (not an image, a truncated
file, a 30000×30000 decompression bomb) is refused with one sentence before it is
attached. Files in a format Qt can show keep their original bytes; captured and pasted
images, and formats Qt cannot show, are attached as the normalised PNG.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, Signal
from PySide6.QtGui import QImage, QImageReader

from autoglm.core.errors import InputError
from autoglm.core.settings import VisionSettings
from autoglm.core.types import ImageInput
from autoglm.ui.tasks import BackgroundTask

_LOGGER = logging.getLogger(__name__)
_POOL: QThreadPool | None = None
Delivery = Callable[[str, bytes, str], None]
"""Receives an accepted image as ``(name, data, suffix)``."""


def _tr(text: str) -> str:
    return QCoreApplication.translate("ImageIntake", text)


def _image_pool() -> QThreadPool:
    """A pool of its own, so image checks never queue behind a model load or a download check."""
    global _POOL
    if _POOL is None or not shiboken6.isValid(_POOL):
        _POOL = QThreadPool(QCoreApplication.instance())
        _POOL.setMaxThreadCount(2)
        _POOL.setObjectName("image-intake")
    return _POOL


def qimage_to_input(image: QImage, settings: VisionSettings) -> ImageInput:
    """Normalise a QImage (screenshot, frame, pasted image); safe on any thread."""
    from autoglm.vision.image import image_from_rgb, normalise

    if image.isNull() or image.width() == 0 or image.height() == 0:
        raise InputError(_tr("The image is empty."))
    if image.hasAlphaChannel():  # let the normalisation flatten transparency onto white
        from PySide6.QtCore import QBuffer, QByteArray, QIODevice

        array = QByteArray()
        buffer = QBuffer(array)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs say bytes; the binding takes only str
        return normalise(bytes(array.data()), settings)
    import numpy as np

    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    rows = np.frombuffer(rgb.constBits(), dtype=np.uint8, count=stride * height).reshape(
        height, stride
    )
    return image_from_rgb(width, height, rows[:, : width * 3].tobytes(), settings)


class ImageIntake(QObject):
    """Normalises images off the GUI thread and hands the usable ones on, refusing the rest in words."""

    accepted = Signal(str, bytes, str)
    refused = Signal(str)
    pendingChanged = Signal(int)

    def __init__(
        self, parent: QObject | None = None, max_file_bytes: int = 40 * 1024 * 1024
    ) -> None:
        super().__init__(parent)
        self.max_file_bytes = max_file_bytes
        self.settings_provider: Callable[[], VisionSettings] = VisionSettings
        self.disabled_reason = ""
        self._pending = 0
        self._shown_formats = {
            bytes(name.data()).decode().lower() for name in QImageReader.supportedImageFormats()
        }

    @property
    def pending(self) -> int:
        """How many images are being checked right now."""
        return self._pending

    def set_disabled(self, reason: str) -> None:
        """Refuse every image with ``reason`` (empty: accept images again)."""
        self.disabled_reason = reason

    # -- sources ---------------------------------------------------------------------------
    def add_files(self, files: list[str], deliver: Delivery | None = None) -> None:
        """Check image files (any format Pillow reads) and hand on each usable one."""
        for name in files:
            path = Path(name)
            self._run(functools.partial(self._read_file, path), deliver, label=path.name)

    def add_image(self, image: QImage, name: str, deliver: Delivery | None = None) -> None:
        """Check a captured or pasted image and hand it on as PNG."""
        settings = self.settings_provider()
        copy = QImage(image)  # implicitly shared: the worker reads its own reference

        def work() -> tuple[str, bytes, str]:
            from autoglm.vision.image import encode_png

            return name, encode_png(qimage_to_input(copy, settings)), ".png"

        self._run(work, deliver, label=name)

    # -- work ------------------------------------------------------------------------------
    def _read_file(self, path: Path) -> tuple[str, bytes, str]:
        from autoglm.vision.image import encode_png, normalise

        try:
            size = path.stat().st_size
            if not path.is_file():
                raise InputError(_tr("{0} is not a file.").format(path.name))
            if size > self.max_file_bytes:
                raise InputError(
                    _tr("{0} is larger than {1} MB.").format(
                        path.name, self.max_file_bytes // 2**20
                    )
                )
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise InputError(_tr("{0} was not found.").format(path.name)) from exc
        except OSError as exc:
            raise InputError(
                _tr("{0} cannot be read: {1}").format(path.name, exc.strerror or exc)
            ) from exc
        image = normalise(data, self.settings_provider(), label=path.name)
        suffix = path.suffix.lower()
        if suffix.lstrip(".") in self._shown_formats:
            return path.name, data, suffix
        return path.name, encode_png(image), ".png"

    def _run(
        self, work: Callable[[], tuple[str, bytes, str]], deliver: Delivery | None, label: str
    ) -> None:
        if self.disabled_reason:
            self.refused.emit(self.disabled_reason)
            return
        self._set_pending(self._pending + 1)

        def done(result: tuple[str, bytes, str]) -> None:
            self._set_pending(self._pending - 1)
            name, data, suffix = result
            _LOGGER.debug("Image %s accepted (%d bytes)", name, len(data))
            if deliver is not None:
                deliver(name, data, suffix)
            else:
                self.accepted.emit(name, data, suffix)

        def failed(error: BaseException) -> None:
            self._set_pending(self._pending - 1)
            if isinstance(error, InputError):
                self.refused.emit(str(error))
            elif isinstance(error, MemoryError):
                self.refused.emit(
                    _tr("{0} is too large to open with the memory available.").format(label)
                )
            else:
                _LOGGER.error("Checking the image %s failed", label, exc_info=error)
                self.refused.emit(_tr("{0} could not be opened: {1}").format(label, error))

        BackgroundTask(work, name="check-image", owner=self).on_success(done).on_failure(
            failed
        ).start(_image_pool())

    def _set_pending(self, count: int) -> None:
        self._pending = count
        self.pendingChanged.emit(count)
