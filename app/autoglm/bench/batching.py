"""The concurrency half of ``autoglm bench cache``: replies decoded together, and a voice turn among them.

All on the model and threads of the cache figures, in one run:

Each speed-up is the median, over ``trials`` pairs (one stream, then 4), of the pair's
ratio, so a neighbour whose load drifts hits both halves of a pair alike.

* ``aggregate_speedup_4`` — total tokens per second of 4 concurrent greedy streams
  through the app's engine (the model in its worker process, requests through the
  ``Scheduler`` as the API sends them), over one stream's tokens per second. Each
  prompt is asked alone first, so every stream's prompt is in the KV cache and both
  figures are about decoding; ``concurrent_matches_alone`` says whether each of the 4
  replies is the text that prompt gave alone. Both rates are taken as llama.cpp's are
  below: deltas per second while decoding (these prompts give one delta a token), and
  for the 4 streams only while all 4 decode. The small model ends some replies early
  (53 of 128 tokens in one run), and steps holding 3, 2 or 1 of them are not what raw
  llama.cpp measures with 4 fixed-length sequences.
  ``aggregate_speedup_4_end_to_end`` is the same ratio over each request's whole
  time (completion tokens over wall time, prompts and early ends included).
* ``raw_batched_speedup_4`` — the same ratio for llama.cpp itself: 4 sequences, one
  token each in one ``llama_decode`` per step, through llama-cpp-python's low-level API
  in this process. This is the machine's limit; the goal is ``aggregate_speedup_4`` ≥
  0.9 × it (``aggregate_over_raw``).
* ``peer_aggregate_speedup_4`` — the ratio for llama-cpp-python's own server
  (``llama_cpp.server``), which answers one request at a time (about 1.0).
* ``voice_priority_delay_ms`` — how much longer a voice-priority request waits for its
  first token while 4 API streams decode than on an idle engine (the median of
  ``VOICE_TURNS`` turns, each sent at a random point of a step; the longest is
  ``voice_priority_delay_max_ms``), beside ``decode_step_ms`` (one step of those 4
  streams: the goal is under it).
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autoglm.bench.text import Arrivals
from autoglm.core.llama.client import WorkerEngine
from autoglm.core.settings import ModelSettings
from autoglm.core.types import ChatMessage, GenerationRequest, Priority, SamplingParams

STREAM_PROMPTS = [
    "Count from 1 to 400, separated by commas, with no other text.",
    "List the numbers from 500 to 900, one per line, with no other text.",
    "Write the even numbers from 2 to 800, separated by spaces.",
    "Count down from 700 to 1, separated by commas, with no other text.",
]
VOICE_PROMPT = "Say hello in five words."
VOICE_TURNS = 5  # voice turns sent while the API streams decode
RAW_PROMPT = b"Count from 1 to 400, separated by commas:"


@dataclass(frozen=True)
class Plan:
    """How many streams, how many tokens each, how many paired trials (one stream, then all)."""

    streams: int
    tokens: int
    trials: int = 3


def paired(single: list[float], together: list[float]) -> dict[str, float]:
    """Medians of the two rates and of their ratio trial by trial (a drifting neighbour hits both alike)."""
    ratios = [b / a for a, b in zip(single, together) if a]
    return {
        "single": statistics.median(single),
        "together": statistics.median(together),
        "ratio": statistics.median(ratios) if ratios else 0.0,
    }


def rate_while_all_decode(arrivals: list[Arrivals]) -> float:
    """Deltas per second of all streams together, from the last one's first delta to the first one's last."""
    if not all(recorder.times for recorder in arrivals):
        return 0.0
    start = max(recorder.times[0] for recorder in arrivals)
    end = min(recorder.times[-1] for recorder in arrivals)
    count = sum(start < t <= end for recorder in arrivals for t in recorder.times)
    return count / (end - start) if end > start else 0.0


def stream_request(index: int, tokens: int, priority: Priority = Priority.API) -> GenerationRequest:
    """Greedy request number ``index`` (its own prompt), thinking off."""
    prompt = STREAM_PROMPTS[index % len(STREAM_PROMPTS)]
    return GenerationRequest(
        [ChatMessage("user", prompt)],
        SamplingParams(temperature=0.0, max_tokens=tokens, repeat_penalty=1.0),
        thinking=False,
        priority=priority,
    )


def _voice_request() -> GenerationRequest:
    return GenerationRequest(
        [ChatMessage("user", VOICE_PROMPT)],
        SamplingParams(temperature=0.0, max_tokens=4),
        thinking=False,
        priority=Priority.VOICE,
    )


def _ttft_ms(scheduler: Any, request: GenerationRequest) -> float:
    """Milliseconds from submitting ``request`` to its first delta, as the caller sees it."""
    arrivals = Arrivals()
    stream = scheduler.submit(request)
    stream.add_listener(arrivals)
    stream.result(300)
    return 1000 * arrivals.ttft_s


def engine_figures(
    model_path: Path, settings: ModelSettings, model_id: str, logs: Path, plan: Plan
) -> dict[str, Any]:
    """Throughput of 1 and ``plan.streams`` streams, and a voice turn's wait, through the app's engine."""
    from autoglm.core.scheduler import Scheduler

    engine = WorkerEngine(
        model_path,
        settings.model_copy(update={"parallel_replies": plan.streams}),
        model_id=model_id,
        log_dir=logs,
    )
    engine.load()
    scheduler = Scheduler(engine).start()
    try:
        alone: list[str] = []
        for index in range(plan.streams):  # each prompt alone: the texts, and prompts cached
            alone.append(scheduler.submit(stream_request(index, plan.tokens)).result(600).content)
        singles: list[float] = []
        totals: list[float] = []
        singles_wall: list[float] = []
        totals_wall: list[float] = []
        replies: list[Any] = []
        for _ in range(plan.trials):
            started = time.perf_counter()
            alone_arrivals = Arrivals()
            stream = scheduler.submit(stream_request(0, plan.tokens))
            stream.add_listener(alone_arrivals)
            one = stream.result(600)
            singles_wall.append(one.usage.completion_tokens / (time.perf_counter() - started))
            singles.append(alone_arrivals.rate)
            started = time.perf_counter()
            arrivals = [Arrivals() for _ in range(plan.streams)]
            streams = [
                scheduler.submit(stream_request(i, plan.tokens)) for i in range(plan.streams)
            ]
            for stream, recorder in zip(streams, arrivals):
                stream.add_listener(recorder)
            replies = [stream.result(600) for stream in streams]
            wall = time.perf_counter() - started
            totals_wall.append(sum(r.usage.completion_tokens for r in replies) / wall)
            totals.append(rate_while_all_decode(arrivals))
        rates = paired(singles, totals)
        end_to_end = paired(singles_wall, totals_wall)
        voice_alone_ms = statistics.median(_ttft_ms(scheduler, _voice_request()) for _ in range(3))
        voice_loaded, step_ms = _voice_under_load(scheduler, plan)
    finally:
        scheduler.shutdown(30)
        engine.unload()
    return {
        "single_stream_tok_s": rates["single"],
        "concurrent_total_tok_s": rates["together"],
        "aggregate_speedup_4": rates["ratio"],
        "single_stream_end_to_end_tok_s": end_to_end["single"],
        "concurrent_total_end_to_end_tok_s": end_to_end["together"],
        "aggregate_speedup_4_end_to_end": end_to_end["ratio"],
        "concurrent_matches_alone": [r.content for r in replies] == alone,
        "voice_ttft_idle_ms": voice_alone_ms,
        "voice_ttft_under_load_ms": statistics.median(voice_loaded),
        "voice_priority_delay_ms": max(0.0, statistics.median(voice_loaded) - voice_alone_ms),
        "voice_priority_delay_max_ms": max(0.0, max(voice_loaded) - voice_alone_ms),
        "decode_step_ms": step_ms,
    }


def _voice_under_load(scheduler: Any, plan: Plan) -> tuple[list[float], float]:
    """Voice turns' TTFTs while ``plan.streams`` API streams decode, and their step time (ms)."""
    arrivals = [Arrivals() for _ in range(plan.streams)]
    streams = [
        scheduler.submit(stream_request(i, max(plan.tokens * 4, 400))) for i in range(plan.streams)
    ]
    for stream, recorder in zip(streams, arrivals):
        stream.add_listener(recorder)
    try:
        deadline = time.monotonic() + 300
        while any(len(a.times) < 4 for a in arrivals) and time.monotonic() < deadline:
            time.sleep(0.01)
        ttfts = []
        for _ in range(VOICE_TURNS):
            time.sleep(random.uniform(0.2, 0.4))  # a random point of a step, the streams going on
            ttfts.append(_ttft_ms(scheduler, _voice_request()))
        time.sleep(0.5)
    finally:
        for stream in streams:
            stream.cancel()
        for stream in streams:
            stream.result(120)
    gaps = [b - a for r in arrivals for a, b in zip(r.times[4:], r.times[5:])]
    return ttfts, 1000 * statistics.median(gaps) if gaps else 0.0


def raw_figures(model_path: Path, threads: int, plan: Plan) -> dict[str, Any]:
    """Tokens per second of llama.cpp decoding 1 and ``plan.streams`` sequences, one ``llama_decode`` per step."""
    from autoglm.core.llama.worker import tune_openmp

    tune_openmp()  # as the worker sets llama.cpp's threads up
    import llama_cpp

    from autoglm.core.llama.engine import sequences_in_context

    with sequences_in_context(plan.streams):
        llama = llama_cpp.Llama(
            model_path=str(model_path),
            n_ctx=plan.streams * (plan.tokens + 64),
            n_batch=512,
            n_threads=threads,
            n_threads_batch=threads,
            verbose=False,
        )
    ctx = llama.ctx
    memory = llama_cpp.llama_get_memory(ctx)
    batch = llama_cpp.llama_batch_init(512, 0, 1)
    greedy = llama_cpp.llama_sampler_init_greedy()
    prompt = llama.tokenize(RAW_PROMPT, add_bos=True)

    def put(tokens: list[tuple[int, int, int]]) -> None:
        """Fill the batch with ``(token, position, sequence)``, logits for every one, and decode it."""
        for i, (token, pos, seq) in enumerate(tokens):
            batch.token[i], batch.pos[i], batch.n_seq_id[i] = token, pos, 1
            batch.seq_id[i][0], batch.logits[i] = seq, 1
        batch.n_tokens = len(tokens)
        if llama_cpp.llama_decode(ctx, batch) != 0:
            raise RuntimeError("llama_decode failed in the raw batched decode")

    def rate(n: int) -> float:
        llama_cpp.llama_memory_clear(memory, True)
        last = []
        for seq in range(n):
            put([(t, p, seq) for p, t in enumerate(prompt)])
            last.append(llama_cpp.llama_sampler_sample(greedy, ctx, -1))
        started = time.perf_counter()
        for step in range(plan.tokens):
            put([(last[s], len(prompt) + step, s) for s in range(n)])
            last = [llama_cpp.llama_sampler_sample(greedy, ctx, s) for s in range(n)]
        return n * plan.tokens / (time.perf_counter() - started)

    try:
        rate(1)  # warm-up
        singles: list[float] = []
        totals: list[float] = []
        for _ in range(plan.trials):
            singles.append(rate(1))
            totals.append(rate(plan.streams))
        rates = paired(singles, totals)
    finally:
        llama_cpp.llama_sampler_free(greedy)
        llama_cpp.llama_batch_free(batch)
        llama.close()
    return {
        "raw_single_tok_s": rates["single"],
        "raw_batched_total_tok_s": rates["together"],
        "raw_batched_speedup_4": rates["ratio"],
    }


def peer_figures(model_path: Path, threads: int, plan: Plan) -> dict[str, Any]:
    """Tokens per second of 1 and ``plan.streams`` concurrent streams through ``llama_cpp.server``."""
    import httpx

    from autoglm.bench.server import PeerServer

    def stream_tokens(url: str, index: int, counts: list[int]) -> None:
        request = stream_request(index, plan.tokens)
        body = {
            "model": "peer",
            "messages": [{"role": "user", "content": request.messages[0].content}],
            "stream": True,
            "max_tokens": plan.tokens,
            "temperature": 0.0,
        }
        with httpx.stream("POST", url, json=body, timeout=600) as response:
            for line in response.iter_lines():
                if line.startswith("data:") and '"content"' in line:
                    counts[index] += 1

    def total_rate(url: str, n: int) -> float:
        counts = [0] * n
        threads_ = [threading.Thread(target=stream_tokens, args=(url, i, counts)) for i in range(n)]
        started = time.perf_counter()
        for thread in threads_:
            thread.start()
        for thread in threads_:
            thread.join()
        return sum(counts) / (time.perf_counter() - started)

    with PeerServer(str(model_path), threads) as peer:
        warm = [0] * plan.streams
        for index in range(plan.streams):  # warm-up: each prompt once, as for the app's engine
            stream_tokens(peer.url, index, warm)
        singles = []
        totals = []
        for _ in range(plan.trials):
            singles.append(total_rate(peer.url, 1))
            totals.append(total_rate(peer.url, plan.streams))
    rates = paired(singles, totals)
    return {
        "peer_single_tok_s": rates["single"],
        "peer_concurrent_total_tok_s": rates["together"],
        "peer_aggregate_speedup_4": rates["ratio"],
    }


def concurrency_figures(
    model_path: Path,
    settings: ModelSettings,
    model_id: str,
    logs: Path,
    plan: Plan,
    threads: int,
    with_peer: bool = True,
) -> dict[str, Any]:
    """Every figure of this module, one after the other on the same model and threads."""
    figures: dict[str, Any] = {
        "streams": plan.streams,
        "stream_tokens": plan.tokens,
        "trials": plan.trials,
    }
    figures.update(engine_figures(model_path, settings, model_id, logs, plan))
    figures.update(raw_figures(model_path, threads, plan))
    raw = figures["raw_batched_speedup_4"]
    figures["aggregate_over_raw"] = figures["aggregate_speedup_4"] / raw if raw else 0.0
    if with_peer:
        figures.update(peer_figures(model_path, threads, plan))
    return figures
