"""A reply saved while streaming survives the process being killed mid-stream."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import autoglm
from autoglm.core.store import ConversationStore

STREAM_THEN_DIE = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from autoglm.core.store import ConversationStore

    store = ConversationStore(Path(sys.argv[1]), Path(sys.argv[2]))
    conversation = store.create_conversation("Crash course")
    store.add_message(conversation, "user", "Count for me")
    reply = store.add_message(conversation, "assistant", "", finished=False, model_id="qwen")
    text = ""
    for number in range(1, 41):
        text += f"{number} "
        store.update_message(reply, content=text, reasoning="counting", finished=False)
    print(reply, flush=True)
    os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
    os._exit(1)
""")


def test_partial_reply_is_kept_after_a_kill(tmp_path: Path) -> None:
    db_path, attachments = tmp_path / "conversations.sqlite3", tmp_path / "attachments"
    package_root = str(Path(autoglm.__file__).resolve().parent.parent)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")])),
    }
    killed = subprocess.run(
        [sys.executable, "-c", STREAM_THEN_DIE, str(db_path), str(attachments)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if hasattr(signal, "SIGKILL"):
        assert killed.returncode == -signal.SIGKILL, killed.stderr
    reply_id = int(killed.stdout.strip())
    assert Path(f"{db_path}-wal").exists()

    store = ConversationStore(db_path, attachments)
    try:
        [unfinished] = store.unfinished_messages()
        assert unfinished.id == reply_id
        assert unfinished.content == "".join(f"{number} " for number in range(1, 41))
        assert (unfinished.reasoning, unfinished.finished, unfinished.model_id) == (
            "counting",
            False,
            "qwen",
        )
        [conversation] = store.list_conversations()
        assert conversation.title == "Crash course"
        assert [m.role for m in store.messages(conversation.id)] == ["user", "assistant"]
        assert [h.message_id for h in store.search("39 40")] == [reply_id]
        store.update_message(reply_id, finished=True)
        assert store.unfinished_messages() == []
    finally:
        store.close()
