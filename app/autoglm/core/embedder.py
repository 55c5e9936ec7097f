"""Text embeddings behind one small interface, so a dedicated embedding model can replace the default.

The default is the language model's own: a second llama.cpp context on the same GGUF
(the weights are memory-mapped, so they are shared, not loaded twice) with mean
pooling, opened on the first request and used under a lock.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Protocol

from autoglm.core.errors import InputError, ModelError

_LOGGER = logging.getLogger(__name__)


class Embedder(Protocol):
    """Turns texts into vectors."""

    model_id: str

    def embed(self, texts: list[str]) -> tuple[list[list[float]], int]:
        """One unit-length vector per text, and how many tokens they took."""
        ...

    def detokenize(self, tokens: list[int]) -> str:
        """Token ids (as some clients send them) back to text."""
        ...


class LlamaEmbedder:
    """Mean-pooled, normalised embeddings of a GGUF language model, loaded on first use."""

    def __init__(
        self, model_path: str | Path, model_id: str, n_threads: int | None = None, n_ctx: int = 2048
    ):
        self.model_path = Path(model_path)
        self.model_id = model_id
        self.n_threads = n_threads
        self.n_ctx = n_ctx
        self._llama: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._llama is None:
            import llama_cpp

            from autoglm.core.llama.engine import default_thread_count

            threads = self.n_threads or default_thread_count()
            try:
                self._llama = llama_cpp.Llama(
                    model_path=str(self.model_path),
                    embedding=True,
                    n_ctx=self.n_ctx,
                    n_batch=self.n_ctx,
                    n_ubatch=self.n_ctx,
                    n_threads=threads,
                    n_threads_batch=threads,
                    n_gpu_layers=0,
                    pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN,
                    verbose=False,
                )
            except (ValueError, RuntimeError, OSError) as exc:
                raise ModelError(f"The embedding model could not be opened: {exc}.") from exc
            _LOGGER.info("Embeddings from %s", self.model_path.name)
        return self._llama

    def detokenize(self, tokens: list[int]) -> str:
        """Token ids (as some clients send them) back to text."""
        with self._lock:
            llama = self._load()
            if any(not 0 <= token < llama.n_vocab() for token in tokens):
                raise InputError(f"Token ids must be between 0 and {llama.n_vocab() - 1}.")
            return llama.detokenize(tokens).decode("utf-8", errors="replace")

    def embed(self, texts: list[str]) -> tuple[list[list[float]], int]:
        """One unit-length vector per text; ``InputError`` for a text longer than the context."""
        with self._lock:
            llama = self._load()
            total = 0
            for index, text in enumerate(texts):
                count = len(llama.tokenize(text.encode("utf-8"), add_bos=True, special=False))
                if count == 0:
                    raise InputError(f"Input {index} is empty.")
                if count > self.n_ctx:
                    raise InputError(
                        f"Input {index} is {count} tokens long; the embedding limit is {self.n_ctx}."
                    )
                total += count
            vectors = llama.embed(texts, normalize=True, truncate=False)
            return [list(map(float, vector)) for vector in vectors], total

    def close(self) -> None:
        """Free the context."""
        with self._lock:
            if self._llama is not None:
                self._llama.close()
                self._llama = None
