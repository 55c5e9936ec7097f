"""``autoglm bench agent``: where a step of the act loop spends its time, and what KV reuse saves.

The real loop (``agent.loop.AgentLoop``) runs a few steps on generated screens — each one a
different picture, so loop detection stays quiet — with the model held to taps by the
action grammar (so every step is one short action, as a trained model writes). Per step it
records the screenshot, the prompt (evaluation), the first token of the action and the
execution, and the prompt tokens: how many the request held and how many were read again.

Our side is the app's engine, which keeps the conversation's KV sequence: the system prompt
and the history are reused and only the new turn (the new screenshot and its text) is read.
The peer is the same loop, in the same run, re-sending the whole history to
llama-cpp-python's own server (``llama_cpp.server`` with its ``MTMDChatHandler``, images
flattened to its media marker for chat templates without list content, as ``bench
vision`` does), which reads the whole prompt every step.
"""

from __future__ import annotations

import argparse
import base64
import statistics
import threading
import time
from pathlib import Path
from typing import Any

from autoglm.agent.coordinates import ScreenGeometry
from autoglm.agent.executor import ActionResult, Executor, Screenshot
from autoglm.agent.protocol import Action
from autoglm.bench.report import print_table, write_json
from autoglm.core.types import ChatMessage

APP_DIR = Path(__file__).resolve().parents[2]
PEER_LAUNCHER = f"""
import sys
sys.path.insert(0, {str(APP_DIR)!r})
import llama_cpp.llama_chat_format as formats
from autoglm.bench.vision import _flattening_handler_class
formats.MTMDChatHandler = _flattening_handler_class()
from llama_cpp.server.__main__ import main
main()
"""
"""llama-cpp-python's server, its MTMD handler flattening images to the media marker first."""
TASK = "Open the settings and turn on Wi-Fi."


def register(subparsers: Any) -> None:
    """Add ``bench agent``."""
    parser = subparsers.add_parser(
        "agent",
        help="Time per agent step and prompt tokens with KV reuse vs "
        "llama-cpp-python's server re-sending the history",
    )
    parser.add_argument(
        "--model", default=None, help="Catalog id or .gguf path (default: the starter model)"
    )
    parser.add_argument(
        "--mmproj",
        type=Path,
        default=None,
        help="Projector GGUF (default: the model's own, else a random mlp projector)",
    )
    parser.add_argument("--steps", type=int, default=4, help="Steps of the loop per side")
    parser.add_argument("--max-tokens", type=int, default=64, help="Tokens per reply at most")
    parser.add_argument(
        "--threads", type=int, default=None, help="CPU threads (default: physical cores)"
    )
    parser.add_argument("--no-peer", action="store_true", help="Skip llama-cpp-python's server")
    parser.add_argument("--json", type=Path, help="Write the figures to this JSON file")
    parser.set_defaults(handler=run)


class GeneratedScreens(Executor):
    """A screen that changes after every action (a numbered picture), on which nothing is performed."""

    kind = "generated screens"

    def __init__(self, width: int = 800, height: int = 600) -> None:
        self.width, self.height = width, height
        self.shown = 0

    def screenshot(self) -> Screenshot:
        """The next picture: shapes moved and the step's number written, so no two steps look alike."""
        from PIL import Image, ImageDraw

        self.shown += 1
        image = Image.new("RGB", (self.width, self.height), (235, 240, 245))
        draw = ImageDraw.Draw(image)
        offset = (self.shown * 97) % (self.width // 2)
        draw.rectangle((40 + offset, 60, 240 + offset, 160), fill=(200, 40, 40))
        draw.ellipse(
            (self.width // 2, self.height // 3, self.width - 60, self.height - 60),
            fill=(40, 90, 200),
        )
        draw.text((60, self.height - 80), f"Screen {self.shown}", fill=(20, 20, 20))
        return Screenshot(image, ScreenGeometry(self.width, self.height), current_app="Settings")

    def perform(self, action: Action, geometry: ScreenGeometry) -> ActionResult:
        """Nothing is done (the benchmark measures the loop, not a desktop)."""
        return ActionResult(True, f"not performed: {self.describe(action, geometry)}")


class ServerModel:
    """The peer: each step's whole conversation sent to an OpenAI-compatible server."""

    def __init__(self, url: str, grammar: str, max_tokens: int) -> None:
        self.url, self.grammar, self.max_tokens = url, grammar, max_tokens
        self.last: dict[str, Any] = {}

    def reply(self, messages: list[ChatMessage], stop: threading.Event) -> str:
        """The server's reply to the whole history (the latest screenshot as a data URI)."""
        import httpx

        body = {
            "model": "peer",
            "messages": [_openai_message(m) for m in messages],
            "temperature": 0.0,
            "max_tokens": self.max_tokens,
            "grammar": self.grammar,
            "stream": False,
        }
        started = time.monotonic()
        response = httpx.post(self.url, json=body, timeout=900)
        response.raise_for_status()
        data = response.json()
        self.last = {
            "seconds": time.monotonic() - started,
            "prompt_tokens": data["usage"]["prompt_tokens"],
        }
        return str(data["choices"][0]["message"]["content"] or "")


def _openai_message(message: ChatMessage) -> dict[str, Any]:
    if not message.images:
        return {"role": message.role, "content": message.content}
    parts: list[dict[str, Any]] = [{"type": "text", "text": message.content}]
    for image in message.images:
        parts.append({"type": "image_url", "image_url": {"url": _data_uri(image)}})
    return {"role": message.role, "content": parts}


def _data_uri(image: Any) -> str:
    """The PNG of a normalised image as a data URI (what an OpenAI client sends)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.frombytes("RGB", (image.width, image.height), image.rgb).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _loop(model: Any, steps: int, vision: Any, on_step: Any) -> Any:
    from autoglm.agent.loop import AgentCallbacks, AgentLoop

    loop = AgentLoop(
        model,
        GeneratedScreens(),
        language="en",
        max_steps=steps,
        settle_s=0.0,
        callbacks=AgentCallbacks(on_step=on_step),
        repeats_for_loop=steps + 1,
        vision=vision,
    )
    return loop.run(TASK)


def _ours(runtime: Any, args: argparse.Namespace, grammar: str) -> list[dict[str, Any]]:
    from autoglm.agent.model import RuntimeModel

    model = RuntimeModel(runtime, grammar=grammar, max_tokens=args.max_tokens)
    rows: list[dict[str, Any]] = []

    def on_step(step: Any) -> None:
        completion = model.last_completion
        usage, timings = completion.usage, completion.timings
        rows.append(
            {
                "step": step.index,
                "screenshot_s": step.seconds.get("screenshot", 0.0),
                "prompt_s": round(timings.prompt_eval_s, 4),
                "first_token_s": round(timings.ttft_s, 4),
                "model_s": step.seconds.get("model", 0.0),
                "execution_s": step.seconds.get("action", 0.0),
                "prompt_tokens": usage.prompt_tokens,
                "reused_tokens": usage.cached_prompt_tokens,
                "read_tokens": usage.prompt_tokens - usage.cached_prompt_tokens,
                "action": step.action_text,
            }
        )

    _loop(model, args.steps, runtime.settings.vision, on_step)
    return rows


def _peer(url: str, args: argparse.Namespace, grammar: str, vision: Any) -> list[dict[str, Any]]:
    model = ServerModel(url, grammar, args.max_tokens)
    rows: list[dict[str, Any]] = []

    def on_step(step: Any) -> None:
        rows.append(
            {
                "step": step.index,
                "model_s": step.seconds.get("model", 0.0),
                "prompt_tokens": model.last.get("prompt_tokens", 0),
                "read_tokens": model.last.get("prompt_tokens", 0),
                "action": step.action_text,
            }
        )

    _loop(model, args.steps, vision, on_step)
    return rows


def _median(rows: list[dict[str, Any]], key: str, skip_first: bool = False) -> float:
    values = [
        row[key] for row in (rows[1:] if skip_first and len(rows) > 1 else rows) if key in row
    ]
    return round(statistics.median(values), 4) if values else 0.0


def run(args: argparse.Namespace) -> int:
    """Run both loops, print the table, write JSON."""
    from autoglm.agent.grammar import POINT_GBNF
    from autoglm.bench.server import PeerServer
    from autoglm.bench.vision import _files
    from autoglm.core.llama.engine import default_thread_count
    from autoglm.core.runtime import Runtime
    from autoglm.core.settings import load_settings

    if args.steps < 2:
        print("autoglm: bench agent needs at least 2 steps (the reuse shows from the second).")
        return 2
    model_id, _name, model_path, mmproj = _files(args)
    threads = args.threads or default_thread_count()
    settings = load_settings()
    settings = settings.model_copy(
        update={
            "model": settings.model.model_copy(
                update={"n_ctx": 4096, "n_threads": threads, "projector_idle_unload_s": 0}
            )
        }
    )
    runtime = Runtime(settings=settings)
    try:
        runtime.load_model(str(model_path), mmproj)
        ours = _ours(runtime, args, POINT_GBNF)
    finally:
        runtime.close()
    peer: list[dict[str, Any]] = []
    if not args.no_peer:
        extra = ["--clip_model_path", str(mmproj), "--chat_format", "mtmd"]
        with PeerServer(str(model_path), threads, extra, launcher=["-c", PEER_LAUNCHER]) as server:
            peer = _peer(server.url, args, POINT_GBNF, settings.vision)
    later_read = _median(ours, "read_tokens", skip_first=True)
    peer_later_read = _median(peer, "read_tokens", skip_first=True)
    figures: dict[str, Any] = {
        "model": model_id,
        "projector": mmproj.name,
        "threads": threads,
        "steps": args.steps,
        "screenshot_s_p50": _median(ours, "screenshot_s"),
        "prompt_s_p50": _median(ours, "prompt_s"),
        "first_action_token_s_p50": _median(ours, "first_token_s"),
        "model_s_p50": _median(ours, "model_s"),
        "execution_s_p50": _median(ours, "execution_s"),
        "prompt_tokens_last_step": ours[-1]["prompt_tokens"] if ours else 0,
        "read_tokens_per_later_step_p50": later_read,
        "reused_tokens_per_later_step_p50": _median(ours, "reused_tokens", skip_first=True),
        "peer_prompt_tokens_last_step": peer[-1]["prompt_tokens"] if peer else 0,
        "peer_read_tokens_per_later_step_p50": peer_later_read,
        "read_tokens_ratio_vs_peer": round(later_read / peer_later_read, 3)
        if peer_later_read
        else 0.0,
        "model_s_later_steps_p50": _median(ours, "model_s", skip_first=True),
        "peer_model_s_later_steps_p50": _median(peer, "model_s", skip_first=True),
        "steps_ours": ours,
        "steps_peer": peer,
    }
    peer_model = figures["peer_model_s_later_steps_p50"]
    figures["model_s_ratio_vs_peer"] = (
        round(figures["model_s_later_steps_p50"] / peer_model, 3) if peer_model else 0.0
    )
    print_table(
        f"autoglm bench agent — {model_id} + {mmproj.name}, {args.steps} steps",
        [(k, v) for k, v in figures.items() if not isinstance(v, list)],
    )
    print_table(
        "per step (ours)",
        [
            (
                f"step {row['step']}",
                f"screenshot {row['screenshot_s']} s · prompt "
                f"{row['prompt_s']} s · first token {row['first_token_s']} s · execution "
                f"{row['execution_s']} s · tokens {row['prompt_tokens']} "
                f"(read {row['read_tokens']})",
            )
            for row in ours
        ],
    )
    if peer:
        print_table(
            "per step (peer)",
            [
                (
                    f"step {row['step']}",
                    f"model {row['model_s']} s · tokens {row['prompt_tokens']} (all read)",
                )
                for row in peer
            ],
        )
    write_json(args.json, figures)
    return 0
