"""Folders of a project watched with ``watchdog``: a changed file is re-indexed, a deleted one forgotten.

Events are gathered for a short quiet spell (an editor saves in several steps) and then
handled together in the watcher's own thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autoglm.knowledge.extract import DOCUMENT_SUFFIXES
from autoglm.knowledge.index import DocumentIndex, IndexReport

_LOGGER = logging.getLogger(__name__)
QUIET_S = 0.5


class FolderWatcher:
    """Keeps a project's index in step with folders on disk."""

    def __init__(
        self,
        index: DocumentIndex,
        project: str,
        folders: list[Path],
        on_change: Callable[[IndexReport], None] | None = None,
        quiet_s: float = QUIET_S,
    ) -> None:
        self.index = index
        self.project = project
        self.folders = [f.expanduser().resolve() for f in folders]
        self.on_change = on_change
        self.quiet_s = quiet_s
        self._pending: set[Path] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._observer: Any = None
        self._thread = threading.Thread(target=self._loop, name=f"watch-{project}", daemon=True)

    def start(self) -> FolderWatcher:
        """Start watching."""
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        watcher = self

        class _Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if event.is_directory or event.event_type in ("opened", "closed_no_write"):
                    return
                for raw in (event.src_path, getattr(event, "dest_path", "")):
                    if raw:
                        watcher.touch(Path(str(raw)))

        self._observer = Observer()
        for folder in self.folders:
            if folder.is_dir():
                self._observer.schedule(_Handler(), str(folder), recursive=True)
        self._observer.start()
        self._thread.start()
        return self

    def touch(self, path: Path) -> None:
        """Note a changed path (handled after the quiet spell)."""
        if path.name.startswith(".") or path.suffix.lower() not in DOCUMENT_SUFFIXES:
            return
        with self._lock:
            self._pending.add(path)
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            if self._stop.is_set():
                return
            while self._wake.is_set():  # wait until the events stop coming
                self._wake.clear()
                self._stop.wait(self.quiet_s)
            with self._lock:
                paths, self._pending = self._pending, set()
            try:
                report = self._apply(paths)
            except Exception:  # a failed re-index is logged; the watcher goes on
                _LOGGER.exception("Re-indexing changed files failed")
                continue
            if self.on_change is not None and (
                report.indexed or report.removed or report.failed or report.waiting
            ):
                self.on_change(report)

    def _apply(self, paths: set[Path]) -> IndexReport:
        present = sorted(p for p in paths if p.is_file())
        gone = sorted(p for p in paths if not p.exists())
        report = self.index.add(self.project, present) if present else IndexReport()
        if gone:
            report.removed = self.index.remove(self.project, gone)
        return report

    def stop(self) -> None:
        """Stop watching and wait for the watcher's threads."""
        self._stop.set()
        self._wake.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(5)
        if self._thread.is_alive():
            self._thread.join(5)
