"""``autoglm point`` and ``autoglm act``: where on a screenshot, and doing it on a screen.

``point`` asks the model about one image and prints the point(s) it names as JSON.
``act`` runs the agent loop on the desktop or a phone over ADB; ``--replay`` feeds it a
recorded list of model replies instead of a model, through the same parser and executor.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autoglm.cli.engine_flags import add_engine_arguments, apply_engine_arguments, start_engine
from autoglm.core.settings_cli import add_settings_arguments, overrides_from_args

if TYPE_CHECKING:
    from autoglm.core.runtime import Runtime

EXIT_FOR_OUTCOME = {"finished": 0, "stopped": 130}


def _add_model_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model", help="Catalog id, imported id or .gguf path (default: the active model)"
    )
    parser.add_argument(
        "--mmproj", type=Path, help="Vision projector GGUF for a model given by path"
    )
    add_engine_arguments(parser, ("--api-key", "--remote-api-key"))
    parser.add_argument(
        "--language",
        choices=("zh", "en"),
        help="Language of the agent's prompt (default: zh for Chinese text, else en)",
    )
    parser.add_argument(
        "--constrained",
        action="store_true",
        help="Hold the model to taps and finish with a grammar (for models not trained to act)",
    )


def register(subparsers: Any) -> None:
    """Add ``point`` and ``act`` to the command line."""
    point = subparsers.add_parser(
        "point",
        help="Ask where something is on a screenshot; prints the point(s) as JSON",
        description="Ask the model where something is on an image.",
    )
    point.add_argument("question", help='What to find, e.g. "where is the Wi-Fi setting?"')
    point.add_argument("--image", type=Path, required=True, help="The screenshot")
    point.add_argument(
        "--marked",
        type=Path,
        metavar="PNG",
        help="Also write the screenshot with the point(s) drawn on it",
    )
    _add_model_arguments(point)
    add_settings_arguments(point, ("generation",))
    point.set_defaults(handler=run_point)

    act = subparsers.add_parser(
        "act",
        help="Let the model operate the desktop or a phone for a task",
        description="Run the agent: screenshot, model, action, until the task is done.",
    )
    act.add_argument("task", nargs="?", help="What to do")
    act.add_argument("--device", default="desktop", help="desktop (default), adb or adb:SERIAL")
    act.add_argument("--max-steps", type=int, default=20, help="Step budget (default 20)")
    act.add_argument("--dry-run", action="store_true", help="Look and decide, but perform nothing")
    act.add_argument(
        "--replay",
        type=Path,
        metavar="FILE",
        help="A JSON list of model replies to run instead of a model",
    )
    act.add_argument(
        "--settle",
        type=float,
        default=1.0,
        metavar="S",
        help="Seconds to let the screen settle after an action",
    )
    act.add_argument(
        "--yes", action="store_true", help="Go ahead with sensitive taps without asking"
    )
    act.add_argument(
        "--target",
        metavar="X,Y,W,H",
        type=_rect,
        help="The window the task is about, in screen points: an action outside it asks first",
    )
    act.add_argument(
        "--record", type=Path, metavar="DIR", help="Save every step (run.json and screenshots) here"
    )
    act.add_argument("--json", action="store_true", help="Print the whole run as JSON")
    _add_model_arguments(act)
    act.set_defaults(handler=run_act)


def _rect(text: str) -> Any:
    """``X,Y,W,H`` as a ``ScreenRect`` (argparse reports a bad one in words)."""
    from autoglm.agent.coordinates import ScreenRect

    try:
        x, y, width, height = (int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not X,Y,W,H (four whole numbers)") from None
    if width <= 0 or height <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} has no area")
    return ScreenRect(x, y, width, height)


def _language(args: argparse.Namespace, text: str) -> str:
    from autoglm.agent.prompts import prompt_language

    return str(args.language) if args.language else prompt_language(text)


def _start_model(args: argparse.Namespace, runtime: Runtime, quiet: bool) -> None:
    """Load the model (or connect the server) and refuse one that cannot see, with exit 3."""
    from autoglm.cli.chat import _check_vision

    runtime.settings = apply_engine_arguments(args, runtime.settings)
    start_engine(runtime, args.model, args.mmproj, quiet=quiet)
    _check_vision(runtime, [object()])


def _grammar(args: argparse.Namespace, pointing: bool = False) -> str | None:
    """The action grammar under --constrained: a tap alone when asked where, else a tap or finish."""
    from autoglm.agent.grammar import POINT_GBNF, TAP_OR_FINISH_GBNF

    if not args.constrained:
        return None
    return POINT_GBNF if pointing else TAP_OR_FINISH_GBNF


def run_point(args: argparse.Namespace) -> int:
    """Print the point(s) the model names on the image, in grid and image pixels."""
    from PIL import Image

    from autoglm.agent.coordinates import ScreenGeometry, grid_to_pixels
    from autoglm.agent.model import RuntimeModel
    from autoglm.agent.prompts import system_prompt
    from autoglm.agent.protocol import parse_reply, points_in_reply
    from autoglm.cli.chat import _load_images
    from autoglm.core.runtime import Runtime
    from autoglm.core.types import ChatMessage

    runtime = Runtime()
    try:
        runtime.settings = overrides_from_args(args, runtime.settings)
        images = _load_images([args.image], runtime.settings)
        with Image.open(args.image) as original:
            geometry = ScreenGeometry(*original.size)
        _start_model(args, runtime, quiet=True)
        language = _language(args, args.question)
        model = RuntimeModel(
            runtime,
            grammar=_grammar(args, pointing=True),
            system_prompt=system_prompt(language),  # type: ignore[arg-type]
            max_tokens=runtime.settings.generation.max_tokens or 3000,
        )
        reply = model.reply([ChatMessage("user", args.question, images)], threading.Event())
    finally:
        runtime.close()
    parsed = parse_reply(reply)
    points = []
    for point in points_in_reply(reply):
        x, y = grid_to_pixels(point, geometry)
        points.append({"x": point.x, "y": point.y, "pixel_x": x, "pixel_y": y})
    print(
        json.dumps(
            {
                "image": str(args.image),
                "image_size": [geometry.width, geometry.height],
                "points": points,
                "action": parsed.action.to_dict() if parsed.action else None,
                "thinking": parsed.thinking,
                "reply": reply,
            },
            ensure_ascii=False,
        )
    )
    if points and args.marked is not None:
        _write_marked(args.image, reply, args.marked)
    if not points:
        print(
            f"autoglm: the model named no point ({parsed.error or 'its action has no point'}).",
            file=sys.stderr,
        )
        return 1
    return 0


def _write_marked(image_path: Path, reply: str, out: Path) -> None:
    """The screenshot with the reply's points drawn on it, as a PNG at ``out``."""
    from PIL import Image

    from autoglm.agent.marks import draw_marks, pointing_in_reply

    pointing = pointing_in_reply(reply)
    if pointing is None:
        return
    with Image.open(image_path) as original:
        marked = draw_marks(original, pointing)
    try:
        marked.save(out, format="PNG")
    except OSError as exc:
        print(
            f"autoglm: the marked image cannot be written to {out}: {exc.strerror or exc}.",
            file=sys.stderr,
        )


def _ask_yes(question: str, default_yes: bool) -> bool:
    if default_yes:
        print(f"{question} — yes (--yes)", file=sys.stderr)
        return True
    if not sys.stdin.isatty():
        print(f"{question} — no (nobody at the terminal to ask; --yes goes ahead)", file=sys.stderr)
        return False
    try:
        return input(f"{question} [y/N] ").strip().lower() in ("y", "yes", "是")
    except EOFError:
        return False


def _take_over_from_terminal(stop: threading.Event) -> Any:
    """A take-over that waits for Enter on the terminal; with nobody there (stdin ended) the run stops."""
    from autoglm.agent.loop import ContinueSignal

    signal: ContinueSignal

    def prompt(message: str) -> None:
        print(
            f"Your turn: {message}\nPress Enter to let the agent continue.",
            file=sys.stderr,
            flush=True,
        )

        def read() -> None:
            if sys.stdin.readline():
                signal.resume()
            else:
                print(
                    "Nobody is at the terminal to take over; stopping.", file=sys.stderr, flush=True
                )
                stop.set()

        threading.Thread(target=read, name="take-over-enter", daemon=True).start()

    signal = ContinueSignal(prompt)
    return signal


def _print_step(step: Any) -> None:
    lines = step.reply.strip().splitlines()
    what = step.action_text or (lines[0][:80] if lines else "(no reply)")
    print(f"[{step.index}] {what} → {step.result}", file=sys.stderr, flush=True)


def run_act(args: argparse.Namespace) -> int:
    """Run the agent loop and report how it ended."""
    from autoglm.agent.devices import open_executor
    from autoglm.agent.executor import DryRunExecutor
    from autoglm.agent.loop import AgentCallbacks, AgentLoop
    from autoglm.agent.model import ReplayModel, RuntimeModel, load_replies

    if args.task is None and args.replay is None:
        print("autoglm: act needs a TASK (or --replay FILE).", file=sys.stderr)
        return 2
    if args.max_steps < 1:
        print("autoglm: --max-steps must be at least 1.", file=sys.stderr)
        return 2
    replies = load_replies(args.replay) if args.replay is not None else None
    task = args.task or f"Replay of {args.replay.name}"
    executor = open_executor(args.device)
    if args.dry_run:
        executor = DryRunExecutor(executor)
    runtime = None
    try:
        if replies is not None:
            model: Any = ReplayModel(replies)
        else:
            from autoglm.core.runtime import Runtime

            runtime = Runtime()
            _start_model(args, runtime, quiet=bool(args.json))
            model = RuntimeModel(runtime, grammar=_grammar(args))
        stop = threading.Event()
        callbacks = AgentCallbacks(
            confirm=lambda message: _ask_yes(f"Asking first: {message}. Go ahead?", args.yes),
            take_over=_take_over_from_terminal(stop),
            loop_detected=lambda reason: _ask_yes(f"{reason} Keep going?", False),
            on_step=_print_step,
        )
        loop = AgentLoop(
            model,
            executor,
            language=_language(args, task),  # type: ignore[arg-type]
            max_steps=args.max_steps,
            settle_s=max(0.0, args.settle),
            callbacks=callbacks,
            stop=stop,
            target=args.target,
        )
        run = _run_until_interrupted(loop, task, stop)
    finally:
        executor.close()
        if runtime is not None:
            runtime.close()
    if args.record is not None:
        print(f"Recorded in {run.save(args.record)}", file=sys.stderr)
    if args.json:
        print(json.dumps(run.to_dict(), ensure_ascii=False))
    else:
        print(run.message)
    return EXIT_FOR_OUTCOME.get(run.outcome, 1)


def _run_until_interrupted(loop: Any, task: str, stop: threading.Event) -> Any:
    """The loop on its own thread, so Ctrl+C stops it at once instead of killing a step midway."""
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["run"] = loop.run(task)
        except BaseException as exc:  # noqa: BLE001 - re-raised on the main thread
            box["error"] = exc

    worker = threading.Thread(target=work, name="agent-loop", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
    except KeyboardInterrupt:
        stop.set()
        worker.join(5)
    if "error" in box:
        raise box["error"]
    return box["run"]
