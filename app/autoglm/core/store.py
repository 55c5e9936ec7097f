"""The conversation store: projects, conversations, messages and attachments in one SQLite file.

SQLite in WAL mode, one connection shared by every thread under a lock. A streaming reply
is saved with ``update_message(..., finished=False)`` after each batch of tokens: that is a
single-row UPDATE, and the full-text index (FTS5) only indexes finished messages, so a long
reply is not re-indexed at every token. Unfinished replies (streaming, or cut by a crash)
are still found by search through a plain scan of the few unfinished rows.

A conversation belongs to at most one project (``project_id``, ``NULL`` for none);
deleting a project leaves its chats outside any project unless asked to delete them too.
Presets (a persona and sampling under a name) stand apart from projects.

Attachments are content-addressed files ``attachments_dir/<sha[:2]>/<sha><suffix>``;
messages refer to them by sha256.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sqlite3
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from autoglm.core.errors import UserFacingError
from autoglm.core.projects import PresetRecord, ProjectRecord, clean_name, clean_sampling

_LOGGER = logging.getLogger(__name__)

SCHEMA_VERSION = 4
ROLES = ("system", "user", "assistant")
DEFAULT_TITLE = "New chat"
MATCH_START = "«"
"""Put before each matched part of a search snippet."""
MATCH_END = "»"
"""Put after each matched part of a search snippet."""

_TRIGRAM_MIN_CHARS = 3
_SNIPPET_TOKENS = 48
_SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
_SUFFIX_PATTERN = re.compile(r"^(\.[A-Za-z0-9]{1,16})?$")


class StoreError(UserFacingError):
    """The conversation database cannot be opened or used."""


@dataclass
class ConversationRecord:
    """One conversation as listed in the sidebar."""

    id: int
    title: str
    created_at: float
    updated_at: float
    pinned: bool
    model_id: str
    message_count: int
    project_id: int | None = None
    """The project the conversation is filed under; ``None``: none."""


@dataclass
class MessageRecord:
    """One stored message; ``attachments`` are sha256 hashes of attachment files."""

    id: int
    conversation_id: int
    role: str
    content: str
    reasoning: str
    attachments: list[str]
    finished: bool
    created_at: float
    usage: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    model_id: str = ""
    extra: dict = field(default_factory=dict)
    """Typed extras of ``core.conversation.Turn`` as JSON (tool calls, agent steps, citations …)."""
    parent_id: int | None = None
    """The message this one follows (``None`` for a first message)."""
    versions: list[int] = field(default_factory=list)
    """Ids of the versions of this message (same parent), oldest first; this one among them."""


@dataclass
class SearchHit:
    """A search match; a title match has ``message_id`` 0 and ``role`` ""."""

    conversation_id: int
    message_id: int
    conversation_title: str
    role: str
    snippet: str


def _schema_v1(tokenizer: str) -> str:
    """The first schema; the FTS tables index finished messages and titles."""
    return f"""
    CREATE TABLE conversations (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        pinned INTEGER NOT NULL DEFAULT 0,
        model_id TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
        content TEXT NOT NULL DEFAULT '',
        reasoning TEXT NOT NULL DEFAULT '',
        attachments TEXT NOT NULL DEFAULT '[]',
        usage TEXT NOT NULL DEFAULT '{{}}',
        timings TEXT NOT NULL DEFAULT '{{}}',
        model_id TEXT NOT NULL DEFAULT '',
        finished INTEGER NOT NULL DEFAULT 1,
        created_at REAL NOT NULL
    );
    CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
    CREATE INDEX unfinished_messages ON messages(id) WHERE finished = 0;

    CREATE VIEW finished_messages AS
        SELECT id, content, reasoning FROM messages WHERE finished = 1;
    CREATE VIRTUAL TABLE messages_fts USING fts5(
        content, reasoning, content='finished_messages', content_rowid='id',
        tokenize='{tokenizer}');
    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.finished = 1 BEGIN
        INSERT INTO messages_fts(rowid, content, reasoning)
        VALUES (new.id, new.content, new.reasoning);
    END;
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, reasoning, finished ON messages
    WHEN old.finished = 1 OR new.finished = 1 BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, content, reasoning)
        SELECT 'delete', old.id, old.content, old.reasoning WHERE old.finished = 1;
        INSERT INTO messages_fts(rowid, content, reasoning)
        SELECT new.id, new.content, new.reasoning WHERE new.finished = 1;
    END;
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.finished = 1 BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, content, reasoning)
        VALUES ('delete', old.id, old.content, old.reasoning);
    END;

    CREATE VIRTUAL TABLE conversations_fts USING fts5(
        title, content='conversations', content_rowid='id', tokenize='{tokenizer}');
    CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations BEGIN
        INSERT INTO conversations_fts(rowid, title) VALUES (new.id, new.title);
    END;
    CREATE TRIGGER conversations_fts_update AFTER UPDATE OF title ON conversations BEGIN
        INSERT INTO conversations_fts(conversations_fts, rowid, title)
        VALUES ('delete', old.id, old.title);
        INSERT INTO conversations_fts(rowid, title) VALUES (new.id, new.title);
    END;
    CREATE TRIGGER conversations_fts_delete AFTER DELETE ON conversations BEGIN
        INSERT INTO conversations_fts(conversations_fts, rowid, title)
        VALUES ('delete', old.id, old.title);
    END;
    """


def _schema_v2(_tokenizer: str) -> str:
    """Room beside the text: tool calls and results, agent steps, citations, where a turn came from."""
    return "ALTER TABLE messages ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';"


def _schema_v3(_tokenizer: str) -> str:
    """Projects (persona, default model, sampling) that conversations can be filed under; presets."""
    return """
    CREATE TABLE projects (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        system_prompt TEXT NOT NULL DEFAULT '',
        model_id TEXT NOT NULL DEFAULT '',
        sampling TEXT NOT NULL DEFAULT '{}',
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE presets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        system_prompt TEXT NOT NULL DEFAULT '',
        sampling TEXT NOT NULL DEFAULT '{}',
        created_at REAL NOT NULL
    );
    ALTER TABLE conversations ADD COLUMN
        project_id INTEGER REFERENCES projects(id) ON DELETE SET NULL;
    CREATE INDEX conversations_by_project ON conversations(project_id);
    """


def _schema_v4(_tokenizer: str) -> str:
    """Versions: each message names the one it follows; of siblings (regenerated replies,
    edited questions) the selected one is shown. Existing chats become one straight line."""
    return """
    ALTER TABLE messages ADD COLUMN parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE;
    ALTER TABLE messages ADD COLUMN selected INTEGER NOT NULL DEFAULT 1;
    UPDATE messages SET parent_id = (
        SELECT MAX(earlier.id) FROM messages earlier
        WHERE earlier.conversation_id = messages.conversation_id AND earlier.id < messages.id);
    CREATE INDEX messages_by_parent ON messages(parent_id);
    """


_MIGRATIONS = (_schema_v1, _schema_v2, _schema_v3, _schema_v4)
"""Schema step N (1-based) takes ``PRAGMA user_version`` from N-1 to N."""


def _trigram_available() -> bool:
    """Whether this SQLite's FTS5 has the trigram tokenizer (3.34+)."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(text, tokenize='trigram')")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()


def _search_terms(query: str) -> list[str]:
    """The whitespace-separated terms of any user text, made safe to encode."""
    cleaned = query.encode("utf-8", "replace").decode("utf-8").replace("\x00", " ")
    return cleaned.split()


def _fts_phrase(term: str, prefix: bool) -> str:
    """``term`` as a quoted FTS5 string (every operator and quote taken literally)."""
    return '"' + term.replace('"', '""') + '"' + ("*" if prefix else "")


def _like_pattern(term: str) -> str:
    """``term`` as a LIKE substring pattern with ``\\`` as escape character."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _plain_snippet(text: str, terms: list[str], width: int = 80) -> str:
    """A window of ``text`` around the first term found, that term marked."""
    lowered = text.lower()
    for term in terms:
        start = lowered.find(term.lower())
        if start >= 0:
            end = start + len(term)
            left = max(0, start - width // 3)
            right = min(len(text), end + width)
            return (
                ("…" if left else "")
                + text[left:start]
                + MATCH_START
                + text[start:end]
                + MATCH_END
                + text[end:right]
                + ("…" if right < len(text) else "")
            )
    return text[:width] + ("…" if len(text) > width else "")


class ConversationStore:
    """Conversations and messages in SQLite (WAL), safe to use from several threads."""

    def __init__(self, db_path: Path, attachments_dir: Path) -> None:
        self._db_path = Path(db_path)
        self._attachments_dir = Path(attachments_dir)
        self._lock = threading.RLock()
        self._closed = False
        self._db_path.parent.mkdir(parents=True, exist_ok=True)
        self._attachments_dir.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(
            self._db_path, isolation_level=None, check_same_thread=False, timeout=10.0
        )
        self._conn.row_factory = sqlite3.Row
        try:
            self._refuse_newer_schema()
            self._configure()
            self._migrate()
            self._trigram = (
                "trigram"
                in (
                    self._conn.execute(
                        "SELECT sql FROM sqlite_master WHERE name = 'messages_fts'"
                    ).fetchone()[0]
                )
            )
        except StoreError:
            self._conn.close()
            raise
        except sqlite3.DatabaseError as error:
            self._conn.close()
            raise StoreError(
                f"The conversation database {self._db_path} cannot be opened "
                f"({error}); it was left untouched."
            ) from error
        _LOGGER.debug("Opened conversation store %s", self._db_path)

    def _configure(self) -> None:
        """Connection settings: WAL, a busy timeout, foreign keys for cascading deletes."""
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = NORMAL")
        self._conn.execute("PRAGMA busy_timeout = 10000")
        self._conn.execute("PRAGMA foreign_keys = ON")

    def _refuse_newer_schema(self) -> None:
        """Leave a database written by a newer app alone rather than misread it."""
        if self._conn.execute("PRAGMA user_version").fetchone()[0] > SCHEMA_VERSION:
            raise StoreError(
                f"The conversation database {self._db_path} was written by a newer "
                "version of AutoGLM Desktop; please update the app."
            )

    def _migrate(self) -> None:
        """Bring the schema up to ``SCHEMA_VERSION``, one step per transaction."""
        current = self._conn.execute("PRAGMA user_version").fetchone()[0]
        tokenizer = "trigram" if _trigram_available() else "unicode61"
        for version, schema in enumerate(_MIGRATIONS, start=1):
            if current < version:
                self._conn.executescript(
                    f"BEGIN IMMEDIATE; {schema(tokenizer)} PRAGMA user_version = {version}; COMMIT;"
                )
                _LOGGER.info("Conversation store schema upgraded to version %d", version)

    def close(self) -> None:
        """Close the connection (SQLite folds the WAL back into the file); safe to repeat."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                self._conn.execute("PRAGMA optimize")
            finally:
                self._conn.close()

    def _transaction(self) -> _Transaction:
        """A write transaction under the store's lock."""
        return _Transaction(self._conn, self._lock)

    # conversations

    def create_conversation(
        self, title: str = DEFAULT_TITLE, model_id: str = "", project_id: int | None = None
    ) -> int:
        """Start an empty conversation (in ``project_id``, if given) and return its id."""
        now = time.time()
        with self._lock:
            try:
                cursor = self._conn.execute(
                    "INSERT INTO conversations (title, created_at, updated_at, model_id, project_id) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (title.strip() or DEFAULT_TITLE, now, now, model_id, project_id),
                )
            except sqlite3.IntegrityError as error:
                raise KeyError(f"no project {project_id}") from error
            return _inserted_id(cursor)

    def get_conversation(self, conversation_id: int) -> ConversationRecord | None:
        """The conversation, or ``None`` if there is none with that id."""
        with self._lock:
            row = self._conn.execute(
                self._CONVERSATION_QUERY + " WHERE c.id = ?", (conversation_id,)
            ).fetchone()
        return self._conversation(row) if row else None

    def list_conversations(self) -> list[ConversationRecord]:
        """Every conversation: pinned first, then the most recently updated."""
        with self._lock:
            rows = self._conn.execute(
                self._CONVERSATION_QUERY + " ORDER BY c.pinned DESC, c.updated_at DESC, c.id DESC"
            ).fetchall()
        return [self._conversation(row) for row in rows]

    def rename_conversation(self, conversation_id: int, title: str) -> None:
        """Give the conversation a new title (blank becomes the default title)."""
        self._update_conversation(conversation_id, "title", title.strip() or DEFAULT_TITLE)

    def set_pinned(self, conversation_id: int, pinned: bool) -> None:
        """Pin the conversation to the top of the list, or unpin it."""
        self._update_conversation(conversation_id, "pinned", int(pinned))

    def _update_conversation(self, conversation_id: int, column: str, value: object) -> None:
        """Set one column of one conversation; ``KeyError`` if it does not exist."""
        with self._lock:
            cursor = self._conn.execute(
                f"UPDATE conversations SET {column} = ? WHERE id = ?", (value, conversation_id)
            )
        if cursor.rowcount == 0:
            raise KeyError(f"no conversation {conversation_id}")

    def delete_conversation(self, conversation_id: int) -> None:
        """Delete the conversation and its messages (nothing happens if it is gone)."""
        with self._lock:
            self._conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    def fork_conversation(
        self, conversation_id: int, before_message_id: int, title: str | None = None
    ) -> int:
        """A new conversation holding copies of the shown messages before ``before_message_id``."""
        with self._transaction():
            source = self.get_conversation(conversation_id)
            if source is None:
                raise KeyError(f"no conversation {conversation_id}")
            if (
                self._conn.execute(
                    "SELECT 1 FROM messages WHERE id = ? AND conversation_id = ?",
                    (before_message_id, conversation_id),
                ).fetchone()
                is None
            ):
                raise KeyError(f"no message {before_message_id} in conversation {conversation_id}")
            fork_id = self.create_conversation(
                source.title if title is None else title, source.model_id, source.project_id
            )
            parent: int | None = None
            for row, _versions in self._shown_rows(conversation_id):
                if row["id"] >= before_message_id:
                    break
                parent = _inserted_id(
                    self._conn.execute(
                        "INSERT INTO messages (conversation_id, role, content, reasoning, attachments, "
                        "usage, timings, model_id, finished, created_at, extra, parent_id) "
                        "SELECT ?, role, content, reasoning, attachments, usage, timings, model_id, "
                        "finished, created_at, extra, ? FROM messages WHERE id = ?",
                        (fork_id, parent, row["id"]),
                    )
                )
        return fork_id

    def move_conversation(self, conversation_id: int, project_id: int | None) -> None:
        """File the conversation under ``project_id``, or under none with ``None``."""
        with self._lock:
            try:
                self._update_conversation(conversation_id, "project_id", project_id)
            except sqlite3.IntegrityError as error:
                raise KeyError(f"no project {project_id}") from error

    # projects

    def create_project(
        self,
        name: str,
        system_prompt: str = "",
        model_id: str = "",
        sampling: dict[str, Any] | None = None,
    ) -> int:
        """A new project; ``StoreError`` if the name is taken, ``InputError`` if it is blank."""
        cleaned = clean_name(name)
        now = time.time()
        with self._lock:
            try:
                cursor = self._conn.execute(
                    "INSERT INTO projects (name, system_prompt, model_id, sampling, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        cleaned,
                        system_prompt,
                        model_id,
                        json.dumps(clean_sampling(sampling)),
                        now,
                        now,
                    ),
                )
            except sqlite3.IntegrityError as error:
                raise StoreError(f"There is already a project named “{cleaned}”.") from error
            return _inserted_id(cursor)

    def get_project(self, project_id: int) -> ProjectRecord | None:
        """The project, or ``None`` if there is none with that id."""
        with self._lock:
            row = self._conn.execute(
                self._PROJECT_QUERY + " WHERE p.id = ?", (project_id,)
            ).fetchone()
        return self._project(row) if row else None

    def project_named(self, name: str) -> ProjectRecord | None:
        """The project of that name (case and extra spaces ignored), or ``None``."""
        with self._lock:
            row = self._conn.execute(
                self._PROJECT_QUERY + " WHERE p.name = ?", (" ".join(name.split()),)
            ).fetchone()
        return self._project(row) if row else None

    def list_projects(self) -> list[ProjectRecord]:
        """Every project, by name."""
        with self._lock:
            rows = self._conn.execute(
                self._PROJECT_QUERY + " ORDER BY p.name COLLATE NOCASE, p.id"
            ).fetchall()
        return [self._project(row) for row in rows]

    def update_project(
        self,
        project_id: int,
        *,
        name: str | None = None,
        system_prompt: str | None = None,
        model_id: str | None = None,
        sampling: dict[str, Any] | None = None,
    ) -> None:
        """Change the given fields of a project (``sampling`` replaces the whole set)."""
        changes: dict[str, Any] = {}
        if name is not None:
            changes["name"] = clean_name(name)
        if system_prompt is not None:
            changes["system_prompt"] = system_prompt
        if model_id is not None:
            changes["model_id"] = model_id
        if sampling is not None:
            changes["sampling"] = json.dumps(clean_sampling(sampling))
        changes["updated_at"] = time.time()
        assignments = ", ".join(f"{column} = ?" for column in changes)
        with self._lock:
            try:
                cursor = self._conn.execute(
                    f"UPDATE projects SET {assignments} WHERE id = ?",
                    (*changes.values(), project_id),
                )
            except sqlite3.IntegrityError as error:
                raise StoreError(
                    f"There is already a project named “{changes['name']}”."
                ) from error
        if cursor.rowcount == 0:
            raise KeyError(f"no project {project_id}")

    def delete_project(self, project_id: int, *, with_conversations: bool = False) -> None:
        """Delete the project; its chats stay, outside any project, unless ``with_conversations``."""
        with self._transaction():
            if with_conversations:
                self._conn.execute("DELETE FROM conversations WHERE project_id = ?", (project_id,))
            self._conn.execute("DELETE FROM projects WHERE id = ?", (project_id,))

    # presets

    def save_preset(
        self, name: str, system_prompt: str = "", sampling: dict[str, Any] | None = None
    ) -> int:
        """Save a persona and sampling under ``name`` (replacing a preset of that name); its id."""
        cleaned = clean_name(name, "preset")
        values = json.dumps(clean_sampling(sampling))
        with self._lock:
            cursor = self._conn.execute(
                "INSERT INTO presets (name, system_prompt, sampling, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET system_prompt = excluded.system_prompt, "
                "sampling = excluded.sampling RETURNING id",
                (cleaned, system_prompt, values, time.time()),
            )
            return int(cursor.fetchone()[0])

    def list_presets(self) -> list[PresetRecord]:
        """Every preset, by name."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM presets ORDER BY name COLLATE NOCASE, id"
            ).fetchall()
        return [self._preset(row) for row in rows]

    def get_preset(self, preset_id: int) -> PresetRecord | None:
        """The preset, or ``None`` if there is none with that id."""
        with self._lock:
            row = self._conn.execute("SELECT * FROM presets WHERE id = ?", (preset_id,)).fetchone()
        return self._preset(row) if row else None

    def delete_preset(self, preset_id: int) -> None:
        """Delete the preset (nothing happens if it is gone); projects keep what they took from it."""
        with self._lock:
            self._conn.execute("DELETE FROM presets WHERE id = ?", (preset_id,))

    # messages

    def add_message(
        self,
        conversation_id: int,
        role: str,
        content: str = "",
        reasoning: str = "",
        attachments: list[str] | None = None,
        finished: bool = True,
        model_id: str = "",
        extra: dict | None = None,
        version_of: int | None = None,
    ) -> int:
        """Append a message to the shown branch and return its id.

        With ``version_of`` (a message of the conversation) it becomes a new version of that
        message instead: it follows the same message, and is the version shown from now on.
        """
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, not {role!r}")
        now = time.time()
        with self._transaction():
            cursor = self._conn.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id)
            )
            if cursor.rowcount == 0:
                raise KeyError(f"no conversation {conversation_id}")
            if version_of is None:
                shown = self._shown_rows(conversation_id)
                parent = shown[-1][0]["id"] if shown else None
            else:
                row = self._conn.execute(
                    "SELECT parent_id FROM messages WHERE id = ? AND conversation_id = ?",
                    (version_of, conversation_id),
                ).fetchone()
                if row is None:
                    raise KeyError(f"no message {version_of} in conversation {conversation_id}")
                parent = row["parent_id"]
                self._conn.execute(
                    "UPDATE messages SET selected = 0 WHERE conversation_id = ? AND parent_id IS ?",
                    (conversation_id, parent),
                )
            cursor = self._conn.execute(
                "INSERT INTO messages (conversation_id, role, content, reasoning, attachments, "
                "model_id, finished, created_at, extra, parent_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    conversation_id,
                    role,
                    content,
                    reasoning,
                    json.dumps(list(attachments or [])),
                    model_id,
                    int(finished),
                    now,
                    json.dumps(extra or {}),
                    parent,
                ),
            )
            return _inserted_id(cursor)

    def select_version(self, message_id: int) -> None:
        """Show this version of its message (and the replies that followed it) from now on."""
        with self._transaction():
            row = self._conn.execute(
                "SELECT conversation_id, parent_id FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
            if row is None:
                raise KeyError(f"no message {message_id}")
            self._conn.execute(
                "UPDATE messages SET selected = (id = ?) WHERE conversation_id = ? AND parent_id IS ?",
                (message_id, row["conversation_id"], row["parent_id"]),
            )

    def update_message(
        self,
        message_id: int,
        *,
        content: str | None = None,
        reasoning: str | None = None,
        finished: bool | None = None,
        usage: dict | None = None,
        timings: dict | None = None,
        extra: dict | None = None,
    ) -> None:
        """Change the given fields of a message: one UPDATE, cheap enough to call per token batch.

        Finishing a message (``finished=True``) also marks its conversation as updated.
        """
        changes: dict[str, Any] = {}
        if content is not None:
            changes["content"] = content
        if reasoning is not None:
            changes["reasoning"] = reasoning
        if finished is not None:
            changes["finished"] = int(finished)
        if usage is not None:
            changes["usage"] = json.dumps(usage)
        if timings is not None:
            changes["timings"] = json.dumps(timings)
        if extra is not None:
            changes["extra"] = json.dumps(extra)
        if not changes:
            return
        assignments = ", ".join(f"{column} = ?" for column in changes)
        with self._lock:
            cursor = self._conn.execute(
                f"UPDATE messages SET {assignments} WHERE id = ?", (*changes.values(), message_id)
            )
            if cursor.rowcount == 0:
                raise KeyError(f"no message {message_id}")
            if finished:
                self._conn.execute(
                    "UPDATE conversations SET updated_at = ? WHERE id = "
                    "(SELECT conversation_id FROM messages WHERE id = ?)",
                    (time.time(), message_id),
                )

    def delete_message(self, conversation_id: int, message_id: int) -> None:
        """Delete that one message; the messages that followed it follow the one before it.

        Where it was the version shown, its children stay the shown branch (the other
        versions of it are no longer selected)."""
        with self._transaction():
            row = self._conn.execute(
                "SELECT parent_id, selected FROM messages WHERE id = ? AND conversation_id = ?",
                (message_id, conversation_id),
            ).fetchone()
            if row is None:
                raise KeyError(f"no message {message_id} in conversation {conversation_id}")
            if row["selected"]:
                self._conn.execute(
                    "UPDATE messages SET selected = 0 WHERE conversation_id = ? AND parent_id IS ? "
                    "AND id != ?",
                    (conversation_id, row["parent_id"], message_id),
                )
            self._conn.execute(
                "UPDATE messages SET parent_id = ? WHERE conversation_id = ? AND parent_id = ?",
                (row["parent_id"], conversation_id, message_id),
            )
            self._conn.execute("DELETE FROM messages WHERE id = ?", (message_id,))
            self._conn.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = ?",
                (time.time(), conversation_id),
            )

    def delete_messages_from(self, conversation_id: int, message_id: int) -> None:
        """Delete that message and every one that follows it, in any version."""
        with self._transaction():
            self._conn.execute(
                "WITH RECURSIVE later(id) AS (SELECT ? UNION ALL "
                "SELECT m.id FROM messages m JOIN later ON m.parent_id = later.id) "
                "DELETE FROM messages WHERE conversation_id = ? AND id IN (SELECT id FROM later)",
                (message_id, conversation_id),
            )
            self._conn.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = ?",
                (time.time(), conversation_id),
            )

    def messages(self, conversation_id: int) -> list[MessageRecord]:
        """The conversation's shown messages in order (the selected version of each)."""
        with self._lock:
            return [
                self._message(row, versions) for row, versions in self._shown_rows(conversation_id)
            ]

    def _shown_rows(self, conversation_id: int) -> list[tuple[sqlite3.Row, list[int]]]:
        """The shown branch: from the first message, each time the selected (else newest) follower."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM messages WHERE conversation_id = ? ORDER BY id", (conversation_id,)
            ).fetchall()
        followers: dict[int | None, list[sqlite3.Row]] = {}
        for row in rows:
            followers.setdefault(row["parent_id"], []).append(row)
        shown: list[tuple[sqlite3.Row, list[int]]] = []
        parent: int | None = None
        while followers.get(parent):
            versions = followers[parent]
            chosen = next((row for row in reversed(versions) if row["selected"]), versions[-1])
            shown.append((chosen, [row["id"] for row in versions]))
            parent = chosen["id"]
        return shown

    def get_message(self, message_id: int) -> MessageRecord | None:
        """The message, or ``None`` if there is none with that id."""
        with self._lock:
            row = self._conn.execute(
                "SELECT * FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
        return self._message(row) if row else None

    def unfinished_messages(self) -> list[MessageRecord]:
        """Messages never marked finished: replies still streaming or cut by a crash."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM messages WHERE finished = 0 ORDER BY id"
            ).fetchall()
        return [self._message(row) for row in rows]

    # search

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Titles, then messages matching every term of ``query``; any text is accepted.

        Terms are matched as literal substrings (FTS operators and quotes mean nothing).
        With the trigram index a term shorter than three characters cannot use the index,
        so such a query falls back to a scan.
        """
        terms = _search_terms(query)
        if not terms or limit <= 0:
            return []
        with self._lock:
            if not self._trigram or all(len(term) >= _TRIGRAM_MIN_CHARS for term in terms):
                match = " ".join(_fts_phrase(term, prefix=not self._trigram) for term in terms)
                hits = self._fts_title_hits(match, limit) + self._fts_message_hits(match, limit)
                hits += self._scan_message_hits(terms, limit, unfinished_only=True)
            else:
                hits = self._scan_title_hits(terms, limit)
                hits += self._scan_message_hits(terms, limit, unfinished_only=False)
        return hits[:limit]

    def _fts_title_hits(self, match: str, limit: int) -> list[SearchHit]:
        """Conversations whose title matches the FTS expression."""
        rows = self._conn.execute(
            "SELECT c.id, c.title, highlight(conversations_fts, 0, ?, ?) FROM conversations_fts "
            "JOIN conversations c ON c.id = conversations_fts.rowid "
            "WHERE conversations_fts MATCH ? ORDER BY rank LIMIT ?",
            (MATCH_START, MATCH_END, match, limit),
        ).fetchall()
        return [SearchHit(row[0], 0, row[1], "", row[2]) for row in rows]

    def _fts_message_hits(self, match: str, limit: int) -> list[SearchHit]:
        """Finished messages whose content or reasoning matches the FTS expression."""
        rows = self._conn.execute(
            "SELECT m.conversation_id, m.id, c.title, m.role, "
            "snippet(messages_fts, -1, ?, ?, '…', ?) "
            "FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid "
            "JOIN conversations c ON c.id = m.conversation_id "
            "WHERE messages_fts MATCH ? ORDER BY rank LIMIT ?",
            (MATCH_START, MATCH_END, _SNIPPET_TOKENS, match, limit),
        ).fetchall()
        return [SearchHit(*row) for row in rows]

    def _scan_title_hits(self, terms: list[str], limit: int) -> list[SearchHit]:
        """Conversations whose title contains every term (no index)."""
        condition = " AND ".join(["title LIKE ? ESCAPE '\\'"] * len(terms))
        rows = self._conn.execute(
            f"SELECT id, title FROM conversations WHERE {condition} ORDER BY updated_at DESC "
            "LIMIT ?",
            (*map(_like_pattern, terms), limit),
        ).fetchall()
        return [SearchHit(row[0], 0, row[1], "", _plain_snippet(row[1], terms)) for row in rows]

    def _scan_message_hits(
        self, terms: list[str], limit: int, unfinished_only: bool
    ) -> list[SearchHit]:
        """Messages whose content or reasoning contains every term (no index)."""
        condition = " AND ".join(
            ["(m.content LIKE ? ESCAPE '\\' OR m.reasoning LIKE ? ESCAPE '\\')"] * len(terms)
        )
        if unfinished_only:
            condition += " AND m.finished = 0"
        patterns = [pattern for term in terms for pattern in (_like_pattern(term),) * 2]
        rows = self._conn.execute(
            "SELECT m.conversation_id, m.id, c.title, m.role, m.content, m.reasoning "
            "FROM messages m JOIN conversations c ON c.id = m.conversation_id "
            f"WHERE {condition} ORDER BY m.id DESC LIMIT ?",
            (*patterns, limit),
        ).fetchall()
        return [
            SearchHit(
                row[0],
                row[1],
                row[2],
                row[3],
                _plain_snippet(row[4] + "\n" + row[5] if row[5] else row[4], terms),
            )
            for row in rows
        ]

    # export

    def export_json(self, conversation_id: int) -> dict:
        """The conversation and its messages as plain JSON-ready values."""
        conversation = self._require_conversation(conversation_id)
        return {
            "format": "autoglm-conversation",
            "version": 1,
            "conversation": asdict(conversation),
            "messages": [asdict(message) for message in self.messages(conversation_id)],
        }

    def export_markdown(self, conversation_id: int) -> str:
        """The conversation as Markdown: title, a heading per message, reasoning folded."""
        conversation = self._require_conversation(conversation_id)
        parts = [f"# {conversation.title}\n"]
        for message in self.messages(conversation_id):
            parts.append(f"## {message.role.capitalize()}\n")
            if message.reasoning:
                parts.append(
                    "<details>\n<summary>Reasoning</summary>\n\n"
                    f"{message.reasoning.strip()}\n\n</details>\n"
                )
            if message.content:
                parts.append(message.content.strip() + "\n")
            if message.attachments:
                parts.append(
                    "\n".join(
                        f"- Attachment: {self._attachment_reference(sha)}"
                        for sha in message.attachments
                    )
                    + "\n"
                )
            if not message.finished:
                parts.append("*(reply interrupted)*\n")
        return "\n".join(parts)

    def _attachment_reference(self, sha256: str) -> str:
        """How an export names an attachment: its path under the attachments folder."""
        path = self.attachment_path(sha256)
        if path is None:
            return f"`{sha256}` (missing)"
        relative = path.relative_to(self._attachments_dir.parent).as_posix()
        return f"[{path.name}]({relative})"

    # attachments

    @property
    def attachments_root(self) -> Path:
        """The folder attachment files live under (exports copy from it)."""
        return self._attachments_dir

    def put_attachment(self, data: bytes, suffix: str = "") -> str:
        """Store ``data`` once under its sha256 (atomic, idempotent) and return the hash."""
        if not _SUFFIX_PATTERN.match(suffix):
            raise ValueError(f"attachment suffix must look like '.png', not {suffix!r}")
        sha256 = hashlib.sha256(data).hexdigest()
        target = self._attachments_dir / sha256[:2] / f"{sha256}{suffix.lower()}"
        if target.exists():
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{sha256}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return sha256

    def attachment_path(self, sha256: str) -> Path | None:
        """The file holding that attachment, or ``None`` if it is not stored."""
        if not _SHA256_PATTERN.match(sha256):
            return None
        matches = sorted((self._attachments_dir / sha256[:2]).glob(f"{sha256}*"))
        return matches[0] if matches else None

    # rows to records

    _CONVERSATION_QUERY = (
        "SELECT c.*, (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id) "
        "AS message_count FROM conversations c"
    )

    _PROJECT_QUERY = (
        "SELECT p.*, (SELECT COUNT(*) FROM conversations c WHERE c.project_id = p.id) "
        "AS conversation_count FROM projects p"
    )

    @staticmethod
    def _project(row: sqlite3.Row) -> ProjectRecord:
        """A project row (with ``conversation_count``) as a record."""
        return ProjectRecord(
            id=row["id"],
            name=row["name"],
            system_prompt=row["system_prompt"],
            model_id=row["model_id"],
            sampling=json.loads(row["sampling"]),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            conversation_count=row["conversation_count"],
        )

    @staticmethod
    def _preset(row: sqlite3.Row) -> PresetRecord:
        """A preset row as a record."""
        return PresetRecord(
            id=row["id"],
            name=row["name"],
            system_prompt=row["system_prompt"],
            sampling=json.loads(row["sampling"]),
            created_at=row["created_at"],
        )

    @staticmethod
    def _conversation(row: sqlite3.Row) -> ConversationRecord:
        """A conversation row (with ``message_count``) as a record."""
        return ConversationRecord(
            id=row["id"],
            title=row["title"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            pinned=bool(row["pinned"]),
            model_id=row["model_id"],
            message_count=row["message_count"],
            project_id=row["project_id"],
        )

    @staticmethod
    def _message(row: sqlite3.Row, versions: list[int] | None = None) -> MessageRecord:
        """A message row as a record."""
        return MessageRecord(
            id=row["id"],
            conversation_id=row["conversation_id"],
            role=row["role"],
            content=row["content"],
            reasoning=row["reasoning"],
            attachments=json.loads(row["attachments"]),
            finished=bool(row["finished"]),
            created_at=row["created_at"],
            usage=json.loads(row["usage"]),
            timings=json.loads(row["timings"]),
            model_id=row["model_id"],
            extra=json.loads(row["extra"]),
            parent_id=row["parent_id"],
            versions=list(versions or [row["id"]]),
        )

    def _require_conversation(self, conversation_id: int) -> ConversationRecord:
        """The conversation, or ``KeyError``."""
        conversation = self.get_conversation(conversation_id)
        if conversation is None:
            raise KeyError(f"no conversation {conversation_id}")
        return conversation


class _Transaction:
    """Holds the store's lock and wraps the block in BEGIN IMMEDIATE … COMMIT/ROLLBACK.

    Re-entrant: a nested use inside an open transaction joins it.
    """

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock) -> None:
        self._conn = conn
        self._lock = lock
        self._outermost = False

    def __enter__(self) -> _Transaction:
        self._lock.acquire()
        self._outermost = not self._conn.in_transaction
        if self._outermost:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except BaseException:
                self._lock.release()
                raise
        return self

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        try:
            if self._outermost:
                self._conn.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self._lock.release()


def _inserted_id(cursor: sqlite3.Cursor) -> int:
    """The row id an INSERT just made (sqlite always sets it after one)."""
    assert cursor.lastrowid is not None
    return cursor.lastrowid
