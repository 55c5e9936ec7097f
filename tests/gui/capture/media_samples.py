"""Pictures and videos with known pixels, made on the fly for the capture tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

RED = (255, 0, 0)
GREEN = (0, 255, 0)
BLUE = (0, 0, 255)
YELLOW = (255, 255, 0)


def write_two_colour_video(
    path: Path, width: int = 160, height: int = 120, frames: int = 30, fps: int = 10
) -> Path:
    """An MPEG-4 video whose frames are red on the left half and blue on the right, with a moving white bar."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.bit_rate = 800_000
        for number in range(frames):
            pixels = np.zeros((height, width, 3), np.uint8)
            pixels[:, : width // 2] = RED
            pixels[:, width // 2 :] = BLUE
            bar = (number * 8) % width
            pixels[height - 12 :, bar : bar + 8] = 255
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def colour_counts(
    width: int, height: int, rgb: bytes, tolerance: int = 0
) -> dict[tuple[int, int, int], int]:
    """How many pixels of ``rgb`` are each of RED, GREEN, BLUE and YELLOW (within ``tolerance``)."""
    pixels = np.frombuffer(rgb, np.uint8).reshape(height, width, 3).astype(int)
    counts = {}
    for colour in (RED, GREEN, BLUE, YELLOW):
        close = np.all(np.abs(pixels - np.array(colour)) <= tolerance, axis=2)
        counts[colour] = int(close.sum())
    return counts


def pixel(width: int, rgb: bytes, x: int, y: int) -> tuple[int, int, int]:
    """The RGB value at ``(x, y)`` of packed RGB888 pixels."""
    offset = (y * width + x) * 3
    return rgb[offset], rgb[offset + 1], rgb[offset + 2]
