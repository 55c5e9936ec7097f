"""``autoglm bench text``: load time, TTFT as a conversation grows, decode speed vs llama-cpp-python.

The engine is measured as the app uses it: the model in its worker process, every figure
taken where the deltas arrive in this process. The peer is ``Llama.create_completion`` on
the same model and threads in this process, so the decode ratio shows what the engine's
streaming, reasoning split, cancellation and the trip between processes cost per token;
``worker_added_ms_per_token`` is that trip alone (the worker stamps each delta). Trials
alternate between engine and peer, and the ratio is the median of each pair's ratio, so
a noisy neighbour on a shared machine hits both sides of a pair alike. The peer runs with the OpenMP setting the worker
gives llama.cpp (``tune_openmp``), so the ratio compares the process boundary alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from pathlib import Path
from typing import Any

from autoglm.bench.report import peak_rss_mb, print_table, write_json
from autoglm.core.llama.client import WorkerEngine
from autoglm.core.llama.engine import LlamaEngine
from autoglm.core.llama.worker import tune_openmp
from autoglm.core.scheduler import Engine
from autoglm.core.settings import ModelSettings
from autoglm.core.types import ChatMessage, Delta, GenerationRequest, SamplingParams

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
    parser = subparsers.add_parser(
        "text", help="Load time, TTFT turn 1 vs 8, decode speed vs llama-cpp-python"
    )
    parser.add_argument(
        "--model", default=None, help="Catalog id or .gguf path (default: the starter model)"
    )
    parser.add_argument("--json", type=Path, help="Write the figures to this JSON file")
    parser.add_argument("--decode-tokens", type=int, default=128, help="Tokens per decode trial")
    parser.add_argument("--trials", type=int, default=5, help="Decode trials per side")
    parser.add_argument(
        "--threads", type=int, default=None, help="CPU threads (default: physical cores)"
    )
    parser.add_argument(
        "--engine-lib-dir",
        type=Path,
        default=None,
        help="Run the engine on the llama.cpp libraries in this folder (e.g. the bundle's "
        "build for every CPU); the peer keeps the installed ones",
    )
    parser.set_defaults(handler=run)


def use_engine_libraries(lib_dir: Path | None) -> None:
    """Give the worker processes started from now on the llama.cpp in ``lib_dir``.

    This process loads the installed llama.cpp first, for the peer, so the two sides differ
    only in their libraries: how much the bundle's run-time CPU choice costs against a
    build for this machine. llama-cpp-python reads both variables when it is imported.
    """
    if lib_dir is None:
        return
    if not list(lib_dir.glob("*llama.*")):
        raise SystemExit(f"--engine-lib-dir {lib_dir}: no llama.cpp library there")
    import llama_cpp  # noqa: F401 - the peer's copy, loaded before the variables are set

    os.environ["LLAMA_CPP_LIB_PATH"] = str(lib_dir.resolve())
    os.environ["MTMD_CPP_LIB"] = str(lib_dir.resolve())


def resolve_model(args: argparse.Namespace) -> tuple[Path, ModelSettings, str, Path]:
    """``--model`` (default: the starter) as its file, the benchmarks' settings, its id and the log folder."""
    from autoglm.core.catalog import STARTER_MODEL_ID, ModelRepository
    from autoglm.core.paths import app_paths
    from autoglm.core.settings import load_settings

    settings = load_settings()
    model_settings = settings.model.model_copy(update={"n_ctx": 4096, "n_threads": args.threads})
    paths = app_paths().ensure()
    resolved = ModelRepository(paths).resolve(args.model or STARTER_MODEL_ID)
    return resolved.model_path, model_settings, resolved.model_id, paths.log_dir


def _engine(args: argparse.Namespace) -> LlamaEngine:
    """The model in this process (the peer's copy; other benchmarks use it too)."""
    model_path, model_settings, model_id, _logs = resolve_model(args)
    return LlamaEngine(model_path, model_settings, model_id=model_id)


def _engines(args: argparse.Namespace) -> tuple[WorkerEngine, LlamaEngine]:
    """The app's engine (the model in a worker process) and, in this process, the peer's copy."""
    model_path, model_settings, model_id, logs = resolve_model(args)
    return WorkerEngine(model_path, model_settings, model_id=model_id, log_dir=logs), _engine(args)


class Arrivals:
    """When each streamed delta reached this process."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.times: list[float] = []

    def __call__(self, event: object) -> None:
        """Record a delta's arrival."""
        if isinstance(event, Delta) and (event.content or event.reasoning):
            self.times.append(time.perf_counter())

    @property
    def ttft_s(self) -> float:
        """From the call to the first delta."""
        return (self.times[0] if self.times else time.perf_counter()) - self.started

    @property
    def rate(self) -> float:
        """Deltas per second after the first."""
        times = self.times
        return (
            (len(times) - 1) / (times[-1] - times[0])
            if len(times) > 1 and times[-1] > times[0]
            else 0.0
        )


def _conversation_ttfts(engine: Engine) -> list[float]:
    """TTFT of each turn of a growing conversation (greedy, short replies), as the caller sees it."""
    messages = [ChatMessage("system", "You are a concise coding assistant.")]
    ttfts = []
    for question in QUESTIONS:
        messages.append(ChatMessage("user", question))
        request = GenerationRequest(list(messages), SamplingParams(temperature=0.0, max_tokens=48))
        arrivals = Arrivals()
        completion = engine.generate(request, arrivals, threading.Event())
        ttfts.append(arrivals.ttft_s)
        messages.append(ChatMessage("assistant", completion.content))
    return ttfts


def _engine_decode(engine: WorkerEngine, tokens: int) -> tuple[float, list[float]]:
    """Decode speed as deltas reach this process, and each delta's trip from the worker."""
    request = GenerationRequest(
        [ChatMessage("user", DECODE_PROMPT)],
        SamplingParams(temperature=0.0, max_tokens=tokens, repeat_penalty=1.0),
        thinking=False,
    )
    arrivals = Arrivals()
    engine.generate(request, arrivals, threading.Event())
    return arrivals.rate, list(engine.added_latency_s)


def _peer_decode(engine: LlamaEngine, tokens: int) -> float:
    """Decode speed of ``Llama.create_completion`` streaming in this process (the same model and threads)."""
    prompt = engine.render([ChatMessage("user", DECODE_PROMPT)], thinking=False).text
    first = last = None
    count = 0
    for _chunk in engine.llama.create_completion(
        prompt,
        max_tokens=tokens,
        temperature=0.0,
        top_p=1.0,
        min_p=0.0,
        repeat_penalty=1.0,
        stream=True,
    ):
        now = time.perf_counter()
        first = first or now
        last = now
        count += 1
    return (count - 1) / (last - first) if count > 1 and last and first and last > first else 0.0


def _cancel_latencies_ms(engine: Engine, trials: int = 5) -> list[float]:
    """Milliseconds from ``cancel()`` to the stream being finished, mid-reply, through the scheduler."""
    from autoglm.core.scheduler import Scheduler

    scheduler = Scheduler(engine).start()
    latencies = []
    try:
        for _ in range(trials):
            stream = scheduler.submit(
                GenerationRequest(
                    [ChatMessage("user", DECODE_PROMPT)],
                    SamplingParams(temperature=0.0, max_tokens=400),
                )
            )
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
    tune_openmp()  # before this process loads llama.cpp for the peer
    use_engine_libraries(args.engine_lib_dir)
    engine, peer_engine = _engines(args)
    started = time.perf_counter()
    info = engine.load()
    load_s = time.perf_counter() - started
    peer_engine.load()
    engine.generate(
        GenerationRequest([ChatMessage("user", "Hi")], SamplingParams(max_tokens=4)),
        lambda event: None,
        threading.Event(),
    )  # warm-up
    ttfts = _conversation_ttfts(engine)
    ours, peer, trips = [], [], []
    for _ in range(args.trials):
        rate, trip = _engine_decode(engine, args.decode_tokens)
        ours.append(rate)
        trips += trip
        peer.append(_peer_decode(peer_engine, args.decode_tokens))
    decode, peer_decode = statistics.median(ours), statistics.median(peer)
    cancels = _cancel_latencies_ms(engine)
    trips.sort()
    figures = {
        "model": info.model_id,
        "threads": args.threads or "auto",
        "engine_lib_dir": str(args.engine_lib_dir or "installed"),
        "gomp_spincount": os.environ.get("GOMP_SPINCOUNT", "libgomp default"),
        "load_s": load_s,
        "ttft_turn1_s": ttfts[0],
        "ttft_turn8_s": ttfts[-1],
        "ttft_turn8_over_turn1": ttfts[-1] / ttfts[0] if ttfts[0] else 0.0,
        "ttft_by_turn_s": ttfts,
        "decode_tok_s": decode,
        "peer_decode_tok_s": peer_decode,
        # Trial by trial (each engine run and the peer's right after it), then the median:
        # a neighbour whose load drifts during the run hits both halves of a pair alike.
        "decode_ratio_vs_peer": statistics.median(
            [ours_rate / peer_rate for ours_rate, peer_rate in zip(ours, peer) if peer_rate]
            or [0.0]
        ),
        "decode_trials_tok_s": ours,
        "peer_decode_trials_tok_s": peer,
        "cancel_latency_ms_p50": statistics.median(cancels),
        "cancel_latency_ms_max": max(cancels),
        "worker_added_ms_per_token_p50": 1000 * statistics.median(trips) if trips else 0.0,
        "worker_added_ms_per_token_p95": 1000 * trips[int(0.95 * (len(trips) - 1))]
        if trips
        else 0.0,
        "peak_rss_mb": peak_rss_mb(),
    }
    engine.unload()
    peer_engine.unload()
    print_table(
        f"autoglm bench text — {figures['model']}",
        [(k, v) for k, v in figures.items() if not isinstance(v, list)],
    )
    write_json(args.json, figures)
    return 0
