"""One request's llama.cpp sampler chain, and the log-probabilities of what it picked.

Built here rather than through ``Llama.generate`` so every sampling option of the API
has a native sampler: penalties (repeat, presence, frequency), logit bias, a grammar
(checked before use: llama.cpp returns no sampler for a grammar it cannot parse), then
top-k / top-p / temperature and a seeded draw, or greedy at temperature 0. The chain is
made with llama.cpp's own sampler functions as llama-cpp-python exports them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np

from autoglm.core.errors import InputError
from autoglm.core.types import SamplingParams, TokenLogprob, TopLogprob

_LOGGER = logging.getLogger(__name__)
PENALTY_LAST_N = 64


class SamplerChain:
    """A ``llama_sampler`` chain that picks the next token from a context's last logits."""

    def __init__(self) -> None:
        import llama_cpp

        self._lib = llama_cpp
        self._chain: Any = llama_cpp.llama_sampler_chain_init(
            llama_cpp.llama_sampler_chain_default_params()
        )
        self._argmax_vocab = 0

    def add(self, sampler: Any) -> None:
        """Append a sampler; the chain owns it from now on."""
        self._lib.llama_sampler_chain_add(self._chain, sampler)

    def greedy_over(self, n_vocab: int) -> None:
        """The chain is greedy and nothing else: ``sample`` takes the row's first maximum itself.

        ``llama_sampler_sample`` copies the whole row into an array of token records
        before any sampler runs: about 0.5 ms a token for a 150k-token vocabulary, 1 % of
        a decode step on a laptop CPU. A greedy chain without penalties, bias or grammar
        keeps no state, and its pick is the first maximum, as numpy's ``argmax`` is.
        """
        self.add(self._lib.llama_sampler_init_greedy())
        self._argmax_vocab = n_vocab

    def sample(self, ctx: Any, index: int = -1) -> int:
        """The token drawn from row ``index`` of ``ctx``'s last logits (-1: the last row).

        The chain records it for penalties and grammar. In a step shared by several
        replies each reads its own row.
        """
        if self._argmax_vocab:
            row = self._lib.llama_get_logits_ith(ctx, index)
            return int(np.ctypeslib.as_array(row, shape=(self._argmax_vocab,)).argmax())
        return int(self._lib.llama_sampler_sample(self._chain, ctx, index))

    def close(self) -> None:
        """Free the chain and every sampler in it."""
        if self._chain is not None:
            self._lib.llama_sampler_free(self._chain)
            self._chain = None


def build_sampler(llama: Any, params: SamplingParams, seed: int) -> SamplerChain:
    """The sampler chain for ``params`` over ``llama``'s vocabulary (close it after use)."""
    import llama_cpp

    chain = SamplerChain()
    n_vocab = llama.n_vocab()
    try:
        penalised = bool(
            params.repeat_penalty != 1.0 or params.presence_penalty or params.frequency_penalty
        )
        if penalised:
            chain.add(
                llama_cpp.llama_sampler_init_penalties(
                    n_vocab,
                    PENALTY_LAST_N,
                    params.repeat_penalty,
                    params.frequency_penalty,
                    params.presence_penalty,
                )
            )
        bias = {token: value for token, value in params.logit_bias.items() if 0 <= token < n_vocab}
        if bias:
            entries = (llama_cpp.llama_logit_bias * len(bias))()
            for entry, (token, value) in zip(entries, bias.items()):
                entry.token = token
                entry.bias = value
            chain.add(llama_cpp.llama_sampler_init_logit_bias(n_vocab, len(bias), entries))
        if params.grammar:
            vocab = llama_cpp.llama_model_get_vocab(llama.model)
            grammar = llama_cpp.llama_sampler_init_grammar(
                vocab, params.grammar.encode("utf-8"), b"root"
            )
            if not grammar:
                raise InputError("The output grammar could not be parsed by llama.cpp.")
            chain.add(grammar)
        if params.temperature <= 0.0 and not (penalised or bias or params.grammar):
            chain.greedy_over(n_vocab)
        elif params.temperature <= 0.0:
            chain.add(llama_cpp.llama_sampler_init_greedy())
        else:
            chain.add(
                llama_cpp.llama_sampler_init_top_k(params.top_k if params.top_k > 0 else n_vocab)
            )
            chain.add(llama_cpp.llama_sampler_init_top_p(params.top_p, 1))
            chain.add(llama_cpp.llama_sampler_init_temp(params.temperature))
            chain.add(llama_cpp.llama_sampler_init_dist(seed))
    except BaseException:
        chain.close()
        raise
    return chain


def token_logprob(
    llama: Any, token: int, n_top: int, piece: Callable[[int], bytes], row: int = -1
) -> TokenLogprob:
    """The model's log-probability of ``token`` (before sampling options), with the ``n_top`` likeliest.

    ``piece`` gives a token's bytes, special tokens rendered as their text; ``row`` is
    the row of the last step's logits the token was drawn from.
    """
    import llama_cpp

    def text_of(index: int) -> tuple[str, tuple[int, ...]]:
        data = piece(index)
        return data.decode("utf-8", errors="replace"), tuple(data)

    n_vocab = llama.n_vocab()
    pointer = llama_cpp.llama_get_logits_ith(llama.ctx, row)
    logits = np.ctypeslib.as_array(pointer, shape=(n_vocab,)).astype(np.float64)
    peak = logits.max()
    logprobs = logits - peak - np.log(np.exp(logits - peak).sum())
    top: list[TopLogprob] = []
    if n_top > 0:
        best = np.argpartition(-logprobs, n_top)[:n_top]
        for index in best[np.argsort(-logprobs[best])]:
            text, raw = text_of(int(index))
            top.append(TopLogprob(text, float(logprobs[index]), raw))
    text, raw = text_of(token)
    return TokenLogprob(text, float(logprobs[token]), raw, tuple(top))
