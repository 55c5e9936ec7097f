"""GGUF checks on small files made here with the ``gguf`` writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoglm.core.errors import ModelError
from autoglm.core.gguf_file import inspect_gguf


def test_reads_metadata(tmp_path: Path, tiny_gguf) -> None:
    summary = inspect_gguf(tiny_gguf(tmp_path / "tiny.gguf"))
    assert summary.architecture == "llama"
    assert summary.name == "tiny test model"
    assert summary.context_length == 256
    assert summary.block_count == 2
    assert summary.head_count_kv == 2
    assert summary.key_length == 4
    assert summary.quantization == "F16"
    assert summary.has_chat_template
    assert summary.n_params == 100 * 16 + 16 * 16
    assert summary.kv_cache_bytes(256) == 2 * 2 * (4 + 4) * 256 * 2
    assert not summary.is_projector


def test_truncated_file_is_refused_in_words(tmp_path: Path, tiny_gguf) -> None:
    source = tiny_gguf(tmp_path / "whole.gguf")
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(source.read_bytes()[:-100])
    with pytest.raises(ModelError, match="truncated"):
        inspect_gguf(cut)


def test_header_cut_short_is_refused_in_words(tmp_path: Path, tiny_gguf) -> None:
    source = tiny_gguf(tmp_path / "whole.gguf")
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(source.read_bytes()[:60])
    with pytest.raises(ModelError, match="damaged or truncated"):
        inspect_gguf(cut)


def test_text_file_named_gguf_is_refused(tmp_path: Path, tiny_gguf) -> None:
    fake = tmp_path / "notes.gguf"
    fake.write_text("these are my notes, not a model\n")
    with pytest.raises(ModelError, match="not a GGUF model"):
        inspect_gguf(fake)


def test_empty_and_missing_files(tmp_path: Path, tiny_gguf) -> None:
    empty = tmp_path / "empty.gguf"
    empty.write_bytes(b"")
    with pytest.raises(ModelError, match="not a GGUF model"):
        inspect_gguf(empty)
    with pytest.raises(ModelError, match="was not found"):
        inspect_gguf(tmp_path / "missing.gguf")
    with pytest.raises(ModelError, match="not a file"):
        inspect_gguf(tmp_path)
