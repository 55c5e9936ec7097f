"""The engine's image half: the projector, image chunks and what is cached of them.

``LlamaEngine`` builds the prompt of a request with images as a ``PromptSequence`` of
text tokens and media chunks, and brings the KV cache to it exactly as it does for text
(one reuse step, one decode loop). What only images need lives here:

* ``image_layout`` — the pieces an image expands to (mtmd's begin/end tokens and its
  media chunks), tokenised by the projector the first time the image is seen;
* ``decode_media`` — a media chunk evaluated into the context at a position, running
  the vision encoder only when the chunk's embeddings are not cached: an image whose KV
  entries were lost (the conversation was edited, another conversation ran in between)
  is re-evaluated from its cached embeddings.

Images are known by the sha256 of their normalised pixels, so the same screenshot
attached twice, or sent again by an API client, is recognised; an image already in the
cache at the same place is neither re-encoded nor re-evaluated, so a follow-up question
about a screenshot costs what the question costs.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autoglm.core.chat_template import ChatTemplate
from autoglm.core.errors import ModelError
from autoglm.core.llama.projector import OwnedChunk, Projector, default_marker
from autoglm.core.llama.sequence import MediaPiece, PromptSequence
from autoglm.core.settings import ModelSettings
from autoglm.core.types import ImageInput, Notice, StreamEvent

_LOGGER = logging.getLogger(__name__)
EXPANSIONS_KEPT = 256  # images whose token layout is remembered (a few numbers each)
CHUNKS_KEPT = 4  # preprocessed images kept ready for the encoder (megabytes each)
EMBEDDING_BYTES_KEPT = 256 << 20  # encoder outputs kept for re-evaluation without re-encoding
Notify = Callable[[StreamEvent], None]


@dataclass
class VisionStats:
    """What the image path did since the model loaded (for tests, benchmarks and `doctor`)."""

    images_encoded: int = 0
    images_decoded: int = 0
    images_reused_from_kv: int = 0
    images_reused_embeddings: int = 0


class _Lru(OrderedDict):
    """An ordered dict that forgets its oldest entries; ``on_evict`` frees what they hold."""

    def __init__(
        self,
        limit: int,
        size: Callable[[Any], int] | None = None,
        on_evict: Callable[[Any], None] | None = None,
    ):
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
    """The image half of one loaded language model (a ``llama_cpp.Llama``) and its projector."""

    def __init__(
        self, mmproj_path: str | Path, settings: ModelSettings, n_threads: int, llama: Any
    ):
        import llama_cpp

        use_gpu = bool(llama_cpp.llama_supports_gpu_offload()) and settings.n_gpu_layers != 0
        self.projector = Projector(
            mmproj_path,
            n_threads=n_threads,
            use_gpu=use_gpu,
            idle_unload_s=settings.projector_idle_unload_s,
        )
        self.marker = default_marker()
        self.stats = VisionStats()
        self._llama = llama
        self._n_embd = int(
            llama_cpp.llama_model_n_embd_inp(llama.model)
        )  # what the projector outputs
        self._layouts = _Lru(EXPANSIONS_KEPT)  # sha256 -> PromptSequence of one image
        self._chunks = _Lru(CHUNKS_KEPT, on_evict=Projector.free_chunk)  # media key -> owned chunk
        self._embeddings = _Lru(
            EMBEDDING_BYTES_KEPT, size=lambda a: a.nbytes
        )  # media key -> float32 array

    @staticmethod
    def list_content(template: ChatTemplate) -> bool:
        """Whether ``template`` takes each image as a list-content part (else markers go into the text)."""
        return template.accepts_list_content() and not template.images_before_text

    @contextmanager
    def _use_projector(self, notify: Notify | None) -> Iterator[Projector]:
        """The projector held loaded; ``notify`` is told when it has to load first."""
        if not self.projector.loaded and notify is not None:
            notify(Notice("loading", "Loading the vision projector…"))
        with self.projector.use(self._llama.model) as projector:
            yield projector

    def image_layout(self, image: ImageInput, notify: Notify | None = None) -> PromptSequence:
        """The pieces an image expands to; tokenised (projector loaded) only the first time."""
        layout = self._layouts.get_fresh(image.sha256)
        if layout is None:
            layout = self._tokenize_image(image, notify)
        return layout

    def _tokenize_image(self, image: ImageInput, notify: Notify | None) -> PromptSequence:
        with self._use_projector(notify) as projector:
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

    def prepare(self, images: list[ImageInput]) -> None:
        """Encode images ahead of sending (e.g. when attached), so the send only decodes them (engine thread)."""
        by_hash = {image.sha256: image for image in images}
        for image in images:
            for piece in self.image_layout(image).media:
                with self._use_projector(None) as projector:
                    self._embeddings_for(projector, piece, by_hash, None)

    def decode_media(
        self,
        piece: MediaPiece,
        images: dict[str, ImageInput],
        n_past: int,
        seq_id: int = 0,
        notify: Notify | None = None,
    ) -> int:
        """Evaluate one media chunk into KV sequence ``seq_id`` at ``n_past``; the next position, ``-1`` if aborted or failed.

        The vision encoder runs only if the chunk's embeddings are not cached.
        """
        with self._use_projector(notify) as projector:
            chunk, embeddings = self._embeddings_for(projector, piece, images, notify)
            end = projector.decode(
                chunk, embeddings, self._llama.ctx, n_past, self._llama.n_batch, seq_id
            )
        if end >= 0:
            self.stats.images_decoded += 1
        return end

    def _embeddings_for(
        self,
        projector: Projector,
        piece: MediaPiece,
        images: dict[str, ImageInput],
        notify: Notify | None,
    ) -> tuple[OwnedChunk, Any]:
        """The chunk and its embeddings, running the encoder only if they are not cached."""
        chunk = self._chunk_for(piece, images, notify)
        embeddings = self._embeddings.get_fresh(piece.key)
        if embeddings is None:
            embeddings = projector.encode(chunk, piece.n_tokens, self._n_embd)
            self._embeddings.put(piece.key, embeddings)
            self.stats.images_encoded += 1
        else:
            self.stats.images_reused_embeddings += 1
        return chunk, embeddings

    def _chunk_for(
        self, piece: MediaPiece, images: dict[str, ImageInput], notify: Notify | None
    ) -> OwnedChunk:
        """The preprocessed chunk for ``piece``, re-tokenising its image if it was let go."""
        chunk = self._chunks.get_fresh(piece.key)
        if chunk is None:
            image = images.get(piece.key.split(":", 1)[0])
            if (
                image is None
            ):  # pragma: no cover - every media piece comes from an image of the prompt
                raise ModelError("An image of the conversation is no longer available.")
            self._tokenize_image(image, notify)
            chunk = self._chunks.get_fresh(piece.key)
        return chunk

    def close(self) -> None:
        """Free the projector and every cached chunk."""
        self._chunks.clear_all()
        self._embeddings.clear()
        self._layouts.clear()
        self.projector.close()
