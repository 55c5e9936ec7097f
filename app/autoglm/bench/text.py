"""``autoglm bench text``: load time, TTFT as a conversation grows, decode speed vs llama-cpp-python.

The peer is ``Llama.create_completion`` on the very same loaded model and threads, so the
decode ratio shows what the engine's streaming, reasoning split and cancellation cost
per token. Trials alternate between engine and peer and the medians are compared, so a
noisy neighbour on a shared machine hits both sides alike.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from pathlib import Path
from typing import Any

from autoglm.bench.report import peak_rss_mb, print_table, write_json
from autoglm.core.types import ChatMessage, GenerationRequest, SamplingParams

QUESTIONS = [
    "Write a Python function that reverses a string.",
    "Now make it skip whitespace characters.",
    "Add a docstring to the function.",
    "Write a unit test for it with pytest.",
    "Explain the test in one sentence.",
    "Rename the function to reverse_text.",
    "Add type hints to the function.",
    "Summarise what the final function does.",
]
DECODE_PROMPT = "Count from 1 to 400, separated by commas, with no other text."


def register(subparsers: Any) -> None:
    """Add ``bench text``."""
    parser = subparsers.add_parser("text", help="Load time, TTFT turn 1 vs 8, decode speed vs llama-cpp-python")
    parser.add_argument("--model", default=None, help="Catalog id or .gguf path (default: the starter model)")
    parser.add_argument("--json", type=Path, help="Write the figures to this JSON file")
    parser.add_argument("--decode-tokens", type=int, default=128, help="Tokens per decode trial")
    parser.add_argument("--trials", type=int, default=5, help="Decode trials per side")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: physical cores)")
    parser.set_defaults(handler=run)


def _engine(args: argparse.Namespace) -> Any:
    from autoglm.core.catalog import STARTER_MODEL_ID, ModelRepository
    from autoglm.core.llama.engine import LlamaEngine
    from autoglm.core.paths import app_paths
    from autoglm.core.settings import load_settings

    settings = load_settings()
    model_settings = settings.model.model_copy(update={"n_ctx": 4096, "n_threads": args.threads})
    resolved = ModelRepository(app_paths().ensure()).resolve(args.model or STARTER_MODEL_ID)
    return LlamaEngine(resolved.model_path, model_settings, model_id=resolved.model_id)


def _conversation_ttfts(engine: Any) -> list[float]:
    """TTFT of each turn of a growing conversation (greedy, short replies)."""
    messages = [ChatMessage("system", "You are a concise coding assistant.")]
    ttfts = []
    for question in QUESTIONS:
        messages.append(ChatMessage("user", question))
        request = GenerationRequest(list(messages), SamplingParams(temperature=0.0, max_tokens=48))
        completion = engine.generate(request, lambda event: None, threading.Event())
        ttfts.append(completion.timings.ttft_s)
        messages.append(ChatMessage("assistant", completion.content))
    return ttfts


def _engine_decode(engine: Any, tokens: int) -> float:
    request = GenerationRequest([ChatMessage("user", DECODE_PROMPT)],
                                SamplingParams(temperature=0.0, max_tokens=tokens, repeat_penalty=1.0),
                                thinking=False)
    return engine.generate(request, lambda event: None, threading.Event()).timings.decode_tok_s


def _peer_decode(engine: Any, tokens: int) -> float:
    """Decode speed of ``Llama.create_completion`` streaming on the same context."""
    prompt = engine.render([ChatMessage("user", DECODE_PROMPT)], thinking=False).text
    first = last = None
    count = 0
    for _chunk in engine.llama.create_completion(prompt, max_tokens=tokens, temperature=0.0, top_p=1.0,
                                                 min_p=0.0, repeat_penalty=1.0, stream=True):
        now = time.perf_counter()
        first = first or now
        last = now
        count += 1
    return (count - 1) / (last - first) if count > 1 and last and first and last > first else 0.0


def _cancel_latencies_ms(engine: Any, trials: int = 5) -> list[float]:
    """Milliseconds from ``cancel()`` to the stream being finished, mid-reply, through the scheduler."""
    from autoglm.core.scheduler import Scheduler

    scheduler = Scheduler(engine).start()
    latencies = []
    try:
        for _ in range(trials):
            stream = scheduler.submit(GenerationRequest([ChatMessage("user", DECODE_PROMPT)],
                                                        SamplingParams(temperature=0.0, max_tokens=400)))
            for count, _event in enumerate(stream, start=1):
                if count == 10:
                    break
            started = time.perf_counter()
            stream.cancel()
            stream.result(30)
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        scheduler.shutdown()
    return latencies


def run(args: argparse.Namespace) -> int:
    """Run the benchmark, print the table, write JSON."""
    engine = _engine(args)
    started = time.perf_counter()
    engine.load()
    load_s = time.perf_counter() - started
    engine.generate(GenerationRequest([ChatMessage("user", "Hi")], SamplingParams(max_tokens=4)),
                    lambda event: None, threading.Event())  # warm-up
    ttfts = _conversation_ttfts(engine)
    ours, peer = [], []
    for _ in range(args.trials):
        ours.append(_engine_decode(engine, args.decode_tokens))
        peer.append(_peer_decode(engine, args.decode_tokens))
    decode, peer_decode = statistics.median(ours), statistics.median(peer)
    cancels = _cancel_latencies_ms(engine)
    figures = {
        "model": engine.info.model_id,
        "threads": args.threads or "auto",
        "load_s": load_s,
        "ttft_turn1_s": ttfts[0],
        "ttft_turn8_s": ttfts[-1],
        "ttft_turn8_over_turn1": ttfts[-1] / ttfts[0] if ttfts[0] else 0.0,
        "ttft_by_turn_s": ttfts,
        "decode_tok_s": decode,
        "peer_decode_tok_s": peer_decode,
        "decode_ratio_vs_peer": decode / peer_decode if peer_decode else 0.0,
        "decode_trials_tok_s": ours,
        "peer_decode_trials_tok_s": peer,
        "cancel_latency_ms_p50": statistics.median(cancels),
        "cancel_latency_ms_max": max(cancels),
        "peak_rss_mb": peak_rss_mb(),
    }
    engine.unload()
    print_table(f"autoglm bench text — {figures['model']}",
                [(k, v) for k, v in figures.items() if not isinstance(v, list)])
    write_json(args.json, figures)
    return 0
