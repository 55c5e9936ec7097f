"""The real embedding model, loaded once for the documents tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[2]))  # tests/fixtures


@pytest.fixture(scope="session")
def sentence_embedder() -> Iterator[object]:
    """The documents' multilingual embedding model (onnxruntime), shared by the tests."""
    from autoglm.knowledge.embedder import SentenceEmbedder

    embedder = SentenceEmbedder(threads=2, idle_unload_s=0)
    yield embedder
    embedder.close()
