"""``autoglm export``: write one chat or all of them as Markdown or JSON, with their images."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from autoglm.core.errors import InputError


def register(subparsers: Any) -> None:
    """Add ``export`` to the command line."""
    parser = subparsers.add_parser(
        "export", help="Save chats as Markdown or JSON files (images copied beside them)"
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "conversation",
        nargs="?",
        type=int,
        metavar="CONVERSATION_ID",
        help="The chat to export (ids: `autoglm export --list`)",
    )
    which.add_argument("--all", action="store_true", help="Export every chat")
    which.add_argument("--list", action="store_true", help="List the chats and their ids")
    parser.add_argument(
        "--format", choices=("md", "json"), default="md", help="File format (default: md)"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("."), help="Folder to write to (default: here)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Export and print the files written (or list the chats)."""
    from autoglm.core.export import export_conversations
    from autoglm.core.paths import app_paths
    from autoglm.core.store import ConversationStore

    paths = app_paths().ensure()
    store = ConversationStore(paths.database_path, paths.attachments_dir)
    try:
        records = store.list_conversations()
        if args.list:
            for record in records:
                print(f"{record.id:6}  {record.message_count:4} messages  {record.title}")
            return 0
        if args.all:
            ids = [record.id for record in records]
            if not ids:
                raise InputError("There are no chats to export yet.")
        else:
            ids = [args.conversation]
        for path in export_conversations(store, ids, args.format, args.out):
            print(path)
    finally:
        store.close()
    return 0
