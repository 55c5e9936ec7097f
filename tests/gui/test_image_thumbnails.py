"""Thumbnails are made with Pillow on any thread: upright, to size, and many at once."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image

from autoglm.ui.image_thumbnails import decode_thumbnail

FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF")


def _encoded(fmt: str, size: tuple[int, int] = (640, 360), orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, (20, 120, 200))
    image.paste((255, 0, 0), (0, 0, 64, 64))
    buffer = io.BytesIO()
    if orientation is None:
        image.save(buffer, format=fmt)
    else:
        exif = Image.Exif()
        exif[0x0112] = orientation
        image.save(buffer, format=fmt, exif=exif)
    return buffer.getvalue()


def test_every_format_gives_a_thumbnail_within_the_box_and_the_full_size() -> None:
    for fmt in FORMATS:
        thumbnail, width, height = decode_thumbnail(_encoded(fmt), 96)
        assert (width, height) == (640, 360), fmt
        assert not thumbnail.isNull() and max(thumbnail.width(), thumbnail.height()) == 96, fmt
        red = thumbnail.pixelColor(2, 2)
        assert red.red() > 200 and red.blue() < 60, fmt


def test_a_photo_turned_by_its_exif_orientation_is_shown_and_measured_upright(
    tmp_path: Path,
) -> None:
    path = tmp_path / "turned.jpg"
    path.write_bytes(_encoded("JPEG", orientation=6))  # stored landscape, to be shown portrait
    thumbnail, width, height = decode_thumbnail(path, 96)
    assert (width, height) == (360, 640)
    assert thumbnail.height() > thumbnail.width()


def test_data_that_is_not_an_image_gives_a_null_thumbnail() -> None:
    thumbnail, width, height = decode_thumbnail(b"not an image", 96)
    assert thumbnail.isNull() and (width, height) == (0, 0)


def test_many_formats_decode_at_once_on_pool_threads() -> None:
    payloads = [_encoded(fmt, (1200, 900)) for fmt in FORMATS] * 8
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda data: decode_thumbnail(data, 128), payloads))
    assert all(
        not image.isNull() and (width, height) == (1200, 900) for image, width, height in results
    )
