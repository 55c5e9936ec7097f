"""One reply's tokens: how each sampled token becomes text, stops, or ends the reply.

A reply no longer owns the decode loop: several replies share each ``llama_decode`` step
(one token per sequence in one batch, see ``engine.LlamaEngine.step``), so everything
that belongs to one reply — its sampler chain (temperature, seed, grammar, penalties),
its stop strings, its token budget, its log-probabilities, its reasoning split and its
UTF-8 decoder — lives here, and the engine only tells it which row of the step's logits
is its own. A reply decoded alone is the same object fed one row per step.
"""

from __future__ import annotations

import codecs
import random
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from autoglm.core.llama.sampling import SamplerChain, build_sampler, token_logprob
from autoglm.core.reasoning import REASONING_TAGS, ReasoningSplitter
from autoglm.core.types import (
    Completion,
    Delta,
    GenerationRequest,
    StreamEvent,
    TokenLogprob,
    Usage,
)

Emit = Callable[[StreamEvent], None]


class _StopMatcher:
    """Holds back text that might be the start of a stop string; finds a completed one."""

    def __init__(self, stops: list[str]):
        self._stops = [s for s in stops if s]
        self._hold = max((len(s) for s in self._stops), default=1) - 1
        self._buffer = ""

    def push(self, text: str) -> tuple[str, bool]:
        """``(text safe to emit, stopped)``."""
        self._buffer += text
        if not self._stops:
            out, self._buffer = self._buffer, ""
            return out, False
        hits = [i for i in (self._buffer.find(s) for s in self._stops) if i >= 0]
        if hits:
            out, self._buffer = self._buffer[: min(hits)], ""
            return out, True
        cut = max(0, len(self._buffer) - self._hold)
        out, self._buffer = self._buffer[:cut], self._buffer[cut:]
        return out, False

    def flush(self) -> str:
        """Whatever is held back, at the end of the stream."""
        out, self._buffer = self._buffer, ""
        return out


class TokenPieces:
    """Each token's bytes, whatever their length, and which of them a reader may see.

    llama-cpp-python's ``detokenize`` renders into a 32-byte buffer and returns nothing
    for a longer piece (runs of spaces, separator lines), so pieces come from
    ``llama_token_to_piece`` directly, retried with the size it asks for. Control tokens
    (``<|assistant|>``, ``<|begin_of_image|>``…) are never text for the reader: only
    those that end the reply (kept for the stop check) or that mark reasoning pass.
    """

    PASSED_CONTROL = frozenset(REASONING_TAGS)

    def __init__(self, llama: Any):
        import llama_cpp

        self._vocab = llama_cpp.llama_model_get_vocab(llama.model)
        self._lib = llama_cpp
        self._cache: dict[int, bytes] = {}

    def piece(self, token: int) -> bytes:
        """The token's bytes with special tokens rendered as their text."""
        cached = self._cache.get(token)
        if cached is not None:
            return cached
        import ctypes

        size = 64
        while True:
            buffer = ctypes.create_string_buffer(size)
            n = self._lib.llama_token_to_piece(self._vocab, token, buffer, size, 0, True)
            if n >= 0:
                data = buffer.raw[:n]
                break
            if (
                -n <= size
            ):  # pragma: no cover - llama.cpp asks for more than it needs only on a bad token
                data = b""
                break
            size = -n
        self._cache[token] = data
        return data

    def visible(self, token: int, stops: list[str]) -> bytes:
        """The bytes to pass on: a control token only if it is a stop string or a reasoning tag."""
        data = self.piece(token)
        if data and self._lib.llama_vocab_is_control(self._vocab, token):
            text = data.decode("utf-8", errors="replace")
            if text not in self.PASSED_CONTROL and text not in stops:
                return b""
        return data


class ReplyDecoder:
    """The state of one reply being sampled; ``take`` its logits row after each step, ``finish`` at the end.

    ``prompt_cells`` is how many KV cells the prompt fills. With M-RoPE an image takes
    far fewer positions than cells, and the context is a number of cells, so the reply
    is bounded by cells, never by positions.
    """

    def __init__(
        self,
        llama: Any,
        pieces: TokenPieces,
        stop_strings: Sequence[str],
        request: GenerationRequest,
        emit: Emit,
        cancel: threading.Event,
        starts_in_reasoning: bool,
        max_tokens: int,
    ):
        import llama_cpp

        self._llama = llama
        self._lib = llama_cpp
        self._vocab = llama_cpp.llama_model_get_vocab(llama.model)
        self._pieces = pieces
        self._emit = emit
        self.cancel = cancel
        self.params = request.sampling
        self.stops = list(dict.fromkeys([*self.params.stop, *stop_strings]))
        self._stopper = _StopMatcher(self.stops)
        self._splitter = ReasoningSplitter(start_in_reasoning=starts_in_reasoning)
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._content: list[str] = []
        self._reasoning: list[str] = []
        self._raw: list[str] = []
        self.logprobs: list[TokenLogprob] = []
        self._pending_logprobs: list[TokenLogprob] = []
        self.max_tokens = max(0, max_tokens)
        self.generated = 0
        self.finish_reason = "length"
        self.done = self.max_tokens == 0 or cancel.is_set()
        if cancel.is_set():
            self.finish_reason = "cancelled"
        self.pending: int | None = None  # the sampled token the next step evaluates
        self.started = time.perf_counter()
        self.first_token_at: float | None = None
        self._sampler: SamplerChain | None = None
        self._sampled = False
        if not self.done:
            seed = self.params.seed if self.params.seed is not None else random.randrange(2**31)
            self._sampler = build_sampler(llama, self.params, seed)

    def take(self, index: int) -> None:
        """Sample from row ``index`` of the last step's logits (-1: the last row) and pass the token on.

        Sets ``pending`` when the reply goes on, ``done`` when it ended (a stop, the
        end of generation, its token budget, a cancel).
        """
        assert self._sampler is not None and not self.done
        token = self._sampler.sample(self._llama.ctx, index)
        self._sampled = True
        self.pending = None
        if self.first_token_at is None:
            self.first_token_at = time.perf_counter()
        if self.cancel.is_set():
            self._end("cancelled")
            return
        if self._lib.llama_vocab_is_eog(self._vocab, token):
            self._end("stop")
            return
        self.generated += 1
        if self.params.top_logprobs is not None:
            logprob = token_logprob(
                self._llama, token, self.params.top_logprobs, self._pieces.piece, index
            )
            self.logprobs.append(logprob)
            self._pending_logprobs.append(logprob)
        piece = self._pieces.visible(token, self.stops)
        text, stopped = self._stopper.push(self._utf8.decode(piece))
        if text:
            self._deliver(text)
        if stopped:
            self._end("stop")
        elif self.generated >= self.max_tokens:
            self._end("length")
        else:
            self.pending = token

    def stop(self, reason: str) -> None:
        """End the reply from outside (a cancel seen between steps, no room left in the context)."""
        if not self.done:
            self._end(reason)

    def _end(self, reason: str) -> None:
        self.finish_reason = reason
        self.done = True
        self.pending = None

    def _deliver(self, text: str, last: bool = False) -> None:
        delta = self._splitter.feed(text)
        self._raw.append(text)
        if delta.content or delta.reasoning or text or (last and self._pending_logprobs):
            self._content.append(delta.content)
            self._reasoning.append(delta.reasoning)
            self._emit(
                Delta(delta.content, delta.reasoning, tuple(self._pending_logprobs), raw=text)
            )
            self._pending_logprobs.clear()

    def finish(self) -> Completion:
        """Flush what is held back, free the sampler, and the reply's ``Completion``."""
        if self._sampler is not None:
            self._sampler.close()
            self._sampler = None
        completion = Completion(usage=Usage())
        if (
            not self._sampled
        ):  # over before it began: cancelled while queued, or no room for a token
            completion.finish_reason = self.finish_reason  # type: ignore[assignment]
            return completion
        tail = self._stopper.flush() if self.finish_reason != "stop" else ""
        self._deliver(tail + self._utf8.decode(b"", final=True), last=True)
        last = self._splitter.flush()
        if last.content or last.reasoning:
            self._content.append(last.content)
            self._reasoning.append(last.reasoning)
            self._emit(Delta(last.content, last.reasoning, raw=""))
        completion.logprobs = self.logprobs
        ended = time.perf_counter()
        completion.raw = "".join(self._raw).rstrip()
        completion.content = "".join(self._content).rstrip()
        completion.reasoning = "".join(self._reasoning).strip()
        completion.finish_reason = self.finish_reason  # type: ignore[assignment]
        completion.usage.completion_tokens = self.generated
        first = self.first_token_at or ended
        completion.timings.ttft_s = first - self.started
        completion.timings.decode_s = ended - first
        if self.generated > 1 and completion.timings.decode_s > 0:
            completion.timings.decode_tok_s = (self.generated - 1) / completion.timings.decode_s
        return completion
