"""Projects' documents in the app's SQLite document index: passages, their vectors, their keywords.

Tables (in a database of its own, through a connection that can load ``sqlite-vec``):

* ``kb_documents`` — one row per file of a project: path, size, mtime, sha256, status and,
  for a file that could not be read, the reason in words;
* ``kb_folders`` — the folders added to a project, which the window keeps watching;
* ``kb_chunks`` — the passages, with page, heading and line;
* ``kb_chunks_fts`` — FTS5 over the passages (trigram tokenizer, so Chinese is searchable);
* ``kb_vectors`` — ``vec0`` vectors, partitioned by project.

Indexing streams: a file is read section by section and its passages are embedded and
written in small batches, so memory stays bounded whatever the file's size. It reports
progress through a callback and stops between two batches when its cancel event is set.
Re-indexing skips files whose size and time (else content hash) did not change.

A project is an opaque key here. The app files documents under the project's id (so a
rename changes nothing); an index from before that filed them under names, which
``DocumentLibrary`` moves to ids when it opens one (``keys_are_project_ids``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from autoglm.core.errors import InputError, ModelError, UserFacingError
from autoglm.knowledge.chunk import DEFAULT_CHUNK_CHARS, Chunk, chunk_sections
from autoglm.knowledge.extract import (
    DOCUMENT_SUFFIXES,
    NeedsVisionModel,
    Section,
    UnreadableDocument,
    kind_of,
    read_sections,
)

_LOGGER = logging.getLogger(__name__)

SearchMode = Literal["hybrid", "keyword", "vector"]
RRF_K = 60
"""Reciprocal rank fusion's constant: a passage scores 1/(RRF_K + rank) in each list it is in."""
MIN_SIMILARITY = 0.25
"""A passage closer in meaning than this (cosine) counts as found by the vectors; below it is noise."""
_BATCH_CHUNKS = 32
_HASH_BYTES = 1 << 20
_CANDIDATES = 50
_PASSAGE_COLUMNS = ("chunk_id", "document_id", "path", "name", "text", "page", "heading", "line")
"""What the passage queries select, in order (``Passage``'s fields before its scores)."""
_KEYED_BY_PROJECT_ID = 1
"""``PRAGMA user_version`` of an index whose keys are project ids (0: names, as it was before)."""
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
_WORD = re.compile(r"[^\W_]{3,}", re.UNICODE)
_STOPWORDS = frozenset(
    "the and for are was were what which who whom whose when where why how does did has have had this that these "
    "those with from into about there their they them then than your you our its can could would should will "
    "shall may might must not but all any some many much more most other such only own same very just also "
    "tell give say said according document file page".split()
)


class VectorEmbedder(Protocol):
    """What the index needs of an embedding model."""

    model_id: str
    dimensions: int

    def embed_bytes(self, texts: list[str]) -> list[bytes]:
        """Float32 blobs, one per text."""
        ...


@dataclass(frozen=True)
class DocumentRecord:
    """One file of a project as the index knows it."""

    id: int
    project: str
    path: str
    name: str
    status: str
    """``indexed``, ``failed`` (see ``reason``), ``waiting`` (an image, for a vision model), ``indexing`` or
    ``cancelled``."""
    reason: str
    size: int
    pages: int
    chunks: int
    indexed_at: float


@dataclass(frozen=True)
class Passage:
    """A passage found for a question, with where it comes from and how it ranked."""

    chunk_id: int
    document_id: int
    path: str
    name: str
    text: str
    page: int
    heading: str
    line: int
    score: float
    keyword_rank: int = 0
    vector_rank: int = 0

    @property
    def location(self) -> str:
        """Where in the file: ``page 3``, else the heading, else ``line 40``."""
        if self.page:
            return f"page {self.page}"
        if self.heading:
            return self.heading
        return f"line {self.line}" if self.line else ""


@dataclass
class IndexProgress:
    """How far indexing has got (for a progress bar)."""

    files_done: int = 0
    files_total: int = 0
    current: str = ""
    current_fraction: float = 0.0
    """How much of the current file was read (by bytes where known, else by page)."""
    chunks: int = 0
    pages: int = 0

    @property
    def fraction(self) -> float:
        """All files together, 0..1."""
        if not self.files_total:
            return 1.0
        return min(1.0, (self.files_done + self.current_fraction) / self.files_total)


ProgressCallback = Callable[[IndexProgress], None]


@dataclass
class IndexReport:
    """What an indexing run did: files indexed, unchanged, failed (with reasons), and if it was cancelled."""

    indexed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    waiting: dict[str, str] = field(default_factory=dict)
    """Images that wait for a vision model (indexed once one is loaded)."""
    removed: list[str] = field(default_factory=list)
    chunks: int = 0
    pages: int = 0
    cancelled: bool = False
    seconds: float = 0.0


class IndexCancelled(Exception):
    """Raised inside an indexing run when its cancel event is set (caught by the run)."""


def connect(db_path: Path | str) -> Any:
    """A SQLite connection that has ``sqlite-vec`` loaded (the standard module, else ``sqlean``)."""
    import sqlite3

    import sqlite_vec

    conn: Any = sqlite3.connect(str(db_path), check_same_thread=False, timeout=30.0)
    if not hasattr(conn, "enable_load_extension"):
        conn.close()
        try:
            import sqlean
        except ImportError as exc:
            raise UserFacingError(
                "This Python cannot load SQLite extensions; pip install sqlean-py."
            ) from exc
        conn = sqlean.connect(str(db_path), check_same_thread=False, timeout=30.0)
    conn.enable_load_extension(True)
    sqlite_vec.load(conn)
    conn.enable_load_extension(False)
    return conn


def keyword_query(question: str) -> str:
    """An FTS5 query for the trigram index: content words, and Chinese text as overlapping trigrams."""
    terms: list[str] = []
    for run in _CJK.findall(question):
        terms += [run[i : i + 3] for i in range(max(1, len(run) - 2))] if len(run) >= 3 else []
    latin = _CJK.sub(" ", question)
    terms += [w for w in _WORD.findall(latin) if w.lower() not in _STOPWORDS]
    unique = list(dict.fromkeys(term for term in terms if len(term) >= 3))
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in unique)


def file_sha256(path: Path) -> str:
    """The file's sha256, read a megabyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while block := source.read(_HASH_BYTES):
            digest.update(block)
    return digest.hexdigest()


def expand_paths(paths: Iterable[Path]) -> tuple[list[Path], dict[str, str]]:
    """Files to index: files as given, folders' documents (by suffix, hidden ones skipped); and what is missing."""
    files: list[Path] = []
    missing: dict[str, str] = {}
    for given in paths:
        path = Path(given).expanduser()
        if path.is_dir():
            for root, folders, names in os.walk(path):
                folders[:] = sorted(f for f in folders if not f.startswith("."))
                files += [
                    Path(root, n).resolve()
                    for n in sorted(names)
                    if not n.startswith(".") and Path(n).suffix.lower() in DOCUMENT_SUFFIXES
                ]
        elif path.is_file():
            files.append(path.resolve())
        else:
            missing[str(path)] = f"{path.name or path} does not exist."
    return list(dict.fromkeys(files)), missing


class DocumentIndex:
    """Every project's documents: add, re-index, remove, list, and search them."""

    def __init__(
        self,
        db_path: Path | str,
        embedder: VectorEmbedder | None,
        chunk_chars: int = DEFAULT_CHUNK_CHARS,
    ) -> None:
        self.db_path = Path(db_path)
        self.embedder = embedder
        self.chunk_chars = chunk_chars
        self.describe_image: Callable[[Path], str] | None = None
        """Describes an image in words for its passages (the loaded vision model's; ``NeedsVisionModel`` when
        there is none). ``None``: images wait for one."""
        self._lock = threading.RLock()
        self._write_lock = threading.Lock()
        self._conn = connect(self.db_path)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.execute("PRAGMA busy_timeout=30000")
        self._create_tables()

    @property
    def dimensions(self) -> int:
        """The vectors' length (the embedder's; 512 without one)."""
        return getattr(self.embedder, "dimensions", 512)

    def _create_tables(self) -> None:
        with self._lock, self._conn:
            fresh = (
                self._conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kb_documents'"
                ).fetchone()
                is None
            )
            self._conn.executescript(f"""
            CREATE TABLE IF NOT EXISTS kb_documents (
                id INTEGER PRIMARY KEY, project TEXT NOT NULL, path TEXT NOT NULL, name TEXT NOT NULL,
                size INTEGER NOT NULL DEFAULT 0, mtime REAL NOT NULL DEFAULT 0, sha256 TEXT NOT NULL DEFAULT '',
                status TEXT NOT NULL DEFAULT 'indexing', reason TEXT NOT NULL DEFAULT '',
                pages INTEGER NOT NULL DEFAULT 0, chunks INTEGER NOT NULL DEFAULT 0,
                embedder TEXT NOT NULL DEFAULT '', indexed_at REAL NOT NULL DEFAULT 0,
                UNIQUE(project, path));
            CREATE TABLE IF NOT EXISTS kb_chunks (
                id INTEGER PRIMARY KEY, document_id INTEGER NOT NULL REFERENCES kb_documents(id) ON DELETE CASCADE,
                ordinal INTEGER NOT NULL, page INTEGER NOT NULL DEFAULT 0, heading TEXT NOT NULL DEFAULT '',
                line INTEGER NOT NULL DEFAULT 0, text TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS kb_chunks_by_document ON kb_chunks(document_id, ordinal);
            CREATE VIRTUAL TABLE IF NOT EXISTS kb_chunks_fts USING fts5(
                text, heading, content='kb_chunks', content_rowid='id', tokenize='trigram');
            CREATE TRIGGER IF NOT EXISTS kb_chunks_fts_insert AFTER INSERT ON kb_chunks BEGIN
                INSERT INTO kb_chunks_fts(rowid, text, heading) VALUES (new.id, new.text, new.heading);
            END;
            CREATE TRIGGER IF NOT EXISTS kb_chunks_fts_delete AFTER DELETE ON kb_chunks BEGIN
                INSERT INTO kb_chunks_fts(kb_chunks_fts, rowid, text, heading)
                    VALUES ('delete', old.id, old.text, old.heading);
            END;
            CREATE VIRTUAL TABLE IF NOT EXISTS kb_vectors USING vec0(
                project TEXT PARTITION KEY, embedding float[{self.dimensions}] distance_metric=cosine);
            CREATE TABLE IF NOT EXISTS kb_folders (
                project TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (project, path));
            """)
            if fresh:
                self._conn.execute(f"PRAGMA user_version = {_KEYED_BY_PROJECT_ID}")

    @property
    def keys_are_project_ids(self) -> bool:
        """Whether documents are filed under project ids (an older index filed them under names)."""
        with self._lock:
            return (
                int(self._conn.execute("PRAGMA user_version").fetchone()[0]) >= _KEYED_BY_PROJECT_ID
            )

    def mark_keys_as_project_ids(self) -> None:
        """Record that every key is now a project id (once the names were moved)."""
        with self._lock, self._conn:
            self._conn.execute(f"PRAGMA user_version = {_KEYED_BY_PROJECT_ID}")

    def folders(self, project: str | None = None) -> dict[str, list[str]]:
        """The folders added to each project (or to one), to keep watching them."""
        query = "SELECT project, path FROM kb_folders"
        values: tuple[str, ...] = ()
        if project is not None:
            query, values = query + " WHERE project = ?", (project,)
        found: dict[str, list[str]] = {}
        with self._lock:
            for key, path in self._conn.execute(query + " ORDER BY project, path", values):
                found.setdefault(key, []).append(path)
        return found

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    # -- listing ---------------------------------------------------------------------------------
    def projects(self) -> list[str]:
        """Projects that have documents."""
        with self._lock:
            return [
                row[0]
                for row in self._conn.execute(
                    "SELECT DISTINCT project FROM kb_documents ORDER BY project"
                )
            ]

    def documents(self, project: str) -> list[DocumentRecord]:
        """The project's files, by name."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, project, path, name, status, reason, size, pages, chunks, indexed_at FROM kb_documents "
                "WHERE project = ? ORDER BY name, path",
                (project,),
            ).fetchall()
        return [DocumentRecord(*row) for row in rows]

    def document(self, project: str, path: Path | str) -> DocumentRecord | None:
        """One file of the project, by path."""
        wanted = str(Path(path).expanduser().resolve())
        return next((d for d in self.documents(project) if d.path == wanted), None)

    # -- removing --------------------------------------------------------------------------------
    def _delete_document_rows(self, document_id: int) -> None:
        self._conn.execute(
            "DELETE FROM kb_vectors WHERE rowid IN (SELECT id FROM kb_chunks WHERE document_id = ?)",
            (document_id,),
        )
        self._conn.execute("DELETE FROM kb_chunks WHERE document_id = ?", (document_id,))

    def remove(self, project: str, paths: Iterable[Path | str]) -> list[str]:
        """Forget files (or every file under a folder, and the folder itself) of the project; returns the
        paths removed."""
        removed: list[str] = []
        with self._write_lock, self._lock, self._conn:
            for given in paths:
                wanted = str(Path(given).expanduser().resolve())
                self._conn.execute(
                    "DELETE FROM kb_folders WHERE project = ? AND (path = ? OR path LIKE ? ESCAPE '\\')",
                    (project, wanted, _like_prefix(wanted)),
                )
                rows = self._conn.execute(
                    "SELECT id, path FROM kb_documents WHERE project = ? AND (path = ? OR path LIKE ? ESCAPE '\\')",
                    (project, wanted, _like_prefix(wanted)),
                ).fetchall()
                for document_id, path in rows:
                    self._delete_document_rows(document_id)
                    self._conn.execute("DELETE FROM kb_documents WHERE id = ?", (document_id,))
                    removed.append(path)
        return removed

    def remove_project(self, project: str) -> int:
        """Forget every document and folder of the project; returns how many documents."""
        paths = [d.path for d in self.documents(project)]
        removed = len(self.remove(project, paths))
        with self._write_lock, self._lock, self._conn:
            self._conn.execute("DELETE FROM kb_folders WHERE project = ?", (project,))
        return removed

    def rename_project(self, old: str, new: str) -> int:
        """File the project's documents (passages and vectors as they are) under a new name; returns how many."""
        if not new.strip():
            raise InputError("A project name is needed.")
        with self._write_lock, self._lock, self._conn:
            if self._conn.execute(
                "SELECT 1 FROM kb_documents WHERE project = ? LIMIT 1", (new,)
            ).fetchone():
                raise InputError(f"The project {new!r} already has documents.")
            vectors = self._conn.execute(
                "SELECT rowid, embedding FROM kb_vectors WHERE project = ?", (old,)
            ).fetchall()
            self._conn.execute("DELETE FROM kb_vectors WHERE project = ?", (old,))
            self._conn.executemany(
                "INSERT INTO kb_vectors (rowid, project, embedding) VALUES (?, ?, ?)",
                [(rowid, new, blob) for rowid, blob in vectors],
            )
            self._conn.execute("UPDATE kb_folders SET project = ? WHERE project = ?", (new, old))
            return int(
                self._conn.execute(
                    "UPDATE kb_documents SET project = ? WHERE project = ?", (new, old)
                ).rowcount
            )

    # -- indexing --------------------------------------------------------------------------------
    def add(
        self,
        project: str,
        paths: Iterable[Path | str],
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        force: bool = False,
    ) -> IndexReport:
        """Index files and folders into the project (blocking: run it off the GUI thread).

        Unchanged files are skipped unless ``force``; a file that cannot be read is recorded
        as failed with its reason and the rest goes on. Folders given are remembered (``folders``).
        """
        if not project.strip():
            raise InputError("A project name is needed.")
        started = time.perf_counter()
        given = [Path(p).expanduser() for p in paths]
        folders = [str(p.resolve()) for p in given if p.is_dir()]
        if folders:
            with self._lock, self._conn:
                self._conn.executemany(
                    "INSERT OR IGNORE INTO kb_folders (project, path) VALUES (?, ?)",
                    [(project, folder) for folder in folders],
                )
        files, missing = expand_paths(given)
        report = IndexReport(failed=dict(missing))
        state = IndexProgress(files_total=len(files))
        cancel = cancel or threading.Event()
        with self._write_lock:
            for path in files:
                if cancel.is_set():
                    report.cancelled = True
                    break
                state.current, state.current_fraction = path.name, 0.0
                _notify(progress, state)
                try:
                    self._index_file(project, path, force, report, state, progress, cancel)
                except IndexCancelled:
                    report.cancelled = True
                    break
                state.files_done += 1
                state.current_fraction = 0.0
                _notify(progress, state)
        report.seconds = time.perf_counter() - started
        return report

    def reindex(
        self,
        project: str,
        *,
        force: bool = False,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> IndexReport:
        """Index the project's files again where they changed, and new files of its folders; forget those
        that are gone."""
        known = self.documents(project)
        gone = [d.path for d in known if not Path(d.path).exists()]
        folders = [f for f in self.folders(project).get(project, []) if Path(f).is_dir()]
        report = self.add(
            project,
            [d.path for d in known if d.path not in gone] + folders,
            progress=progress,
            cancel=cancel,
            force=force,
        )
        report.removed = self.remove(project, gone) if gone else []
        return report

    def _record(self, project: str, path: Path, **values: Any) -> int:
        columns = ", ".join(values)
        placeholders = ", ".join("?" for _ in values)
        updates = ", ".join(f"{name} = excluded.{name}" for name in values)
        with self._lock, self._conn:
            self._conn.execute(
                f"INSERT INTO kb_documents (project, path, name, {columns}) VALUES (?, ?, ?, {placeholders}) "
                f"ON CONFLICT(project, path) DO UPDATE SET {updates}",
                (project, str(path), path.name, *values.values()),
            )
            row = self._conn.execute(
                "SELECT id FROM kb_documents WHERE project = ? AND path = ?", (project, str(path))
            ).fetchone()
        return int(row[0])

    def _index_file(
        self,
        project: str,
        path: Path,
        force: bool,
        report: IndexReport,
        state: IndexProgress,
        progress: ProgressCallback | None,
        cancel: threading.Event,
    ) -> None:
        try:
            stat = path.stat()
        except OSError as exc:
            report.failed[str(path)] = f"{path.name} cannot be opened: {exc.strerror or exc}."
            return
        with self._lock:
            row = self._conn.execute(
                "SELECT id, size, mtime, sha256, status, embedder FROM kb_documents WHERE project = ? AND path = ?",
                (project, str(path)),
            ).fetchone()
        embedder_id = self.embedder.model_id if self.embedder is not None else ""
        if row is not None and not force and row[4] == "indexed" and row[5] == embedder_id:
            if row[1] == stat.st_size and row[2] == stat.st_mtime:
                report.unchanged.append(str(path))
                return
            if row[1] == stat.st_size and file_sha256(path) == row[3]:
                self._record(project, path, mtime=stat.st_mtime)
                report.unchanged.append(str(path))
                return
        document_id = self._record(
            project,
            path,
            size=stat.st_size,
            mtime=stat.st_mtime,
            sha256="",
            status="indexing",
            reason="",
            pages=0,
            chunks=0,
            embedder=embedder_id,
        )
        with self._lock, self._conn:
            self._delete_document_rows(document_id)
        digest = hashlib.sha256()
        try:
            sections = self._sections(path)
            chunks, pages = self._write_chunks(
                project, document_id, path, sections, stat.st_size, digest, state, progress, cancel
            )
        except IndexCancelled:
            self._record(project, path, status="cancelled", reason="Indexing was cancelled.")
            raise
        except NeedsVisionModel as exc:
            self._record(project, path, status="waiting", reason=str(exc))
            report.waiting[str(path)] = str(exc)
            return
        except UnreadableDocument as exc:
            self._record(project, path, status="failed", reason=str(exc))
            report.failed[str(path)] = str(exc)
            _LOGGER.info("Not indexed: %s", exc)
            return
        except ModelError as exc:  # no embedding model: nothing else will index either
            self._record(project, path, status="failed", reason=str(exc))
            raise
        except (OSError, UserFacingError) as exc:
            reason = f"{path.name} could not be indexed: {exc}"
            self._record(project, path, status="failed", reason=reason)
            report.failed[str(path)] = reason
            _LOGGER.warning("Indexing %s failed", path, exc_info=True)
            return
        sha = digest.hexdigest() if stat.st_size > 4 * _HASH_BYTES else file_sha256(path)
        self._record(
            project,
            path,
            status="indexed",
            sha256=sha,
            pages=pages,
            chunks=chunks,
            indexed_at=time.time(),
        )
        report.indexed.append(str(path))
        report.chunks += chunks
        report.pages += pages

    def _sections(self, path: Path) -> Iterator[Section]:
        """The file's text; for an image, what the vision model sees in it (under the image's name)."""
        if kind_of(path) != "image":
            return read_sections(path)
        if self.describe_image is None:
            raise NeedsVisionModel(f"{path.name} is an image: it needs a vision model to be read.")
        description = self.describe_image(path).strip()
        if not description:
            raise UnreadableDocument(f"The vision model saw nothing to say in {path.name}.")
        return iter([Section(description, heading=path.stem)])

    def waiting_images(self, project: str) -> list[Path]:
        """The project's images that wait for a vision model."""
        return [Path(d.path) for d in self.documents(project) if d.status == "waiting"]

    def _write_chunks(
        self,
        project: str,
        document_id: int,
        path: Path,
        sections: Iterator[Any],
        size: int,
        digest: Any,
        state: IndexProgress,
        progress: ProgressCallback | None,
        cancel: threading.Event,
    ) -> tuple[int, int]:
        """Embed and store the passages in batches; returns (passages, pages)."""
        total_pages = 0
        if path.suffix.lower() == ".pdf":
            from autoglm.knowledge.extract import page_count

            total_pages = page_count(path)
        read = 0
        pages_seen = 0
        count = 0
        batch: list[Chunk] = []

        def tracked() -> Iterator[Any]:
            nonlocal read, pages_seen
            for section in sections:
                read += len(section.text.encode("utf-8", errors="replace"))
                if section.page:
                    pages_seen = max(pages_seen, section.page)
                yield section

        for chunk in chunk_sections(tracked(), self.chunk_chars):
            batch.append(chunk)
            if len(batch) >= _BATCH_CHUNKS:
                self._store_batch(project, document_id, count, batch)
                count += len(batch)
                batch = []
                if cancel.is_set():
                    raise IndexCancelled
                state.chunks += _BATCH_CHUNKS
                state.current_fraction = (
                    pages_seen / total_pages
                    if total_pages
                    else min(1.0, read / size)
                    if size
                    else 0.0
                )
                _notify(progress, state)
        if batch:
            self._store_batch(project, document_id, count, batch)
            count += len(batch)
            state.chunks += len(batch)
        pages = total_pages or pages_seen
        state.pages += pages
        if size > 4 * _HASH_BYTES:
            digest.update(f"{size}:{path.stat().st_mtime}".encode())
        return count, pages

    def _store_batch(self, project: str, document_id: int, first: int, batch: list[Chunk]) -> None:
        vectors = (
            self.embedder.embed_bytes([_embedding_text(c) for c in batch]) if self.embedder else []
        )
        with self._lock, self._conn:
            for offset, chunk in enumerate(batch):
                cursor = self._conn.execute(
                    "INSERT INTO kb_chunks (document_id, ordinal, page, heading, line, text) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        document_id,
                        first + offset,
                        chunk.page,
                        chunk.heading,
                        chunk.line,
                        chunk.text,
                    ),
                )
                if vectors:
                    self._conn.execute(
                        "INSERT INTO kb_vectors (rowid, project, embedding) VALUES (?, ?, ?)",
                        (cursor.lastrowid, project, vectors[offset]),
                    )

    def typical_passages(self, project: str, count: int) -> list[Passage]:
        """``count`` of the project's passages of about median length (what a question usually gets)."""
        with self._lock:
            total = int(
                self._conn.execute(
                    "SELECT count(*) FROM kb_chunks c JOIN kb_documents d ON d.id = c.document_id WHERE d.project = ?",
                    (project,),
                ).fetchone()[0]
            )
            rows = self._conn.execute(
                "SELECT c.id, c.document_id, d.path, d.name, c.text, c.page, c.heading, c.line FROM kb_chunks c "
                "JOIN kb_documents d ON d.id = c.document_id WHERE d.project = ? ORDER BY length(c.text), c.id "
                "LIMIT ? OFFSET ?",
                (project, count, max(0, (total - count) // 2)),
            ).fetchall()
        return [Passage(**dict(zip(_PASSAGE_COLUMNS, row)), score=0.0) for row in rows]

    # -- searching -------------------------------------------------------------------------------
    def keyword_ranking(self, project: str, question: str, limit: int = _CANDIDATES) -> list[int]:
        """Passage ids by BM25 over the keywords of the question (best first)."""
        match = keyword_query(question)
        if not match:
            return []
        with self._lock:
            rows = self._conn.execute(
                "SELECT kb_chunks_fts.rowid FROM kb_chunks_fts JOIN kb_chunks c ON c.id = kb_chunks_fts.rowid "
                "JOIN kb_documents d ON d.id = c.document_id WHERE kb_chunks_fts MATCH ? AND d.project = ? "
                "ORDER BY bm25(kb_chunks_fts) LIMIT ?",
                (match, project, limit),
            ).fetchall()
        return [int(row[0]) for row in rows]

    def vector_ranking(self, project: str, question: str, limit: int = _CANDIDATES) -> list[int]:
        """Passage ids by cosine distance of their vectors to the question's (best first; near ones only)."""
        if self.embedder is None:
            return []
        vector = self.embedder.embed_bytes([question])[0]
        with self._lock:
            rows = self._conn.execute(
                "SELECT rowid, distance FROM kb_vectors WHERE embedding MATCH ? AND k = ? AND project = ? "
                "ORDER BY distance",
                (vector, limit, project),
            ).fetchall()
        return [int(row[0]) for row in rows if 1.0 - row[1] >= MIN_SIMILARITY]

    def search(
        self, project: str, question: str, limit: int = 4, mode: SearchMode = "hybrid"
    ) -> list[Passage]:
        """The passages of the project that best answer ``question``; hybrid fuses both rankings (RRF)."""
        if not question.strip():
            return []
        keyword = self.keyword_ranking(project, question) if mode in ("hybrid", "keyword") else []
        vector = self.vector_ranking(project, question) if mode in ("hybrid", "vector") else []
        scores: dict[int, float] = {}
        for ranking in (keyword, vector):
            for rank, chunk_id in enumerate(ranking, start=1):
                scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank)
        best = sorted(scores, key=lambda cid: -scores[cid])[:limit]
        if not best:
            return []
        keyword_rank = {cid: rank for rank, cid in enumerate(keyword, start=1)}
        vector_rank = {cid: rank for rank, cid in enumerate(vector, start=1)}
        with self._lock:
            rows = {
                row[0]: row
                for row in self._conn.execute(
                    "SELECT c.id, c.document_id, d.path, d.name, c.text, c.page, c.heading, c.line FROM kb_chunks c "
                    f"JOIN kb_documents d ON d.id = c.document_id WHERE c.id IN ({','.join('?' * len(best))})",
                    best,
                )
            }
        return [
            Passage(
                **dict(zip(_PASSAGE_COLUMNS, rows[cid])),
                score=scores[cid],
                keyword_rank=keyword_rank.get(cid, 0),
                vector_rank=vector_rank.get(cid, 0),
            )
            for cid in best
            if cid in rows
        ]


def _embedding_text(chunk: Chunk) -> str:
    """What is embedded: the heading (if any) above the passage, so a section's title counts."""
    return (
        f"{chunk.heading}\n{chunk.text}"
        if chunk.heading and chunk.heading not in chunk.text[:200]
        else chunk.text
    )


def _like_prefix(path: str) -> str:
    escaped = path.rstrip(os.sep).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + os.sep + "%"


def _notify(progress: ProgressCallback | None, state: IndexProgress) -> None:
    if progress is None:
        return
    try:
        progress(state)
    except Exception:  # a broken progress bar must not stop indexing
        _LOGGER.exception("A progress callback failed")
