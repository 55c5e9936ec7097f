"""How much of a multimodal prompt the KV cache already holds (pure logic)."""

from __future__ import annotations

import pytest

from autoglm.core.llama.sequence import MediaPiece, PromptSequence, reusable_prefix, sentinel_id

IMAGE_A = MediaPiece("a" * 64 + ":0", n_tokens=6, n_pos=6)
IMAGE_B = MediaPiece("b" * 64 + ":0", n_tokens=6, n_pos=6)


def prompt(*pieces) -> PromptSequence:
    sequence = PromptSequence()
    for piece in pieces:
        if isinstance(piece, MediaPiece):
            sequence.add_media(piece)
        else:
            sequence.add_text(piece)
    return sequence


def test_sentinels_are_negative_stable_and_distinct() -> None:
    assert IMAGE_A.sentinel < 0 and IMAGE_B.sentinel < 0
    assert IMAGE_A.sentinel == sentinel_id(IMAGE_A.key)
    assert IMAGE_A.sentinel != IMAGE_B.sentinel
    assert all(-(2**31) <= sentinel_id(str(i)) <= -1 for i in range(1000))


def test_follow_up_keeps_the_image_and_evaluates_only_the_new_text() -> None:
    first = prompt([1, 2, 3], IMAGE_A, [4, 5])
    cached = first.position_ids()
    follow = prompt([1, 2, 3], IMAGE_A, [4, 5, 6, 7, 8])
    keep = reusable_prefix(cached, follow)
    assert keep == 3 + 6 + 2
    assert follow.media_before(keep) == 1
    assert list(follow.remainder(keep)) == [[6, 7, 8]]
    assert follow.cells_before(keep) == 11


def test_a_different_image_at_the_same_place_is_not_reused() -> None:
    cached = prompt([1, 2, 3], IMAGE_A, [4, 5]).position_ids()
    other = prompt([1, 2, 3], IMAGE_B, [4, 5])
    keep = reusable_prefix(cached, other)
    assert keep == 3
    assert list(other.remainder(keep)) == [IMAGE_B, [4, 5]]


def test_an_identical_prompt_still_re_evaluates_its_last_token() -> None:
    same = prompt([1, 2], IMAGE_A, [3, 4])
    keep = reusable_prefix(same.position_ids(), same)
    assert keep == same.n_positions - 1
    assert list(same.remainder(keep)) == [[4]]


def test_a_media_chunk_is_never_split() -> None:
    ends_with_image = prompt([1, 2], IMAGE_A)
    keep = reusable_prefix(ends_with_image.position_ids(), ends_with_image)
    assert keep == 2  # keeping 7 of 8 positions would cut the image: it is evaluated again whole
    partly_cached = prompt([1, 2], IMAGE_A, [3]).position_ids()[:5]
    assert reusable_prefix(partly_cached, prompt([1, 2], IMAGE_A, [3])) == 2
    with pytest.raises(ValueError):
        list(prompt([1, 2], IMAGE_A).remainder(4))


def test_text_only_cache_stops_at_the_first_image() -> None:
    text_cache = [1, 2, 3, 99, 98, 97]
    keep = reusable_prefix(text_cache, prompt([1, 2, 3], IMAGE_A, [4]))
    assert keep == 3


def test_mrope_images_count_positions_and_cells_apart() -> None:
    grid = MediaPiece("c" * 64 + ":0", n_tokens=16, n_pos=4)
    sequence = prompt([1, 2], grid, [3, 4, 5])
    assert sequence.n_positions == 2 + 4 + 3
    assert sequence.n_cells == 2 + 16 + 3
    assert len(sequence.position_ids()) == sequence.n_positions
    keep = reusable_prefix(prompt([1, 2], grid, [3]).position_ids(), sequence)
    assert keep == 7 and sequence.cells_before(keep) == 19


def test_adjacent_text_runs_merge() -> None:
    sequence = prompt([1], [2, 3], IMAGE_A, [], [4])
    assert sequence.pieces == [[1, 2, 3], IMAGE_A, [4]]
