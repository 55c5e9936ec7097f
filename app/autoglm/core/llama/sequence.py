"""A multimodal prompt as the KV cache sees it, and how much of it is already there.

A prompt is a list of pieces: runs of text tokens and media chunks (an image's
embeddings). What a KV sequence holds is known the same way (``slots.Slot.cached``), and
compared one id per position; a media chunk occupies its positions with a *sentinel*: a
negative id derived from the image's hash. No text token is negative, so
the text-only path's prefix matching stops at the first image, and two prompts that hold
the same image at the same place compare equal there — so a follow-up question keeps the
image's KV entries instead of re-encoding and re-evaluating it.

With M-RoPE models (Qwen2-VL, GLM-4.1V) an image uses fewer positions than KV cells
(``n_pos`` < ``n_tokens``); positions say where the next token goes, cells are what must
fit in the context.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np


def sentinel_id(key: str) -> int:
    """A negative token id standing for one media chunk: never equal to a text token."""
    value = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:4], "little") & 0x7FFFFFFF
    return -1 - (value % 0x7FFFFFFF)


@dataclass(frozen=True)
class MediaPiece:
    """One media chunk of a prompt: ``key`` is the image hash (plus the chunk's index)."""

    key: str
    n_tokens: int
    n_pos: int

    @property
    def sentinel(self) -> int:
        """The id this chunk's positions carry when prompts are compared."""
        return sentinel_id(self.key)


Piece = list[int] | MediaPiece


@dataclass
class PromptSequence:
    """Text token runs and media chunks, in prompt order."""

    pieces: list[Piece] = field(default_factory=list)

    def add_text(self, tokens: Sequence[int]) -> None:
        """Append text tokens (merged with a preceding text run)."""
        if not tokens:
            return
        if self.pieces and isinstance(self.pieces[-1], list):
            self.pieces[-1].extend(tokens)
        else:
            self.pieces.append(list(tokens))

    def add_media(self, piece: MediaPiece) -> None:
        """Append a media chunk."""
        self.pieces.append(piece)

    def extend(self, other: PromptSequence) -> None:
        """Append every piece of ``other``."""
        for piece in other.pieces:
            if isinstance(piece, MediaPiece):
                self.add_media(piece)
            else:
                self.add_text(piece)

    @property
    def n_positions(self) -> int:
        """Positions the prompt occupies (where the next token goes in its KV sequence)."""
        return sum(p.n_pos if isinstance(p, MediaPiece) else len(p) for p in self.pieces)

    @property
    def n_cells(self) -> int:
        """KV cells the prompt needs (what must fit in the context)."""
        return sum(p.n_tokens if isinstance(p, MediaPiece) else len(p) for p in self.pieces)

    @property
    def media(self) -> list[MediaPiece]:
        """The media chunks, in order."""
        return [p for p in self.pieces if isinstance(p, MediaPiece)]

    def position_ids(self) -> list[int]:
        """One id per position: text tokens, and each media chunk's sentinel repeated."""
        ids: list[int] = []
        for piece in self.pieces:
            if isinstance(piece, MediaPiece):
                ids.extend([piece.sentinel] * piece.n_pos)
            else:
                ids.extend(piece)
        return ids

    def cells_before(self, position: int) -> int:
        """KV cells used by the positions before ``position`` (media chunks counted whole)."""
        cells = 0
        start = 0
        for piece in self.pieces:
            if start >= position:
                break
            if isinstance(piece, MediaPiece):
                cells += piece.n_tokens
                start += piece.n_pos
            else:
                taken = min(len(piece), position - start)
                cells += taken
                start += len(piece)
        return cells

    def media_before(self, position: int) -> int:
        """How many media chunks lie wholly within the first ``position`` positions."""
        count = 0
        start = 0
        for piece in self.pieces:
            length = piece.n_pos if isinstance(piece, MediaPiece) else len(piece)
            if start + length > position:
                break
            count += isinstance(piece, MediaPiece)
            start += length
        return count

    def prefix(self, position: int) -> PromptSequence:
        """The pieces of the first ``position`` positions (a media chunk is kept whole or not at all)."""
        kept = PromptSequence()
        start = 0
        for piece in self.pieces:
            if start >= position:
                break
            if isinstance(piece, MediaPiece):
                if start + piece.n_pos > position:
                    break
                kept.add_media(piece)
                start += piece.n_pos
            else:
                kept.add_text(piece[: position - start])
                start += len(piece)
        return kept

    def remainder(self, position: int) -> Iterator[Piece]:
        """The pieces still to evaluate when the cache holds the first ``position`` positions."""
        start = 0
        for piece in self.pieces:
            length = piece.n_pos if isinstance(piece, MediaPiece) else len(piece)
            end = start + length
            if end > position:
                if isinstance(piece, MediaPiece):
                    if start < position:
                        raise ValueError("a media chunk cannot be split")
                    yield piece
                else:
                    yield piece[max(0, position - start) :]
            start = end


def common_prefix_length(cached: Sequence[int], ids: Sequence[int]) -> int:
    """How many leading ids of ``ids`` equal those already in the cache."""
    limit = min(len(cached), len(ids))
    if limit == 0:
        return 0
    differ = np.flatnonzero(
        np.asarray(cached[:limit], dtype=np.int64) != np.asarray(ids[:limit], dtype=np.int64)
    )
    return int(differ[0]) if differ.size else limit


def reusable_prefix(cached: Sequence[int], sequence: PromptSequence) -> int:
    """How many leading positions of the cache can stay for ``sequence``.

    At least the last position is always re-evaluated (fresh logits to sample from), and
    a media chunk is kept whole or not at all.
    """
    ids = sequence.position_ids()
    keep = common_prefix_length(cached, ids)
    if keep >= len(ids):
        keep = len(ids) - 1
    start = 0
    for piece in sequence.pieces:
        length = piece.n_pos if isinstance(piece, MediaPiece) else len(piece)
        if start >= keep:
            break
        if isinstance(piece, MediaPiece) and start < keep < start + length:
            return start
        start += length
    return max(0, keep)
