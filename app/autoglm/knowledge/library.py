"""A runtime's projects' documents: background indexing, folder watching, and passages for a question.

The fronts (window, ``autoglm docs``, ``autoglm chat --project``, the API) hold one
``DocumentLibrary`` over the runtime: it indexes in a worker thread that can be cancelled
and reports progress, and it turns a question into the cited passages a request carries.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autoglm.core.conversation import Citation, grounded_question
from autoglm.core.types import ChatMessage
from autoglm.knowledge.embedder import estimate_tokens
from autoglm.knowledge.index import (
    DocumentIndex,
    IndexProgress,
    IndexReport,
    Passage,
    ProgressCallback,
    SearchMode,
)

_LOGGER = logging.getLogger(__name__)


def as_citation(passage: Passage) -> Citation:
    """The passage as the conversation keeps it (file, place, text, score)."""
    return Citation(source=passage.name, text=passage.text, location=passage.location, score=passage.score,
                    path=passage.path, page=passage.page)


@dataclass
class Retrieval:
    """The passages found for a question and what they cost in prompt tokens."""

    citations: list[Citation] = field(default_factory=list)
    prompt_tokens: int = 0
    """Tokens the passages add to the request (the loaded model's tokenizer where there is one)."""


class IndexJob:
    """Indexing running in a worker thread: watch ``progress``, ``cancel()`` it, ``wait()`` for its report."""

    def __init__(self, work: Callable[[ProgressCallback, threading.Event], IndexReport],
                 on_progress: ProgressCallback | None = None,
                 on_done: Callable[[IndexReport | None, BaseException | None], None] | None = None) -> None:
        self.progress = IndexProgress()
        self.report: IndexReport | None = None
        self.error: BaseException | None = None
        self._cancel = threading.Event()
        self._on_progress = on_progress
        self._on_done = on_done
        self._thread = threading.Thread(target=self._run, args=(work,), name="document-indexing", daemon=True)

    def start(self) -> IndexJob:
        """Start indexing in the background."""
        self._thread.start()
        return self

    def _track(self, state: IndexProgress) -> None:
        self.progress = state
        if self._on_progress is not None:
            self._on_progress(state)

    def _run(self, work: Callable[[ProgressCallback, threading.Event], IndexReport]) -> None:
        try:
            self.report = work(self._track, self._cancel)
        except Exception as exc:
            _LOGGER.warning("Indexing failed", exc_info=True)
            self.error = exc
        if self._on_done is not None:
            self._on_done(self.report, self.error)

    def cancel(self) -> None:
        """Stop after the batch being written (what is written so far stays searchable)."""
        self._cancel.set()

    @property
    def running(self) -> bool:
        """Whether it is still indexing."""
        return self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> IndexReport | None:
        """The report once done (``None`` if still running after ``timeout``); re-raises a failure."""
        self._thread.join(timeout)
        if self.error is not None:
            raise self.error
        return self.report


class DocumentLibrary:
    """The projects' documents of one runtime (its database, its embedder, its settings)."""

    def __init__(self, runtime: Any, index: DocumentIndex | None = None) -> None:
        self.runtime = runtime
        settings = runtime.settings.documents
        embedder = runtime.embedder
        if embedder is not None and not hasattr(embedder, "embed_bytes"):
            embedder = None  # the language model's embeddings do not fit the passages' vectors
        self.index = index or DocumentIndex(runtime.paths.documents_path, embedder, chunk_chars=settings.chunk_chars)
        self._watchers: dict[str, Any] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        """Stop watching folders and close the index."""
        with self._lock:
            watchers, self._watchers = list(self._watchers.values()), {}
        for watcher in watchers:
            watcher.stop()
        self.index.close()

    # -- indexing ---------------------------------------------------------------------------------
    def add_in_background(self, project: str, paths: Iterable[Path | str], *,
                          on_progress: ProgressCallback | None = None,
                          on_done: Callable[[IndexReport | None, BaseException | None], None] | None = None,
                          force: bool = False) -> IndexJob:
        """Index files and folders in a worker thread (returns at once)."""
        targets = [Path(p) for p in paths]
        return IndexJob(lambda progress, cancel: self.index.add(project, targets, progress=progress, cancel=cancel,
                                                                force=force),
                        on_progress, on_done).start()

    def reindex_in_background(self, project: str, *, on_progress: ProgressCallback | None = None,
                              on_done: Callable[[IndexReport | None, BaseException | None], None] | None = None,
                              force: bool = False) -> IndexJob:
        """Re-index the project's changed files in a worker thread."""
        return IndexJob(lambda progress, cancel: self.index.reindex(project, progress=progress, cancel=cancel,
                                                                    force=force),
                        on_progress, on_done).start()

    def watch(self, project: str, folders: Iterable[Path | str],
              on_change: Callable[[IndexReport], None] | None = None) -> None:
        """Re-index ``folders``' changed files (and forget deleted ones) as they change on disk."""
        from autoglm.knowledge.watch import FolderWatcher

        watcher = FolderWatcher(self.index, project, [Path(f) for f in folders], on_change)
        with self._lock:
            old = self._watchers.pop(project, None)
            self._watchers[project] = watcher
        if old is not None:
            old.stop()
        watcher.start()

    # -- asking -----------------------------------------------------------------------------------
    def retrieve(self, project: str, question: str, limit: int | None = None) -> Retrieval:
        """The project's passages for ``question`` (``settings.documents.passages`` of them) and their cost."""
        settings = self.runtime.settings.documents
        mode: SearchMode = "hybrid" if settings.hybrid and self.index.embedder is not None else "keyword"
        passages = self.index.search(project, question, limit or settings.passages, mode)
        citations = [as_citation(p) for p in passages]
        return Retrieval(citations, self.prompt_cost(question, citations))

    def prompt_cost(self, question: str, citations: list[Citation]) -> int:
        """Tokens the passages add to the question, counted by the loaded model where there is one."""
        if not citations:
            return 0
        grounded = grounded_question(question, citations)
        engine = self.runtime.engine
        count = getattr(engine, "count_tokens", None)
        if count is not None:
            try:
                with_passages = count([ChatMessage("user", grounded)], False)
                without = count([ChatMessage("user", question)], False)
                if with_passages > 0:
                    return max(0, with_passages - without)
            except Exception:
                _LOGGER.debug("Counting tokens failed; estimating", exc_info=True)
        return estimate_tokens(grounded) - estimate_tokens(question)
