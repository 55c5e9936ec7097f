"""``autoglm bench server``: 16 concurrent streaming clients against the API, then against a peer.

For a bounded time every client sends streaming chat requests back to back; a quarter
of them leave after the first token (a closed browser tab). Every request must end as
completed (``finish_reason`` and ``[DONE]``), refused cleanly (429 in OpenAI's shape), or
left on purpose; anything else — a reset, a 5xx, a stream without its end — is lost.
After the run the engine must be idle: replies whose clients left were cancelled.

The peer is llama-cpp-python's own server (``python -m llama_cpp.server``) on the same
model file and thread count, driven by the same clients (in their own process) in rounds
that alternate with the API's, so a noisy neighbour hits both alike; the ratio of tokens
per second shows what the scheduler, SSE bridge and cancellation cost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import httpx

from autoglm.bench.report import print_table, write_json
from autoglm.core.errors import ModelError

if TYPE_CHECKING:
    from autoglm.core.runtime import Runtime
    from autoglm.core.scheduler import Scheduler
    from autoglm.core.speech import Recognizer, Synthesizer
    from autoglm.core.types import ModelInfo

PROMPTS = [
    "Write a haiku about {n} rivers.",
    "List {n} fruits, comma separated.",
    "Explain in one sentence what {n} plus {n} is.",
    "Name {n} programming languages.",
]


def register(subparsers: Any) -> None:
    """Add ``bench server``."""
    parser = subparsers.add_parser(
        "server", help="16 streaming clients against the API vs llama-cpp-python's server"
    )
    parser.add_argument(
        "--model", default=None, help="Catalog id or .gguf path (default: the starter model)"
    )
    parser.add_argument("--json", type=Path, help="Write the figures to this JSON file")
    parser.add_argument("--clients", type=int, default=16, help="Concurrent streaming clients")
    parser.add_argument(
        "--duration", type=float, default=30.0, help="Seconds during which clients send requests"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="Alternating rounds (API, peer) sharing the duration"
    )
    parser.add_argument("--max-tokens", type=int, default=16, help="max_tokens of every request")
    parser.add_argument(
        "--max-queued", type=int, default=8, help="Requests the API lets wait before refusing"
    )
    parser.add_argument(
        "--drain-timeout", type=float, default=240.0, help="Seconds to let in-flight requests end"
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="CPU threads (default: physical cores)"
    )
    parser.add_argument("--no-peer", action="store_true", help="Skip llama-cpp-python's server")
    parser.set_defaults(handler=run)


@dataclass
class LoadResult:
    """What the clients saw during one run."""

    requests: int = 0
    completed: int = 0
    refused: int = 0
    lost: int = 0
    disconnected: int = 0
    tokens: int = 0
    ttfts: list[float] = field(default_factory=list)
    lost_reasons: dict[str, int] = field(default_factory=dict)
    wall_s: float = 0.0

    def lose(self, reason: str) -> None:
        """Count a request that ended in neither of the clean ways."""
        self.lost += 1
        self.lost_reasons[reason] = self.lost_reasons.get(reason, 0) + 1

    def figures(self) -> dict[str, Any]:
        """The client-side figures of this run."""
        return {
            "requests": self.requests,
            "completed": self.completed,
            "refused": self.refused,
            "lost": self.lost,
            "disconnected": self.disconnected,
            "tokens": self.tokens,
            "tokens_per_s": self.tokens / self.wall_s if self.wall_s else 0.0,
            "p95_ttft_s": percentile(self.ttfts, 0.95),
            "wall_s": self.wall_s,
            "lost_reasons": self.lost_reasons,
        }


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile (nearest rank); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _is_openai_error(body: bytes) -> bool:
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return False
    return isinstance(error, dict) and bool(error.get("message"))


async def _one_request(
    http: httpx.AsyncClient, url: str, body: dict[str, Any], leave: bool, result: LoadResult
) -> float:
    """Send one streaming request and count how it ended; seconds to back off (refused) or 0."""
    result.requests += 1
    sent = time.monotonic()
    first: float | None = None
    tokens = 0
    finish = None
    try:
        async with http.stream("POST", url, json=body) as response:
            if response.status_code == 429:
                if _is_openai_error(await response.aread()):
                    result.refused += 1
                    retry_after = response.headers.get("retry-after", "1")
                    return float(retry_after) if retry_after.replace(".", "", 1).isdigit() else 1.0
                result.lose("429 without an error body")
                return 0.0
            if response.status_code != 200:
                result.lose(f"HTTP {response.status_code}")
                return 0.0
            async for line in response.aiter_lines():
                if not line.startswith("data:"):
                    continue
                payload = line[5:].strip()
                if payload == "[DONE]":
                    if finish is None:
                        result.lose("stream ended without finish_reason")
                    else:
                        result.completed += 1
                    result.tokens += tokens
                    return 0.0
                chunk = json.loads(payload)
                if "error" in chunk:
                    result.lose("error inside the stream")
                    return 0.0
                for choice in chunk.get("choices") or []:
                    if (choice.get("delta") or {}).get("content"):
                        tokens += 1
                        if first is None:
                            first = time.monotonic()
                            result.ttfts.append(first - sent)
                            if leave:
                                result.disconnected += 1
                                result.tokens += tokens
                                return 0.0  # leaving the block closes the connection
                    finish = choice.get("finish_reason") or finish
            result.lose("stream closed before [DONE]")
    except (httpx.HTTPError, ValueError) as exc:
        result.lose(type(exc).__name__)
    return 0.0


@dataclass(frozen=True)
class LoadPlan:
    """How hard and how long the clients push."""

    clients: int
    duration: float
    max_tokens: int
    drain_timeout: float


def drive_in_own_process(url: str, model: str, plan: LoadPlan) -> LoadResult:
    """``drive`` in a fresh Python process, so the clients never compete with the server for the GIL."""
    request = json.dumps({"url": url, "model": model, "plan": asdict(plan)})
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from autoglm.bench.server import drive_from_stdin; drive_from_stdin()",
        ],
        input=request,
        capture_output=True,
        text=True,
        timeout=plan.duration + plan.drain_timeout + 120,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"the load clients failed: {completed.stderr.strip()[-500:]}")
    return LoadResult(**json.loads(completed.stdout))


def drive_from_stdin() -> None:
    """Entry point of the client process: a plan as JSON on stdin, the result as JSON on stdout."""
    request = json.loads(sys.stdin.read())
    result = asyncio.run(drive(request["url"], request["model"], LoadPlan(**request["plan"])))
    print(json.dumps(asdict(result)))


async def drive(url: str, model: str, args: LoadPlan) -> LoadResult:
    """Run ``args.clients`` streaming clients for ``args.duration`` seconds, then drain."""
    result = LoadResult()
    started = time.monotonic()
    stop_at = started + args.duration
    limits = httpx.Limits(max_connections=args.clients * 2, max_keepalive_connections=args.clients)

    async def client(index: int) -> None:
        leave = index % 4 == 3
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(args.drain_timeout + args.duration, connect=10), limits=limits
        ) as http:
            number = 0
            while time.monotonic() < stop_at:
                number += 1
                prompt = PROMPTS[(index + number) % len(PROMPTS)].format(
                    n=(index * 7 + number) % 9 + 2
                )
                body = {
                    "model": model,
                    "messages": [{"role": "user", "content": prompt}],
                    "stream": True,
                    "max_tokens": args.max_tokens,
                    "temperature": 0.7,
                    "seed": index * 1000 + number,
                }
                backoff = await _one_request(http, url, body, leave, result)
                if backoff:
                    await asyncio.sleep(
                        min(backoff, max(0.0, stop_at - time.monotonic()))
                    )  # as Retry-After asks

    tasks = [asyncio.create_task(client(i)) for i in range(args.clients)]
    _, pending = await asyncio.wait(tasks, timeout=args.duration + args.drain_timeout)
    for task in pending:
        task.cancel()
        result.lose("still running after the drain timeout")
    result.wall_s = time.monotonic() - started
    return result


class _RecordingScheduler:
    """The runtime's scheduler, remembering every reply the API submits."""

    def __init__(self, scheduler: Any):
        self._scheduler = scheduler
        self.streams: list[Any] = []

    def submit(self, request: Any) -> Any:
        """Submit and remember."""
        stream = self._scheduler.submit(request)
        self.streams.append(stream)
        return stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self._scheduler, name)


class _BenchTarget:
    """What the API serves from in the benchmark: the runtime, with submissions recorded."""

    def __init__(self, runtime: Runtime):
        self.runtime = runtime
        self.settings = runtime.settings
        self.repository = runtime.repository
        self.recorder = _RecordingScheduler(runtime.scheduler)

    @property
    def scheduler(self) -> Scheduler:
        """The runtime's scheduler as the API sees it (every other member is forwarded)."""
        return cast("Scheduler", self.recorder)

    @property
    def model_info(self) -> ModelInfo | None:
        """The loaded model."""
        return self.runtime.model_info

    @property
    def ready(self) -> bool:
        """Whether a model is loaded."""
        return self.runtime.ready

    @property
    def has_speech(self) -> bool:
        """Whether the runtime makes speech models."""
        return self.runtime.has_speech

    @property
    def recognizer(self) -> Recognizer:
        """The runtime's speech recogniser."""
        return self.runtime.recognizer

    @property
    def synthesizer(self) -> Synthesizer:
        """The runtime's voices."""
        return self.runtime.synthesizer


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def merge(results: list[LoadResult]) -> LoadResult:
    """One result from several rounds: counts and wall time summed, first-token times pooled."""
    total = LoadResult()
    for part in results:
        for name in (
            "requests",
            "completed",
            "refused",
            "lost",
            "disconnected",
            "tokens",
            "wall_s",
        ):
            setattr(total, name, getattr(total, name) + getattr(part, name))
        total.ttfts += part.ttfts
        for reason, count in part.lost_reasons.items():
            total.lost_reasons[reason] = total.lost_reasons.get(reason, 0) + count
    return total


def _wait_idle(scheduler: Any, limit_s: float = 60.0) -> float:
    """Seconds until the engine has nothing running or queued (at most ``limit_s``)."""
    since = time.monotonic()
    while (scheduler.busy or scheduler.queue_length()) and time.monotonic() - since < limit_s:
        time.sleep(0.05)
    return time.monotonic() - since


class PeerServer:
    """llama-cpp-python's server on the same model file, as a child process (a context manager)."""

    def __init__(
        self,
        model_path: str,
        threads: int,
        extra_args: Sequence[str] = (),
        launcher: Sequence[str] = ("-m", "llama_cpp.server"),
    ):
        self.model_path = model_path
        self.threads = threads
        self.extra_args = list(extra_args)
        """More of the server's own flags (a projector: ``--clip_model_path``, ``--chat_format``)."""
        self.launcher = list(launcher)
        """How Python starts it: the module, or ``-c`` code that adjusts it first."""
        self.port = _free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.TemporaryFile()

    @property
    def url(self) -> str:
        """Its chat completions URL."""
        return f"http://127.0.0.1:{self.port}/v1/chat/completions"

    def __enter__(self) -> PeerServer:
        """Start the peer server and wait until it answers."""
        import importlib.util

        if importlib.util.find_spec("sse_starlette") is None:
            raise ModelError(
                "llama-cpp-python's server needs its extras: pip install sse-starlette "
                "starlette-context (or run with --no-peer)."
            )
        self._process = subprocess.Popen(
            [
                sys.executable,
                *self.launcher,
                "--model",
                self.model_path,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--n_ctx",
                "4096",
                "--n_threads",
                str(self.threads),
                "--n_threads_batch",
                str(self.threads),
                "--interrupt_requests",
                "False",
                "--model_alias",
                "peer",
                "--verbose",
                "False",
                *self.extra_args,
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 180
        while True:
            if self._process.poll() is not None or time.monotonic() > deadline:
                self._log.seek(0)
                tail = self._log.read().decode(errors="replace")[-300:]
                self.__exit__()
                raise ModelError(f"llama-cpp-python's server did not start: {tail}")
            try:
                if (
                    httpx.get(f"http://127.0.0.1:{self.port}/v1/models", timeout=2).status_code
                    == 200
                ):
                    return self
            except httpx.HTTPError:
                time.sleep(0.3)

    def __exit__(self, *_exc: object) -> None:
        """Stop the peer server."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(20)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._log.close()


def _measure(
    runtime: Any, args: argparse.Namespace, model_path: str, threads: int
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Alternate rounds between the API and the peer, so a noisy neighbour hits both alike."""
    from contextlib import nullcontext

    from autoglm.core.settings import updated
    from autoglm.server import ApiServer

    settings = updated(
        runtime.settings,
        "server",
        host="127.0.0.1",
        port=0,
        api_key=None,
        max_queued_requests=args.max_queued,
        rate_limit_per_minute=0,
    )
    target = _BenchTarget(runtime)
    plan = LoadPlan(args.clients, args.duration / args.rounds, args.max_tokens, args.drain_timeout)
    ours: list[LoadResult] = []
    theirs: list[LoadResult] = []
    idle_after: list[float] = []
    server = ApiServer(target, settings).start()
    try:
        with nullcontext() if args.no_peer else PeerServer(model_path, threads) as peer:
            for _ in range(args.rounds):
                ours.append(
                    drive_in_own_process(
                        f"{server.url}/v1/chat/completions", runtime.model_info.model_id, plan
                    )
                )
                idle_after.append(_wait_idle(runtime.scheduler))
                if peer is not None:
                    theirs.append(drive_in_own_process(peer.url, "peer", plan))
    finally:
        server.stop()
    finished = [stream.result(60) for stream in target.recorder.streams]
    figures = merge(ours).figures()
    figures.update(
        {
            "p95_queue_wait_s": percentile([c.timings.queue_wait_s for c in finished], 0.95),
            "replies_cancelled": sum(c.finish_reason == "cancelled" for c in finished),
            "engine_idle_after_round_s_max": max(idle_after),
            "engine_idle": not runtime.scheduler.busy and runtime.scheduler.queue_length() == 0,
        }
    )
    return figures, (merge(theirs).figures() if theirs else None)


def run(args: argparse.Namespace) -> int:
    """Load the model, load-test the API and the peer in alternating rounds; print and write JSON."""
    from autoglm.core.llama.engine import default_thread_count
    from autoglm.core.runtime import Runtime
    from autoglm.core.settings import updated

    threads = args.threads or default_thread_count()
    runtime = Runtime()
    runtime.settings = updated(runtime.settings, "model", n_ctx=4096, n_threads=threads)
    try:
        info = runtime.load_model(args.model)
        runtime.scheduler.submit(_warm_request()).result(120)
        ours, peer = _measure(runtime, args, info.path, threads)
    finally:
        runtime.close()
    figures: dict[str, Any] = {
        "model": info.model_id,
        "clients": args.clients,
        "duration_s": args.duration,
        "rounds": args.rounds,
        "max_tokens": args.max_tokens,
        "threads": threads,
        "max_queued": args.max_queued,
        **ours,
    }
    if peer is not None:
        figures["peer"] = {"name": "llama-cpp-python server", **peer}
        figures["tokens_per_s_ratio_vs_peer"] = (
            ours["tokens_per_s"] / peer["tokens_per_s"] if peer["tokens_per_s"] else 0.0
        )
        figures["p95_ttft_ratio_vs_peer"] = (
            ours["p95_ttft_s"] / peer["p95_ttft_s"] if peer["p95_ttft_s"] else 0.0
        )
    rows = [(k, v) for k, v in figures.items() if not isinstance(v, dict | list)]
    rows += [(f"peer.{k}", v) for k, v in (peer or {}).items() if not isinstance(v, dict | list)]
    print_table(
        f"autoglm bench server — {info.model_id}, {args.clients} clients, {args.duration:g} s", rows
    )
    for name, reasons in (
        ("ours", ours["lost_reasons"]),
        ("peer", (peer or {}).get("lost_reasons", {})),
    ):
        if reasons:
            print(
                f"lost ({name}): "
                + ", ".join(f"{reason} ×{count}" for reason, count in reasons.items())
            )
    write_json(args.json, figures)
    return 0 if ours["lost"] == 0 and ours["engine_idle"] else 1


def _warm_request() -> Any:
    from autoglm.core.types import ChatMessage, GenerationRequest, SamplingParams

    return GenerationRequest([ChatMessage("user", "Hi")], SamplingParams(max_tokens=2))


def main(argv: list[str] | None = None) -> int:
    """Run this benchmark alone (``python -c 'from autoglm.bench.server import main; main()' …``)."""
    parser = argparse.ArgumentParser(prog="autoglm bench")
    register(parser.add_subparsers(dest="suite", required=True))
    args = parser.parse_args(["server", *(sys.argv[1:] if argv is None else argv)])
    code = args.handler(args)
    if argv is None:
        sys.exit(code)
    return code
