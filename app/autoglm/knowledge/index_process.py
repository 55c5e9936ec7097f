"""Indexing in a process of its own, so its Python work never holds the window's GIL.

Reading files, cutting them into passages and writing SQLite is Python code; run in a
thread of the window's process it held the GIL the GUI thread needed to paint, and a
300-file folder stalled the window 40–115 ms at a time. A child process has its own GIL.

How, and why this way:

- ``multiprocessing`` with ``spawn``, as the engine worker (``core.llama.client``): the
  parent is a Qt app with threads whose locks a forked copy could hold.
- The child opens the same index file (SQLite in WAL mode takes a second writer and
  readers; each file is committed as it is done) and its own embedding model.
- One ``Pipe`` carries the child's progress, its report or its error, and its questions
  for the vision model, which only the parent has loaded: an image's description is
  asked for and answered over the pipe. A shared ``Event`` cancels, read between batches.
- The child's death closes the pipe: the run ends with an error in words. Every file
  finished before is committed; the one being read stays marked as indexing, so Re-index
  (or the next add) reads it again.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autoglm.core.errors import UserFacingError
from autoglm.knowledge.index import DocumentIndex, IndexReport, ProgressCallback

_LOGGER = logging.getLogger(__name__)
_POLL_S = 0.1
_STOP_WAIT_S = 5.0


class IndexingStopped(UserFacingError):
    """The indexing process ended without a report (it crashed or was killed)."""


@dataclass(frozen=True)
class IndexWork:
    """What the child indexes, as it can be pickled: the index file, its settings, the files."""

    db_path: str
    chunk_chars: int
    embedder: tuple[str | None, int | None] | None
    """(model path, threads) of the documents' ``SentenceEmbedder``; ``None``: no vectors."""
    project: str
    paths: tuple[str, ...]
    force: bool
    reindex: bool


def describe_work(
    index: DocumentIndex, project: str, paths: list[Path], force: bool, reindex: bool
) -> IndexWork | None:
    """The work for a child, or ``None`` where ``index`` cannot be rebuilt in one (an embedder
    other than the documents' model: a test's or the language model's)."""
    from autoglm.knowledge.embedder import SentenceEmbedder

    embedder = index.embedder
    if embedder is not None and type(embedder) is not SentenceEmbedder:
        return None
    spec = None
    if isinstance(embedder, SentenceEmbedder):
        spec = (str(embedder.path) if embedder.path is not None else None, embedder.threads)
    return IndexWork(
        str(index.db_path),
        index.chunk_chars,
        spec,
        project,
        tuple(str(p) for p in paths),
        force,
        reindex,
    )


class IndexProcess:
    """One run of ``IndexWork`` in a child process; ``run`` blocks (call it off the GUI thread)."""

    def __init__(self, work: IndexWork, describe_image: Callable[[Path], str] | None) -> None:
        self.work = work
        self.describe_image = describe_image
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._pipe, child_end = context.Pipe()
        self._process = context.Process(
            target=child_main,
            args=(child_end, self._stop, work),
            name="autoglm-indexing",
            daemon=True,
        )
        self._child_end = child_end

    def run(self, progress: ProgressCallback, cancel: threading.Event) -> IndexReport:
        """Index in the child; relay its progress, answer its questions, return its report."""
        self._process.start()
        self._child_end.close()
        try:
            while True:
                if cancel.is_set():
                    self._stop.set()
                if not self._pipe.poll(_POLL_S):
                    if not self._process.is_alive() and not self._pipe.poll(0):
                        raise self._stopped()
                    continue
                try:
                    kind, value = self._pipe.recv()
                except (EOFError, OSError):
                    raise self._stopped() from None
                if kind == "progress":
                    progress(value)
                elif kind == "describe":
                    self._answer(Path(value))
                elif kind == "done":
                    return value
                else:  # "failed": the child's exception, as it raised it
                    raise value
        finally:
            self.stop()
            with contextlib.suppress(OSError):
                self._pipe.close()

    def stop(self) -> None:
        """Ask the child to stop, give it a few seconds to end its batch, then end it (the app
        closing). A child that stopped in time has sent its report: ``run`` returns it."""
        self._stop.set()
        if self._process.pid is None:
            return  # not started
        self._process.join(_STOP_WAIT_S)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(_STOP_WAIT_S)

    def _answer(self, path: Path) -> None:
        try:
            if self.describe_image is None:
                from autoglm.knowledge.extract import NeedsVisionModel

                raise NeedsVisionModel(f"{path.name} is an image: it needs a vision model.")
            self._pipe.send(("described", self.describe_image(path)))
        except Exception as exc:  # noqa: BLE001 - the child records the file as failed or waiting
            self._pipe.send(("not-described", exc))

    def _stopped(self) -> IndexingStopped:
        self._process.join(1.0)
        return IndexingStopped(
            f"Indexing stopped unexpectedly (its process ended with code {self._process.exitcode}). "
            "The files indexed before are kept; Re-index reads the rest."
        )


def child_main(pipe: Any, stop: Any, work: IndexWork) -> None:
    """The child: open the index, index, send the report (or the error) and end."""
    logging.basicConfig(level=logging.WARNING)
    index = None
    try:
        embedder = None
        if work.embedder is not None:
            from autoglm.knowledge.embedder import SentenceEmbedder

            model, threads = work.embedder
            embedder = SentenceEmbedder(
                Path(model) if model else None, threads=threads, idle_unload_s=0
            )
        index = DocumentIndex(work.db_path, embedder, chunk_chars=work.chunk_chars)
        index.describe_image = lambda path: _ask_parent(pipe, path)

        def progress(state: Any) -> None:
            pipe.send(("progress", state))

        if work.reindex:
            report = index.reindex(work.project, force=work.force, progress=progress, cancel=stop)
        else:
            report = index.add(
                work.project,
                [Path(p) for p in work.paths],
                progress=progress,
                cancel=stop,
                force=work.force,
            )
        pipe.send(("done", report))
    except Exception as exc:  # noqa: BLE001 - told to the parent, which shows it in words
        try:
            pipe.send(("failed", exc))
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled
            pipe.send(("failed", UserFacingError(f"Indexing failed: {exc}")))
    finally:
        if index is not None:
            index.close()
        pipe.close()


def _ask_parent(pipe: Any, path: Path) -> str:
    pipe.send(("describe", str(path)))
    kind, value = pipe.recv()
    if kind == "described":
        return str(value)
    raise value
