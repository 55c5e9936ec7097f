"""Show me where: the points an answer names, drawn on the image it is about.

An answer about a screenshot names places in the action protocol (``element=[x,y]`` on the
0–1000 grid, a ``Swipe`` from ``start`` to ``end``, or several ``[x,y]`` pairs in words).
``pointing_in_reply`` reads them, ``draw_marks`` draws them on the image — a ring for one
place, numbered rings for several, an arrow for a swipe — and ``describe`` says in words
what was marked, so the chat, ``autoglm point`` and a recorded agent step show the same.
Drawn with Pillow, so it runs anywhere (a worker thread, the CLI, a test).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from autoglm.agent.coordinates import ScreenGeometry, grid_to_pixels
from autoglm.agent.protocol import GridPoint, Swipe, parse_reply, points_in_reply

MARK_COLOUR = (230, 36, 36)
HALO_COLOUR = (255, 255, 255)


@dataclass(frozen=True)
class Pointing:
    """The places an answer points at, in order; ``swipe``: the first two are a drag's start and end."""

    points: tuple[GridPoint, ...]
    swipe: bool = False
    action: str = ""
    """The protocol action that named them (``Tap``, ``Swipe``…), or '' for points in prose."""


def pointing_in_reply(reply: str) -> Pointing | None:
    """The places ``reply`` points at, or ``None`` when it names none."""
    if "[" not in reply:
        return None  # cheap refusal for the common reply with no coordinates at all
    points = points_in_reply(reply)
    if not points:
        return None
    action = parse_reply(reply).action
    return Pointing(
        tuple(points), swipe=isinstance(action, Swipe), action=action.name if action else ""
    )


def mark_radius(width: int, height: int) -> int:
    """How big a ring is on an image this size: visible on a thumbnail and a full screen alike."""
    return max(6, round(min(width, height) * 0.045))


def draw_marks(image: Any, pointing: Pointing) -> Any:
    """A copy of the PIL ``image`` (RGB) with ``pointing`` drawn on it at the pixels the grid names."""
    from PIL import ImageDraw

    marked = image.convert("RGB")
    draw = ImageDraw.Draw(marked)
    geometry = ScreenGeometry(marked.width, marked.height)
    pixels = [grid_to_pixels(point, geometry) for point in pointing.points]
    radius = mark_radius(marked.width, marked.height)
    line = max(2, radius // 3)
    if pointing.swipe and len(pixels) >= 2:
        _arrow(draw, pixels[0], pixels[1], radius, line)
        _ring(draw, pixels[0], radius, line, "")
        return marked
    numbered = len(pixels) > 1
    for number, pixel in enumerate(pixels, start=1):
        _ring(draw, pixel, radius, line, str(number) if numbered else "")
    return marked


def _ring(draw: Any, centre: tuple[int, int], radius: int, line: int, label: str) -> None:
    """A red ring with a white halo and a dot at its centre (the exact pixel); ``label`` beside it."""
    x, y = centre
    halo = radius + line
    draw.ellipse((x - halo, y - halo, x + halo, y + halo), outline=HALO_COLOUR, width=line)
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), outline=MARK_COLOUR, width=line)
    dot = max(1, line // 2 + 1)
    draw.ellipse((x - dot, y - dot, x + dot, y + dot), fill=MARK_COLOUR)
    if label:
        from PIL import ImageFont

        font = ImageFont.load_default(size=max(10, radius * 2))
        left, top = x + radius + line, y - radius - 2 * line
        box = draw.textbbox((left, top), label, font=font)
        pad = line
        draw.rounded_rectangle(
            (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad),
            radius=pad * 2,
            fill=MARK_COLOUR,
        )
        draw.text((left, top), label, fill=HALO_COLOUR, font=font)


def _arrow(draw: Any, start: tuple[int, int], end: tuple[int, int], radius: int, line: int) -> None:
    """A line from ``start`` to ``end`` with a filled head at ``end`` (a swipe's direction)."""
    angle = math.atan2(end[1] - start[1], end[0] - start[0])
    head = radius * 1.6
    base = (end[0] - head * math.cos(angle), end[1] - head * math.sin(angle))
    draw.line((start, base), fill=HALO_COLOUR, width=line + 2)
    draw.line((start, base), fill=MARK_COLOUR, width=line)
    spread = math.radians(28)
    corners = [end] + [
        (
            end[0] - head * math.cos(angle + side * spread),
            end[1] - head * math.sin(angle + side * spread),
        )
        for side in (-1, 1)
    ]
    draw.polygon(corners, fill=MARK_COLOUR, outline=HALO_COLOUR)


def describe(pointing: Pointing, size: tuple[int, int]) -> str:
    """What was marked, in words, with the image pixels: ``Tap at (412, 230)`` or ``1 (…) · 2 (…)``."""
    geometry = ScreenGeometry(*size)
    pixels = [grid_to_pixels(point, geometry) for point in pointing.points]
    if pointing.swipe and len(pixels) >= 2:
        return f"Swipe from ({pixels[0][0]}, {pixels[0][1]}) to ({pixels[1][0]}, {pixels[1][1]})"
    if len(pixels) == 1:
        verb = pointing.action or "Point"
        return f"{verb} at ({pixels[0][0]}, {pixels[0][1]})"
    return " · ".join(f"{number} ({x}, {y})" for number, (x, y) in enumerate(pixels, start=1))
