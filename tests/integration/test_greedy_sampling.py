"""The greedy shortcut picks what llama.cpp's greedy sampler picks: the real starter model, step by step."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoglm.core.llama.sampling import SamplerChain, build_sampler
from autoglm.core.types import SamplingParams


@pytest.fixture(scope="module")
def llama(starter_gguf: Path):
    from llama_cpp import Llama

    model = Llama(str(starter_gguf), n_ctx=512, n_threads=2, verbose=False)
    yield model
    model.close()


def test_greedy_shortcut_takes_the_native_greedy_token_at_every_step(llama) -> None:
    import llama_cpp

    shortcut = build_sampler(llama, SamplingParams(temperature=0.0, repeat_penalty=1.0), seed=1)
    native = SamplerChain()
    native.add(llama_cpp.llama_sampler_init_greedy())
    try:
        llama.reset()
        llama.eval(llama.tokenize(b"The planets of the solar system are"))
        picked = []
        for _ in range(24):
            ours, theirs = shortcut.sample(llama.ctx), native.sample(llama.ctx)
            assert ours == theirs
            picked.append(ours)
            llama.eval([ours])
    finally:
        shortcut.close()
        native.close()
    text = llama.detokenize(picked).decode("utf-8", errors="replace")
    assert len(set(picked)) > 5, text  # a real continuation, not one token over and over


def test_a_penalised_greedy_request_keeps_the_native_chain(llama) -> None:
    """Penalties look at what was drawn before, so their chain must see every token."""

    def draw(params: SamplingParams, steps: int = 6) -> list[int]:
        chain = build_sampler(llama, params, seed=1)
        try:
            llama.reset()
            llama.eval(llama.tokenize(b"one one one one one one one one"))
            tokens = []
            for _ in range(steps):
                tokens.append(chain.sample(llama.ctx))
                llama.eval(tokens[-1:])
            return tokens
        finally:
            chain.close()

    plain = draw(SamplingParams(temperature=0.0, repeat_penalty=1.0))
    penalised = draw(SamplingParams(temperature=0.0, repeat_penalty=100.0))
    assert len(set(plain)) < len(plain), plain  # the model goes on repeating itself
    assert len(set(penalised)) == len(penalised), penalised
