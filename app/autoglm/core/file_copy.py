"""Copying a model file into the app's folder: in chunks with progress, never half-finished.

A GGUF is gigabytes, so the copy reports how far it is, checks the free space first (a disk
that fills up halfway leaves nothing usable), writes to a ``.part`` file and renames it only
when complete: an interrupted copy never looks like a model.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from autoglm.core.errors import ModelError
from autoglm.core.types import ProgressCallback

_CHUNK = 8 * 2**20
_SPARE_BYTES = 64 * 2**20
"""Left free after a copy, so the disk is not filled to the last byte."""


def free_bytes(folder: Path) -> int:
    """Free space on the disk that holds ``folder`` (or would hold it)."""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return shutil.disk_usage(probe).free


def same_disk(path: Path, folder: Path) -> bool:
    """Whether ``path`` and ``folder`` (or its nearest existing parent) are on one file system."""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        return path.stat().st_dev == probe.stat().st_dev
    except OSError:
        return False


def copy_files(
    sources: list[Path], folder: Path, progress: ProgressCallback | None = None
) -> list[Path]:
    """Copy ``sources`` into ``folder`` (names kept) and return where they are now.

    Raises ``ModelError`` in words when there is not enough room or the copy fails; what was
    copied of an unfinished file is removed.
    """
    total = sum(source.stat().st_size for source in sources)
    free = free_bytes(folder)
    if free < total + _SPARE_BYTES:
        raise ModelError(
            f"Not enough free space to copy {human_size(total)} into {folder} ({human_size(free)} free): "
            "use the file where it is instead, or free some space."
        )
    folder.mkdir(parents=True, exist_ok=True)
    done, copied = 0, []
    for source in sources:
        target = folder / source.name
        partial = target.with_name(target.name + ".part")
        try:
            with source.open("rb") as reader, partial.open("wb") as writer:
                while chunk := reader.read(_CHUNK):
                    writer.write(chunk)
                    done += len(chunk)
                    if progress is not None:
                        progress(done / total if total else 1.0, f"Copying {source.name}")
            shutil.copystat(source, partial)
            os.replace(partial, target)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise ModelError(
                f"Could not copy {source.name} into {folder}: {exc.strerror or exc}."
            ) from exc
        copied.append(target)
    return copied


def human_size(count: int) -> str:
    """``4.1 GB`` or ``380 MB``: a model file's size in a message."""
    return f"{count / 1e9:.1f} GB" if count >= 1e9 else f"{count / 1e6:.0f} MB"
