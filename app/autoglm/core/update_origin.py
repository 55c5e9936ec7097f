"""Where the installed version came from: the packaged app's folder and its ``update-origin.json``.

Kept apart from the updater (and free of its HTTP and crypto imports) because every
``autoglm --version`` and the About box read it.

On macOS the record lies beside the ``.app``, not in it: a file added inside a signed
bundle breaks its seal, and macOS would then refuse the updated app or ask again for
the camera, microphone and screen permissions. The record follows its install when
the updater renames it (``rename_install``), so a rollback brings its own back.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

ORIGIN_FILE = "update-origin.json"


def install_root() -> Path | None:
    """The packaged app's folder (the ``.app`` on macOS), or ``None`` when running from source."""
    if not getattr(sys, "frozen", False):
        return None
    executable = Path(sys.executable).resolve()
    if sys.platform == "darwin" and executable.parent.name == "MacOS":
        return executable.parents[2]
    return executable.parent


def is_bundle(root: Path) -> bool:
    """Whether ``root`` is a macOS application bundle (signed: nothing may be added inside).

    Also the bundle moved aside by an update (``….app.previous``).
    """
    return ".app" in root.suffixes


def origin_path(root: Path, bundle: bool | None = None) -> Path:
    """Where the install at ``root`` keeps its record: inside it, or beside it for a bundle."""
    if bundle if bundle is not None else is_bundle(root):
        return root.parent / f".{root.name}.{ORIGIN_FILE}"
    return root / ORIGIN_FILE


def rename_install(source: Path, target: Path, bundle: bool) -> None:
    """Rename an install folder, and for a bundle the record beside it, which lives outside it."""
    source.rename(target)
    if bundle:
        record = origin_path(source, bundle=True)
        if record.exists():
            record.replace(origin_path(target, bundle=True))


def write_origin(root: Path, version: str, feed_url: str, replaced: str) -> None:
    """Record in the install where this version came from (for About and ``--version``)."""
    origin = {
        "version": version,
        "feed_url": feed_url,
        "replaced": replaced,
        "applied": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    origin_path(root).write_text(json.dumps(origin, indent=2), encoding="utf-8")


def read_origin(root: Path | None = None) -> dict[str, str] | None:
    """``update-origin.json`` of the install (``None`` for an install that was never updated)."""
    root = root if root is not None else install_root()
    if root is None:
        return None
    try:
        data = json.loads(origin_path(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {str(key): str(value) for key, value in data.items()} if isinstance(data, dict) else None


def origin_line(root: Path | None = None) -> str:
    """The note "updated from <feed> on <date>" for an updated install; empty for one never updated."""
    origin = read_origin(root)
    if not origin:
        return ""
    return f"updated from {origin.get('feed_url', '?')} on {origin.get('applied', '?')[:10]}"
