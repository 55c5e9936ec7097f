"""Small image files made on the fly for the vision tests (nothing binary is committed)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def png_bytes(image: Image.Image) -> bytes:
    """``image`` saved as PNG."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def two_colour_jpeg_rotated(orientation: int = 6) -> bytes:
    """A 40×20 JPEG, left half red and right half blue, with an EXIF orientation tag."""
    image = Image.new("RGB", (40, 20), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 20, 20))
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, quality=95)
    return buffer.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def huge_png_header(width: int = 30000, height: int = 30000) -> bytes:
    """A tiny PNG whose header claims ``width × height`` RGB pixels (a decompression bomb's shape)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = (
        b"\x00" + b"\x00" * 3
    )  # far fewer rows than claimed: a decoder would have to invent the rest
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(row))
        + _png_chunk(b"IEND", b"")
    )


def truncated_png() -> bytes:
    """A 64×64 noise PNG cut off halfway through its pixel data."""
    data = png_bytes(Image.effect_noise((64, 64), 64).convert("RGB"))
    return data[: len(data) // 2]


def picture_png(seed: int = 1, size: tuple[int, int] = (320, 240)) -> bytes:
    """A small noisy picture with a coloured block, as PNG bytes (different per seed)."""
    image = Image.effect_noise(size, 40 + seed).convert("RGB")
    image.paste((200, 30 * seed % 255, 40), (20, 20, 120, 100))
    return png_bytes(image)
