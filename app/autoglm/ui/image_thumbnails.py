"""Small previews of images, decoded with Pillow so that any thread may make them.

The composer's attachment chips and the chat's image thumbnails are decoded off the GUI
thread (a 12-megapixel photo takes the decoder a few hundred milliseconds). Qt's image
readers did that work first, and several of them at once in pool threads crashed the
process (SIGSEGV) when a drop brought PNG, JPEG, WebP, BMP, GIF and TIFF files together;
Pillow decodes each image on its own, as the model's own image path already does on
worker threads. A ``QImage`` made from the pixels is safe to hand to the GUI thread.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from PySide6.QtGui import QImage

_ORIENTATION = 0x0112
_QUARTER_TURNS = {5, 6, 7, 8}
"""EXIF orientations that turn the picture by a quarter: its width and height swap."""


def decode_thumbnail(source: bytes | Path, box: int) -> tuple[QImage, int, int]:
    """(thumbnail fitting ``box``×``box``, width, height) of an image as the model will see it
    (upright by its EXIF orientation); a null image and 0×0 for data that is not an image."""
    try:
        opened = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
        with opened:
            width, height = opened.size
            if opened.getexif().get(_ORIENTATION, 1) in _QUARTER_TURNS:
                width, height = height, width
            opened.draft("RGB", (box * 2, box * 2))  # JPEG: decoded at a reduced scale at once
            upright = ImageOps.exif_transpose(opened) or opened
            upright.thumbnail((box, box), Image.Resampling.LANCZOS)
            pixels = upright.convert("RGBA")
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return QImage(), 0, 0
    image = QImage(
        pixels.tobytes(),
        pixels.width,
        pixels.height,
        pixels.width * 4,
        QImage.Format.Format_RGBA8888,
    )
    return image.copy(), width, height  # the copy owns its pixels once ``pixels`` is gone
