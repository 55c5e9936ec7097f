"""Which KV sequence a prompt continues, and which are evicted for room (pure bookkeeping)."""

from __future__ import annotations

from autoglm.core.llama.sequence import MediaPiece, PromptSequence
from autoglm.core.llama.slots import MAX_DROPPED_TAIL, MIN_SHARED_POSITIONS, SlotTable


def text(tokens: list[int]) -> PromptSequence:
    sequence = PromptSequence()
    sequence.add_text(tokens)
    return sequence


def held(table: SlotTable, tokens: list[int]):
    slot = table.new_slot()
    slot.append(list(tokens))
    return slot


def test_a_follow_up_continues_its_own_conversation_not_the_latest() -> None:
    table = SlotTable(n_seq=4, n_cells=1000)
    a = held(table, list(range(100)))
    b = held(table, list(range(1000, 1100)))
    table.touch(b)
    choice = table.choose(text(list(range(100)) + [7, 8, 9]))
    assert choice.slot is a and choice.keep == 100 and choice.copy_from is None


def test_a_short_tail_is_dropped_in_place_and_a_longer_one_branches() -> None:
    table = SlotTable(n_seq=4, n_cells=1000)
    a = held(table, list(range(200)))
    tail = table.choose(text(list(range(200 - MAX_DROPPED_TAIL)) + [-5, -6]))
    assert tail.slot is a and tail.keep == 200 - MAX_DROPPED_TAIL
    early = table.choose(text(list(range(MIN_SHARED_POSITIONS + 8)) + [-5] * 10))
    assert early.slot is None and early.copy_from is a and early.keep == MIN_SHARED_POSITIONS + 8
    unrelated = table.choose(text([5000, 5001, 5002]))
    assert unrelated.slot is None and unrelated.copy_from is None and unrelated.keep == 0


def test_a_short_conversation_is_not_overwritten_by_one_that_merely_starts_alike() -> None:
    table = SlotTable(n_seq=4, n_cells=1000)
    held(table, list(range(60)))
    other = table.choose(text(list(range(5)) + [9000] * 60))
    assert other.slot is None and other.keep == 0


def test_victims_are_the_least_recently_used_until_the_room_fits() -> None:
    table = SlotTable(n_seq=3, n_cells=300)
    old = held(table, list(range(100)))
    middle = held(table, list(range(1000, 1100)))
    new = held(table, list(range(2000, 2100)))
    assert table.victims({new.seq_id}, cells_needed=0) == []
    assert table.victims({new.seq_id}, cells_needed=50) == [old]
    assert table.victims({new.seq_id}, cells_needed=150) == [old, middle]
    assert table.victims({old.seq_id}, sequences_needed=1) == [middle]


def test_truncating_keeps_media_whole_and_counts_cells_not_positions() -> None:
    table = SlotTable(n_seq=2, n_cells=1000)
    slot = table.new_slot()
    slot.append([1, 2, 3])
    slot.append(MediaPiece("img:0", n_tokens=64, n_pos=4))  # M-RoPE: fewer positions than cells
    slot.append([4, 5])
    assert (slot.n_positions, slot.n_cells) == (9, 69)
    slot.truncate(8)
    assert (slot.n_positions, slot.n_cells) == (8, 68)
    slot.truncate(5)  # inside the image: the image goes whole
    assert (slot.n_positions, slot.n_cells) == (3, 3)
    assert slot.cached.pieces == [[1, 2, 3]]
