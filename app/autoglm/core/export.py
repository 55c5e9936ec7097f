"""Exporting chats to a folder: Markdown or JSON files, with the images they show.

Each conversation becomes one file named after its title and id; the attachments it
refers to are copied beside it under ``attachments/``, at the same relative path the
Markdown links and the JSON's ``attachment_files`` name, so the folder is self-contained.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path
from typing import Any, Literal

from autoglm.core.errors import InputError

_LOGGER = logging.getLogger(__name__)
ExportFormat = Literal["md", "json"]
FORMATS: tuple[ExportFormat, ...] = ("md", "json")
_UNSAFE = re.compile(r"[^\w\- ]+", re.UNICODE)


def export_file_name(title: str, conversation_id: int, fmt: ExportFormat) -> str:
    """A file name that is safe everywhere and unique per conversation: ``Title-12.md``."""
    stem = _UNSAFE.sub("", title).strip().replace(" ", "-")[:60].strip("-") or "chat"
    return f"{stem}-{conversation_id}.{fmt}"


def export_conversations(
    store: Any, conversation_ids: list[int], fmt: ExportFormat, folder: Path
) -> list[Path]:
    """Write each conversation to ``folder`` as ``fmt`` and copy its images; returns the files."""
    if fmt not in FORMATS:
        raise InputError(f"Unknown export format {fmt!r}: use md or json.")
    if not conversation_ids:
        raise InputError("There is no chat to export.")
    folder = Path(folder).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"Cannot create the folder {folder}: {exc.strerror or exc}") from exc
    written: list[Path] = []
    for conversation_id in conversation_ids:
        record = store.get_conversation(conversation_id)
        if record is None:
            raise InputError(f"There is no chat with id {conversation_id}.")
        target = folder / export_file_name(record.title, conversation_id, fmt)
        attachments = _copy_attachments(store, conversation_id, folder)
        if fmt == "md":
            text = store.export_markdown(conversation_id)
        else:
            data = store.export_json(conversation_id)
            data["attachment_files"] = attachments
            text = json.dumps(data, ensure_ascii=False, indent=2)
        try:
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"Cannot write {target}: {exc.strerror or exc}") from exc
        written.append(target)
    _LOGGER.info("Exported %d chat(s) as %s to %s", len(written), fmt, folder)
    return written


def _copy_attachments(store: Any, conversation_id: int, folder: Path) -> dict[str, str]:
    """Copy the conversation's images under ``folder``; sha256 → path relative to ``folder``."""
    copied: dict[str, str] = {}
    root = store.attachments_root
    for message in store.messages(conversation_id):
        for sha in message.attachments:
            source = store.attachment_path(sha)
            if source is None or sha in copied:
                continue
            relative = source.relative_to(root.parent)
            destination = folder / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            if not destination.exists():
                shutil.copy2(source, destination)
            copied[sha] = relative.as_posix()
    return copied
