"""``autoglm chat``: one question from the command line, or a conversation in the terminal."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from autoglm.cli.engine_flags import add_engine_arguments, apply_engine_arguments, start_engine
from autoglm.cli.mcp import add_mcp_file_argument
from autoglm.core.errors import InputError, ModelError
from autoglm.core.settings_cli import add_settings_arguments, overrides_from_args
from autoglm.core.types import ChatMessage, Completion, Delta, Notice, ToolSpec


def register(subparsers: Any) -> None:
    """Add ``chat`` to the command line."""
    parser = subparsers.add_parser("chat", help="Ask a question (or chat in the terminal without PROMPT)",
                                   description="Ask the model from the terminal; replies stream as they are written.")
    parser.add_argument("prompt", nargs="?", help="The question; without it, an interactive chat starts")
    parser.add_argument("--model", help="Catalog id, imported id or .gguf path (default: the active model)")
    parser.add_argument("--mmproj", type=Path, help="Vision projector GGUF for a model given by path")
    parser.add_argument("--image", type=Path, action="append", default=[], help="An image to ask about (repeatable)")
    parser.add_argument("--system", help="System prompt for this chat")
    parser.add_argument("--think", dest="think", action=argparse.BooleanOptionalAction, default=None,
                        help="Let the model think first (reasoning goes to stderr)")
    parser.add_argument("--json", action="store_true", help="Print one JSON object: content, reasoning, usage, timings")
    add_engine_arguments(parser, ("--api-key", "--remote-api-key"))
    add_mcp_file_argument(parser)
    parser.add_argument("--approve-all", action="store_true",
                        help="With --mcp: run every tool call without asking (otherwise y/n on the terminal)")
    add_settings_arguments(parser, ("generation",))
    parser.set_defaults(handler=run)


def _load_images(paths: list[Path], settings: Any) -> list[Any]:
    """Normalised images, checked before the model loads so a bad file fails at once."""
    if not paths:
        return []
    from autoglm.vision.image import load_image_file

    return [load_image_file(path, settings.vision) for path in paths]


def _check_vision(runtime: Any, images: list[Any]) -> None:
    """Refuse images for a model that cannot read them, once and with the model-problem code."""
    info = runtime.model_info
    if images and info is not None and not info.has_vision:
        raise ModelError(info.vision_unavailable_reason or f"{info.model_id} cannot read images.")


def _stream(runtime: Any, messages: list[ChatMessage], args: argparse.Namespace,
            tools: Any = None, specs: list[ToolSpec] | None = None) -> Completion:
    request = runtime.build_request(messages, thinking=args.think, system_prompt=args.system)
    reader = None
    if tools is not None:
        template = _template_source(runtime)
        request = tools.request_with_tools(request, template, specs or [])
        reader = tools.stream_reader(template, specs or []) if specs else None
    stream = runtime.scheduler.submit(request)
    show_reasoning = sys.stderr.isatty()
    refused = False
    try:
        for event in stream:
            if isinstance(event, Notice) and event.kind == "error":
                refused = True  # the request was refused (a UserFacingError): told once, below
                continue
            if args.json:
                continue
            if isinstance(event, Notice):
                print(f"[{event.message}]", file=sys.stderr, flush=True)
            elif isinstance(event, Delta):
                if event.reasoning and show_reasoning:
                    sys.stderr.write(f"\x1b[2m{event.reasoning}\x1b[0m")
                    sys.stderr.flush()
                text = reader.feed(event.content).content if reader is not None and event.content else event.content
                if text:
                    sys.stdout.write(text)
                    sys.stdout.flush()
        if reader is not None and not args.json:
            sys.stdout.write(reader.flush().content)
    except KeyboardInterrupt:
        stream.cancel()
    completion = stream.result()
    if completion.error:
        from autoglm.core.errors import InputError, UserFacingError

        raise (InputError if refused else UserFacingError)(completion.error)
    if not args.json:
        sys.stdout.write("\n")
    return completion


def _template_source(runtime: Any) -> str:
    info = runtime.model_info
    return getattr(info, "chat_template", "") if info is not None else ""


def _start_tools(args: argparse.Namespace) -> Any:
    """The MCP servers of ``--mcp FILE``, connected, as a tool session (``None`` without ``--mcp``)."""
    if args.mcp is None:
        return None
    from autoglm.cli.mcp import mcp_config_from_args
    from autoglm.tools.approval import ApprovalPolicy
    from autoglm.tools.mcp_client import McpHub
    from autoglm.tools.tool_turns import ToolSession

    hub = McpHub(mcp_config_from_args(args)).start()
    hub.wait_ready()
    for status in hub.statuses():
        if status.state == "failed" and not args.json:
            print(f"[tool server {status.name} is not available: {status.message}]", file=sys.stderr, flush=True)
    return ToolSession(hub, ApprovalPolicy(approve_all=args.approve_all))


def _ask_on_terminal(call: Any) -> Any:
    """y/n (or a: always) on the terminal before a tool runs; no answer is no."""
    from autoglm.tools.approval import Decision

    where = f" (server {call.server})" if call.server else ""
    print(f"\nThe model wants to run {call.function_name}{where} with:\n{call.arguments_text}", file=sys.stderr)
    sys.stderr.write("Run it? [y]es / [n]o / [a]lways for this tool: ")  # stdout stays the reply (--json)
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()  # end of input: no
    if answer in ("a", "always"):
        return Decision.ALWAYS
    return Decision.ONCE if answer in ("y", "yes") else Decision.DENY


def _show_exchange(exchange: Any) -> None:
    call, result = exchange.call, exchange.result
    if not exchange.decision.approved:
        print(f"[{call.function_name} was not run: denied]", file=sys.stderr, flush=True)
        return
    first = result.for_model().strip().splitlines()[0][:200] if result.for_model().strip() else ""
    print(f"[{call.function_name}{' failed' if result.is_error else ''}: {first}]", file=sys.stderr, flush=True)


def _reply(runtime: Any, messages: list[ChatMessage], args: argparse.Namespace,
           tools: Any) -> tuple[Completion, list[ChatMessage], list[Any]]:
    """One answer: ``(completion, messages it added, tool exchanges)``; with tools, as many rounds as it takes."""
    if tools is None:
        completion = _stream(runtime, messages, args)
        return completion, [ChatMessage("assistant", completion.content)], []
    from autoglm.tools.tool_turns import answer_with_tools

    turn = answer_with_tools(
        tools, messages, lambda history, specs: _stream(runtime, history, args, tools, specs),
        _ask_on_terminal, _template_source(runtime), on_exchange=None if args.json else _show_exchange)
    return turn.completion, turn.messages, turn.exchanges


def _as_json(completion: Completion, runtime: Any, exchanges: list[Any] | None = None) -> str:
    info = runtime.model_info
    return json.dumps({
        "tool_calls": [{"name": e.call.function_name, "arguments": e.call.arguments, "decision": e.decision.value,
                        "result": e.result.for_model(), "is_error": e.result.is_error} for e in exchanges or []],
        "model": info.model_id if info else "",
        "content": completion.content,
        "reasoning": completion.reasoning,
        "finish_reason": completion.finish_reason,
        "usage": {**asdict(completion.usage), "total_tokens": completion.usage.total_tokens},
        "timings": asdict(completion.timings),
        "notices": [n.message for n in completion.notices],
    }, ensure_ascii=False)


def run(args: argparse.Namespace) -> int:
    """Answer one prompt, or run a terminal chat."""
    from autoglm.core.runtime import Runtime

    runtime = Runtime()
    tools = None
    try:
        runtime.settings = apply_engine_arguments(args, overrides_from_args(args, runtime.settings))
        if args.image and args.prompt is None:
            print("autoglm: --image needs a PROMPT.", file=sys.stderr)
            return 2
        images = _load_images(args.image, runtime.settings)
        start_engine(runtime, args.model, args.mmproj, quiet=args.json)
        _check_vision(runtime, images)
        tools = _start_tools(args)
        if args.prompt is not None:
            completion, _added, exchanges = _reply(runtime, [ChatMessage("user", args.prompt, images)], args, tools)
            if args.json:
                print(_as_json(completion, runtime, exchanges))
            return 0
        return _repl(runtime, args, tools)
    finally:
        if tools is not None:
            tools.hub.close()
        runtime.close()


def _attach(runtime: Any, rest: str, attached: list[Any]) -> str:
    """``/image FILE [QUESTION]``: attach the image to the next message; the question, if any, to send now."""
    import shlex

    try:
        words = shlex.split(rest)
    except ValueError as exc:
        print(f"autoglm: {exc}.", file=sys.stderr)
        return ""
    if not words:
        print("autoglm: /image needs a FILE, e.g. /image screen.png What is on it?", file=sys.stderr)
        return ""
    try:
        images = _load_images([Path(words[0]).expanduser()], runtime.settings)
        _check_vision(runtime, images)
    except (InputError, ModelError) as exc:
        print(f"autoglm: {exc}", file=sys.stderr)
        return ""
    attached.extend(images)
    question = " ".join(words[1:])
    if not question:
        print(f"Attached {words[0]}; type your question.", file=sys.stderr)
    return question


def _repl(runtime: Any, args: argparse.Namespace, tools: Any = None) -> int:
    print("Chatting with the model. /image FILE [QUESTION] attaches an image, /reset starts over, "
          "/exit or Ctrl+D leaves, Ctrl+C stops a reply.", file=sys.stderr)
    history: list[ChatMessage] = []
    attached: list[Any] = []
    while True:
        try:
            line = input("› ")
        except EOFError:
            print(file=sys.stderr)
            return 0
        except KeyboardInterrupt:
            print(file=sys.stderr)
            return 0
        text = line.strip()
        if not text:
            continue
        if text in ("/exit", "/quit"):
            return 0
        if text == "/reset":
            history.clear()
            attached.clear()
            continue
        if text == "/image" or text.startswith("/image "):
            text = _attach(runtime, text[len("/image"):].strip(), attached)
            if not text:
                continue
        history.append(ChatMessage("user", text, list(attached)))
        attached.clear()
        _completion, added, _exchanges = _reply(runtime, history, args, tools)
        history += added
