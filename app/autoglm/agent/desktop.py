"""The desktop as the agent's screen: screenshots through Pillow, mouse and keys through pynput.

pynput drives X11 (through XTest), macOS and Windows. Under Wayland no program may move
the pointer or read other windows, so a Wayland session is refused in words before
anything is imported.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Mapping
from typing import Any

from autoglm.agent.coordinates import ScreenGeometry
from autoglm.agent.executor import ActionResult, Executor, Screenshot
from autoglm.agent.protocol import (
    Action,
    Back,
    DoubleTap,
    Home,
    Launch,
    LongPress,
    Swipe,
    Tap,
    Type,
    TypeName,
)
from autoglm.core.errors import DeviceError

_LOGGER = logging.getLogger(__name__)

LONG_PRESS_S = 0.8
SWIPE_S = 0.4
SWIPE_STEPS = 12


def desktop_refusal(
    environ: Mapping[str, str] | None = None, platform: str | None = None
) -> str | None:
    """Why the desktop cannot be driven here, in words; ``None`` when it can."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return None
    if environ.get("XDG_SESSION_TYPE", "").lower() == "wayland" or environ.get("WAYLAND_DISPLAY"):
        return (
            "This is a Wayland session, where no program may click or type into other windows. "
            'Log in to an X11 session ("GNOME on Xorg" on the login screen) to let AutoGLM act '
            "on the desktop, or act on a phone with --device adb."
        )
    if not environ.get("DISPLAY"):
        return "There is no X display (DISPLAY is not set), so there is no desktop to act on."
    return None


def _virtual_origin() -> tuple[int, int]:
    """The top-left of the virtual desktop (negative with a monitor left of or above the main one)."""
    if sys.platform == "win32":
        import ctypes

        metrics = ctypes.windll.user32.GetSystemMetrics  # type: ignore[attr-defined]
        return int(metrics(76)), int(metrics(77))  # SM_XVIRTUALSCREEN, SM_YVIRTUALSCREEN
    return 0, 0


def _points_wide(image_width: int) -> float:
    """Pixels per input point: 2 on a Retina Mac (pynput moves in points), 1 elsewhere."""
    if sys.platform != "darwin":
        return 1.0
    import ctypes
    import ctypes.util

    path = ctypes.util.find_library("CoreGraphics") or ctypes.util.find_library(
        "ApplicationServices"
    )
    if path is None:
        return 1.0
    graphics = ctypes.cdll.LoadLibrary(path)
    graphics.CGMainDisplayID.restype = ctypes.c_uint32
    graphics.CGDisplayPixelsWide.argtypes = [ctypes.c_uint32]
    graphics.CGDisplayPixelsWide.restype = ctypes.c_size_t
    points = int(
        graphics.CGDisplayPixelsWide(graphics.CGMainDisplayID())
    )  # the display's width in points
    return image_width / points if points else 1.0


class DesktopExecutor(Executor):
    """Acts on this computer's screen with the real mouse and keyboard."""

    kind = "desktop"

    def __init__(self, bbox: tuple[int, int, int, int] | None = None) -> None:
        refusal = desktop_refusal()
        if refusal is not None:
            raise DeviceError(refusal)
        try:
            from pynput import keyboard, mouse
        except Exception as exc:  # pynput fails in many native ways; told in words
            raise DeviceError(f"The desktop cannot be controlled here: {exc}") from exc
        self._mouse_module, self._keyboard_module = mouse, keyboard
        self._mouse = mouse.Controller()
        self._keyboard = keyboard.Controller()
        self._bbox = bbox  # (x, y, width, height) of the part of the screen to act on

    def screenshot(self) -> Screenshot:
        """The whole desktop (or the chosen box) as it is now."""
        from PIL import ImageGrab

        try:
            if self._bbox is not None:
                x, y, width, height = self._bbox
                image = ImageGrab.grab(bbox=(x, y, x + width, y + height), all_screens=True)
                origin = (x, y)
            else:
                image = ImageGrab.grab(all_screens=True)
                origin = _virtual_origin()
        except OSError as exc:
            raise DeviceError(f"The screen could not be captured: {exc}") from exc
        image = image.convert("RGB")
        geometry = ScreenGeometry(image.width, image.height, _points_wide(image.width), *origin)
        return Screenshot(image, geometry, current_app="Desktop")

    def perform(self, action: Action, geometry: ScreenGeometry) -> ActionResult:
        """Click, drag, type or press keys for the action."""
        button = self._mouse_module.Button.left
        if isinstance(action, (Tap, DoubleTap, LongPress)):
            self._mouse.position = self.target(action.element, geometry)
            time.sleep(0.02)  # let the pointer's move reach the window before the press
            if isinstance(action, LongPress):
                self._mouse.press(button)
                time.sleep(LONG_PRESS_S)
                self._mouse.release(button)
            else:
                self._mouse.click(button, 2 if isinstance(action, DoubleTap) else 1)
        elif isinstance(action, Swipe):
            self._drag(
                self.target(action.start, geometry), self.target(action.end, geometry), button
            )
        elif isinstance(action, (Type, TypeName)):
            key = self._keyboard_module.Key
            with self._keyboard.pressed(key.cmd if sys.platform == "darwin" else key.ctrl):
                self._keyboard.tap("a")  # the protocol's Type replaces what the field holds
            self._keyboard.type(action.text)
        elif isinstance(action, Back):
            key = self._keyboard_module.Key
            modifier = key.cmd if sys.platform == "darwin" else key.alt
            with self._keyboard.pressed(modifier):
                self._keyboard.tap("[" if sys.platform == "darwin" else key.left)
        elif isinstance(action, Home):
            return ActionResult(
                False, "The desktop has no Home button; close or leave the app instead."
            )
        elif isinstance(action, Launch):
            return ActionResult(
                False,
                f"Launching apps ({action.app}) works on phones; on the desktop, "
                "open it from the screen.",
            )
        else:
            return ActionResult(False, f"{action.name} is not something the desktop does.")
        return ActionResult(True, self.describe(action, geometry))

    def _drag(self, start: tuple[int, int], end: tuple[int, int], button: Any) -> None:
        self._mouse.position = start
        self._mouse.press(button)
        try:
            for step in range(1, SWIPE_STEPS + 1):
                time.sleep(SWIPE_S / SWIPE_STEPS)
                self._mouse.position = (
                    start[0] + (end[0] - start[0]) * step // SWIPE_STEPS,
                    start[1] + (end[1] - start[1]) * step // SWIPE_STEPS,
                )
        finally:
            self._mouse.release(button)
