"""GGUF checks on small files made here with the ``gguf`` writer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from autoglm.core.errors import ModelError
from autoglm.core.gguf_file import inspect_gguf


def write_tiny_gguf(path: Path, arch: str = "llama") -> Path:
    import gguf

    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_name("tiny test model")
    writer.add_context_length(256)
    writer.add_embedding_length(16)
    writer.add_block_count(2)
    writer.add_head_count(4)
    writer.add_head_count_kv(2)
    writer.add_file_type(1)
    writer.add_chat_template("{{ messages }}")
    writer.add_token_list([f"t{i}" for i in range(100)])
    writer.add_tensor("token_embd.weight", np.ones((100, 16), dtype=np.float16))
    writer.add_tensor("blk.0.attn_q.weight", np.ones((16, 16), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def test_reads_metadata(tmp_path: Path) -> None:
    summary = inspect_gguf(write_tiny_gguf(tmp_path / "tiny.gguf"))
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


def test_truncated_file_is_refused_in_words(tmp_path: Path) -> None:
    source = write_tiny_gguf(tmp_path / "whole.gguf")
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(source.read_bytes()[:-100])
    with pytest.raises(ModelError, match="truncated"):
        inspect_gguf(cut)


def test_header_cut_short_is_refused_in_words(tmp_path: Path) -> None:
    source = write_tiny_gguf(tmp_path / "whole.gguf")
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(source.read_bytes()[:60])
    with pytest.raises(ModelError, match="damaged or truncated"):
        inspect_gguf(cut)


def test_text_file_named_gguf_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "notes.gguf"
    fake.write_text("these are my notes, not a model\n")
    with pytest.raises(ModelError, match="not a GGUF model"):
        inspect_gguf(fake)


def test_empty_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.gguf"
    empty.write_bytes(b"")
    with pytest.raises(ModelError, match="not a GGUF model"):
        inspect_gguf(empty)
    with pytest.raises(ModelError, match="was not found"):
        inspect_gguf(tmp_path / "missing.gguf")
    with pytest.raises(ModelError, match="not a file"):
        inspect_gguf(tmp_path)
