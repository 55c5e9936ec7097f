"""Which KV sequence of the shared context a request continues, and which ones make room.

Each recent conversation keeps its own sequence in one llama.cpp context (a unified KV
cache: the cells are shared, so a long conversation may use most of them while short
ones use little). A request goes to the sequence whose cached tokens share the longest
prefix with its prompt, as llama.cpp's server picks a slot:

* all of that sequence but a short tail is reused (a follow-up: the reply as the template
  renders it differs from the sampled tokens by a few at most): it continues there, and
  the tail past the common prefix is dropped (short: at most ``MAX_DROPPED_TAIL``
  positions, and no more than what is kept, so a short conversation is not overwritten
  by another that merely starts alike);
* only a start is shared (a regenerated reply, an edited message, two API clients with
  one system prompt): the shared start is copied into a free sequence (in a unified
  cache the copy shares the cells, it costs no memory) and the old branch stays for a
  switch back;
* nothing is shared: a free sequence starts from empty.

The least recently used sequences are evicted when the cells or the sequences run out.
This module is pure bookkeeping (no llama.cpp call), so its choices are unit-tested.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

from autoglm.core.llama.sequence import MediaPiece, Piece, PromptSequence, reusable_prefix

MIN_SHARED_POSITIONS = 32  # a shorter common start is not worth a sequence copy
MAX_DROPPED_TAIL = 64  # a sequence is continued in place when it loses at most this many positions


@dataclass
class Slot:
    """One KV sequence and exactly what it holds."""

    seq_id: int
    cached: PromptSequence = field(default_factory=PromptSequence)
    last_used: int = 0
    n_positions: int = 0
    n_cells: int = 0
    restored: bool = False  # its start came from a state saved on disk
    saved_path: Path | None = None  # a saved state of (a prefix of) ``cached``
    saved_positions: int = 0  # how many leading positions that state holds

    def append(self, piece: Piece) -> None:
        """Record a text run or media chunk evaluated after the cached ones."""
        if isinstance(piece, MediaPiece):
            self.cached.add_media(piece)
            self.n_positions += piece.n_pos
            self.n_cells += piece.n_tokens
        elif piece:
            self.cached.add_text(piece)
            self.n_positions += len(piece)
            self.n_cells += len(piece)

    def truncate(self, position: int) -> None:
        """Keep only the first ``position`` positions (what ``llama_memory_seq_rm`` left)."""
        if position >= self.n_positions:
            return
        self.cached = self.cached.prefix(position)
        self.n_positions = self.cached.n_positions
        self.n_cells = self.cached.n_cells
        if self.saved_positions > self.n_positions:
            self.saved_path, self.saved_positions = None, 0

    def replace(self, cached: PromptSequence) -> None:
        """The sequence now holds ``cached`` (a restored state, a copied prefix, or nothing)."""
        self.cached = PromptSequence()
        self.n_positions = self.n_cells = 0
        self.restored = False
        self.saved_path, self.saved_positions = None, 0
        for piece in cached.pieces:
            self.append(piece if isinstance(piece, MediaPiece) else list(piece))

    @property
    def unsaved(self) -> bool:
        """Whether it holds more than what is saved of it."""
        return self.n_positions > self.saved_positions


@dataclass(frozen=True)
class Choice:
    """Where a prompt goes: ``slot`` keeps its first ``keep`` positions (copied from ``copy_from`` if set).

    ``slot`` is ``None`` when a new sequence is needed (``new_slot``, after evicting one if none is free).
    """

    slot: Slot | None
    keep: int
    copy_from: Slot | None = None


class SlotTable:
    """The sequences of one context (``n_seq`` of them, ``n_cells`` shared cells) and their use."""

    def __init__(self, n_seq: int, n_cells: int):
        self.n_seq = n_seq
        self.n_cells = n_cells
        self.slots: dict[int, Slot] = {}
        self._clock = itertools.count(1)

    @property
    def used_cells(self) -> int:
        """Cells the held sequences take (shared copies counted for each: an upper bound)."""
        return sum(slot.n_cells for slot in self.slots.values())

    def touch(self, slot: Slot) -> None:
        """Mark ``slot`` as the most recently used."""
        slot.last_used = next(self._clock)

    def best_match(self, sequence: PromptSequence) -> tuple[Slot | None, int]:
        """The held sequence sharing the longest prefix with ``sequence``, and that prefix's length."""
        best: Slot | None = None
        best_keep = 0
        for slot in self.slots.values():
            if not slot.n_positions:
                continue
            keep = reusable_prefix(slot.cached.position_ids(), sequence)
            if keep > best_keep or (
                keep == best_keep and best is not None and keep and slot.last_used > best.last_used
            ):
                best, best_keep = slot, keep
        return best, best_keep

    def choose(self, sequence: PromptSequence, busy: set[int] | None = None) -> Choice:
        """Where ``sequence`` is evaluated (see the module's docstring).

        A ``busy`` sequence (another reply is decoding into it) is never continued: what
        it shares with ``sequence`` is copied into a free one instead.
        """
        best, keep = self.best_match(sequence)
        dropped = best.n_positions - keep if best is not None else 0
        in_use = best is not None and best.seq_id in (busy or set())
        if best is not None and not in_use and dropped <= min(MAX_DROPPED_TAIL, keep):
            return Choice(best, keep)
        if best is not None and keep >= MIN_SHARED_POSITIONS:
            return Choice(None, keep, copy_from=best)
        return Choice(None, 0)

    def new_slot(self) -> Slot:
        """An empty sequence with a free id (evict one with ``victims(…, sequences_needed=1)`` first)."""
        free = next((seq for seq in range(self.n_seq) if seq not in self.slots), None)
        if free is None:
            raise LookupError("every sequence is held")
        slot = Slot(free)
        self.slots[free] = slot
        self.touch(slot)
        return slot

    def victims(
        self, keep: set[int], cells_needed: int = 0, sequences_needed: int = 0
    ) -> list[Slot]:
        """Least recently used sequences (not in ``keep``) to evict for the room asked for."""
        order = sorted(
            (s for s in self.slots.values() if s.seq_id not in keep), key=lambda s: s.last_used
        )
        chosen: list[Slot] = []
        used = self.used_cells
        free_sequences = self.n_seq - len(self.slots)
        for slot in order:
            if used + cells_needed <= self.n_cells and free_sequences >= sequences_needed:
                break
            chosen.append(slot)
            used -= slot.n_cells
            free_sequences += 1
        return chosen

    def remove(self, slot: Slot) -> None:
        """Forget ``slot`` (its sequence was cleared)."""
        self.slots.pop(slot.seq_id, None)
