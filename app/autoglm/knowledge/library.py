"""A runtime's projects' documents: background indexing, folder watching, and passages for a question.

The fronts (window, ``autoglm docs``, ``autoglm chat --project``, the API) hold one
``DocumentLibrary`` over the runtime: it indexes in a worker thread that can be cancelled
and reports progress (the window's, with ``apart``, has that thread run a child process:
``index_process``), and it turns a question into the cited passages a request carries.

Documents are filed under the project's id in the conversation store, so renaming a
project leaves them as they are; the fronts name a project by its record, its id or its
name (the terminal's and the API's way), and the library finds the id.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autoglm.core.conversation import Citation, grounded_question
from autoglm.core.errors import InputError, UserFacingError
from autoglm.core.projects import ProjectRecord
from autoglm.core.types import ChatMessage, GenerationRequest, Priority, SamplingParams
from autoglm.knowledge.embedder import estimate_tokens
from autoglm.knowledge.extract import NeedsVisionModel, UnreadableDocument
from autoglm.knowledge.index import (
    DocumentIndex,
    DocumentRecord,
    IndexProgress,
    IndexReport,
    Passage,
    ProgressCallback,
    SearchMode,
)

_LOGGER = logging.getLogger(__name__)

IMAGE_PROMPT = (
    "Describe this image for a search index. First write out every piece of text in it, word for "
    "word; then say in a few sentences what it shows."
)
"""What the vision model is asked of an image added to a project (its answer is the image's passages)."""
IMAGE_DESCRIPTION_TOKENS = 400
ProjectRef = ProjectRecord | int | str
"""A project as a front names it: its record, its id, or its name."""
ChangeCallback = Callable[[str, IndexReport], None]
"""Told the project's key and what changed when a watched folder's files were indexed again."""


def as_citation(passage: Passage) -> Citation:
    """The passage as the conversation keeps it (file, place, text, score)."""
    return Citation(
        source=passage.name,
        text=passage.text,
        location=passage.location,
        score=passage.score,
        path=passage.path,
        page=passage.page,
    )


@dataclass
class Retrieval:
    """The passages found for a question and what they cost in prompt tokens."""

    citations: list[Citation] = field(default_factory=list)
    prompt_tokens: int = 0
    """Tokens the passages add to the request (the loaded model's tokenizer where there is one)."""


@dataclass(frozen=True)
class PassagesCost:
    """What the passages put into a question usually cost: how many there are and their tokens."""

    passages: int
    tokens: int
    counted: bool
    """Whether the loaded model's tokenizer counted them (else an estimate by words and characters)."""


class IndexJob:
    """Indexing running in a worker thread: watch ``progress``, ``cancel()`` it, ``wait()`` for its report."""

    def __init__(
        self,
        work: Callable[[ProgressCallback, threading.Event], IndexReport],
        on_progress: ProgressCallback | None = None,
        on_done: Callable[[IndexReport | None, BaseException | None], None] | None = None,
    ) -> None:
        self.progress = IndexProgress()
        self.report: IndexReport | None = None
        self.error: BaseException | None = None
        self._cancel = threading.Event()
        self._on_progress = on_progress
        self._on_done = on_done
        self._thread = threading.Thread(
            target=self._run, args=(work,), name="document-indexing", daemon=True
        )

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

    def __init__(
        self, runtime: Any, index: DocumentIndex | None = None, *, apart: bool = False
    ) -> None:
        """``apart``: index in a child process (``index_process``), which the window asks for so
        indexing never holds its GIL; the terminal and the API index in a thread."""
        self.runtime = runtime
        self.apart = apart
        self._children: set[Any] = set()
        settings = runtime.settings.documents
        embedder = runtime.embedder
        if embedder is not None and not hasattr(embedder, "embed_bytes"):
            embedder = None  # the language model's embeddings do not fit the passages' vectors
        self.index = index or DocumentIndex(
            runtime.paths.documents_path, embedder, chunk_chars=settings.chunk_chars
        )
        self._watchers: dict[str, Any] = {}
        self._on_change: ChangeCallback | None = None
        self._lock = threading.Lock()
        if not self.index.keys_are_project_ids:
            self._file_under_ids()
        self.index.describe_image = self.describe_image
        runtime.engine_listeners.append(self._engine_changed)

    def close(self) -> None:
        """Stop watching folders and close the index."""
        if self._engine_changed in self.runtime.engine_listeners:
            self.runtime.engine_listeners.remove(self._engine_changed)
        with self._lock:
            watchers, self._watchers = list(self._watchers.values()), {}
            self._on_change = None
        for watcher in watchers:
            watcher.stop()
        with self._lock:
            children, self._children = list(self._children), set()
        for child in children:
            child.stop()
        self.index.close()

    # -- projects -----------------------------------------------------------------------------------
    def key(self, project: ProjectRef, *, create: bool = False) -> str:
        """The key the index files the project's documents under (its id); ``InputError`` for an unknown name
        unless ``create``, which makes a project of that name."""
        if isinstance(project, ProjectRecord):
            return str(project.id)
        if isinstance(project, int):
            return str(project)
        store = self.runtime.store
        record = store.project_named(project)
        if record is None and create:
            return str(store.create_project(project))
        if record is None:
            raise InputError(f"There is no project named {project!r}.")
        return str(record.id)

    def project_name(self, key: str) -> str:
        """The name of the project filed under ``key`` (the key itself if the project is gone)."""
        record = self.runtime.store.get_project(int(key)) if key.isdigit() else None
        return record.name if record is not None else key

    def documents(self, project: ProjectRef) -> list[DocumentRecord]:
        """The project's files as the index knows them (none for a project name that does not exist)."""
        try:
            key = self.key(project)
        except InputError:
            return []
        return self.index.documents(key)

    def remove(self, project: ProjectRef, paths: Iterable[Path | str]) -> list[str]:
        """Forget files or folders of the project (the files stay on disk); a folder is no longer watched."""
        key = self.key(project)
        removed = self.index.remove(key, paths)
        self._restart_watching(key)
        return removed

    def forget_project(self, project: ProjectRef) -> int:
        """Stop watching the project's folders and forget its documents (a deleted project); returns how many."""
        key = self.key(project)
        with self._lock:
            watcher = self._watchers.pop(key, None)
        if watcher is not None:
            watcher.stop()
        return self.index.remove_project(key)

    def _file_under_ids(self) -> None:
        """Move an older index's documents from project names to project ids (a name the store does not
        have becomes a project, as ``autoglm docs add`` makes one now)."""
        store = self.runtime.store
        for name in self.index.projects():
            try:
                record = store.project_named(name)
                key = str(record.id) if record is not None else str(store.create_project(name))
                moved = self.index.rename_project(name, key)
            except UserFacingError as error:
                _LOGGER.warning("The documents of %r stay under its name: %s", name, error)
                continue
            _LOGGER.info("%d document(s) of %r are now filed under its id %s", moved, name, key)
        self.index.mark_keys_as_project_ids()

    # -- indexing ---------------------------------------------------------------------------------
    def add_in_background(
        self,
        project: ProjectRef,
        paths: Iterable[Path | str],
        *,
        on_progress: ProgressCallback | None = None,
        on_done: Callable[[IndexReport | None, BaseException | None], None] | None = None,
        force: bool = False,
    ) -> IndexJob:
        """Index files and folders in a worker thread (returns at once); a project name that does not exist
        yet becomes a project. Folders added are watched from then on where ``keep_watching`` was called."""
        key = self.key(project, create=True)
        targets = [Path(p) for p in paths]
        return IndexJob(
            self._work(key, targets, force, reindex=False),
            on_progress,
            self._then_watch(key, on_done),
        ).start()

    def reindex_in_background(
        self,
        project: ProjectRef,
        *,
        on_progress: ProgressCallback | None = None,
        on_done: Callable[[IndexReport | None, BaseException | None], None] | None = None,
        force: bool = False,
    ) -> IndexJob:
        """Re-index the project's changed files (and new files of its folders) in a worker thread."""
        key = self.key(project)
        return IndexJob(
            self._work(key, [], force, reindex=True),
            on_progress,
            self._then_watch(key, on_done),
        ).start()

    def _work(
        self, key: str, targets: list[Path], force: bool, *, reindex: bool
    ) -> Callable[[ProgressCallback, threading.Event], IndexReport]:
        """The run an ``IndexJob``'s thread does: in a child process where ``apart`` and the
        index can be rebuilt there, else here."""
        from autoglm.knowledge.index_process import IndexProcess, describe_work

        work = describe_work(self.index, key, targets, force, reindex) if self.apart else None
        if work is None:
            if reindex:
                return lambda progress, cancel: self.index.reindex(
                    key, progress=progress, cancel=cancel, force=force
                )
            return lambda progress, cancel: self.index.add(
                key, targets, progress=progress, cancel=cancel, force=force
            )

        def apart(progress: ProgressCallback, cancel: threading.Event) -> IndexReport:
            child = IndexProcess(work, self.describe_image)
            with self._lock:
                self._children.add(child)
            try:
                return child.run(progress, cancel)
            finally:
                with self._lock:
                    self._children.discard(child)

        return apart

    def _then_watch(
        self, key: str, on_done: Callable[[IndexReport | None, BaseException | None], None] | None
    ) -> Callable[[IndexReport | None, BaseException | None], None]:
        def done(report: IndexReport | None, error: BaseException | None) -> None:
            try:
                self._restart_watching(key)
            except Exception:  # a folder that cannot be watched must not hide the report
                _LOGGER.warning("Watching the folders of project %s failed", key, exc_info=True)
            if on_done is not None:
                on_done(report, error)

        return done

    # -- images -----------------------------------------------------------------------------------
    def describe_image(self, path: Path) -> str:
        """What the loaded vision model sees in the image: its text, word for word, and what it shows
        (blocking; ``NeedsVisionModel`` where the model reads text only)."""
        info = self.runtime.model_info
        decode = self.runtime.image_decoder
        if info is None or not info.has_vision or decode is None:
            raise NeedsVisionModel(
                f"{path.name} is an image: it needs a vision model to be read "
                "(it is indexed when one is loaded)."
            )
        data = path.read_bytes()
        image = decode(data, hashlib.sha256(data).hexdigest())
        request = GenerationRequest(
            [ChatMessage("user", IMAGE_PROMPT, [image])],
            SamplingParams(temperature=0.0, max_tokens=IMAGE_DESCRIPTION_TOKENS),
            thinking=False,
            priority=Priority.API,
            label="describe-image",
        )
        completion = self.runtime.scheduler.submit(request).result()
        if completion.error:
            raise UnreadableDocument(f"{path.name} could not be described: {completion.error}")
        return str(completion.content)

    def _engine_changed(self, info: Any) -> None:
        """A vision model was loaded: describe the images that waited for one (in the background)."""
        if info is None or not getattr(info, "has_vision", False):
            return
        waiting = {
            key: paths for key in self.index.projects() if (paths := self.index.waiting_images(key))
        }
        if waiting:
            threading.Thread(
                target=self._index_waiting, args=(waiting,), name="describe-images", daemon=True
            ).start()

    def _index_waiting(self, waiting: dict[str, list[Path]]) -> None:
        for key, paths in waiting.items():
            try:
                report = self.index.add(key, paths)
            except (
                Exception
            ):  # the library may have closed meanwhile; the images wait for the next model
                _LOGGER.warning("Describing the images of project %s failed", key, exc_info=True)
                continue
            with self._lock:
                on_change = self._on_change
            if on_change is not None:
                on_change(key, report)

    # -- watching ---------------------------------------------------------------------------------
    def watch(
        self,
        project: ProjectRef,
        folders: Iterable[Path | str],
        on_change: Callable[[IndexReport], None] | None = None,
    ) -> None:
        """Re-index ``folders``' changed files (and forget deleted ones) as they change on disk."""
        key = self.key(project)
        self._start_watcher(key, [Path(f) for f in folders], on_change)

    def keep_watching(self, on_change: ChangeCallback) -> None:
        """Watch every project's folders from now on, and each folder added later, until ``close``
        (the window does this: its projects stay in step with their folders while it runs)."""
        with self._lock:
            self._on_change = on_change
        for key in self.index.folders():
            self._restart_watching(key)

    def watched(self) -> dict[str, list[Path]]:
        """The folders watched now, by project key."""
        with self._lock:
            return {key: list(watcher.folders) for key, watcher in self._watchers.items()}

    def _restart_watching(self, key: str) -> None:
        """Watch the project's folders as the index now lists them (none: stop)."""
        with self._lock:
            on_change = self._on_change
        if on_change is None:
            return
        folders = [Path(f) for f in self.index.folders(key).get(key, [])]
        current = self.watched().get(key)
        if current is not None and sorted(current) == sorted(f.resolve() for f in folders):
            return
        if not folders:
            with self._lock:
                watcher = self._watchers.pop(key, None)
            if watcher is not None:
                watcher.stop()
            return
        self._start_watcher(key, folders, lambda report: on_change(key, report))

    def _start_watcher(
        self, key: str, folders: list[Path], on_change: Callable[[IndexReport], None] | None
    ) -> None:
        from autoglm.knowledge.watch import FolderWatcher

        watcher = FolderWatcher(self.index, key, folders, on_change)
        with self._lock:
            old = self._watchers.pop(key, None)
            self._watchers[key] = watcher
        if old is not None:
            old.stop()
        watcher.start()

    # -- asking -----------------------------------------------------------------------------------
    def retrieve(self, project: ProjectRef, question: str, limit: int | None = None) -> Retrieval:
        """The project's passages for ``question`` (``settings.documents.passages`` of them) and their cost."""
        settings = self.runtime.settings.documents
        mode: SearchMode = (
            "hybrid" if settings.hybrid and self.index.embedder is not None else "keyword"
        )
        passages = self.index.search(self.key(project), question, limit or settings.passages, mode)
        citations = [as_citation(p) for p in passages]
        return Retrieval(citations, self.prompt_cost(question, citations))

    def typical_cost(self, project: ProjectRef, passages: int | None = None) -> PassagesCost:
        """What ``passages`` (the setting's number) of the project's passages of median length add to a
        question (blocking: the model's tokenizer counts them, else an estimate)."""
        wanted = passages or self.runtime.settings.documents.passages
        citations = [as_citation(p) for p in self.index.typical_passages(self.key(project), wanted)]
        tokens, counted = self._count_cost("", citations)
        return PassagesCost(len(citations), tokens, counted)

    def prompt_cost(self, question: str, citations: list[Citation]) -> int:
        """Tokens the passages add to the question, counted by the loaded model where there is one."""
        return self._count_cost(question, citations)[0]

    def _count_cost(self, question: str, citations: list[Citation]) -> tuple[int, bool]:
        """The passages' tokens, and whether the model's tokenizer counted them."""
        if not citations:
            return 0, True
        grounded = grounded_question(question, citations)
        engine = self.runtime.engine
        count = getattr(engine, "count_tokens", None)
        if count is not None:
            try:
                with_passages = count([ChatMessage("user", grounded)], False)
                without = count([ChatMessage("user", question)], False)
                if with_passages > 0:
                    return max(0, with_passages - without), True
            except Exception:
                _LOGGER.debug("Counting tokens failed; estimating", exc_info=True)
        return estimate_tokens(grounded) - estimate_tokens(question), False
