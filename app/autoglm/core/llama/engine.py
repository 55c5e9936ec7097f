"""The local engine: one llama.cpp context, owned by one thread (the worker's).

Why it is more than ``Llama.create_chat_completion``:

* **Replies decoded together.** Requests are ``submit``ted and ``step`` advances them
  all: each step is one ``llama_decode`` holding the next token of every reply being
  decoded (each in its own KV sequence, each sampling its own row of logits with its
  own sampler, stops and budget: ``reply.ReplyDecoder``), so 2 or 4 streams cost little
  more per step than one. A new request's prompt is evaluated in batches of its own
  between those steps; the most urgent first (voice, chat, API), and while it is more
  urgent than every reply decoding, they pause, so a voice turn's first token comes
  right after its prompt. An image is evaluated whole in one step of its own (the
  projector's chunk is not split), the others waiting for it; its reply's tokens are
  then decoded with the rest. ``generate`` is one reply submitted and stepped to its end.
  A voice turn does not even wait for the step under way: the app raises a flag in
  shared memory as it sends one (``preempt_buffer``), llama.cpp's abort callback reads
  it within one graph node, and the step is dropped (llama.cpp removes its half-written
  cells) and decoded again after the voice prompt.

* **KV reuse, per conversation.** The context holds several KV sequences in one unified
  cache, one per recent conversation (``slots``). A new request is rendered with the
  model's own chat template into a ``PromptSequence``: text tokens, and for each image
  the media chunks the image half (``images.VisionSession``) supplies. It continues the
  sequence sharing the longest prefix with it and only what follows is evaluated, so
  turn 8 of a conversation costs what its new message costs, switching back to another
  conversation costs nothing more, and a follow-up question about an image does not
  evaluate the image again. Text and image requests share this one reuse step and one
  decode loop. Sequences evicted for room, and all of them when the model unloads, are
  saved to disk (``saved_states``) and restored instead of evaluated when their
  conversation comes back, after a restart too.
* **Cancellation within a token.** Decoding checks the cancel event between tokens, and
  a long prompt evaluation is aborted through llama.cpp's abort callback, a flag read
  natively (``core.abort_flag``) so neither prompts nor decoding pay Python for it.
* **Context overflow never raises.** The oldest turns are dropped (the system prompt is
  kept) until prompt plus reply fit, and the caller is told with a ``Notice``.
* **Reasoning is split as it streams** (``<think>``/``<answer>``), see ``core.reasoning``.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autoglm.core.chat_template import ChatTemplate, RenderedPrompt, message_dict, tool_dicts
from autoglm.core.errors import InputError, ModelError
from autoglm.core.foreground import FOREGROUND
from autoglm.core.gguf_file import GgufSummary, inspect_gguf
from autoglm.core.llama.batch import DECODE_ABORTED, DECODE_OK, TokenBatch
from autoglm.core.llama.images import VisionSession
from autoglm.core.llama.projector import check_projector_file
from autoglm.core.llama.prompt import render_multimodal
from autoglm.core.llama.reply import ReplyDecoder, TokenPieces
from autoglm.core.llama.saved_states import StateKey, StateStore
from autoglm.core.llama.sequence import MediaPiece, Piece, PromptSequence, reusable_prefix
from autoglm.core.llama.slots import Slot, SlotTable
from autoglm.core.native_logs import forward_native_logs
from autoglm.core.settings import ModelSettings
from autoglm.core.types import (
    CacheStatus,
    ChatMessage,
    Completion,
    GenerationRequest,
    ImageInput,
    ModelInfo,
    Notice,
    Priority,
    ProgressCallback,
    StreamEvent,
    ToolSpec,
)

_LOGGER = logging.getLogger(__name__)
Emit = Callable[[StreamEvent], None]
AUTO_CACHE_CONTEXTS = 2  # an automatic cache budget holds at most this many full contexts
AUTO_CACHE_SHARE = 8  # …and takes at most this share of the memory free after the model
MIN_SAVED_CELLS = 64  # a shorter sequence is re-evaluated faster than it is read back
RESTORE_MARGIN = (
    16  # a saved state is restored when it covers this many positions more than memory does
)
REPLY_ROOM = 256  # cells made free for a reply before it starts (more are freed as it grows)


def default_thread_count() -> int:
    """Physical cores: hyper-threads slow llama.cpp's matrix kernels down."""
    try:
        import psutil

        return max(1, psutil.cpu_count(logical=False) or os.cpu_count() or 1)
    except ImportError:  # pragma: no cover - psutil is a dependency
        return max(1, (os.cpu_count() or 2) // 2)


def backend_name(n_gpu_layers: int) -> tuple[str, int]:
    """``("CPU"|"Metal"|"CUDA"|"GPU", layers offloaded)`` for this llama.cpp build."""
    import llama_cpp

    if not llama_cpp.llama_supports_gpu_offload() or n_gpu_layers == 0:
        return "CPU", 0
    info = llama_cpp.llama_print_system_info().decode(errors="replace").upper()
    if sys.platform == "darwin":
        name = "Metal"
    elif "CUDA" in info or "CUBLAS" in info:
        name = "CUDA"
    else:
        name = "GPU"
    return name, n_gpu_layers


def cache_cells(summary: GgufSummary, n_ctx: int, settings: ModelSettings, free_bytes: int) -> int:
    """KV cells of the shared context: the cache budget (set, or from free memory), at least one context.

    Each conversation may still use up to ``n_ctx`` of them; the rest hold the others.
    Without flash attention llama.cpp's compute buffer grows with the cells too, so an
    automatic budget stays within ``AUTO_CACHE_CONTEXTS`` contexts.
    """
    per_cell = max(1, summary.kv_cache_bytes(1))
    if settings.kv_cache_mb:
        cells = settings.kv_cache_mb * 2**20 // per_cell
    else:
        spare = max(0, free_bytes - summary.file_size)
        cells = min(spare // AUTO_CACHE_SHARE // per_cell, AUTO_CACHE_CONTEXTS * n_ctx)
    return max(n_ctx, int(cells) // 256 * 256)


@contextlib.contextmanager
def sequences_in_context(n_seq_max: int) -> Iterator[None]:
    """Within the block, llama.cpp contexts are made with ``n_seq_max`` sequences in a unified KV cache.

    llama-cpp-python's ``Llama`` sets neither for a chat model (only for embeddings) and
    makes its context inside its constructor, so its call to ``llama_init_from_model``
    is given the two fields on the way. The worker's one thread is the only one loading.
    """
    import llama_cpp.llama_cpp as lib

    original = lib.llama_init_from_model

    def init_from_model(model: Any, params: Any) -> Any:
        params.n_seq_max = n_seq_max
        params.kv_unified = True
        return original(model, params)

    lib.llama_init_from_model = init_from_model
    try:
        yield
    finally:
        lib.llama_init_from_model = original


def trim_to_fit(
    messages: list[ChatMessage], count: Callable[[list[ChatMessage]], int], budget: int
) -> tuple[list[ChatMessage], int]:
    """Drop the oldest turns (never the system prompt or the last message) until ``count`` fits.

    Returns the kept messages and how many were dropped. A user message is dropped with
    the assistant replies that follow it, so the conversation still alternates.
    """
    system = [m for m in messages[:1] if m.role == "system"]
    rest = messages[len(system) :]
    dropped = 0
    while len(rest) > 1 and count(system + rest) > budget:
        cut = 1
        while cut < len(rest) - 1 and rest[cut].role != "user":
            cut += 1
        dropped += cut
        rest = rest[cut:]
    return system + rest, dropped


def context_trimmed_notice(n_ctx: int, dropped: int) -> Notice:
    """The notice telling the user that old turns were left out to fit the context."""
    return Notice(
        "context_trimmed",
        f"The conversation is longer than the model's context ({n_ctx} tokens): "
        f"the {dropped} oldest message{'s' if dropped != 1 else ''} were left out of this reply.",
        dropped_messages=dropped,
    )


@dataclass
class LlamaPrompt:
    """A prompt as the KV cache takes it (text runs and media chunks), and what it was made of."""

    sequence: PromptSequence
    opens_reasoning: bool
    text_parts: list[str]  # the rendered text around the images: one part more than images
    images: list[ImageInput]


@dataclass(eq=False)
class Reply:
    """One request in flight in the engine: its prompt being evaluated, then its tokens being decoded."""

    request: GenerationRequest
    emit: Emit
    cancel: threading.Event
    prompt: LlamaPrompt
    notices: list[Notice]
    order: int  # arrival, for first come first served within a priority
    started: float
    evaluation: Generator[None, None, int] | None = None  # the prompt, batch by batch
    slot: Slot | None = None  # its KV sequence, once chosen
    cached: int = 0  # prompt cells found in the cache
    prompt_done: float = 0.0
    decoder: ReplyDecoder | None = None  # once the prompt is in
    completion: Completion | None = None
    error: BaseException | None = field(default=None, repr=False)

    def rank(self) -> tuple[int, int]:
        """Sort key: the more urgent first (voice, chat, API), then the earlier."""
        return int(self.request.priority), self.order

    @property
    def done(self) -> bool:
        """Whether it finished (with a completion or a failure)."""
        return self.completion is not None or self.error is not None

    def fail(self, error: BaseException) -> None:
        """End it with ``error`` (raised to whoever waits on ``result``)."""
        if self.evaluation is not None:
            self.evaluation.close()
            self.evaluation = None
        if self.decoder is not None:
            self.decoder.stop("error")
            self.decoder.finish()
        self.error = error

    def result(self) -> Completion:
        """The completion, or the failure raised."""
        if self.error is not None:
            raise self.error
        assert self.completion is not None
        return self.completion


class LlamaEngine:
    """A GGUF model in llama.cpp; ``generate``, ``submit`` and ``step`` run on one thread only."""

    def __init__(
        self,
        model_path: str | Path,
        settings: ModelSettings,
        model_id: str = "",
        mmproj_path: str | Path | None = None,
        display_name: str = "",
        native_stderr: bool = False,
        state_dir: Path | None = None,
        preempt_buffer: Any | None = None,
    ):
        self.model_path = Path(model_path)
        self.state_dir = (
            state_dir  # where conversations' KV states are kept across restarts (None: nowhere)
        )
        self.native_stderr = (
            native_stderr  # let llama.cpp write to stderr (the worker's is a log file)
        )
        self.settings = settings
        self.model_id = model_id or self.model_path.stem
        self.mmproj_path = Path(mmproj_path) if mmproj_path else None
        self.display_name = display_name or self.model_id
        self._llama: Any = None
        self._summary: GgufSummary | None = None
        self._template: ChatTemplate | None = None
        self._info = ModelInfo(self.model_id, self.display_name, str(self.model_path))
        self._abort_flag: Any = None
        self._preempt_buffer = preempt_buffer  # two bytes another process sets to stop a step
        self._preempt_flag: Any = None
        self._watched: Any = None  # the flag llama.cpp's abort callback reads now
        self._pieces: TokenPieces | None = None
        self._memory: Any = None  # the context's llama_memory_t (its KV cache)
        self._add_bos = False
        self._images_as_parts = False  # the template takes each image as a list-content part
        self.vision: VisionSession | None = (
            None  # the image half, attached when the model has a projector
        )
        self._n_ctx_seq = 0  # the context one conversation may use
        self._batch: TokenBatch | None = None
        self.slots: SlotTable | None = None  # the KV sequences held and what each holds
        self.states: StateStore | None = None  # their saved states on disk
        self.last_restored = False  # whether the last request's prompt came from a saved state
        self._replies: list[Reply] = []  # in flight: evaluating their prompt or decoding
        self._order = itertools.count()
        self.shared_steps = 0  # decode steps that held tokens of more than one reply
        self.preempted_steps = 0  # decode steps dropped for a voice turn

    # -- loading ---------------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        """Whether the model is in memory."""
        return self._llama is not None

    @property
    def info(self) -> ModelInfo:
        """Model, quantisation, context, backend, vision availability."""
        return self._info

    @property
    def llama(self) -> Any:
        """The underlying ``llama_cpp.Llama`` (only for the engine thread and benchmarks)."""
        return self._llama

    def load(self, progress: ProgressCallback | None = None) -> ModelInfo:
        """Check the file, check memory, load the model; ``ModelError`` in words on failure."""
        from autoglm.core.catalog import check_memory

        if progress:
            progress(0.0, f"Checking {self.model_path.name}")
        summary = inspect_gguf(self.model_path)
        if summary.is_projector:
            raise ModelError(f"{self.model_path.name} is a vision projector, not a language model.")
        mmproj_summary = None
        if self.mmproj_path:
            mmproj_summary = check_projector_file(self.mmproj_path, summary)
        n_ctx = self.settings.n_ctx
        if summary.context_length:
            n_ctx = min(n_ctx, summary.context_length)
        import psutil

        cells = cache_cells(summary, n_ctx, self.settings, psutil.virtual_memory().available)
        check_memory(summary, cells, mmproj_summary)
        if progress:
            progress(0.1, f"Loading {summary.name}")
        import llama_cpp

        from autoglm.core.llama.backends import load_cpu_backend

        forward_native_logs("llama_cpp.native", llama_cpp.llama_log_set)
        cpu = load_cpu_backend()  # a run-time CPU build's variants, before the first model
        threads = self.settings.n_threads or default_thread_count()
        gpu_layers = self.settings.n_gpu_layers
        if llama_cpp.llama_supports_gpu_offload() and gpu_layers < 0:
            from autoglm.core.catalog import fit_gpu_layers
            from autoglm.core.hub import free_vram_bytes

            gpu_layers = fit_gpu_layers(
                summary, cells, free_vram_bytes(), gpu_layers, mmproj_summary
            )
        backend_note = ""

        def open_model(layers: int) -> Any:
            with sequences_in_context(self.settings.kv_sequences):
                return llama_cpp.Llama(
                    model_path=str(self.model_path),
                    n_ctx=cells,
                    n_batch=self.settings.n_batch,
                    n_ubatch=self.settings.n_batch,
                    n_gpu_layers=layers,
                    n_threads=threads,
                    n_threads_batch=threads,
                    verbose=self.native_stderr,
                    flash_attn=self.settings.flash_attn,
                )

        try:
            try:
                llama = open_model(gpu_layers)
            except (ValueError, RuntimeError, OSError) as exc:
                if gpu_layers == 0 or not llama_cpp.llama_supports_gpu_offload():
                    raise
                _LOGGER.warning(
                    "Loading %s with %d GPU layers failed (%s); trying the CPU",
                    self.model_path.name,
                    gpu_layers,
                    exc,
                )
                backend_note = (
                    f"The GPU could not take {summary.name} ({exc}); it runs on the CPU instead, "
                    "more slowly. Lower the GPU layers in Settings → Model to share the work."
                )
                gpu_layers = 0
                llama = open_model(0)
        except (ValueError, RuntimeError, OSError) as exc:
            why = f" ({cpu.problem})" if cpu.problem else ""
            raise ModelError(
                f"llama.cpp could not load {self.model_path.name}: {exc}{why}."
            ) from exc
        self._llama = llama
        self._summary = summary
        vocab = llama_cpp.llama_model_get_vocab(llama.model)

        def special_text(token: int) -> str:
            return (
                llama_cpp.llama_vocab_get_text(vocab, token).decode("utf-8") if token >= 0 else ""
            )

        self._template = ChatTemplate(
            summary.chat_template or None,
            special_text(llama.token_bos()),
            special_text(llama.token_eos()),
        )
        self._add_bos = bool(llama_cpp.llama_vocab_get_add_bos(vocab))
        self._memory = llama_cpp.llama_get_memory(llama.ctx)
        self._n_ctx_seq = n_ctx
        self._batch = TokenBatch(llama.n_batch)
        self.slots = SlotTable(int(llama_cpp.llama_n_seq_max(llama.ctx)), llama.n_ctx())
        self.states = None
        if self.state_dir is not None and self.settings.kv_disk_mb > 0:
            self.states = StateStore(
                self.state_dir,
                StateKey.for_engine(self.model_path, self.mmproj_path, self.settings.flash_attn),
                self.settings.kv_disk_mb * 2**20,
            )
            self.states.scan()
        self._install_abort_callback()
        self._pieces = TokenPieces(llama)
        if self.mmproj_path:
            self.vision = VisionSession(self.mmproj_path, self.settings, threads, llama)
            self._images_as_parts = VisionSession.list_content(self._template)
        backend, layers = backend_name(gpu_layers)
        if backend != "CPU" and layers < 0:
            layers = summary.block_count + 1
        self._info = ModelInfo(
            model_id=self.model_id,
            display_name=self.display_name or summary.name,
            path=str(self.model_path),
            architecture=summary.architecture,
            quantization=summary.quantization,
            n_ctx=n_ctx,
            n_ctx_train=summary.context_length,
            n_params=summary.n_params,
            backend=backend,
            gpu_layers=layers,
            backend_note=backend_note,
            has_vision=self.mmproj_path is not None,
            chat_template=self._template.source,
            vision_unavailable_reason=""
            if self.mmproj_path
            else "This model has no vision projector (mmproj); import one with the model to send images.",
        )
        if progress:
            progress(1.0, f"{summary.name} ready")
        _LOGGER.info(
            "Loaded %s (%s, %s, n_ctx=%d, %d KV cells for %d conversations, %s)",
            summary.name,
            summary.architecture,
            summary.quantization,
            n_ctx,
            llama.n_ctx(),
            self.slots.n_seq,
            backend,
        )
        return self._info

    def unload(self) -> None:
        """End replies in flight, save the conversations' caches (when a cache folder is set), free the model."""
        self.abandon()
        if self._llama is not None:
            self.clear_cache(save=True)
        if self.vision is not None:
            self.vision.close()
            self.vision = None
        if self._batch is not None:
            self._batch.close()
            self._batch = None
        if self._llama is not None:
            self._memory = None
            self._llama.close()
            self._llama = None

    def clear_cache(self, save: bool = False) -> None:
        """Drop every conversation's KV sequence (saving each first with ``save``): the next prompt starts cold."""
        if self.slots is None:
            return
        for slot in sorted(
            self.slots.slots.values(), key=lambda s: s.last_used
        ):  # the newest saved last: kept longest
            if save:
                self._save(slot)
            self._forget_from(slot.seq_id, 0)
            self.slots.remove(slot)

    def _install_abort_callback(self) -> None:
        """Let a cancel interrupt a long prompt evaluation inside ``llama_decode``."""
        from autoglm.core.abort_flag import NativeAbortFlag

        self._abort_flag = NativeAbortFlag()
        self._preempt_flag = (
            NativeAbortFlag(self._preempt_buffer) if self._preempt_buffer is not None else None
        )
        self._watch(self._abort_flag)

    def _watch(self, flag: Any) -> None:
        """Let llama.cpp's abort callback read ``flag`` (a cancel's, or the voice preemption's)."""
        if flag is not self._watched:
            flag.install(self._llama.ctx)
            self._watched = flag

    def clear_preemption(self) -> None:
        """A voice turn's request has been read: API steps may run to their end again."""
        if self._preempt_flag is not None:
            self._preempt_flag.clear()

    # -- prompts -------------------------------------------------------------------------
    def _require_loaded(self) -> Any:
        if self._llama is None:
            raise ModelError("No model is loaded yet.")
        return self._llama

    def _require_vision(self) -> VisionSession:
        if self.vision is None:
            raise InputError(
                self._info.vision_unavailable_reason or "This model cannot read images."
            )
        return self.vision

    @property
    def template(self) -> ChatTemplate:
        """The model's chat template (loaded models only)."""
        assert self._template is not None, "load() the model first"
        return self._template

    def render(
        self,
        messages: list[ChatMessage],
        thinking: bool = True,
        tools: list[ToolSpec] | None = None,
    ) -> RenderedPrompt:
        """The prompt text the model's chat template makes of ``messages`` (and ``tools``)."""
        assert self._template is not None
        plain = [message_dict(m) for m in messages]
        if tools:
            return self._template.render(plain, thinking=thinking, tools=tool_dicts(tools))
        return self._template.render(plain, thinking=thinking)

    def tokenize_prompt(self, text: str) -> list[int]:
        """Prompt text to tokens, special tokens parsed, BOS added once."""
        llama = self._require_loaded()
        data = text.encode("utf-8")
        bos_text = self._template.bos_token if self._template else ""
        add_bos = self._add_bos and not (bos_text and text.startswith(bos_text))
        return llama.tokenize(data, add_bos=add_bos, special=True)

    def count_tokens(
        self,
        messages: list[ChatMessage],
        thinking: bool = True,
        tools: list[ToolSpec] | None = None,
    ) -> int:
        """Prompt tokens for ``messages`` as the template renders them."""
        return len(self.tokenize_prompt(self.render(messages, thinking, tools).text))

    def build_prompt(
        self,
        messages: list[ChatMessage],
        thinking: bool = True,
        tools: list[ToolSpec] | None = None,
        notify: Emit | None = None,
    ) -> LlamaPrompt:
        """``messages`` as the KV cache takes them: the template's text as tokens, each image as its media chunks.

        ``notify`` hears when the projector has to load to lay an image out.
        """
        llama = self._require_loaded()
        vision: VisionSession | None = None
        if any(m.images for m in messages):
            vision = self._require_vision()
            multimodal = render_multimodal(
                self.template, messages, vision.marker, thinking, self._images_as_parts, tools
            )
            parts, images, opens = (
                multimodal.text_parts,
                multimodal.images,
                multimodal.opens_reasoning,
            )
        else:
            rendered = self.render(messages, thinking, tools)
            parts, images, opens = [rendered.text], [], rendered.opens_reasoning
        sequence = PromptSequence()
        for index, text in enumerate(parts):
            if text:
                sequence.add_text(
                    self.tokenize_prompt(text)
                    if index == 0
                    else llama.tokenize(text.encode("utf-8"), add_bos=False, special=True)
                )
            if vision is not None and index < len(images):
                sequence.extend(vision.image_layout(images[index], notify))
        return LlamaPrompt(sequence, opens, parts, images)

    # -- generation ----------------------------------------------------------------------
    def prepare_images(self, images: list[ImageInput]) -> None:
        """Encode images ahead of the request that asks about them (engine thread; no-op without vision)."""
        if self.vision is not None and self.loaded:
            self.vision.prepare(images)

    def generate(
        self, request: GenerationRequest, emit: Emit, cancel: threading.Event
    ) -> Completion:
        """Produce one reply, continuing the KV sequence that holds the longest prefix of its prompt.

        Replies submitted before or meanwhile (``submit``) are decoded in the same steps.
        """
        reply = self.submit(request, emit, cancel)
        while not reply.done:
            self.step()
        return reply.result()

    def submit(self, request: GenerationRequest, emit: Emit, cancel: threading.Event) -> Reply:
        """Queue a reply: its prompt is built now (``InputError`` at once), evaluated and decoded by ``step``."""
        self._require_loaded()
        started = time.perf_counter()
        params = request.sampling
        n_ctx = self._n_ctx_seq
        notices: list[Notice] = []
        if request.prompt is not None:
            sequence = PromptSequence()
            sequence.add_text(self.tokenize_prompt(request.prompt))
            prompt = LlamaPrompt(sequence, False, [request.prompt], [])
        else:
            if any(m.images for m in request.messages):
                self._require_vision()
            reserve = min(params.max_tokens, n_ctx // 2)
            messages, dropped = trim_to_fit(
                request.messages,
                lambda ms: (
                    self.build_prompt(ms, request.thinking, request.tools, emit).sequence.n_cells
                ),
                n_ctx - reserve,
            )
            if dropped:
                notice = context_trimmed_notice(n_ctx, dropped)
                notices.append(notice)
                emit(notice)
            prompt = self.build_prompt(messages, request.thinking, request.tools, emit)
        cells = prompt.sequence.n_cells
        if not cells:
            raise InputError("The prompt is empty: there is nothing for the model to continue.")
        if cells >= n_ctx - 1:
            if prompt.images:
                raise InputError(
                    f"The message and its images are too long for the model's context: "
                    f"{cells} tokens, the limit is {n_ctx}. Send fewer or smaller "
                    "images, or raise the context size in Settings → Model."
                )
            raise InputError(
                f"The message is too long for the model's context: {cells} tokens, "
                f"the limit is {n_ctx}. Shorten it or raise the context size in Settings → Model."
            )
        reply = Reply(request, emit, cancel, prompt, notices, next(self._order), started)
        self._replies.append(reply)
        return reply

    @property
    def busy(self) -> bool:
        """Whether replies are being evaluated or decoded (``step`` has work)."""
        return bool(self._replies)

    def step(self) -> list[Reply]:
        """One unit of work for the replies in flight; those that finished in it.

        The most urgent reply still in its prompt (voice, then chat, then API; first come
        first served within one) evaluates one batch of it, and every reply that is
        decoding gets one token, all in one ``llama_decode``. While a more urgent reply
        than every decoding one evaluates its prompt, the others pause: a voice turn's
        prompt never waits behind API streams, and its first token comes right after it.
        Otherwise prompt batches and decode steps alternate, so a new request joins
        without stalling those already streaming.
        """
        for reply in self._replies:
            if reply.evaluation is None and reply.decoder is None and reply.cancel.is_set():
                reply.completion = Completion(finish_reason="cancelled")
        evaluating = [r for r in self._replies if r.decoder is None and not r.done]
        first = min(evaluating, key=Reply.rank, default=None)
        if first is not None:
            self._guarded(first, functools.partial(self._advance_prompt, first))
        decoding = [r for r in self._replies if r.decoder is not None and not r.done]
        urgent = (
            first is not None
            and first.decoder is None
            and not first.done
            and all(first.rank() < r.rank() for r in decoding)
        )
        if decoding and not urgent:
            self._decode_step(sorted(decoding, key=Reply.rank))
        finished = []
        for reply in list(self._replies):
            if reply.decoder is not None and reply.decoder.done and not reply.done:
                self._guarded(reply, functools.partial(self._complete, reply))
            if reply.done:
                self._replies.remove(reply)
                finished.append(reply)
        return finished

    def abandon(self) -> list[Reply]:
        """End every reply in flight as cancelled (the model is about to unload); those replies."""
        replies, self._replies = self._replies, []
        for reply in replies:
            if reply.evaluation is not None:
                reply.evaluation.close()
            if not reply.done:
                if reply.decoder is not None:
                    reply.decoder.stop("cancelled")
                    self._complete(reply)
                else:
                    reply.completion = Completion(finish_reason="cancelled")
        return replies

    def _guarded(self, reply: Reply, work: Callable[[], None]) -> None:
        """Run ``work`` for ``reply``; a failure ends that reply only."""
        try:
            work()
        except Exception as exc:  # noqa: BLE001 - handed to the reply's caller
            reply.fail(exc)

    def _advance_prompt(self, reply: Reply) -> None:
        """Evaluate the next batch of the reply's prompt; after the last, sample its first token."""
        params = reply.request.sampling
        if reply.evaluation is None:
            reply.evaluation = self._prompt_steps(
                reply,
                same_every_time=params.seed is not None or params.temperature <= 0.0,
                reply_room=min(params.max_tokens, REPLY_ROOM),
            )
        try:
            next(reply.evaluation)
            return
        except StopIteration as finished:
            reply.cached = finished.value
        reply.evaluation = None
        reply.prompt_done = time.perf_counter()
        cells = reply.prompt.sequence.n_cells
        assert self._pieces is not None
        reply.decoder = ReplyDecoder(
            self._llama,
            self._pieces,
            self.template.stop_strings,
            reply.request,
            reply.emit,
            reply.cancel,
            reply.prompt.opens_reasoning,
            min(params.max_tokens, self._n_ctx_seq - 1 - cells),
        )
        if not reply.decoder.done:
            reply.decoder.take(-1)  # the logits of the prompt's last batch, just decoded

    def _decode_step(self, replies: list[Reply]) -> None:
        """One ``llama_decode`` holding the pending token of each reply, then each samples its own row."""
        for reply in replies:
            assert reply.decoder is not None
            if reply.cancel.is_set():
                reply.decoder.stop("cancelled")
        live = [r for r in replies if r.decoder is not None and r.decoder.pending is not None]
        if not live:
            return
        live = self._room_for(live)
        FOREGROUND.wait_idle()  # let the first words of a spoken reply be synthesised first
        batch = self._batch
        assert batch is not None
        batch.clear()
        rows = []
        for reply in live:
            slot, decoder = reply.slot, reply.decoder
            assert slot is not None and decoder is not None and decoder.pending is not None
            rows.append(batch.add(decoder.pending, slot.n_positions, slot.seq_id, True))
        preemptible = self._preempt_flag is not None and all(
            r.request.priority > Priority.VOICE for r in live
        )
        self._watch(self._preempt_flag if preemptible else self._abort_flag)
        result = batch.decode(self._llama.ctx)
        if result == DECODE_ABORTED and preemptible:
            # A voice turn is waiting: llama.cpp dropped this step's cells; each reply
            # keeps its pending token and decodes it again after the voice prompt.
            self._preempt_flag.clear()
            self.preempted_steps += 1
            return
        self.shared_steps += len(live) > 1
        if result != DECODE_OK:
            error = ModelError(
                f"llama.cpp could not continue the reply (llama_decode returned {result})."
            )
            for reply in live:
                assert reply.slot is not None
                self._forget_from(reply.slot.seq_id, reply.slot.n_positions)
                reply.fail(error)
            return
        for reply, row in zip(live, rows):
            assert reply.slot is not None and reply.decoder is not None
            assert reply.decoder.pending is not None
            reply.slot.append([reply.decoder.pending])
            self._guarded(reply, functools.partial(reply.decoder.take, row))

    def _room_for(self, live: list[Reply]) -> list[Reply]:
        """Make a free cell for each reply's next token, evicting idle sequences; the replies that fit.

        When only the replies themselves are left to make room, the least urgent end
        with ``finish_reason="length"``.
        """
        table = self.slots
        assert table is not None
        if table.n_cells - table.used_cells < len(live):
            for victim in table.victims(self._busy_sequences(), cells_needed=len(live)):
                self._evict(victim)
        while live and table.n_cells - table.used_cells < len(live):
            last = live.pop()
            assert last.decoder is not None
            last.decoder.stop("length")
        return live

    def _busy_sequences(self, besides: Reply | None = None) -> set[int]:
        """The KV sequences replies in flight are using (never evicted, continued or overwritten)."""
        return {r.slot.seq_id for r in self._replies if r.slot is not None and r is not besides}

    def _complete(self, reply: Reply) -> None:
        """The finished reply's ``Completion``, with its prompt's counts and times."""
        assert reply.decoder is not None
        completion = reply.decoder.finish()
        completion.notices = reply.notices + completion.notices
        completion.usage.prompt_tokens = reply.prompt.sequence.n_cells
        completion.usage.cached_prompt_tokens = reply.cached
        completion.timings.prompt_eval_s = reply.prompt_done - reply.started
        completion.timings.ttft_s += reply.prompt_done - reply.started
        completion.timings.total_s = time.perf_counter() - reply.started
        completion.cache = self.cache_status()
        reply.completion = completion

    def cache_status(self) -> CacheStatus:
        """Conversations held, their memory and disk, and whether the last prompt was restored from disk."""
        table = self.slots
        if table is None or self._summary is None:
            return CacheStatus()
        held = [slot for slot in table.slots.values() if slot.n_cells]
        cells = min(
            table.n_cells, sum(slot.n_cells for slot in held)
        )  # copies share cells: counted once at most
        return CacheStatus(
            len(held),
            self._summary.kv_cache_bytes(cells),
            self.states.used_bytes if self.states else 0,
            self.last_restored,
        )

    # -- the KV sequences ----------------------------------------------------------------------
    def _prompt_steps(
        self, reply: Reply, same_every_time: bool = False, reply_room: int = 0
    ) -> Generator[None, None, int]:
        """Bring a KV sequence to exactly the reply's prompt, one batch per ``next``; returns the cells reused.

        The sequence (``reply.slot``, set at once) is the one holding the longest prefix
        of the prompt, or a saved state restored from disk when that holds more, or a new
        one (evicting the least recently used when the cells or sequences run out);
        sequences other replies in flight use are never continued nor evicted (their
        shared start is copied instead). It yields before each batch but the first, so
        the last batch's logits are still there when it returns. With
        ``same_every_time`` (a seeded or greedy request) the last token is evaluated on
        its own, as it is when the whole prompt is already cached: a batch of one and a
        longer batch give slightly different logits, enough for a draw to pick another
        token, so the answer would depend on what the cache happened to hold.
        """
        table = self.slots
        assert table is not None
        prompt, cancel, notify = reply.prompt, reply.cancel, reply.emit
        sequence = prompt.sequence
        busy = self._busy_sequences(besides=reply)
        choice = table.choose(sequence, busy)
        held = busy | {s.seq_id for s in (choice.slot, choice.copy_from) if s is not None}
        saved, saved_keep = (
            self.states.best_match(sequence.position_ids()) if self.states else (None, 0)
        )
        self.last_restored = False
        if saved is not None and saved_keep > choice.keep + RESTORE_MARGIN:
            slot = self._new_slot(held, saved.cached.n_cells)
            keep = self._restore(slot, saved, sequence)
        elif choice.slot is None:
            slot = self._new_slot(held, 0)
            keep = 0
            if choice.copy_from is not None:
                import llama_cpp

                llama_cpp.llama_memory_seq_cp(
                    self._memory, choice.copy_from.seq_id, slot.seq_id, 0, choice.keep
                )
                slot.replace(choice.copy_from.cached.prefix(choice.keep))
                keep = choice.keep
        else:
            slot, keep = choice.slot, choice.keep
        reply.slot = slot
        table.touch(slot)
        if keep < slot.n_positions:
            if not self._forget_from(slot.seq_id, keep):
                self._forget_from(slot.seq_id, 0)
                keep = 0
            slot.truncate(keep)
        self._make_room(slot, sequence.n_cells - slot.n_cells + reply_room, busy)
        pieces = list(sequence.remainder(keep))
        if same_every_time and pieces:
            last = pieces[-1]
            if isinstance(last, list) and len(last) > 1:
                pieces[-1:] = [last[:-1], last[-1:]]
        if self.vision is not None:
            self.vision.stats.images_reused_from_kv += sequence.media_before(keep)
        images = {image.sha256: image for image in prompt.images}
        assert self._batch is not None
        capacity = self._batch.capacity
        chunks: list[Piece] = []
        for piece in pieces:
            if isinstance(piece, MediaPiece):
                chunks.append(piece)
            else:
                chunks += [piece[i : i + capacity] for i in range(0, len(piece), capacity)]
        for index, chunk in enumerate(chunks):
            if index:
                yield
            if cancel.is_set():
                break
            if isinstance(chunk, MediaPiece):
                if not self._evaluate_media(slot, chunk, images, cancel, notify):
                    break
            elif not self._evaluate_text(slot, chunk, cancel):
                break
        return sequence.cells_before(keep)

    def _new_slot(self, held: set[int], cells: int) -> Slot:
        """An empty sequence with room for ``cells``, evicting the least recently used others (not ``held``)."""
        table = self.slots
        assert table is not None
        for victim in table.victims(held, cells_needed=cells, sequences_needed=1):
            self._evict(victim)
        return table.new_slot()

    def _make_room(self, slot: Slot, cells: int, busy: set[int]) -> None:
        """Evict least recently used sequences (not ``busy``) until ``cells`` more fit beside what is held."""
        table = self.slots
        assert table is not None
        for victim in table.victims(busy | {slot.seq_id}, cells_needed=max(0, cells)):
            self._evict(victim)

    def _evict(self, slot: Slot) -> None:
        """Save a sequence to disk (if worth it) and free its cells."""
        assert self.slots is not None
        self._save(slot)
        self._forget_from(slot.seq_id, 0)
        self.slots.remove(slot)

    def _save(self, slot: Slot) -> None:
        """Write what the sequence holds to the cache folder, unless it is short or already saved."""
        if self.states is None or not slot.unsaved or slot.n_cells < MIN_SAVED_CELLS:
            return
        entry = self.states.save(self._llama.ctx, slot.seq_id, slot.cached)
        if entry is not None:
            slot.saved_path, slot.saved_positions = entry.path, slot.n_positions

    def _restore(self, slot: Slot, saved: Any, sequence: PromptSequence) -> int:
        """Load a saved state into the empty ``slot``; the positions of ``sequence`` it holds (0 if refused)."""
        assert self.states is not None
        restored = self.states.load(self._llama.ctx, slot.seq_id, saved)
        if restored is None:
            return 0
        slot.replace(restored)
        slot.restored = True
        slot.saved_path, slot.saved_positions = saved.path, slot.n_positions
        self.last_restored = True
        return reusable_prefix(slot.cached.position_ids(), sequence)

    def _forget_from(self, seq_id: int, position: int) -> bool:
        """Drop a sequence's entries from ``position`` on; ``False`` when llama.cpp cannot cut there."""
        import llama_cpp

        if self._memory is None:
            return False
        return bool(llama_cpp.llama_memory_seq_rm(self._memory, seq_id, position, -1))

    def _evaluate_text(self, slot: Slot, tokens: list[int], cancel: threading.Event) -> bool:
        """Evaluate one batch of tokens after the sequence's end; ``False`` when a cancel stopped it (midway too)."""
        batch = self._batch
        assert batch is not None
        with self.abortable(cancel):
            if cancel.is_set():
                return False
            batch.fill(tokens, slot.n_positions, slot.seq_id)
            result = batch.decode(self._llama.ctx)
        if result != DECODE_OK:
            self._forget_from(slot.seq_id, slot.n_positions)  # drop a partly evaluated batch
            if result == DECODE_ABORTED or cancel.is_set():
                return False
            raise ModelError(
                f"llama.cpp could not evaluate the prompt (llama_decode returned {result})."
            )
        slot.append(tokens)
        return True

    def _evaluate_media(
        self,
        slot: Slot,
        piece: MediaPiece,
        images: dict[str, ImageInput],
        cancel: threading.Event,
        notify: Emit,
    ) -> bool:
        """Evaluate one media chunk after the sequence's end; ``False`` when a cancel stopped it."""
        vision = self._require_vision()
        start = slot.n_positions
        with self.abortable(cancel):
            end = vision.decode_media(piece, images, start, slot.seq_id, notify)
        if end < 0:
            self._forget_from(slot.seq_id, start)  # drop a partly decoded image
            if cancel.is_set():
                return False
            raise ModelError("llama.cpp could not evaluate the image in the model's context.")
        if end - start != piece.n_pos:
            _LOGGER.warning("Image chunk took %d positions, expected %d", end - start, piece.n_pos)
        slot.append(piece)
        return True

    @contextlib.contextmanager
    def abortable(self, cancel: threading.Event) -> Iterator[None]:
        """Within the block, a set ``cancel`` aborts the running ``llama_decode`` (text or image batches)."""
        self._watch(self._abort_flag)
        self._abort_flag.clear()
        done = threading.Event()
        watcher = threading.Thread(target=self._forward_cancel, args=(cancel, done), daemon=True)
        watcher.start()
        try:
            yield
        finally:
            done.set()
            watcher.join()
            self._abort_flag.clear()

    def _forward_cancel(self, cancel: threading.Event, done: threading.Event) -> None:
        """Turn the request's cancel into llama.cpp's abort flag while a prompt evaluates."""
        while not done.is_set():
            if cancel.wait(0.01):
                self._abort_flag.set()
                return
