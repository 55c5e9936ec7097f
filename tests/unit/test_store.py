"""The conversation store on real SQLite files."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from unittest import mock

import pytest

from autoglm.core import store as store_module
from autoglm.core.store import (
    DEFAULT_TITLE,
    MATCH_END,
    MATCH_START,
    SCHEMA_VERSION,
    ConversationStore,
    StoreError,
)

ODD_QUERIES = [
    '"',
    '""',
    '"""',
    "a AND b",
    "NEAR(a b)",
    "*",
    "foo*",
    "(",
    ")",
    "OR",
    "NOT",
    "-x",
    "col:val",
    "^start",
    "\x00",
    "\ud800abc",
    "'; DROP TABLE messages; --",
    "%",
    "_",
    "\\",
    "   ",
    "",
    "a" * 500,
    '"unbalanced',
    "{a b}",
    "+",
    "你",
]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A fresh folder for the test's database and attachments."""
    return tmp_path


def open_store(home: Path) -> ConversationStore:
    """The store in ``home``'s data folder."""
    return ConversationStore(home / "data" / "conversations.sqlite3", home / "data" / "attachments")


@pytest.fixture
def store(home: Path):
    """An open store, closed after the test."""
    opened = open_store(home)
    yield opened
    opened.close()


@pytest.fixture(params=["trigram", "unicode61"])
def any_store(request: pytest.FixtureRequest, home: Path):
    """A store built with each full-text tokenizer (unicode61 where trigram is missing)."""
    with mock.patch.object(
        store_module, "_trigram_available", return_value=request.param == "trigram"
    ):
        opened = open_store(home)
    yield opened
    opened.close()


def fts_integrity_ok(db_path: Path) -> None:
    """Raise if either full-text index disagrees with the rows it indexes."""
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)")
        conn.execute(
            "INSERT INTO conversations_fts(conversations_fts, rank) VALUES ('integrity-check', 1)"
        )
    conn.close()


# schema and opening


def test_database_is_wal_and_versioned(store: ConversationStore, home: Path) -> None:
    conn = sqlite3.connect(home / "data" / "conversations.sqlite3")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_newer_schema_is_refused_and_left_untouched(home: Path) -> None:
    db_path = home / "newer.sqlite3"
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(StoreError, match="newer version"):
        ConversationStore(db_path, home / "attachments")
    assert db_path.read_bytes() == before


def test_damaged_file_gives_one_clear_error_and_is_kept(home: Path) -> None:
    db_path = home / "damaged.sqlite3"
    db_path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot be opened"):
        ConversationStore(db_path, home / "attachments")
    assert db_path.read_bytes() == b"this is not a database" * 100


def test_everything_survives_reopening(home: Path) -> None:
    first = open_store(home)
    conversation = first.create_conversation("Kept", model_id="qwen")
    first.set_pinned(conversation, True)
    message = first.add_message(
        conversation, "assistant", "saved text", reasoning="why", finished=False
    )
    first.close()
    first.close()
    second = open_store(home)
    assert second.get_conversation(conversation).pinned
    assert second.get_message(message).content == "saved text"
    assert [m.id for m in second.unfinished_messages()] == [message]
    assert second.search("saved")[0].message_id == message
    second.close()


# conversations


def test_create_get_and_count(store: ConversationStore) -> None:
    conversation = store.create_conversation(model_id="qwen")
    record = store.get_conversation(conversation)
    assert (record.title, record.model_id, record.pinned, record.message_count) == (
        DEFAULT_TITLE,
        "qwen",
        False,
        0,
    )
    store.add_message(conversation, "user", "hi")
    store.add_message(conversation, "assistant", "hello")
    assert store.get_conversation(conversation).message_count == 2
    assert store.get_conversation(conversation + 100) is None


def test_list_puts_pinned_first_then_most_recently_updated(store: ConversationStore) -> None:
    old, middle, new = (store.create_conversation(title) for title in ("old", "middle", "new"))
    store.add_message(old, "user", "bump")
    assert [c.id for c in store.list_conversations()] == [old, new, middle]
    store.set_pinned(middle, True)
    assert [c.id for c in store.list_conversations()] == [middle, old, new]
    store.set_pinned(middle, False)
    assert [c.id for c in store.list_conversations()] == [old, new, middle]


def test_rename(store: ConversationStore) -> None:
    conversation = store.create_conversation()
    store.rename_conversation(conversation, "  Trip to Kyoto ")
    assert store.get_conversation(conversation).title == "Trip to Kyoto"
    store.rename_conversation(conversation, "   ")
    assert store.get_conversation(conversation).title == DEFAULT_TITLE


def test_changing_a_missing_conversation_raises_key_error(store: ConversationStore) -> None:
    with pytest.raises(KeyError):
        store.rename_conversation(42, "x")
    with pytest.raises(KeyError):
        store.set_pinned(42, True)
    with pytest.raises(KeyError):
        store.add_message(42, "user", "x")


def test_delete_removes_messages_and_index_entries(store: ConversationStore, home: Path) -> None:
    kept = store.create_conversation("kept")
    store.add_message(kept, "user", "giraffe in the kept one")
    doomed = store.create_conversation("doomed giraffe")
    message = store.add_message(doomed, "user", "giraffe facts")
    store.delete_conversation(doomed)
    store.delete_conversation(doomed)
    assert store.get_conversation(doomed) is None
    assert store.get_message(message) is None
    assert store.messages(doomed) == []
    assert {hit.conversation_id for hit in store.search("giraffe")} == {kept}
    fts_integrity_ok(home / "data" / "conversations.sqlite3")


def test_fork_copies_the_messages_before_the_edited_one(store: ConversationStore) -> None:
    source = store.create_conversation("Source", model_id="qwen")
    first = store.add_message(source, "system", "be brief")
    second = store.add_message(source, "user", "question", attachments=["a" * 64])
    third = store.add_message(source, "assistant", "answer", reasoning="thought")
    edited = store.add_message(source, "user", "follow-up to edit")
    store.add_message(source, "assistant", "old reply")

    fork = store.fork_conversation(source, edited)
    copies = store.messages(fork)
    originals = [store.get_message(i) for i in (first, second, third)]
    assert [(m.role, m.content, m.reasoning, m.attachments, m.created_at) for m in copies] == [
        (m.role, m.content, m.reasoning, m.attachments, m.created_at) for m in originals
    ]
    assert all(copy.id not in (first, second, third) for copy in copies)
    assert store.get_conversation(fork).title == "Source"
    assert store.get_conversation(fork).model_id == "qwen"
    assert len(store.messages(source)) == 5
    assert (
        store.get_conversation(store.fork_conversation(source, first, title="Edited")).title
        == "Edited"
    )
    assert store.messages(store.fork_conversation(source, first)) == []


def test_fork_rejects_a_message_of_another_conversation(store: ConversationStore) -> None:
    one, other = store.create_conversation(), store.create_conversation()
    foreign = store.add_message(other, "user", "x")
    with pytest.raises(KeyError):
        store.fork_conversation(one, foreign)
    with pytest.raises(KeyError):
        store.fork_conversation(999, foreign)
    assert len(store.list_conversations()) == 2


# messages


def test_add_and_read_back_every_field(store: ConversationStore) -> None:
    conversation = store.create_conversation()
    message = store.add_message(
        conversation,
        "assistant",
        "content",
        reasoning="reasoning",
        attachments=["b" * 64, "c" * 64],
        finished=False,
        model_id="qwen2.5-coder-0.5b",
    )
    record = store.get_message(message)
    assert (
        record.conversation_id,
        record.role,
        record.content,
        record.reasoning,
        record.attachments,
        record.finished,
        record.model_id,
        record.usage,
        record.timings,
    ) == (
        conversation,
        "assistant",
        "content",
        "reasoning",
        ["b" * 64, "c" * 64],
        False,
        "qwen2.5-coder-0.5b",
        {},
        {},
    )
    assert record.created_at > 0
    assert store.get_message(message + 1) is None


def test_add_rejects_unknown_role(store: ConversationStore) -> None:
    conversation = store.create_conversation()
    with pytest.raises(ValueError, match="role"):
        store.add_message(conversation, "tool", "x")
    assert store.messages(conversation) == []


def test_update_changes_only_the_given_fields(store: ConversationStore) -> None:
    conversation = store.create_conversation()
    message = store.add_message(conversation, "assistant", "", finished=False)
    store.update_message(message, content="Hel")
    store.update_message(message, reasoning="thinking")
    store.update_message(
        message,
        content="Hello",
        finished=True,
        usage={"prompt_tokens": 5, "completion_tokens": 2},
        timings={"tokens_per_second": 31.5},
    )
    store.update_message(message)
    record = store.get_message(message)
    assert (record.content, record.reasoning, record.finished) == ("Hello", "thinking", True)
    assert record.usage == {"prompt_tokens": 5, "completion_tokens": 2}
    assert record.timings == {"tokens_per_second": 31.5}
    with pytest.raises(KeyError):
        store.update_message(message + 1, content="x")


def test_finishing_a_reply_moves_its_conversation_up(store: ConversationStore) -> None:
    older = store.create_conversation("older")
    reply = store.add_message(older, "assistant", "", finished=False)
    newer = store.create_conversation("newer")
    store.update_message(reply, content="partial", finished=False)
    assert store.list_conversations()[0].id == newer
    store.update_message(reply, content="done", finished=True)
    assert store.list_conversations()[0].id == older


def test_streaming_updates_leave_the_index_alone_until_finished(
    store: ConversationStore, home: Path
) -> None:
    conn = sqlite3.connect(home / "data" / "conversations.sqlite3")

    def indexed_count() -> int:
        return conn.execute("SELECT COUNT(*) FROM messages_fts_docsize").fetchone()[0]

    conversation = store.create_conversation()
    store.add_message(conversation, "user", "tell me a story")
    reply = store.add_message(conversation, "assistant", "", finished=False)
    for words in range(1, 60):
        store.update_message(reply, content="once upon a time " * words, finished=False)
    assert indexed_count() == 1
    store.update_message(reply, finished=True)
    assert indexed_count() == 2
    conn.close()
    fts_integrity_ok(home / "data" / "conversations.sqlite3")


def test_delete_messages_from_removes_that_message_and_later(store: ConversationStore) -> None:
    conversation = store.create_conversation()
    other = store.create_conversation()
    ids = [
        store.add_message(conversation, role, text)
        for role, text in [("user", "q1"), ("assistant", "a1"), ("user", "q2"), ("assistant", "a2")]
    ]
    other_message = store.add_message(other, "user", "untouched")
    store.delete_messages_from(conversation, ids[1])
    assert [m.id for m in store.messages(conversation)] == ids[:1]
    assert store.get_message(other_message) is not None
    assert store.search("a2") == []


def test_messages_come_in_order(store: ConversationStore) -> None:
    conversation = store.create_conversation()
    texts = [f"message {index}" for index in range(12)]
    for index, text in enumerate(texts):
        store.add_message(conversation, "user" if index % 2 == 0 else "assistant", text)
    assert [m.content for m in store.messages(conversation)] == texts


def test_unfinished_messages_lists_interrupted_replies_only(store: ConversationStore) -> None:
    conversation = store.create_conversation()
    store.add_message(conversation, "user", "q")
    cut = store.add_message(conversation, "assistant", "half", finished=False)
    done = store.add_message(conversation, "assistant", "", finished=False)
    store.update_message(done, content="whole", finished=True)
    assert [m.id for m in store.unfinished_messages()] == [cut]


# search


def test_search_finds_content_reasoning_and_titles(any_store: ConversationStore) -> None:
    conversation = any_store.create_conversation("Holiday planning")
    question = any_store.add_message(conversation, "user", "Which museums open on Monday?")
    answer = any_store.add_message(
        conversation, "assistant", "Most are closed.", reasoning="Recall opening hours of galleries"
    )
    assert [(h.message_id, h.role) for h in any_store.search("museums")] == [(question, "user")]
    assert [h.message_id for h in any_store.search("galleries")] == [answer]
    title_hit = any_store.search("holiday")[0]
    assert (title_hit.conversation_id, title_hit.message_id, title_hit.conversation_title) == (
        conversation,
        0,
        "Holiday planning",
    )
    assert f"{MATCH_START}Holiday{MATCH_END}" in title_hit.snippet
    assert f"{MATCH_START}museums{MATCH_END}" in any_store.search("museums")[0].snippet
    assert any_store.search("museums Monday")[0].message_id == question
    assert any_store.search("museums Tuesday") == []


def test_search_matches_substrings_and_chinese_with_trigram(store: ConversationStore) -> None:
    if not store._trigram:
        pytest.skip("this SQLite has no trigram tokenizer")
    conversation = store.create_conversation()
    message = store.add_message(conversation, "user", "请帮我总结这份会议记录 unbelievable")
    for query in ("会议记录", "会议", "总", "believ", "UNBELIEVABLE", "记录 believ"):
        hits = store.search(query)
        assert [h.message_id for h in hits] == [message], query
        assert MATCH_START in hits[0].snippet
    assert store.search("会议纪要") == []


def test_search_finds_chinese_words(any_store: ConversationStore) -> None:
    conversation = any_store.create_conversation("中文 对话")
    message = any_store.add_message(conversation, "user", "天气 很好")
    assert [h.message_id for h in any_store.search("天气")] == [message]
    assert any_store.search("中文")[0].conversation_id == conversation


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_search_accepts_any_text(any_store: ConversationStore, query: str) -> None:
    conversation = any_store.create_conversation('A "quoted" AND title')
    any_store.add_message(conversation, "user", 'He said "hi" AND NEAR(x y) 100% a_b \\ 你好')
    any_store.add_message(conversation, "assistant", "still streaming", finished=False)
    hits = any_store.search(query)
    assert all(hit.conversation_id == conversation for hit in hits)


def test_search_treats_operators_and_quotes_literally(store: ConversationStore) -> None:
    conversation = store.create_conversation()
    literal = store.add_message(conversation, "user", 'cats OR dogs, "said" she')
    store.add_message(conversation, "user", "only cats here")
    assert [h.message_id for h in store.search("cats OR dogs")] == [literal]
    assert [h.message_id for h in store.search('"said"')] == [literal]


def test_search_sees_unfinished_replies_and_follows_edits(
    store: ConversationStore, home: Path
) -> None:
    conversation = store.create_conversation()
    reply = store.add_message(conversation, "assistant", "", finished=False)
    store.update_message(reply, content="the quick brown fox", finished=False)
    assert [h.message_id for h in store.search("brown")] == [reply]
    assert MATCH_START + "brown" + MATCH_END in store.search("brown")[0].snippet
    store.update_message(reply, content="the quick red fox", finished=True)
    assert store.search("brown") == []
    assert [h.message_id for h in store.search("red fox")] == [reply]
    store.update_message(reply, content="a slow turtle")
    assert store.search("fox") == []
    assert [h.message_id for h in store.search("turtle")] == [reply]
    store.update_message(reply, finished=False)
    assert [h.message_id for h in store.search("turtle")] == [reply]
    fts_integrity_ok(home / "data" / "conversations.sqlite3")


def test_search_respects_limit(store: ConversationStore) -> None:
    conversation = store.create_conversation()
    for index in range(8):
        store.add_message(conversation, "user", f"repeated needle {index}")
    assert len(store.search("needle", limit=3)) == 3
    assert len(store.search("needle")) == 8
    assert store.search("needle", limit=0) == []


# export


def test_export_markdown(store: ConversationStore) -> None:
    conversation = store.create_conversation("Screenshot help")
    sha = store.put_attachment(b"\x89PNG fake pixels", ".png")
    store.add_message(conversation, "user", "What is on this screen?", attachments=[sha])
    store.add_message(
        conversation, "assistant", "A settings dialog.", reasoning="I see toggles and a title bar."
    )
    store.add_message(conversation, "assistant", "Half a sent", finished=False)
    markdown = store.export_markdown(conversation)
    assert markdown.startswith("# Screenshot help\n")
    assert (
        markdown.index("## User")
        < markdown.index("What is on this screen?")
        < markdown.index("## Assistant")
        < markdown.index("A settings dialog.")
    )
    assert (
        "<details>\n<summary>Reasoning</summary>\n\nI see toggles and a title bar.\n\n"
        "</details>" in markdown
    )
    assert markdown.index("<details>") < markdown.index("A settings dialog.")
    assert f"[{sha}.png](attachments/{sha[:2]}/{sha}.png)" in markdown
    assert "*(reply interrupted)*" in markdown
    with pytest.raises(KeyError):
        store.export_markdown(conversation + 1)


def test_export_markdown_names_missing_attachments(store: ConversationStore) -> None:
    conversation = store.create_conversation()
    store.add_message(conversation, "user", "see file", attachments=["d" * 64])
    assert f"`{'d' * 64}` (missing)" in store.export_markdown(conversation)


def test_export_json(store: ConversationStore) -> None:
    conversation = store.create_conversation("Data", model_id="qwen")
    message = store.add_message(
        conversation, "assistant", "answer", reasoning="why", attachments=["e" * 64]
    )
    store.update_message(message, usage={"completion_tokens": 1}, timings={"total_ms": 12.5})
    exported = json.loads(json.dumps(store.export_json(conversation)))
    assert exported["format"] == "autoglm-conversation"
    assert exported["conversation"]["title"] == "Data"
    assert exported["conversation"]["model_id"] == "qwen"
    [record] = exported["messages"]
    assert (
        record["id"],
        record["role"],
        record["content"],
        record["reasoning"],
        record["attachments"],
        record["usage"],
        record["timings"],
        record["finished"],
    ) == (
        message,
        "assistant",
        "answer",
        "why",
        ["e" * 64],
        {"completion_tokens": 1},
        {"total_ms": 12.5},
        True,
    )
    with pytest.raises(KeyError):
        store.export_json(conversation + 1)


# attachments


def test_put_attachment_is_content_addressed_and_idempotent(
    store: ConversationStore, home: Path
) -> None:
    data = b"image bytes"
    sha = store.put_attachment(data, ".PNG")
    path = home / "data" / "attachments" / sha[:2] / f"{sha}.png"
    assert store.attachment_path(sha) == path
    assert path.read_bytes() == data
    modified = path.stat().st_mtime_ns
    assert store.put_attachment(data, ".png") == sha
    assert path.stat().st_mtime_ns == modified
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    other = store.put_attachment(b"raw", "")
    assert store.attachment_path(other).name == other


def test_attachment_path_of_unknown_or_malformed_hash_is_none(store: ConversationStore) -> None:
    assert store.attachment_path("f" * 64) is None
    assert store.attachment_path("../../etc/passwd") is None
    assert store.attachment_path("") is None


@pytest.mark.parametrize("suffix", ["png", "../x", ".p/g", ".a b"])
def test_put_attachment_rejects_odd_suffixes(store: ConversationStore, suffix: str) -> None:
    with pytest.raises(ValueError, match="suffix"):
        store.put_attachment(b"x", suffix)


# threads


def test_streaming_in_one_thread_while_another_reads(store: ConversationStore) -> None:
    conversation = store.create_conversation("busy")
    store.add_message(conversation, "user", "write a lot")
    reply = store.add_message(conversation, "assistant", "", finished=False)
    errors: list[BaseException] = []
    seen_lengths: list[int] = []
    done = threading.Event()

    def stream() -> None:
        try:
            for step in range(1, 301):
                store.update_message(reply, content="token " * step, finished=False)
            store.update_message(reply, finished=True)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            done.set()

    def read() -> None:
        try:
            while not done.is_set():
                store.list_conversations()
                seen_lengths.append(len(store.messages(conversation)[-1].content))
                store.search("token")
                store.search("to")
                store.unfinished_messages()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=stream), threading.Thread(target=read)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert seen_lengths == sorted(seen_lengths)
    assert store.get_message(reply).content == "token " * 300
    assert [h.message_id for h in store.search("token")] == [reply]


def test_two_stores_on_one_file_write_from_two_threads(home: Path) -> None:
    first, second = open_store(home), open_store(home)
    errors: list[BaseException] = []

    def write(target: ConversationStore, label: str) -> None:
        try:
            conversation = target.create_conversation(label)
            for index in range(50):
                target.add_message(conversation, "user", f"{label} {index}")
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [
        threading.Thread(target=write, args=(target, label))
        for target, label in ((first, "left"), (second, "right"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(c.message_count for c in first.list_conversations()) == [50, 50]
    first.close()
    second.close()


# versions


def test_a_new_version_of_a_reply_is_shown_and_the_old_one_kept(store: ConversationStore) -> None:
    conversation = store.create_conversation("Versions")
    question = store.add_message(conversation, "user", "q")
    first = store.add_message(conversation, "assistant", "a1")
    second = store.add_message(conversation, "assistant", "a2", version_of=first)
    shown = store.messages(conversation)
    assert [m.content for m in shown] == ["q", "a2"]
    assert shown[1].versions == [first, second] and shown[1].parent_id == question
    store.select_version(first)
    assert [m.content for m in store.messages(conversation)] == ["q", "a1"]


def test_an_edited_question_branches_and_each_branch_keeps_its_replies(
    store: ConversationStore,
) -> None:
    conversation = store.create_conversation("Branches")
    question = store.add_message(conversation, "user", "q1")
    store.add_message(conversation, "assistant", "a1")
    store.add_message(conversation, "user", "follow-up")
    edited = store.add_message(conversation, "user", "q1 edited", version_of=question)
    assert [m.content for m in store.messages(conversation)] == ["q1 edited"]
    store.add_message(conversation, "assistant", "a for edited")
    assert [m.content for m in store.messages(conversation)] == ["q1 edited", "a for edited"]
    store.select_version(question)
    assert [m.content for m in store.messages(conversation)] == ["q1", "a1", "follow-up"]
    store.select_version(edited)
    assert store.messages(conversation)[0].versions == [question, edited]
    with pytest.raises(KeyError):
        store.add_message(conversation, "user", "x", version_of=edited + 100)


def test_deleting_a_version_shows_the_newest_remaining_one(store: ConversationStore) -> None:
    conversation = store.create_conversation("Delete")
    store.add_message(conversation, "user", "q")
    first = store.add_message(conversation, "assistant", "a1")
    second = store.add_message(conversation, "assistant", "a2", version_of=first)
    store.add_message(conversation, "user", "after a2")
    store.delete_messages_from(conversation, second)
    shown = store.messages(conversation)
    assert [m.content for m in shown] == ["q", "a1"] and shown[1].versions == [first]


def test_version_two_databases_migrate_to_one_line_per_chat_losing_nothing(home: Path) -> None:
    path = home / "data" / "conversations.sqlite3"
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)
    for version, schema in enumerate(store_module._MIGRATIONS[:2], start=1):
        conn.executescript(f"BEGIN; {schema('unicode61')} PRAGMA user_version = {version}; COMMIT;")
    for conversation in (1, 2):
        conn.execute(
            "INSERT INTO conversations (id, title, created_at, updated_at) VALUES (?, 't', 0, 0)",
            (conversation,),
        )
    rows = [
        (1, "user", "q1"),
        (2, "user", "other q"),
        (1, "assistant", "a1"),
        (2, "assistant", "other a"),
        (1, "user", "q2"),
    ]
    for conversation, role, content in rows:
        conn.execute(
            "INSERT INTO messages (conversation_id, role, content, created_at, extra) "
            'VALUES (?, ?, ?, 0, \'{"origin": "spoken"}\')',
            (conversation, role, content),
        )
    conn.commit()
    conn.close()
    migrated = open_store(home)
    try:
        assert [m.content for m in migrated.messages(1)] == ["q1", "a1", "q2"]
        assert [m.content for m in migrated.messages(2)] == ["other q", "other a"]
        assert all(
            m.extra == {"origin": "spoken"} and len(m.versions) == 1 for m in migrated.messages(1)
        )
        migrated.add_message(1, "assistant", "a2")
        assert [m.content for m in migrated.messages(1)][-1] == "a2"
        assert [hit.snippet for hit in migrated.search("other")]
    finally:
        migrated.close()
