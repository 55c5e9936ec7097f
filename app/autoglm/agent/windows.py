"""The desktop's open top-level windows, for choosing the one a task acts on.

On X11 the windows are read with python-xlib (pynput's own X library): the window
manager's client list, or the root's mapped children when no window manager runs (Xvfb).
Elsewhere — Wayland, no X display, Windows and macOS for now — there is no list, and the
reason is given in words so the picker can say so and offer the whole desktop only.

A chosen window bounds the run: its screenshots are what the model sees, and
``TrackedWindow`` reads the window's place again for every action, so a click that would
land outside it (the window moved, shrank or closed since the screenshot) asks first.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from autoglm.agent.coordinates import ScreenRect
from autoglm.agent.desktop import desktop_refusal


@dataclass(frozen=True)
class DesktopWindow:
    """One top-level window: its X id, its title, where it lies on the screen, its process."""

    id: int
    title: str
    rect: ScreenRect
    pid: int | None = None


@dataclass
class WindowListing:
    """The windows that can be chosen, or (none, and) why they cannot be listed here."""

    windows: list[DesktopWindow] = field(default_factory=list)
    reason: str = ""


def offered_windows(windows: Iterable[DesktopWindow], own_pid: int) -> list[DesktopWindow]:
    """The windows worth offering: titled, with an area, not this app's own (``own_pid``), by title."""
    seen: set[int] = set()
    offered = []
    for window in windows:
        if window.id in seen or window.pid == own_pid or not window.title.strip():
            continue
        if window.rect.width <= 1 or window.rect.height <= 1:
            continue
        seen.add(window.id)
        offered.append(window)
    return sorted(offered, key=lambda w: (w.title.casefold(), w.id))


def listing_refusal(environ: Mapping[str, str] | None = None, platform: str | None = None) -> str:
    """Why windows cannot be listed here, in words; ``""`` when they can."""
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return "Open windows can be listed only on a Linux X11 desktop for now."
    refusal = desktop_refusal(environ, platform)
    if refusal is not None:
        return refusal.split(". ")[0] + ": open windows cannot be listed."
    return ""


def list_windows(own_pid: int | None = None) -> WindowListing:
    """The open top-level windows but this process's (blocking: talks to the X server)."""
    reason = listing_refusal()
    if reason:
        return WindowListing(reason=reason)
    try:
        from Xlib import error

        failures: tuple[type[BaseException], ...] = (
            OSError,
            error.DisplayError,
            error.ConnectionClosedError,
            error.XError,
        )
    except ImportError as exc:
        return WindowListing(reason=f"The open windows could not be listed: {exc}")
    try:
        found = _x_windows()
    except failures as exc:  # a refused display, a server gone: said in words
        return WindowListing(reason=f"The open windows could not be listed: {exc}")
    return WindowListing(offered_windows(found, os.getpid() if own_pid is None else own_pid))


def window_rect(window_id: int) -> ScreenRect | None:
    """Where the window lies now, or ``None`` when it is closed or hidden (blocking)."""
    from Xlib import X, display, error

    connection = display.Display()
    try:
        window = connection.create_resource_object("window", window_id)
        try:
            return _rect(connection, window) if _viewable(window, X) else None
        except error.XError:
            return None
    finally:
        connection.close()


class TrackedWindow:
    """The run's target window, read again for every action (``AgentLoop(target=…)``)."""

    def __init__(self, window: DesktopWindow) -> None:
        self.window = window

    def contains(self, x: float, y: float) -> bool:
        """Whether the point lies inside the window where it is now (a closed window holds none)."""
        rect = window_rect(self.window.id)
        return rect is not None and rect.contains(x, y)


def _x_windows() -> list[DesktopWindow]:
    from Xlib import X, display, error

    connection = display.Display()
    try:
        root = connection.screen().root
        clients = root.get_full_property(
            connection.intern_atom("_NET_CLIENT_LIST"), X.AnyPropertyType
        )
        if clients is not None:
            candidates = [connection.create_resource_object("window", wid) for wid in clients.value]
        else:  # no window manager: the top-level windows are the root's children
            candidates = list(root.query_tree().children)
        windows = []
        for window in candidates:
            try:
                if not _viewable(window, X):
                    continue
                title = _title(connection, window)
                if title:
                    windows.append(
                        DesktopWindow(
                            window.id, title, _rect(connection, window), _pid(connection, window)
                        )
                    )
            except error.XError:
                continue  # closed while being read
        return windows
    finally:
        connection.close()


def _viewable(window: Any, x: Any) -> bool:
    return bool(window.get_attributes().map_state == x.IsViewable)


def _rect(connection: Any, window: Any) -> ScreenRect:
    geometry = window.get_geometry()
    origin = window.translate_coords(connection.screen().root, 0, 0)
    return ScreenRect(-int(origin.x), -int(origin.y), int(geometry.width), int(geometry.height))


def _title(connection: Any, window: Any) -> str:
    name = window.get_full_property(
        connection.intern_atom("_NET_WM_NAME"), connection.intern_atom("UTF8_STRING")
    )
    if name is not None and name.value:
        value = name.value
        return (
            value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        ).strip()
    legacy = window.get_wm_name()
    if isinstance(legacy, bytes):
        legacy = legacy.decode("latin-1", "replace")
    return str(legacy or "").strip()


def _pid(connection: Any, window: Any) -> int | None:
    prop = window.get_full_property(connection.intern_atom("_NET_WM_PID"), 0)
    return int(prop.value[0]) if prop is not None and len(prop.value) else None
