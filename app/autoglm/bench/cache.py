"""``autoglm bench cache``: what keeping every conversation's KV cache saves, as the app runs the engine.

Two conversations with a few turns of history each, the model in its worker process
(``WorkerEngine``) with a cache folder, every time taken where the first delta arrives
in this process:

* ``switch_back_ttft_ratio`` — a follow-up in conversation A right after a request in
  conversation B, over a follow-up in A with nothing in between. With one KV sequence
  the request in B overwrote A and the whole history was evaluated again; with one
  sequence per conversation both follow-ups evaluate only their new message (goal ≤ 1.5).
* ``restart_ttft_ratio`` — the first follow-up in A after the engine is restarted (its
  state saved on quit, restored from disk), over the same follow-up evaluated from
  scratch with no saved state (goal ≤ 0.1).

Greedy replies, short: the figures are about prompts, not decoding. Then, on the same
model and threads, the figures of replies decoded together (``bench.batching``):
``aggregate_speedup_4`` through the app's engine beside ``raw_batched_speedup_4`` of
llama.cpp itself and ``peer_aggregate_speedup_4`` of ``llama_cpp.server``, and
``voice_priority_delay_ms`` against ``decode_step_ms``.
``restart_reply_matches_scratch`` says whether the restored conversation answered as the
one evaluated from scratch did; it may not, as with any reuse of a KV cache: tokens
evaluated one by one while a reply was decoded and the same tokens evaluated in one
batch differ in the last bits, enough at times for greedy decoding to pick another word.
"""

from __future__ import annotations

import argparse
import shutil
import threading
from pathlib import Path
from typing import Any

from autoglm.bench.batching import Plan, concurrency_figures
from autoglm.bench.report import peak_rss_mb, print_table, write_json
from autoglm.bench.text import Arrivals, resolve_model
from autoglm.core.llama.client import WorkerEngine
from autoglm.core.types import ChatMessage, GenerationRequest, SamplingParams

TOPICS = {
    "A": (
        "You are a concise assistant for a Python project.",
        [
            "How do I read a file line by line?",
            "How do I skip empty lines?",
            "How do I count the words?",
            "How do I sort the words by frequency?",
            "How do I print the ten most common?",
            "How do I write them to a CSV file?",
            "How do I add a header row?",
            "How do I test this?",
        ],
    ),
    "B": (
        "You are a friendly travel guide.",
        [
            "What should I see in Paris in one day?",
            "Where can I eat near the Louvre?",
            "How do I get to Montmartre?",
            "Is the metro open late?",
            "What is a good evening walk?",
            "Which museum is best on a rainy day?",
            "How much is a museum pass?",
            "What should I pack?",
        ],
    ),
}
REPLY = (
    "Here is a short answer with the main steps. First, keep the code small and readable; then check "
    "the edge cases one by one; finally run it on a real example and compare the result with what you "
    "expected. "
)


def register(subparsers: Any) -> None:
    """Add ``bench cache``."""
    parser = subparsers.add_parser(
        "cache", help="TTFT after switching conversations and after a restart"
    )
    parser.add_argument(
        "--model", default=None, help="Catalog id or .gguf path (default: the starter model)"
    )
    parser.add_argument("--json", type=Path, help="Write the figures to this JSON file")
    parser.add_argument(
        "--turns", type=int, default=6, help="Turns of history in each conversation (1-7)"
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="CPU threads (default: physical cores)"
    )
    parser.add_argument(
        "--streams", type=int, default=4, help="Concurrent streams of the batching figures"
    )
    parser.add_argument(
        "--stream-tokens", type=int, default=128, help="Tokens each concurrent stream decodes"
    )
    parser.add_argument(
        "--trials", type=int, default=3, help="Paired trials (one stream, then all) per speed-up"
    )
    parser.add_argument(
        "--no-peer", action="store_true", help="Skip llama_cpp.server in the batching figures"
    )
    parser.set_defaults(handler=run)


def history(name: str, turns: int) -> list[ChatMessage]:
    """Conversation ``name`` with ``turns`` answered questions (fixed replies: no decoding needed)."""
    system, questions = TOPICS[name]
    messages = [ChatMessage("system", system)]
    for question in questions[:turns]:
        messages += [ChatMessage("user", question), ChatMessage("assistant", REPLY * 3)]
    return messages


def ask(engine: WorkerEngine, messages: list[ChatMessage]) -> tuple[float, str, int]:
    """TTFT as this process sees it, the reply, and the prompt tokens taken from the cache."""
    arrivals = Arrivals()
    request = GenerationRequest(
        messages, SamplingParams(temperature=0.0, max_tokens=8), thinking=False
    )
    completion = engine.generate(request, arrivals, threading.Event())
    return arrivals.ttft_s, completion.content, completion.usage.cached_prompt_tokens


def run(args: argparse.Namespace) -> int:
    """Run the benchmark, print the table, write JSON."""
    model_path, model_settings, model_id, logs = resolve_model(args)
    turns = max(1, min(args.turns, 7))
    from autoglm.core.paths import app_paths

    state_dir = app_paths().ensure().cache_dir / "bench" / "conversations"
    shutil.rmtree(state_dir, ignore_errors=True)

    def started() -> WorkerEngine:
        engine = WorkerEngine(
            model_path, model_settings, model_id=model_id, log_dir=logs, state_dir=state_dir
        )
        engine.load()
        ask(engine, [ChatMessage("user", "Hi")])  # warm-up
        return engine

    a, b = history("A", turns), history("B", turns)
    questions = TOPICS["A"][1]

    def a_after(extra: int) -> list[ChatMessage]:
        return a + [ChatMessage("user", questions[min(turns + extra, len(questions) - 1)])]

    engine = started()
    try:
        first = a_after(0)
        cold_a, reply, _cached = ask(engine, first)  # A evaluated from scratch
        second = first + [ChatMessage("assistant", reply), ChatMessage("user", "Thanks. And then?")]
        no_switch, reply, _cached = ask(engine, second)  # nothing in between
        ask(engine, b)
        third = second + [
            ChatMessage("assistant", reply),
            ChatMessage("user", "Thanks. And after?"),
        ]
        switched, reply, switched_cached = ask(engine, third)  # right after a request in B
    finally:
        engine.unload()  # saves both conversations
    follow = third + [ChatMessage("assistant", reply), ChatMessage("user", "Good. Anything else?")]
    engine = started()
    try:
        restored, restored_reply, restored_cached = ask(engine, follow)
    finally:
        engine.unload()
    shutil.rmtree(state_dir, ignore_errors=True)
    engine = started()
    try:
        scratch, scratch_reply, _cached = ask(engine, follow)
    finally:
        engine.unload()
    shutil.rmtree(state_dir, ignore_errors=True)
    figures = {
        "model": model_id,
        "threads": args.threads or "auto",
        "history_turns": turns,
        "ttft_first_a_s": cold_a,
        "ttft_follow_up_no_switch_s": no_switch,
        "ttft_follow_up_after_switch_s": switched,
        "switch_back_ttft_ratio": switched / no_switch if no_switch else 0.0,
        "switch_back_cached_prompt_tokens": switched_cached,
        "ttft_after_restart_s": restored,
        "ttft_from_scratch_s": scratch,
        "restart_ttft_ratio": restored / scratch if scratch else 0.0,
        "restart_cached_prompt_tokens": restored_cached,
        "restart_reply_matches_scratch": restored_reply == scratch_reply,
    }
    from autoglm.core.llama.engine import default_thread_count

    figures.update(
        concurrency_figures(
            model_path,
            model_settings,
            model_id,
            logs,
            Plan(max(1, args.streams), max(2, args.stream_tokens), max(1, args.trials)),
            args.threads or default_thread_count(),
            with_peer=not args.no_peer,
        )
    )
    figures["peak_rss_mb"] = peak_rss_mb()
    print_table(f"autoglm bench cache — {model_id}", list(figures.items()))
    write_json(args.json, figures)
    return 0
