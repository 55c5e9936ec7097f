"""Opening the executor a device name asks for: ``desktop``, ``adb`` or ``adb:SERIAL``.

Kept apart from ``executor`` (the interface the backends implement) so that the backends
import the interface and this module imports the backends, never the other way round.
"""

from __future__ import annotations

from autoglm.agent.executor import Executor
from autoglm.core.errors import InputError


def open_executor(spec: str, bbox: tuple[int, int, int, int] | None = None) -> Executor:
    """The executor named by ``desktop``, ``adb`` or ``adb:SERIAL``; a bad name is an InputError.

    ``bbox`` (x, y, width, height; the desktop only): the part of the screen the screenshots
    show, a chosen window's.
    """
    kind, _, serial = spec.partition(":")
    if kind == "desktop" and not serial:
        from autoglm.agent.desktop import DesktopExecutor

        return DesktopExecutor(bbox)
    if kind == "adb":
        from autoglm.agent.adb import connect_adb

        return connect_adb(serial or None)
    raise InputError(f"Unknown device {spec!r}: use desktop, adb or adb:SERIAL.")
