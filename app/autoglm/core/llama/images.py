"""The engine's image path: multimodal prompts with the KV cache kept across turns.

``LlamaEngine.generate`` hands every request that holds an image to
``VisionSession.generate``. The prompt is rendered with the model's own template, cut at
its media markers and turned into a ``PromptSequence`` of text tokens and media chunks.
Then only what the KV cache does not already hold is evaluated:

* an image already in the cache at the same place (same pixels, same position) is
  neither re-encoded nor re-evaluated — a follow-up question about a screenshot costs
  what the question costs;
* an image whose KV entries were lost (the conversation was edited, another
  conversation ran in between) is re-evaluated from cached embeddings, without running
  the vision encoder again;
* only a new image runs the encoder.

Images are known by the sha256 of their normalised pixels, so the same screenshot
attached twice, or sent again by an API client, is recognised.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autoglm.core.errors import InputError, ModelError
from autoglm.core.llama.engine import context_trimmed_notice, trim_to_fit
from autoglm.core.llama.projector import OwnedChunk, Projector, default_marker
from autoglm.core.llama.prompt import MultimodalPrompt, render_multimodal
from autoglm.core.llama.sequence import MediaPiece, PromptSequence, reusable_prefix
from autoglm.core.settings import ModelSettings
from autoglm.core.types import (
    ChatMessage,
    Completion,
    GenerationRequest,
    ImageInput,
    Notice,
    StreamEvent,
    ToolSpec,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from autoglm.core.llama.engine import LlamaEngine

_LOGGER = logging.getLogger(__name__)
EXPANSIONS_KEPT = 256  # images whose token layout is remembered (a few numbers each)
CHUNKS_KEPT = 4  # preprocessed images kept ready for the encoder (megabytes each)
EMBEDDING_BYTES_KEPT = 256 << 20  # encoder outputs kept for re-evaluation without re-encoding


@dataclass
class VisionStats:
    """What the image path did since the model loaded (for tests, benchmarks and `doctor`)."""

    images_encoded: int = 0
    images_decoded: int = 0
    images_reused_from_kv: int = 0
    images_reused_embeddings: int = 0


class _Lru(OrderedDict):
    """An ordered dict that forgets its oldest entries; ``on_evict`` frees what they hold."""

    def __init__(self, limit: int, size: Callable[[Any], int] | None = None,
                 on_evict: Callable[[Any], None] | None = None):
        super().__init__()
        self.limit = limit
        self._size = size or (lambda _value: 1)
        self._on_evict = on_evict

    def get_fresh(self, key: str) -> Any:
        """The value for ``key`` (now the most recent), or ``None``."""
        if key not in self:
            return None
        self.move_to_end(key)
        return self[key]

    def put(self, key: str, value: Any) -> None:
        """Store ``value``, evicting the oldest entries beyond the limit."""
        if key in self:
            self.drop(key)
        self[key] = value
        while len(self) > 1 and sum(self._size(v) for v in self.values()) > self.limit:
            self.drop(next(iter(self)))

    def drop(self, key: str) -> None:
        """Forget ``key``, freeing its value."""
        value = self.pop(key)
        if self._on_evict:
            self._on_evict(value)

    def clear_all(self) -> None:
        """Forget everything, freeing every value."""
        for key in list(self):
            self.drop(key)


class VisionSession:
    """Multimodal generation for one loaded language model and its projector."""

    def __init__(self, mmproj_path: str | Path, settings: ModelSettings, n_threads: int):
        import llama_cpp

        use_gpu = bool(llama_cpp.llama_supports_gpu_offload()) and settings.n_gpu_layers != 0
        self.projector = Projector(mmproj_path, n_threads=n_threads, use_gpu=use_gpu,
                                   idle_unload_s=settings.projector_idle_unload_s)
        self.marker = default_marker()
        self.stats = VisionStats()
        self._layouts = _Lru(EXPANSIONS_KEPT)  # sha256 -> PromptSequence of one image
        self._chunks = _Lru(CHUNKS_KEPT, on_evict=Projector.free_chunk)  # media key -> owned chunk
        self._embeddings = _Lru(EMBEDDING_BYTES_KEPT, size=lambda a: a.nbytes)  # media key -> float32 array
        self._list_content: bool | None = None
        self._notify: Callable[[StreamEvent], None] | None = None

    # -- prompt building -----------------------------------------------------------------
    def _image_layout(self, engine: LlamaEngine, image: ImageInput) -> PromptSequence:
        """The pieces an image expands to; tokenised (projector loaded) only the first time."""
        layout = self._layouts.get_fresh(image.sha256)
        if layout is None:
            layout = self._tokenize_image(engine, image)
        return layout

    def _use_projector(self, engine: LlamaEngine) -> Any:
        """The projector held loaded; the stream is told when it has to load first."""
        if not self.projector.loaded and self._notify is not None:
            self._notify(Notice("loading", "Loading the vision projector…"))
        return self.projector.use(engine.llama.model)

    def _tokenize_image(self, engine: LlamaEngine, image: ImageInput) -> PromptSequence:
        with self._use_projector(engine) as projector:
            pieces = projector.tokenize_image(image)
        layout = PromptSequence()
        for piece in pieces:
            if isinstance(piece, tuple):
                media, chunk = piece
                layout.add_media(media)
                self._chunks.put(media.key, chunk)
            else:
                layout.add_text(piece)
        self._layouts.put(image.sha256, layout)
        return layout

    def build_sequence(self, engine: LlamaEngine, messages: list[ChatMessage], thinking: bool = True,
                       tools: list[ToolSpec] | None = None) -> tuple[PromptSequence, MultimodalPrompt]:
        """The prompt for ``messages`` as text tokens and media chunks."""
        if self._list_content is None:
            template = engine.template
            self._list_content = template.accepts_list_content() and not template.images_before_text
        prompt = render_multimodal(engine.template, messages, self.marker, thinking, self._list_content, tools)
        sequence = PromptSequence()
        llama = engine.llama
        for index, text in enumerate(prompt.text_parts):
            if text:
                tokens = (engine.tokenize_prompt(text) if index == 0
                          else llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))
                sequence.add_text(tokens)
            if index < len(prompt.images):
                sequence.extend(self._image_layout(engine, prompt.images[index]))
        return sequence, prompt

    # -- generation ----------------------------------------------------------------------
    def generate(self, engine: LlamaEngine, request: GenerationRequest,
                 emit: Callable[[StreamEvent], None], cancel: threading.Event) -> Completion:
        """One reply to a conversation with images, evaluating only what the cache lacks."""
        self._notify = emit
        try:
            return self._generate(engine, request, emit, cancel)
        finally:
            self._notify = None

    def prepare(self, engine: LlamaEngine, images: list[ImageInput]) -> None:
        """Encode images ahead of sending (e.g. when attached), so the send only decodes them.

        Runs on the engine thread: ``scheduler.submit_call(lambda: session.prepare(engine, images))``.
        """
        n_embd = _input_embedding_width(engine.llama)
        by_hash = {image.sha256: image for image in images}
        for image in images:
            for piece in self._image_layout(engine, image).media:
                with self._use_projector(engine) as projector:
                    self._embeddings_for(engine, projector, piece, by_hash, n_embd)

    def _generate(self, engine: LlamaEngine, request: GenerationRequest,
                  emit: Callable[[StreamEvent], None], cancel: threading.Event) -> Completion:
        started = time.perf_counter()
        n_ctx = engine.llama.n_ctx()
        reserve = min(request.sampling.max_tokens, n_ctx // 2)
        messages, dropped = trim_to_fit(
            request.messages, lambda ms: self.build_sequence(engine, ms, request.thinking, request.tools)[0].n_cells,
            n_ctx - reserve)
        notices: list[Notice] = []
        if dropped:
            notices.append(context_trimmed_notice(n_ctx, dropped))
            emit(notices[-1])
        sequence, prompt = self.build_sequence(engine, messages, request.thinking, request.tools)
        if sequence.n_cells >= n_ctx - 1:
            raise InputError(f"The message and its images are too long for the model's context: "
                             f"{sequence.n_cells} tokens, the limit is {n_ctx}. Send fewer or smaller "
                             "images, or raise the context size in Settings → Model.")
        images = {image.sha256: image for image in prompt.images}
        cached = self._evaluate(engine, sequence, images, cancel)
        prompt_done = time.perf_counter()
        completion = engine.decode(request, emit, cancel, prompt.opens_reasoning, prompt_cells=sequence.n_cells)
        completion.notices = notices + completion.notices
        completion.usage.prompt_tokens = sequence.n_cells
        completion.usage.cached_prompt_tokens = cached
        completion.timings.prompt_eval_s = prompt_done - started
        completion.timings.ttft_s += prompt_done - started
        completion.timings.total_s = time.perf_counter() - started
        return completion

    def _evaluate(self, engine: LlamaEngine, sequence: PromptSequence, images: dict[str, ImageInput],
                  cancel: threading.Event) -> int:
        """Bring the KV cache to exactly ``sequence``; return how many KV cells were reused."""
        llama = engine.llama
        keep = reusable_prefix(llama.input_ids[: llama.n_tokens], sequence)
        if keep > 0 and llama._ctx.kv_cache_seq_rm(-1, keep, -1):  # noqa: SLF001
            llama.n_tokens = keep
        else:
            llama.reset()
            llama._ctx.kv_cache_clear()  # noqa: SLF001 - image chunks are decoded without Llama.eval
            keep = 0
        self.stats.images_reused_from_kv += sequence.media_before(keep)
        for piece in sequence.remainder(keep):
            if cancel.is_set():
                break
            if isinstance(piece, MediaPiece):
                if not self._evaluate_media(engine, piece, images, cancel):
                    break
            else:
                engine.evaluate_tokens(piece, cancel)
        return sequence.cells_before(keep)

    def _evaluate_media(self, engine: LlamaEngine, piece: MediaPiece, images: dict[str, ImageInput],
                        cancel: threading.Event) -> bool:
        """Decode one media chunk into the cache (encoding it only if its embeddings are unknown)."""
        llama = engine.llama
        n_embd = _input_embedding_width(llama)
        with self._use_projector(engine) as projector:
            chunk, embeddings = self._embeddings_for(engine, projector, piece, images, n_embd)
            if cancel.is_set():
                return False
            start = llama.n_tokens
            with engine.abortable(cancel):
                end = projector.decode(chunk, embeddings, llama._ctx.ctx, start, llama.n_batch)  # noqa: SLF001
        if end < 0:
            llama._ctx.kv_cache_seq_rm(-1, start, -1)  # noqa: SLF001 - drop a partly decoded image
            if cancel.is_set():
                return False
            raise ModelError("llama.cpp could not evaluate the image in the model's context.")
        if end - start != piece.n_pos:
            _LOGGER.warning("Image chunk took %d positions, expected %d", end - start, piece.n_pos)
        llama.input_ids[start:end] = piece.sentinel
        llama.n_tokens = end
        self.stats.images_decoded += 1
        return True

    def _embeddings_for(self, engine: LlamaEngine, projector: Projector, piece: MediaPiece,
                        images: dict[str, ImageInput], n_embd: int) -> tuple[OwnedChunk, Any]:
        """The chunk and its embeddings, running the encoder only if they are not cached."""
        chunk = self._chunk_for(engine, piece, images)
        embeddings = self._embeddings.get_fresh(piece.key)
        if embeddings is None:
            embeddings = projector.encode(chunk, piece.n_tokens, n_embd)
            self._embeddings.put(piece.key, embeddings)
            self.stats.images_encoded += 1
        else:
            self.stats.images_reused_embeddings += 1
        return chunk, embeddings

    def _chunk_for(self, engine: LlamaEngine, piece: MediaPiece, images: dict[str, ImageInput]) -> OwnedChunk:
        """The preprocessed chunk for ``piece``, re-tokenising its image if it was let go."""
        chunk = self._chunks.get_fresh(piece.key)
        if chunk is None:
            image = images.get(piece.key.split(":", 1)[0])
            if image is None:  # pragma: no cover - every media piece comes from an image of the prompt
                raise ModelError("An image of the conversation is no longer available.")
            self._tokenize_image(engine, image)
            chunk = self._chunks.get_fresh(piece.key)
        return chunk

    def close(self) -> None:
        """Free the projector and every cached chunk."""
        self._chunks.clear_all()
        self._embeddings.clear()
        self._layouts.clear()
        self.projector.close()


def _input_embedding_width(llama: Any) -> int:
    """The width of the embeddings the language model takes as input (what the projector outputs)."""
    import llama_cpp

    return int(llama_cpp.llama_model_n_embd_inp(llama.model))

