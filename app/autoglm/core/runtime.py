"""The app's shared services in one place: settings, folders, models, engine thread, store.

The desktop window, the CLI, the voice loop and the HTTP server all hold the same
``Runtime``, so the app and the API never load a model twice and every front submits to
the same scheduler. It knows nothing of Qt: slow calls (``load_model``) block, and the UI
runs them in a worker.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autoglm.core.catalog import ModelRepository
from autoglm.core.conversation import (
    TYPED,
    Citation,
    Conversation,
    ImageCache,
    RequestStyle,
    build_request,
)
from autoglm.core.embedder import Embedder
from autoglm.core.engine_choice import choose_engine
from autoglm.core.errors import ModelError
from autoglm.core.paths import AppPaths, app_paths
from autoglm.core.projects import ProjectRecord
from autoglm.core.scheduler import Engine, Scheduler
from autoglm.core.settings import Settings, load_settings, save_settings
from autoglm.core.speech import Recognizer, SpeechFactory, Synthesizer
from autoglm.core.types import (
    ChatMessage,
    Completion,
    GenerationRequest,
    ImageInput,
    ModelInfo,
    Priority,
    ProgressCallback,
    StreamEvent,
)

if TYPE_CHECKING:
    from autoglm.core.store import ConversationStore

_LOGGER = logging.getLogger(__name__)


class _NoEngine:
    """Stands in until a model is loaded: every request gets a clear message."""

    info: ModelInfo | None = None
    loaded = False

    def generate(
        self,
        request: GenerationRequest,
        emit: Callable[[StreamEvent], None],
        cancel: threading.Event,
    ) -> Completion:
        """Refuse in words: there is no model to answer with."""
        raise ModelError(
            "No model is loaded yet: choose one in the model manager (or wait for loading to finish)."
        )

    def count_tokens(self, messages: list[ChatMessage], thinking: bool = True) -> int:
        """Nothing can be counted without a tokenizer."""
        return 0

    def unload(self) -> None:
        """Nothing to free."""


class Runtime:
    """Settings, folders, model repository, scheduler and store, shared by every front."""

    def __init__(
        self,
        settings: Settings | None = None,
        paths: AppPaths | None = None,
        speech: SpeechFactory | None = None,
        embedder: Callable[[], Embedder | None] | None = None,
    ):
        self.paths = (paths or app_paths()).ensure()
        self.settings = settings or load_settings(self.paths)
        self.repository = ModelRepository(self.paths)
        self.scheduler = Scheduler(_NoEngine()).start()
        self._store: ConversationStore | None = None
        self._store_lock = threading.Lock()
        self._load_lock = threading.Lock()
        self._engine: Engine | None = None
        self._speech_factory = speech
        self._speech_lock = threading.Lock()
        self._recognizer: Recognizer | None = None
        self._synthesizer: Synthesizer | None = None
        self._embedder_factory = embedder
        self._embedder: Embedder | None = None
        self._embedder_lock = threading.Lock()
        self._conversations: weakref.WeakValueDictionary[int, Conversation] = (
            weakref.WeakValueDictionary()
        )
        self._conversations_lock = threading.Lock()
        self.engine_listeners: list[Callable[[ModelInfo | None], None]] = []
        """Called (on the thread that swapped it) when the engine changes: a load by any front, an eject."""
        self.images = ImageCache()
        """Every conversation's decoded images, by attachment hash: decoded once, shared."""
        self.image_decoder: Callable[[bytes, str], ImageInput] | None = None
        """Decodes and normalises attachment bytes under the given hash (set by a front that
        sends images; core cannot import ``vision``)."""

    # -- the store -----------------------------------------------------------------
    @property
    def store(self) -> ConversationStore:
        """The conversation store, opened on first use."""
        with self._store_lock:
            if self._store is None:
                from autoglm.core.store import ConversationStore

                self._store = ConversationStore(
                    self.paths.database_path, self.paths.attachments_dir
                )
            return self._store

    # -- models ----------------------------------------------------------------------
    @property
    def engine(self) -> Engine | None:
        """The engine serving requests, once a model is loaded."""
        return self._engine

    @property
    def model_info(self) -> ModelInfo | None:
        """The loaded model's description, or ``None``."""
        return self._engine.info if self._engine is not None else None

    @property
    def ready(self) -> bool:
        """Whether requests can be answered now."""
        return self._engine is not None

    def load_model(
        self,
        spec: str | None = None,
        mmproj: Path | None = None,
        progress: ProgressCallback | None = None,
    ) -> ModelInfo:
        """Resolve, check and load a model, then make it the scheduler's engine (blocking)."""
        from autoglm.core.llama.client import WorkerEngine

        spec = spec or self.settings.model.active_model
        with self._load_lock:
            resolved = self.repository.resolve(
                spec, mmproj or self.settings.model.mmproj_path, progress
            )
            engine = WorkerEngine(
                resolved.model_path,
                self.settings.model,
                model_id=resolved.model_id,
                mmproj_path=resolved.mmproj_path,
                display_name=resolved.display_name,
                log_dir=self.paths.log_dir,
                state_dir=self.paths.cache_dir / "conversations",
            )
            info = engine.load(progress)
            self.use_engine(engine)
            return info

    def start_engine(
        self,
        model: str | None = None,
        mmproj: Path | None = None,
        progress: ProgressCallback | None = None,
    ) -> ModelInfo:
        """Load the local model or connect to the remote server, as the settings choose (blocking).

        ``model`` names the local model, or in remote mode the model to ask the server for.
        """
        choice = choose_engine(self.settings, model, mmproj)
        if not choice.is_remote:
            return self.load_model(choice.local_model, choice.mmproj, progress)
        from autoglm.core.remote_engine import RemoteEngine

        assert choice.remote_url is not None
        with self._load_lock:
            engine = RemoteEngine(
                choice.remote_url, api_key=choice.remote_api_key, model=choice.remote_model
            )
            try:
                info = engine.load(progress)
            except BaseException:
                engine.unload()
                raise
            self.use_engine(engine)
        _LOGGER.info("Chatting with %s at %s", info.model_id, engine.base_url)
        return info

    def eject_model(self) -> None:
        """Free the loaded model (blocking until the engine thread lets go); requests then get
        "no model is loaded" in words until another is loaded."""
        with self._load_lock:
            self.use_engine(_NoEngine())
            self._engine = None
        self._engine_changed(None)

    def use_engine(self, engine: Engine) -> None:
        """Serve every front from ``engine`` (a loaded local model or a remote server)."""
        old = self.scheduler.replace_engine(engine).result()
        self._engine = engine
        if old is not engine:
            old.unload()
        if not isinstance(engine, _NoEngine):
            self._engine_changed(engine.info)

    def _engine_changed(self, info: ModelInfo | None) -> None:
        for listener in list(self.engine_listeners):
            try:
                listener(info)
            except Exception:  # a front's problem must not fail the load
                _LOGGER.exception("An engine listener failed")

    # -- speech models -------------------------------------------------------------------
    def _speech(self) -> SpeechFactory:
        if self._speech_factory is None:
            from autoglm.core.errors import ModelError

            raise ModelError(
                "Speech is not available here: this front was started without speech models."
            )
        return self._speech_factory

    def use_speech(self, factory: SpeechFactory) -> None:
        """Make speech models with ``factory`` (the front that starts the app gives it)."""
        with self._speech_lock:
            self._speech_factory = factory

    @property
    def has_speech(self) -> bool:
        """Whether this runtime can make speech models."""
        return self._speech_factory is not None

    @property
    def recognizer(self) -> Recognizer:
        """The one speech recogniser of every front (made on first use; loads on first transcription)."""
        with self._speech_lock:
            if self._recognizer is None:
                from autoglm.core.settings import interface_language

                self._recognizer = self._speech().recognizer(
                    self.settings.voice, interface_language(self.settings)
                )
            return self._recognizer

    @property
    def synthesizer(self) -> Synthesizer:
        """The one synthesiser (voices per language) of every front (loads on first use)."""
        with self._speech_lock:
            if self._synthesizer is None:
                self._synthesizer = self._speech().synthesizer(self.settings.voice)
            return self._synthesizer

    def apply_voice_settings(self) -> None:
        """Make the speech models follow ``settings.voice`` (blocking; ``ModelError`` if unusable)."""
        with self._speech_lock:
            recognizer, synthesizer = self._recognizer, self._synthesizer
        problem: Exception | None = None
        if recognizer is not None:
            try:
                recognizer.apply_settings(self.settings.voice)
            except Exception as exc:  # noqa: BLE001 - the voices still change; re-raised after
                problem = exc
        if synthesizer is not None:
            synthesizer.apply_settings(self.settings.voice)
        if problem is not None:
            raise problem

    # -- the embedding model ---------------------------------------------------------------------
    def use_embedder(self, factory: Callable[[], Embedder | None]) -> None:
        """Make the documents' embedding model with ``factory`` (a front that reads documents gives it)."""
        with self._embedder_lock:
            self._embedder_factory = factory

    @property
    def embedder(self) -> Embedder | None:
        """The one embedding model of every front (made on first use; ``None`` where none was given).

        ``/v1/embeddings`` serves it too; without it the API falls back to the language model's.
        """
        with self._embedder_lock:
            if self._embedder is None and self._embedder_factory is not None:
                self._embedder = self._embedder_factory()
            return self._embedder

    # -- conversations and requests --------------------------------------------------------
    def new_conversation(self, project: ProjectRecord | None = None) -> Conversation:
        """An empty chat (in ``project``, if given), saved through the store from its first message."""
        return Conversation(
            self.store, images=self.images, load_image=self._attachment_image, project=project
        )

    def open_conversation(self, conversation_id: int) -> Conversation:
        """A stored chat with its turns (blocking: a database read); the same object while it is in use.

        A reply still being written in a chat the window left is written into this one object,
        so opening that chat again shows, and asks with, the same turns.
        """
        with self._conversations_lock:
            live = self._conversations.get(conversation_id)
        if live is not None:
            return live
        conversation = Conversation.open(
            self.store, conversation_id, images=self.images, load_image=self._attachment_image
        )
        return self.remember(conversation)

    def remember(self, conversation: Conversation) -> Conversation:
        """Share ``conversation`` (now stored) with whoever opens its id while it is in use."""
        with self._conversations_lock:
            return self._conversations.setdefault(conversation.id, conversation)

    def _attachment_image(self, sha256: str) -> ImageInput:
        """Decode a stored attachment (a cache miss of ``images``)."""
        from autoglm.core.errors import InputError

        path = self.store.attachment_path(sha256)
        if path is None:
            raise InputError("An attached image is missing from the attachments folder.")
        if self.image_decoder is None:
            raise InputError("This front cannot read images.")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(
                f"The attached image {path.name} cannot be read: {exc.strerror or exc}."
            ) from exc
        return self.image_decoder(data, sha256)

    def prepare_images(self, images: list[ImageInput]) -> None:
        """Let the engine encode images now (when attached), so asking about them is instant."""
        engine = self._engine
        prepare = getattr(engine, "prepare_images", None)
        if prepare is None or not images:
            return
        self.scheduler.submit_call(lambda: prepare(images), Priority.INTERACTIVE)

    def build_request(
        self,
        messages: list[ChatMessage],
        *,
        style: RequestStyle = TYPED,
        thinking: bool | None = None,
        system_prompt: str | None = None,
        project: ProjectRecord | None = None,
        passages: Sequence[Citation] = (),
        **sampling_overrides: Any,
    ) -> GenerationRequest:
        """A request for ``messages`` (``core.conversation.build_request`` with these settings)."""
        return build_request(
            messages,
            self.settings.generation,
            style,
            thinking=thinking,
            system_prompt=system_prompt,
            project=project,
            passages=passages,
            **sampling_overrides,
        )

    def apply_settings(self, settings: Settings) -> None:
        """Save new settings; what needs a reload takes effect on the next model load."""
        self.settings = settings
        save_settings(settings, self.paths)

    # -- shutdown ----------------------------------------------------------------------
    def close(self, timeout: float = 5.0) -> None:
        """Cancel generation, stop the engine thread, unload the model, close the store."""
        stopped = self.scheduler.shutdown(timeout)
        with self._speech_lock:
            speech = [m for m in (self._recognizer, self._synthesizer) if m is not None]
        for model in speech:
            model.unload()
        with self._embedder_lock:
            embedder, self._embedder = self._embedder, None
        close = getattr(embedder, "close", None)
        if close is not None:
            close()
        engine, self._engine = self._engine, None
        if not stopped:  # freeing the model under a token being decoded would crash the process
            _LOGGER.warning(
                "The engine thread is still decoding; the model is left to the process exit"
            )
        elif engine is not None:
            try:
                engine.unload()
            except Exception:  # shutting down anyway
                _LOGGER.exception("Unloading the model failed")
        with self._store_lock:
            if self._store is not None:
                self._store.close()
                self._store = None
