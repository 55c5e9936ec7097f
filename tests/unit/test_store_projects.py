"""Projects and presets in the conversation store, and the upgrade of an older database, on real SQLite files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from autoglm.core import store as store_module
from autoglm.core.errors import InputError
from autoglm.core.store import SCHEMA_VERSION, ConversationStore, StoreError


def open_store(home: Path) -> ConversationStore:
    """The store in ``home``'s data folder."""
    return ConversationStore(home / "conversations.sqlite3", home / "attachments")


@pytest.fixture
def store(tmp_path: Path):
    """An open store, closed after the test."""
    opened = open_store(tmp_path)
    yield opened
    opened.close()


def write_version_2_database(home: Path) -> None:
    """A database as the app wrote it before projects: two chats, messages with extras, an unfinished reply."""
    conn = sqlite3.connect(home / "conversations.sqlite3", isolation_level=None)
    for version, schema in enumerate(store_module._MIGRATIONS[:2], start=1):
        conn.executescript(f"BEGIN; {schema('unicode61')} PRAGMA user_version = {version}; COMMIT;")
    conn.execute(
        "INSERT INTO conversations (id, title, created_at, updated_at, pinned, model_id) "
        "VALUES (1, 'Trip to Lisbon', 10.0, 20.0, 1, 'starter'), (2, 'Taxes', 11.0, 21.0, 0, '')"
    )
    conn.execute(
        "INSERT INTO messages (conversation_id, role, content, reasoning, attachments, usage, timings, "
        "model_id, finished, created_at, extra) VALUES "
        "(1, 'user', 'Which tram goes to Belém?', '', '[\""
        + "a"
        * 64
        + "\"]', '{}', '{}', '', 1, 12.0, "
        '\'{"origin": "spoken"}\'), '
        "(1, 'assistant', 'Tram 15.', 'thinking', '[]', '{\"prompt_tokens\": 9}', '{\"total_ms\": 5}', "
        '\'starter\', 1, 13.0, \'{"citations": [{"source": "guide.pdf", "text": "15E", '
        '"location": "p. 4", "score": 0.5}]}\'), '
        "(2, 'assistant', 'Half a rep', '', '[]', '{}', '{}', '', 0, 14.0, '{}')"
    )
    conn.close()


def test_an_older_database_is_upgraded_and_loses_nothing(tmp_path: Path) -> None:
    write_version_2_database(tmp_path)
    conn = sqlite3.connect(tmp_path / "conversations.sqlite3")
    before = conn.execute("SELECT * FROM messages ORDER BY id").fetchall()
    before_chats = conn.execute("SELECT * FROM conversations ORDER BY id").fetchall()
    conn.close()

    store = open_store(tmp_path)
    try:
        chats = {record.id: record for record in store.list_conversations()}
        assert (
            chats[1].title == "Trip to Lisbon"
            and chats[1].pinned
            and chats[1].model_id == "starter"
        )
        assert chats[1].message_count == 2 and chats[2].message_count == 1
        assert all(record.project_id is None for record in chats.values())
        reply = store.messages(1)[1]
        assert reply.reasoning == "thinking" and reply.usage == {"prompt_tokens": 9}
        assert reply.extra["citations"][0]["location"] == "p. 4"
        assert [m.id for m in store.unfinished_messages()] == [3]
        assert [hit.conversation_id for hit in store.search("Belém")] == [1]
        assert store.list_projects() == [] and store.list_presets() == []
    finally:
        store.close()

    conn = sqlite3.connect(tmp_path / "conversations.sqlite3")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    columns = (
        "id, conversation_id, role, content, reasoning, attachments, usage, timings, model_id, finished, "
        "created_at, extra"
    )
    assert conn.execute(f"SELECT {columns} FROM messages ORDER BY id").fetchall() == before
    # each chat's messages follow one another, all shown
    assert conn.execute("SELECT id, parent_id, selected FROM messages ORDER BY id").fetchall() == [
        (1, None, 1),
        (2, 1, 1),
        (3, None, 1),
    ]
    # the old columns keep their values; the new project_id column is NULL
    after_chats = conn.execute(
        "SELECT id, title, created_at, updated_at, pinned, model_id, project_id "
        "FROM conversations ORDER BY id"
    ).fetchall()
    assert after_chats == [(*row, None) for row in before_chats]
    conn.execute("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)")
    conn.close()


def test_create_list_rename_and_update_projects(store: ConversationStore) -> None:
    tax = store.create_project(
        "  Taxes  2026 ", "You are a careful accountant.", "starter", {"temperature": 0.2}
    )
    garden = store.create_project("garden")
    assert [project.name for project in store.list_projects()] == ["garden", "Taxes 2026"]
    record = store.get_project(tax)
    assert record is not None and record.system_prompt == "You are a careful accountant."
    assert record.model_id == "starter" and record.sampling == {"temperature": 0.2}
    assert store.project_named("taxes   2026").id == tax and store.project_named("nope") is None

    store.update_project(tax, name="Taxes", sampling={"top_k": 5, "max_tokens": 300})
    record = store.get_project(tax)
    assert record.name == "Taxes" and record.sampling == {"top_k": 5, "max_tokens": 300}
    assert (
        record.system_prompt == "You are a careful accountant."
        and record.updated_at >= record.created_at
    )
    with pytest.raises(StoreError, match="already a project named"):
        store.update_project(garden, name="TAXES")
    with pytest.raises(StoreError, match="already a project named"):
        store.create_project("Garden")
    with pytest.raises(KeyError):
        store.update_project(999, name="x")


@pytest.mark.parametrize(
    ("name", "sampling", "message"),
    [
        ("   ", None, "needs a name"),
        ("x" * 200, None, "at most"),
        ("ok", {"temperature": 9.0}, "temperature"),
        ("ok", {"grammar": "root ::= x"}, "not a sampling setting"),
        ("ok", {"max_tokens": "lots"}, "max_tokens"),
    ],
)
def test_bad_project_input_is_refused_in_words(
    store: ConversationStore, name: str, sampling: dict | None, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        store.create_project(name, sampling=sampling)
    assert store.list_projects() == []


def test_chats_are_filed_moved_and_forked_within_their_project(store: ConversationStore) -> None:
    project = store.create_project("Work")
    inside = store.create_conversation("Plan", project_id=project)
    outside = store.create_conversation("Loose")
    assert store.get_conversation(inside).project_id == project
    assert store.get_conversation(outside).project_id is None
    assert store.get_project(project).conversation_count == 1

    store.move_conversation(outside, project)
    assert store.get_project(project).conversation_count == 2
    store.move_conversation(inside, None)
    assert store.get_conversation(inside).project_id is None
    with pytest.raises(KeyError):
        store.move_conversation(outside, 4242)
    with pytest.raises(KeyError):
        store.move_conversation(4242, project)
    with pytest.raises(KeyError):
        store.create_conversation("Nowhere", project_id=4242)

    first = store.add_message(outside, "user", "hello")
    store.add_message(outside, "assistant", "hi")
    later = store.add_message(outside, "user", "again")
    fork = store.fork_conversation(outside, later)
    assert store.get_conversation(fork).project_id == project
    assert [m.content for m in store.messages(fork)] == ["hello", "hi"] and first


def test_deleting_a_project_keeps_its_chats_unless_asked(store: ConversationStore) -> None:
    kept = store.create_project("Kept chats")
    chat = store.create_conversation("Survivor", project_id=kept)
    store.add_message(chat, "user", "still here")
    store.delete_project(kept)
    assert store.get_project(kept) is None
    assert (
        store.get_conversation(chat).project_id is None
        and store.messages(chat)[0].content == "still here"
    )

    gone = store.create_project("Gone with chats")
    doomed = store.create_conversation("Doomed", project_id=gone)
    store.add_message(doomed, "user", "bye")
    other = store.create_conversation("Other")
    store.delete_project(gone, with_conversations=True)
    assert store.get_conversation(doomed) is None and store.messages(doomed) == []
    assert store.get_conversation(other) is not None and store.search("bye") == []


def test_presets_are_saved_replaced_by_name_and_outlive_projects(store: ConversationStore) -> None:
    first = store.save_preset("Terse", "Answer in one line.", {"temperature": 0.1})
    again = store.save_preset("terse", "Answer in one word.", {"top_p": 0.5})
    assert again == first
    presets = store.list_presets()
    assert len(presets) == 1 and presets[0].name == "Terse"
    assert presets[0].system_prompt == "Answer in one word." and presets[0].sampling == {
        "top_p": 0.5
    }
    other = store.save_preset("Creative", "Be playful.", {"temperature": 1.2})
    assert [preset.name for preset in store.list_presets()] == ["Creative", "Terse"]

    preset = store.get_preset(other)
    project = store.create_project("Stories", preset.system_prompt, sampling=preset.sampling)
    store.delete_preset(other)
    assert store.get_preset(other) is None
    assert store.get_project(project).sampling == {"temperature": 1.2}
    with pytest.raises(InputError):
        store.save_preset("", "x")


def test_projects_survive_reopening(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    project = store.create_project("Kept", "Persona.", "model-a", {"seed": 7})
    chat = store.create_conversation("In it", project_id=project)
    store.save_preset("P", "Q", {"top_k": 3})
    store.close()
    store = open_store(tmp_path)
    try:
        assert store.get_project(project).sampling == {"seed": 7}
        assert store.get_conversation(chat).project_id == project
        assert store.list_presets()[0].sampling == {"top_k": 3}
        assert store.export_json(chat)["conversation"]["project_id"] == project
    finally:
        store.close()
