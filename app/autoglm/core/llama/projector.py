"""The vision projector (mmproj) in llama.cpp's mtmd: loaded on first use, unloaded when idle.

This is the only module that calls mtmd through llama-cpp-python's ``mtmd_cpp`` bindings.
It turns one normalised image into its prompt pieces (``tokenize_image``), runs the vision
encoder on a media chunk (``encode``) and decodes the resulting embeddings into the
language model's KV cache (``decode``). Which of these a request needs — and which it can
skip because the KV cache or the embedding cache already has the image — is decided by
``core.llama.images``.

The mtmd context is freed after ``projector_idle_unload_s`` seconds without use; a lock
keeps the idle timer from freeing it while the engine thread is using it. Media chunks
handed out by ``tokenize_image`` are owned by the caller and do not depend on the
context, so they stay valid across an unload.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from autoglm.core.errors import ModelError
from autoglm.core.gguf_file import GgufSummary, check_projector_pairing, inspect_gguf
from autoglm.core.idle import IdleUnloader
from autoglm.core.llama.sequence import MediaPiece
from autoglm.core.native_logs import forward_native_logs
from autoglm.core.types import ImageInput

_LOGGER = logging.getLogger(__name__)

TextTokens = list[int]
OwnedChunk = int  # an mtmd_input_chunk* that the holder must free with ``free_chunk``
ImagePieces = list[TextTokens | tuple[MediaPiece, OwnedChunk]]


def check_projector_file(path: Path, model: GgufSummary | None = None) -> GgufSummary:
    """Validate an mmproj (and its pairing with ``model``) before mtmd opens it; ``ModelError`` in words."""
    summary = inspect_gguf(path, role="projector")
    if not summary.is_projector:
        raise ModelError(f"{path.name} is a language model, not a vision projector (mmproj).")
    meta = summary.metadata
    if meta.get("clip.has_vision_encoder") is False:
        raise ModelError(
            f"{path.name} is a projector without a vision encoder (audio only?); it cannot read images."
        )
    if model is not None:
        check_projector_pairing(model, summary)
    return summary


def _route_mtmd_logs() -> None:
    """Send mtmd's and clip's log lines to ``logging`` instead of the terminal."""
    import llama_cpp.mtmd_cpp as mtmd

    forward_native_logs("llama_cpp.mtmd", mtmd.mtmd_log_set, mtmd.mtmd_helper_log_set)


def default_marker() -> str:
    """The text that stands for one image in a prompt given to mtmd (``<__media__>``)."""
    import llama_cpp.mtmd_cpp as mtmd

    return mtmd.mtmd_default_marker().decode("utf-8")


class Projector:
    """One mmproj file; ``use(model)`` loads it if needed and holds it while in use."""

    def __init__(
        self, path: str | Path, *, n_threads: int, use_gpu: bool, idle_unload_s: float = 0
    ):
        self.path = Path(path)
        self.n_threads = n_threads
        self.use_gpu = use_gpu
        self._ctx: Any = None
        self._model: Any = None
        self._lock = threading.RLock()
        self._unloader = IdleUnloader(idle_unload_s, self.unload, "vision projector")
        self.load_count = 0
        self.encode_count = 0

    @property
    def loaded(self) -> bool:
        """Whether the mtmd context is in memory."""
        return self._ctx is not None

    @contextlib.contextmanager
    def use(self, llama_model: Any) -> Iterator[Projector]:
        """Hold the projector loaded (loading it now if needed) for the duration of the block."""
        with self._unloader.busy(), self._lock:
            if self._ctx is None or self._model != llama_model:
                self._load(llama_model)
            yield self

    def _load(self, llama_model: Any) -> None:
        import llama_cpp.mtmd_cpp as mtmd

        self._free_context()
        check_projector_file(
            self.path
        )  # the file may have changed since the model loaded; clip aborts on bad files
        _route_mtmd_logs()
        params = mtmd.mtmd_context_params_default()
        params.use_gpu = self.use_gpu
        params.n_threads = self.n_threads
        params.print_timings = False
        params.warmup = False  # the first real image follows at once; a dummy encode only delays it
        _LOGGER.info("Loading the vision projector %s", self.path.name)
        ctx = mtmd.mtmd_init_from_file(str(self.path).encode(), llama_model, params)
        if not ctx:
            raise ModelError(
                f"llama.cpp could not load the vision projector {self.path.name}: it does not match "
                "the loaded model or uses a projector type this build does not know."
            )
        if not mtmd.mtmd_support_vision(ctx):
            mtmd.mtmd_free(ctx)
            raise ModelError(f"The projector {self.path.name} cannot read images.")
        self._ctx = ctx
        self._model = llama_model
        self.load_count += 1

    def unload(self) -> None:
        """Free the mtmd context (safe from any thread; waits while the projector is in use)."""
        with self._lock:
            self._free_context()

    def _free_context(self) -> None:
        if self._ctx is not None:
            import llama_cpp.mtmd_cpp as mtmd

            mtmd.mtmd_free(self._ctx)
            self._ctx = None
            self._model = None
            _LOGGER.info("Unloaded the vision projector %s", self.path.name)

    @property
    def uses_mrope(self) -> bool:
        """Whether images take fewer positions than KV cells (M-RoPE models)."""
        import llama_cpp.mtmd_cpp as mtmd

        return bool(self._ctx and mtmd.mtmd_decode_use_mrope(self._ctx))

    # -- the three steps of an image -------------------------------------------------------
    def tokenize_image(self, image: ImageInput) -> ImagePieces:
        """The pieces one image expands to: text tokens mtmd adds around it, and its media chunks."""
        import llama_cpp.mtmd_cpp as mtmd

        assert self._ctx is not None, "use() the projector first"
        pixels = (ctypes.c_uint8 * len(image.rgb)).from_buffer_copy(image.rgb)
        bitmap = mtmd.mtmd_bitmap_init(image.width, image.height, pixels)
        if not bitmap:
            raise ModelError("llama.cpp could not take the image's pixels.")
        chunks = mtmd.mtmd_input_chunks_init()
        try:
            mtmd.mtmd_bitmap_set_id(bitmap, image.sha256.encode("ascii"))
            marker = default_marker().encode("utf-8")
            text = mtmd.mtmd_input_text()
            text.text = marker
            text.text_len = len(marker)
            text.add_special = False
            text.parse_special = True
            bitmaps = (mtmd.mtmd_bitmap_p_ctypes * 1)(bitmap)
            result = mtmd.mtmd_tokenize(self._ctx, chunks, ctypes.byref(text), bitmaps, 1)
            if result != 0:
                raise ModelError(
                    f"The vision projector could not prepare the image (mtmd error {result})."
                )
            pieces: ImagePieces = []
            media_index = 0
            for index in range(mtmd.mtmd_input_chunks_size(chunks)):
                chunk = mtmd.mtmd_input_chunks_get(chunks, index)
                kind = mtmd.mtmd_input_chunk_get_type(chunk)
                if kind == mtmd.MTMD_INPUT_CHUNK_TYPE_TEXT:
                    count = ctypes.c_size_t()
                    tokens = mtmd.mtmd_input_chunk_get_tokens_text(chunk, ctypes.byref(count))
                    pieces.append([tokens[i] for i in range(count.value)])
                    continue
                piece = MediaPiece(
                    f"{image.sha256}:{media_index}",
                    int(mtmd.mtmd_input_chunk_get_n_tokens(chunk)),
                    int(mtmd.mtmd_input_chunk_get_n_pos(chunk)),
                )
                pieces.append((piece, mtmd.mtmd_input_chunk_copy(chunk)))
                media_index += 1
            return pieces
        finally:
            mtmd.mtmd_input_chunks_free(chunks)
            mtmd.mtmd_bitmap_free(bitmap)

    def encode(self, chunk: OwnedChunk, n_tokens: int, n_embd: int) -> np.ndarray:
        """Run the vision encoder on one media chunk: ``n_tokens × n_embd`` float32 embeddings."""
        import llama_cpp.mtmd_cpp as mtmd

        assert self._ctx is not None, "use() the projector first"
        result = mtmd.mtmd_encode_chunk(self._ctx, chunk)
        if result != 0:
            raise ModelError(
                f"The vision projector failed to encode the image (mtmd error {result})."
            )
        self.encode_count += 1
        output = mtmd.mtmd_get_output_embd(self._ctx)
        return np.ctypeslib.as_array(output, shape=(n_tokens * n_embd,)).copy()

    def decode(
        self,
        chunk: OwnedChunk,
        embeddings: np.ndarray,
        llama_ctx: Any,
        n_past: int,
        n_batch: int,
        seq_id: int = 0,
    ) -> int:
        """Evaluate a chunk's embeddings into KV sequence ``seq_id`` at ``n_past``; return the next position.

        Returns ``-1`` when llama.cpp was aborted (a cancel) or failed.
        """
        import llama_cpp
        import llama_cpp.mtmd_cpp as mtmd

        assert self._ctx is not None, "use() the projector first"
        new_n_past = llama_cpp.llama_pos(0)
        data = np.ascontiguousarray(embeddings, dtype=np.float32)
        result = mtmd.mtmd_helper_decode_image_chunk(
            self._ctx,
            llama_ctx,
            chunk,
            data.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
            llama_cpp.llama_pos(n_past),
            llama_cpp.llama_seq_id(seq_id),
            n_batch,
            ctypes.byref(new_n_past),
            mtmd.mtmd_helper_post_decode_callback(),
            None,
        )
        if result != 0:
            _LOGGER.info("Decoding an image chunk stopped (mtmd result %d)", result)
            return -1
        return int(new_n_past.value)

    @staticmethod
    def free_chunk(chunk: OwnedChunk) -> None:
        """Free a chunk returned by ``tokenize_image``."""
        import llama_cpp.mtmd_cpp as mtmd

        mtmd.mtmd_input_chunk_free(chunk)

    def close(self) -> None:
        """Free everything; the projector can still be used again later."""
        self.unload()
