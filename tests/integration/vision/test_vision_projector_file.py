"""Projector files are checked before llama.cpp opens them: wrong kind or wrong model is one sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoglm.core.errors import ModelError
from autoglm.core.gguf_file import inspect_gguf
from autoglm.core.llama.engine import LlamaEngine
from autoglm.core.llama.projector import check_projector_file
from autoglm.core.settings import ModelSettings
from autoglm.vision.synthetic import write_random_projector


def test_the_generated_projector_passes_and_describes_itself(
    projector_gguf: Path, starter_gguf: Path
) -> None:
    summary = check_projector_file(projector_gguf, inspect_gguf(starter_gguf))
    assert summary.is_projector and summary.projector_type == "mlp"
    assert summary.metadata["clip.vision.projection_dim"] == 896


def test_a_language_model_given_as_projector_is_refused(starter_gguf: Path) -> None:
    with pytest.raises(ModelError, match="is a language model, not a vision projector"):
        check_projector_file(starter_gguf)


def test_a_projector_for_another_model_is_refused_before_loading(
    tmp_path: Path, starter_gguf: Path
) -> None:
    other = write_random_projector(tmp_path / "mmproj-other.gguf", 512, image_size=28, blocks=1)
    engine = LlamaEngine(starter_gguf, ModelSettings(n_ctx=512, n_threads=2), mmproj_path=other)
    with pytest.raises(
        ModelError, match="projects images to 512 values, but the language model expects 896"
    ):
        engine.load()
    assert not engine.loaded


def test_a_truncated_projector_is_refused(tmp_path: Path, projector_gguf: Path) -> None:
    cut = tmp_path / "mmproj-cut.gguf"
    cut.write_bytes(projector_gguf.read_bytes()[: projector_gguf.stat().st_size // 2])
    with pytest.raises(ModelError, match="truncated"):
        check_projector_file(cut)
