"""The window's remembered state (``window.ini``), written off the GUI thread.

Every write of a ``QSettings`` file rewrites it on disk when the object goes away: about a
millisecond of CPU, but 10–30 ms of waiting for the disk on a busy computer, and the
first message of a new chat wrote the open conversation there from the GUI thread,
in the very frame the reply starts. Writes go to one background thread in the order they
were asked for, so the last one asked for is the one that stays.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

_LOGGER = logging.getLogger(__name__)


class WindowState:
    """Reads ``window.ini`` on the caller's thread; ``remember`` writes on a background one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: ThreadPoolExecutor | None = None

    def settings(self) -> QSettings:
        """The file, for reading (start-up) or a write that must land now (closing)."""
        self.flush()
        return QSettings(str(self.path), QSettings.Format.IniFormat)

    def remember(self, key: str, value: Any) -> None:
        """Store ``value`` under ``key`` soon, without waiting for the disk."""
        if self._writer is None:
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="autoglm-state")
        self._writer.submit(self._write, key, value)

    def flush(self) -> None:
        """Wait until every write asked for is on disk."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.shutdown(wait=True)

    def _write(self, key: str, value: Any) -> None:
        try:
            QSettings(str(self.path), QSettings.Format.IniFormat).setValue(key, value)
        except Exception:
            _LOGGER.exception("Writing %s to %s failed", key, self.path)
