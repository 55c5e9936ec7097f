"""What the agent acts on, behind one interface: the desktop or an Android phone.

An executor takes screenshots and performs the device actions of the protocol (taps,
swipes, typing, keys, launching apps). The loop itself handles the rest (finish, waiting,
taking over, notes), so every executor behaves the same there. Backends live one per
file (``desktop``, ``adb``) and import their native libraries lazily.
"""

from __future__ import annotations

import hashlib
import io
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from autoglm.agent.coordinates import ScreenGeometry, grid_to_pixels, grid_to_screen
from autoglm.agent.protocol import (
    Action,
    Back,
    DoubleTap,
    GridPoint,
    Home,
    Launch,
    LongPress,
    Swipe,
    Tap,
    Type,
    TypeName,
)

_LOGGER = logging.getLogger(__name__)

DEVICE_ACTIONS = (Tap, DoubleTap, LongPress, Swipe, Type, TypeName, Launch, Back, Home)


@dataclass(frozen=True)
class Screenshot:
    """One screenshot: its pixels (a PIL image), where it lies on the screen, the app in front."""

    image: Any
    geometry: ScreenGeometry
    current_app: str = ""

    def png(self) -> bytes:
        """The screenshot as PNG bytes (what is recorded and sent to the model)."""
        buffer = io.BytesIO()
        self.image.save(buffer, format="PNG")
        return buffer.getvalue()

    def screen_hash(self) -> str:
        """A hash of the screen, blind to noise below a 64×64 grey thumbnail (for loop detection)."""
        thumbnail = self.image.convert("L").resize((64, 64))
        quantised = bytes(value >> 3 for value in thumbnail.tobytes())
        return hashlib.sha1(quantised).hexdigest()


@dataclass(frozen=True)
class ActionResult:
    """What performing an action did; ``ok`` False carries the reason in ``message``."""

    ok: bool
    message: str = ""


class Executor(ABC):
    """A screen the agent sees and acts on."""

    kind = ""

    @abstractmethod
    def screenshot(self) -> Screenshot:
        """The screen as it is now."""

    @abstractmethod
    def perform(self, action: Action, geometry: ScreenGeometry) -> ActionResult:
        """Perform one of ``DEVICE_ACTIONS``, the grid read against ``geometry``."""

    def target(self, point: GridPoint, geometry: ScreenGeometry) -> tuple[int, int]:
        """Where a grid point lands in this executor's input coordinates."""
        return grid_to_screen(point, geometry)

    def describe(self, action: Action, geometry: ScreenGeometry) -> str:
        """The action in words, with the point it lands on."""
        points = [
            getattr(action, key) for key in ("element", "start", "end") if hasattr(action, key)
        ]
        where = " → ".join(f"({x}, {y})" for x, y in (self.target(p, geometry) for p in points))
        return f"{action.name} {where}".strip()

    def close(self) -> None:  # noqa: B027 - most executors hold nothing to release
        """Release what the executor holds (connections, pressed keys)."""


class DryRunExecutor(Executor):
    """Sees through another executor but performs nothing; says what it would have done."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self.kind = f"{inner.kind} (dry run)"
        self.performed: list[str] = []

    def screenshot(self) -> Screenshot:
        """The inner executor's screenshot."""
        return self.inner.screenshot()

    def target(self, point: GridPoint, geometry: ScreenGeometry) -> tuple[int, int]:
        """The inner executor's target."""
        return self.inner.target(point, geometry)

    def perform(self, action: Action, geometry: ScreenGeometry) -> ActionResult:
        """Nothing is done; the description is kept."""
        described = self.describe(action, geometry)
        self.performed.append(described)
        return ActionResult(True, f"dry run: would {described}")

    def close(self) -> None:
        """Close the inner executor."""
        self.inner.close()


def pixel_points(action: Action, geometry: ScreenGeometry) -> list[tuple[int, int]]:
    """The screenshot pixels an action names (for drawing and for recording)."""
    return [
        grid_to_pixels(getattr(action, key), geometry)
        for key in ("element", "start", "end")
        if isinstance(getattr(action, key, None), GridPoint)
    ]
