"""What the API serves from: the app's own scheduler and model, and its speech models.

The server never loads a language model itself. It is handed the desktop app's
``Runtime`` (or, in tests and benchmarks, a started ``Scheduler`` whose engine is
loaded) and submits to that scheduler, so the app and the API share one model. The
speech models are the runtime's too (the voice loop uses the same ones, so whisper and
piper are loaded once); only a bare scheduler, which has none, gets its own, made here
and loaded on the first audio request.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Protocol

from autoglm.core.catalog import ModelRepository
from autoglm.core.embedder import Embedder
from autoglm.core.engine_choice import remote_url
from autoglm.core.paths import app_paths
from autoglm.core.scheduler import Scheduler
from autoglm.core.settings import Settings, interface_language
from autoglm.core.speech import Recognizer, Synthesizer
from autoglm.core.types import ModelInfo

_LOGGER = logging.getLogger(__name__)


class ServingSource(Protocol):
    """What the API serves from: the app's ``Runtime`` (or a benchmark's wrapper of one)."""

    settings: Settings
    repository: ModelRepository

    @property
    def scheduler(self) -> Scheduler:
        """The scheduler requests are submitted to."""

    @property
    def model_info(self) -> ModelInfo | None:
        """The loaded model, or ``None``."""

    @property
    def ready(self) -> bool:
        """Whether requests can be answered now."""

    @property
    def has_speech(self) -> bool:
        """Whether it can make speech models."""

    @property
    def recognizer(self) -> Recognizer:
        """Its speech recogniser."""

    @property
    def synthesizer(self) -> Synthesizer:
        """Its voices."""


class ServingBackend:
    """The scheduler, the loaded model's identity and the speech models, behind one object."""

    def __init__(
        self,
        source: ServingSource | Scheduler,
        settings: Settings,
        transcriber: Recognizer | None = None,
        synthesizer: Synthesizer | None = None,
    ):
        self._source = source
        self.settings = settings
        self._transcriber = transcriber
        self._synthesizer = synthesizer
        self._speech_lock = threading.Lock()
        self.asr_lock = threading.Lock()
        self.tts_lock = threading.Lock()
        self._repository: ModelRepository | None = (
            None if isinstance(source, Scheduler) else source.repository
        )
        self._embedder: Embedder | None = getattr(source, "embedder", None)
        self._documents: Any = None

    @property
    def scheduler(self) -> Scheduler:
        """The scheduler every request is submitted to."""
        return self._source if isinstance(self._source, Scheduler) else self._source.scheduler

    @property
    def model_info(self) -> ModelInfo | None:
        """The loaded model, or ``None`` while none is ready."""
        if isinstance(self._source, Scheduler):
            engine = self._source.engine
            return engine.info if engine.loaded else None
        return self._source.model_info if self._source.ready else None

    def present_model_ids(self) -> list[str]:
        """Language models on this computer (loaded or not): catalog models present, then imported ones."""
        if self._repository is None:
            self._repository = ModelRepository(app_paths())
        try:
            ids = [
                entry.id
                for entry in self._repository.catalog.entries("llm")
                if self._repository.status(entry).present
            ]
            return ids + [
                model_id for model_id in self._repository.imported() if model_id not in ids
            ]
        except OSError:
            _LOGGER.warning("Could not list the models on disk", exc_info=True)
            return []

    @property
    def can_load_models(self) -> bool:
        """Whether a request may load another installed model: the app's own local engine only
        (not a bare scheduler, not a remote server)."""
        if isinstance(self._source, Scheduler) or not hasattr(self._source, "load_model"):
            return False
        return remote_url(self._source.settings) is None

    def load_model(self, model_id: str) -> ModelInfo:
        """Load that installed model in place of the one served (blocking; every front follows)."""
        if not self.can_load_models:
            raise RuntimeError("this server cannot load models")
        _LOGGER.info("An API request asked for %s: loading it", model_id)
        return self._source.load_model(model_id)  # type: ignore[union-attr]

    @property
    def transcriber(self) -> Recognizer:
        """The speech recogniser: the runtime's, else one made here (loads on first transcription)."""
        if (
            self._transcriber is None
            and not isinstance(self._source, Scheduler)
            and self._source.has_speech
        ):
            return self._source.recognizer
        with self._speech_lock:
            if self._transcriber is None:
                from autoglm.speech.factory import SpeechModelFactory

                self._transcriber = SpeechModelFactory().recognizer(
                    self.settings.voice, interface_language(self.settings)
                )
            return self._transcriber

    @property
    def synthesizer(self) -> Synthesizer:
        """The voices: the runtime's, else made here (load on first synthesis)."""
        if (
            self._synthesizer is None
            and not isinstance(self._source, Scheduler)
            and self._source.has_speech
        ):
            return self._source.synthesizer
        with self._speech_lock:
            if self._synthesizer is None:
                from autoglm.speech.factory import SpeechModelFactory

                self._synthesizer = SpeechModelFactory().synthesizer(self.settings.voice)
            return self._synthesizer

    @property
    def documents(self) -> Any:
        """The runtime's document library (``DocumentLibrary``), opened on first use; ``None`` without a runtime."""
        if isinstance(self._source, Scheduler) or not hasattr(self._source, "paths"):
            return None
        with self._speech_lock:
            if self._documents is None:
                from autoglm.knowledge.library import DocumentLibrary

                self._documents = DocumentLibrary(self._source)
            return self._documents

    @property
    def embedder(self) -> Embedder | None:
        """The embedder: the runtime's documents model, else the local language model's (``None`` for a remote engine)."""
        own = (
            None if isinstance(self._source, Scheduler) else getattr(self._source, "embedder", None)
        )
        if own is not None:
            return own
        with self._speech_lock:
            if self._embedder is None:
                engine = self.scheduler.engine
                path = getattr(engine, "model_path", None)
                info = self.model_info
                if path is None or info is None:
                    return None
                from autoglm.core.embedder import LlamaEmbedder

                self._embedder = LlamaEmbedder(path, info.model_id, self.settings.model.n_threads)
            return self._embedder
