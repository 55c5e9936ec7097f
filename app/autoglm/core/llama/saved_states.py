"""Conversations' KV states on disk, so a conversation reopened after a restart is not evaluated again.

A state is one KV sequence as llama.cpp serialises it (``llama_state_seq_get_data``),
written when its sequence is evicted or the model unloads, in a file of its own:

    b"AGKV" | format version (u32) | header length (u32) | header (JSON) | state bytes

The header says what the bytes are valid for — the model file (path, size, mtime), its
projector, the context settings that shape the cache, the llama.cpp build (version and
system info) — and exactly which prompt they hold (its pieces: text tokens and media
chunks), plus the bytes' length and sha256. llama.cpp itself checks little when it
restores a sequence (a state from another model of the same shape loads silently and
answers nonsense), so a state is restored only when every key matches and the bytes are
whole and unchanged; anything else is discarded and the prompt is evaluated as usual.

The folder is kept within a disk budget, least recently used files first (a restore
touches its file); a saved state that is a prefix of a newer one of the same
conversation is removed when the newer one is written.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import hashlib
import json
import logging
import os
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from autoglm.core.llama.sequence import MediaPiece, PromptSequence, common_prefix_length

_LOGGER = logging.getLogger(__name__)
MAGIC = b"AGKV"
FORMAT_VERSION = 1
SUFFIX = ".kvstate"
_PREAMBLE = struct.Struct("<4sII")


def build_fingerprint() -> str:
    """The llama.cpp build: a state written by another may not restore correctly."""
    import llama_cpp

    info = llama_cpp.llama_print_system_info().decode("utf-8", errors="replace")
    return f"llama-cpp-python {llama_cpp.__version__}; {hashlib.sha256(info.encode()).hexdigest()[:16]}"


def file_fingerprint(path: Path | None) -> str:
    """A model or projector file as path, size and modification time (a replaced file differs)."""
    if path is None:
        return ""
    stat = path.stat()
    return f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"


@dataclass(frozen=True)
class StateKey:
    """Everything a saved state must match to be restored."""

    model: str
    projector: str
    context: str
    build: str

    @classmethod
    def for_engine(cls, model_path: Path, mmproj_path: Path | None, flash_attn: bool) -> StateKey:
        """The key of the engine's current model, projector, context settings and llama.cpp build."""
        return cls(
            file_fingerprint(model_path),
            file_fingerprint(mmproj_path),
            f"flash_attn={int(flash_attn)};kv=f16",
            build_fingerprint(),
        )

    def as_dict(self) -> dict[str, str]:
        """For the header."""
        return {
            "model": self.model,
            "projector": self.projector,
            "context": self.context,
            "build": self.build,
        }


def encode_pieces(sequence: PromptSequence) -> list[dict[str, Any]]:
    """A prompt's pieces for the header (text runs as base64 int32)."""
    out: list[dict[str, Any]] = []
    for piece in sequence.pieces:
        if isinstance(piece, MediaPiece):
            out.append({"media": piece.key, "n_tokens": piece.n_tokens, "n_pos": piece.n_pos})
        else:
            out.append(
                {"text": base64.b64encode(np.asarray(piece, dtype="<i4").tobytes()).decode("ascii")}
            )
    return out


def decode_pieces(items: list[dict[str, Any]]) -> PromptSequence:
    """The inverse of ``encode_pieces``; ``ValueError`` on anything malformed."""
    sequence = PromptSequence()
    for item in items:
        if "media" in item:
            sequence.add_media(
                MediaPiece(str(item["media"]), int(item["n_tokens"]), int(item["n_pos"]))
            )
        else:
            raw = base64.b64decode(item["text"], validate=True)
            sequence.add_text(np.frombuffer(raw, dtype="<i4").tolist())
    return sequence


@dataclass
class SavedState:
    """One state file's header, read without its bytes."""

    path: Path
    key: dict[str, str]
    cached: PromptSequence
    data_size: int
    data_sha256: str
    data_offset: int

    @property
    def ids(self) -> list[int]:
        """One id per position, as prompts are compared."""
        return self.cached.position_ids()


def read_header(path: Path) -> SavedState:
    """The header of a state file; ``ValueError`` if it is not one, or is cut short."""
    with open(path, "rb") as file:
        preamble = file.read(_PREAMBLE.size)
        if len(preamble) != _PREAMBLE.size:
            raise ValueError("too short")
        magic, version, length = _PREAMBLE.unpack(preamble)
        if magic != MAGIC or version != FORMAT_VERSION:
            raise ValueError("not a state file of this format")
        raw = file.read(length)
        if len(raw) != length:
            raise ValueError("header cut short")
    try:
        header = json.loads(raw.decode("utf-8"))
        return SavedState(
            path,
            dict(header["key"]),
            decode_pieces(header["pieces"]),
            int(header["data_size"]),
            str(header["data_sha256"]),
            _PREAMBLE.size + length,
        )
    except (KeyError, TypeError, ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"damaged header ({exc})") from exc


class StateStore:
    """The saved states of one folder, for one ``StateKey``, within ``budget_bytes`` of disk."""

    def __init__(self, folder: Path, key: StateKey, budget_bytes: int):
        self.folder = folder
        self.key = key
        self.budget_bytes = budget_bytes
        self.entries: dict[Path, SavedState] = {}
        self.restored = 0  # states loaded since the engine started (status bar, tests)
        self.refused = 0  # states found unusable and discarded

    # -- the index -------------------------------------------------------------------------
    def scan(self) -> None:
        """Read every header in the folder; keep those for this key, discard damaged or stale-build ones."""
        self.entries.clear()
        if not self.folder.is_dir():
            return
        for path in self.folder.glob(f"*{SUFFIX}"):
            try:
                entry = read_header(path)
            except (OSError, ValueError) as exc:
                self._discard(path, f"unreadable ({exc})")
                continue
            if entry.key.get("build") != self.key.build:
                self._discard(path, "written by another llama.cpp build")
            elif entry.key == self.key.as_dict():
                self.entries[path] = entry
            # a state of another model stays: that model may be loaded again

    def best_match(self, ids: list[int]) -> tuple[SavedState | None, int]:
        """The saved state sharing the longest prefix with the prompt ``ids``, and that prefix's length."""
        best: SavedState | None = None
        best_keep = 0
        for entry in self.entries.values():
            keep = common_prefix_length(entry.ids, ids)
            if keep > best_keep:
                best, best_keep = entry, keep
        return best, best_keep

    @property
    def used_bytes(self) -> int:
        """Disk the folder's state files take (every model's)."""
        total = 0
        for path in self.folder.glob(f"*{SUFFIX}"):
            with contextlib.suppress(OSError):
                total += path.stat().st_size
        return total

    # -- saving ------------------------------------------------------------------------------
    def save(self, ctx: Any, seq_id: int, cached: PromptSequence) -> SavedState | None:
        """Write sequence ``seq_id`` (holding ``cached``) to a new file; ``None`` if it cannot be saved."""
        import llama_cpp

        if self.budget_bytes <= 0 or not cached.pieces:
            return None
        size = int(llama_cpp.llama_state_seq_get_size(ctx, seq_id))
        if size <= 0 or size > self.budget_bytes:
            return None
        buffer = (ctypes.c_uint8 * size)()
        written = int(llama_cpp.llama_state_seq_get_data(ctx, buffer, size, seq_id))
        if written <= 0:
            return None
        data = memoryview(buffer)[:written]
        digest = hashlib.sha256(data).hexdigest()
        pieces = encode_pieces(cached)
        ids_digest = hashlib.sha256(
            np.asarray(cached.position_ids(), dtype="<i8").tobytes()
        ).hexdigest()
        name = (
            hashlib.sha256(json.dumps([self.key.as_dict(), ids_digest]).encode()).hexdigest()[:32]
            + SUFFIX
        )
        header = json.dumps(
            {
                "key": self.key.as_dict(),
                "pieces": pieces,
                "ids_sha256": ids_digest,
                "data_size": written,
                "data_sha256": digest,
            }
        ).encode("utf-8")
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / name
        handle, temporary = tempfile.mkstemp(prefix=".saving-", dir=self.folder)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(_PREAMBLE.pack(MAGIC, FORMAT_VERSION, len(header)))
                file.write(header)
                file.write(data)
            os.replace(
                temporary, path
            )  # a crash mid-write leaves no half file under a state's name
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            _LOGGER.warning("Could not save a conversation's cache: %s", exc)
            return None
        entry = SavedState(
            path, self.key.as_dict(), cached, written, digest, _PREAMBLE.size + len(header)
        )
        self._drop_prefixes_of(entry)
        self.entries[path] = entry
        self.enforce_budget()
        return entry if path in self.entries else None

    def _drop_prefixes_of(self, entry: SavedState) -> None:
        """Remove saved states that ``entry`` supersedes (a shorter start of the same conversation)."""
        ids = entry.ids
        for other in list(self.entries.values()):
            if other.path != entry.path:
                other_ids = other.ids
                if len(other_ids) <= len(ids) and common_prefix_length(other_ids, ids) == len(
                    other_ids
                ):
                    self.forget(other)

    def enforce_budget(self) -> None:
        """Delete the least recently used state files (any model's) until the folder fits the budget."""
        files = []
        for path in self.folder.glob(f"*{SUFFIX}"):
            with contextlib.suppress(OSError):
                stat = path.stat()
                files.append((stat.st_mtime_ns, stat.st_size, path))
        files.sort()
        total = sum(size for _mtime, size, _path in files)
        for _mtime, size, path in files:
            if total <= self.budget_bytes:
                break
            self._discard(path, None)
            total -= size

    def forget(self, entry: SavedState) -> None:
        """Delete a saved state."""
        self._discard(entry.path, None)

    def _discard(self, path: Path, reason: str | None) -> None:
        if reason:
            self.refused += 1
            _LOGGER.info("Discarding the saved cache %s: %s", path.name, reason)
        self.entries.pop(path, None)
        with contextlib.suppress(OSError):
            path.unlink()

    # -- restoring ---------------------------------------------------------------------------
    def load(self, ctx: Any, seq_id: int, entry: SavedState) -> PromptSequence | None:
        """Restore ``entry`` into sequence ``seq_id``; what it holds, or ``None`` (refused and discarded)."""
        import llama_cpp

        try:
            current = read_header(entry.path)
            if current.key != self.key.as_dict():
                raise ValueError("it was written for another model, projector, context or build")
            with open(entry.path, "rb") as file:
                file.seek(current.data_offset)
                data = bytearray(current.data_size)
                if file.readinto(data) != current.data_size or file.read(1):
                    raise ValueError("its length is not the one its header gives (truncated?)")
            if hashlib.sha256(data).hexdigest() != current.data_sha256:
                raise ValueError("its checksum does not match (damaged)")
        except (OSError, ValueError) as exc:
            self._discard(entry.path, str(exc))
            return None
        buffer = (ctypes.c_uint8 * len(data)).from_buffer(data)
        if int(llama_cpp.llama_state_seq_set_data(ctx, buffer, len(data), seq_id)) <= 0:
            llama_cpp.llama_memory_seq_rm(llama_cpp.llama_get_memory(ctx), seq_id, -1, -1)
            self._discard(entry.path, "llama.cpp could not restore it")
            return None
        with contextlib.suppress(OSError):
            os.utime(entry.path)  # recently used: kept longest within the budget
        self.restored += 1
        return current.cached
