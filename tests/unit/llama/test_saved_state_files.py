"""Saved KV state files: their header round-trips, and a damaged or foreign file is never indexed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autoglm.core.llama.saved_states import (
    _PREAMBLE,
    FORMAT_VERSION,
    MAGIC,
    StateKey,
    StateStore,
    decode_pieces,
    encode_pieces,
    read_header,
)
from autoglm.core.llama.sequence import MediaPiece, PromptSequence

KEY = StateKey("model.gguf|1|2", "", "flash_attn=0;kv=f16", "build A")


def prompt() -> PromptSequence:
    sequence = PromptSequence()
    sequence.add_text([1, 2, 3, 70000])
    sequence.add_media(MediaPiece("abc:0", n_tokens=64, n_pos=4))
    sequence.add_text([5])
    return sequence


def write_state(path: Path, key: StateKey, data: bytes = b"kv" * 50) -> None:
    header = json.dumps(
        {
            "key": key.as_dict(),
            "pieces": encode_pieces(prompt()),
            "ids_sha256": "",
            "data_size": len(data),
            "data_sha256": "0" * 64,
        }
    ).encode()
    path.write_bytes(_PREAMBLE.pack(MAGIC, FORMAT_VERSION, len(header)) + header + data)


def test_pieces_round_trip_through_the_header() -> None:
    assert decode_pieces(encode_pieces(prompt())).pieces == prompt().pieces


def test_a_header_cut_short_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.kvstate"
    write_state(path, KEY)
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(ValueError, match="cut short"):
        read_header(path)


def test_scan_keeps_this_models_states_skips_other_models_and_removes_other_builds(
    tmp_path: Path,
) -> None:
    write_state(tmp_path / "mine.kvstate", KEY)
    write_state(
        tmp_path / "other-model.kvstate", StateKey("other.gguf|1|2", "", KEY.context, KEY.build)
    )
    write_state(tmp_path / "old-build.kvstate", StateKey(KEY.model, "", KEY.context, "build B"))
    (tmp_path / "garbage.kvstate").write_bytes(b"not a state")
    store = StateStore(tmp_path, KEY, budget_bytes=1 << 20)
    store.scan()
    assert [p.name for p in store.entries] == ["mine.kvstate"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.kvstate", "other-model.kvstate"]
    entry, keep = store.best_match([1, 2, 3, 70000, 9])
    assert entry is not None and keep == 4


def test_the_disk_budget_removes_the_least_recently_used_files(tmp_path: Path) -> None:
    import os

    for index, name in enumerate(["old", "middle", "new"]):
        write_state(tmp_path / f"{name}.kvstate", KEY, data=b"x" * 1000)
        os.utime(tmp_path / f"{name}.kvstate", ns=(index * 10**9, index * 10**9))
    size = (tmp_path / "new.kvstate").stat().st_size
    StateStore(tmp_path, KEY, budget_bytes=2 * size).enforce_budget()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["middle.kvstate", "new.kvstate"]
