"""One request's llama.cpp sampler chain, and the log-probabilities of what it picked.

Built here rather than through ``Llama.generate`` so every sampling option of the API
has a native sampler: penalties (repeat, presence, frequency), logit bias, a grammar
(checked before use: llama.cpp returns no sampler for a grammar it cannot parse), then
top-k / top-p / temperature and a seeded draw, or greedy at temperature 0.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from autoglm.core.errors import InputError
from autoglm.core.types import SamplingParams, TokenLogprob, TopLogprob

_LOGGER = logging.getLogger(__name__)
PENALTY_LAST_N = 64


def build_sampler(llama: Any, params: SamplingParams, seed: int) -> Any:
    """The sampler chain for ``params`` (a ``llama_cpp._internals.LlamaSampler``; close it after use)."""
    import llama_cpp
    from llama_cpp._internals import LlamaSampler

    sampler = LlamaSampler()
    n_vocab = llama.n_vocab()
    try:
        if params.repeat_penalty != 1.0 or params.presence_penalty or params.frequency_penalty:
            sampler.add_penalties(n_vocab, PENALTY_LAST_N, params.repeat_penalty,
                                  params.frequency_penalty, params.presence_penalty)
        bias = {token: value for token, value in params.logit_bias.items() if 0 <= token < n_vocab}
        if bias:
            sampler.add_logit_bias(n_vocab, bias)
        if params.grammar:
            grammar = llama_cpp.llama_sampler_init_grammar(llama._model.vocab,  # noqa: SLF001
                                                           params.grammar.encode("utf-8"), b"root")
            if not grammar:
                raise InputError("The output grammar could not be parsed by llama.cpp.")
            llama_cpp.llama_sampler_chain_add(sampler.sampler, grammar)
        if params.temperature <= 0.0:
            sampler.add_greedy()
        else:
            sampler.add_top_k(params.top_k if params.top_k > 0 else n_vocab)
            sampler.add_top_p(params.top_p, 1)
            sampler.add_temp(params.temperature)
            sampler.add_dist(seed)
    except BaseException:
        sampler.close()
        raise
    return sampler


def _token_text(llama: Any, token: int) -> tuple[str, tuple[int, ...]]:
    data = llama._model.detokenize([token], True)  # noqa: SLF001 - one token's bytes, specials included
    return data.decode("utf-8", errors="replace"), tuple(data)


def token_logprob(llama: Any, token: int, n_top: int) -> TokenLogprob:
    """The model's log-probability of ``token`` (before sampling options), with the ``n_top`` likeliest."""
    import llama_cpp

    n_vocab = llama.n_vocab()
    pointer = llama_cpp.llama_get_logits_ith(llama._ctx.ctx, -1)  # noqa: SLF001
    logits = np.ctypeslib.as_array(pointer, shape=(n_vocab,)).astype(np.float64)
    peak = logits.max()
    logprobs = logits - peak - np.log(np.exp(logits - peak).sum())
    top: list[TopLogprob] = []
    if n_top > 0:
        best = np.argpartition(-logprobs, n_top)[:n_top]
        for index in best[np.argsort(-logprobs[best])]:
            text, raw = _token_text(llama, int(index))
            top.append(TopLogprob(text, float(logprobs[index]), raw))
    text, raw = _token_text(llama, token)
    return TokenLogprob(text, float(logprobs[token]), raw, tuple(top))
