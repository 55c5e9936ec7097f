"""``autoglm chat``: one question from the command line, or a conversation in the terminal."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autoglm.cli.engine_flags import add_engine_arguments, apply_engine_arguments, start_engine
from autoglm.cli.mcp import add_mcp_file_argument
from autoglm.core.conversation import (
    Citation,
    Conversation,
    build_request,
    cited_sources,
    sources_line,
)
from autoglm.core.errors import InputError, ModelError, UserFacingError
from autoglm.core.settings_cli import add_settings_arguments, overrides_from_args
from autoglm.core.types import (
    ChatMessage,
    Completion,
    Delta,
    GenerationRequest,
    ImageInput,
    Notice,
    ToolSpec,
)

if TYPE_CHECKING:
    from autoglm.core.runtime import Runtime
    from autoglm.knowledge.library import DocumentLibrary
    from autoglm.tools.tool_turns import ToolSession


def register(subparsers: Any) -> None:
    """Add ``chat`` to the command line."""
    parser = subparsers.add_parser(
        "chat",
        help="Ask a question (or chat in the terminal without PROMPT)",
        description="Ask the model from the terminal; replies stream as they are written.",
    )
    parser.add_argument(
        "prompt", nargs="?", help="The question; without it, an interactive chat starts"
    )
    parser.add_argument(
        "--model", help="Catalog id, imported id or .gguf path (default: the active model)"
    )
    parser.add_argument(
        "--mmproj", type=Path, help="Vision projector GGUF for a model given by path"
    )
    parser.add_argument(
        "--image", type=Path, action="append", default=[], help="An image to ask about (repeatable)"
    )
    parser.add_argument("--system", help="System prompt for this chat")
    parser.add_argument(
        "--think",
        dest="think",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="Let the model think first (reasoning goes to stderr)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="Print one JSON object: content, reasoning, usage, timings",
    )
    add_engine_arguments(parser, ("--api-key", "--remote-api-key"))
    parser.add_argument(
        "--project",
        metavar="NAME",
        help="Answer from this project's documents (autoglm docs add NAME PATH…), naming the sources",
    )
    add_mcp_file_argument(parser)
    parser.add_argument(
        "--approve-all",
        action="store_true",
        help="With --mcp: run every tool call without asking (otherwise y/n on the terminal)",
    )
    add_settings_arguments(parser, ("generation", "documents"))
    parser.set_defaults(handler=run)


def _load_images(paths: list[Path], settings: Any) -> list[Any]:
    """Normalised images, checked before the model loads so a bad file fails at once."""
    if not paths:
        return []
    from autoglm.vision.image import load_image_file

    return [load_image_file(path, settings.vision) for path in paths]


def _check_vision(runtime: Runtime, images: list[Any]) -> None:
    """Refuse images for a model that cannot read them, once and with the model-problem code."""
    info = runtime.model_info
    if images and info is not None and not info.has_vision:
        raise ModelError(info.vision_unavailable_reason or f"{info.model_id} cannot read images.")


def _stream(
    request: GenerationRequest, runtime: Runtime, args: argparse.Namespace, reader: Any = None
) -> Completion:
    """Submit ``request`` and print the reply as it streams (reasoning dimmed on a terminal's stderr)."""
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
                text = (
                    reader.feed(event.content).content
                    if reader is not None and event.content
                    else event.content
                )
                if text:
                    sys.stdout.write(text)
                    sys.stdout.flush()
        if reader is not None and not args.json:
            sys.stdout.write(reader.flush().content)
    except KeyboardInterrupt:
        stream.cancel()
    completion: Completion = stream.result()
    if completion.error:
        raise (InputError if refused else UserFacingError)(completion.error)
    if not args.json:
        sys.stdout.write("\n")
    return completion


def _template_source(runtime: Runtime) -> str:
    info = runtime.model_info
    return getattr(info, "chat_template", "") if info is not None else ""


def _start_tools(args: argparse.Namespace) -> ToolSession | None:
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
            print(
                f"[tool server {status.name} is not available: {status.message}]",
                file=sys.stderr,
                flush=True,
            )
    return ToolSession(hub, ApprovalPolicy(approve_all=args.approve_all))


def _ask_on_terminal(call: Any) -> Any:
    """y/n (or a: always) on the terminal before a tool runs; no answer is no."""
    from autoglm.tools.approval import Decision

    where = f" (server {call.server})" if call.server else ""
    print(
        f"\nThe model wants to run {call.function_name}{where} with:\n{call.arguments_text}",
        file=sys.stderr,
    )
    sys.stderr.write(
        "Run it? [y]es / [n]o / [a]lways for this tool: "
    )  # stdout stays the reply (--json)
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
    print(
        f"[{call.function_name}{' failed' if result.is_error else ''}: {first}]",
        file=sys.stderr,
        flush=True,
    )


class TerminalChat:
    """A chat from the terminal: its history is a ``core.Conversation`` (in memory), which builds every request."""

    def __init__(
        self,
        runtime: Runtime,
        args: argparse.Namespace,
        tools: ToolSession | None = None,
        library: DocumentLibrary | None = None,
    ) -> None:
        self.runtime = runtime
        self.args = args
        self.tools = tools
        self.library = library
        """The document library of ``--project`` (``None`` without it)."""
        self.citations: list[Citation] = []
        """The sources of the last reply (passages of the project's documents)."""
        self.document_tokens = 0
        """What the last question's passages cost in prompt tokens."""
        self._images: dict[str, ImageInput] = {}
        self.conversation = Conversation(images=runtime.images, load_image=self._image)
        self.attached: list[ImageInput] = []
        """Images for the next question (``/image FILE`` without a question)."""

    def _image(self, sha256: str) -> ImageInput:
        """An image of this chat that the shared cache let go of."""
        try:
            return self._images[sha256]
        except KeyError:
            raise InputError(
                "An image of this chat is no longer available; /reset starts over."
            ) from None

    def reset(self) -> None:
        """Start over: a new, empty conversation."""
        self.conversation = self.conversation.empty_like()
        self.attached.clear()

    def ask(self, text: str, images: Sequence[ImageInput] = ()) -> tuple[Completion, list[Any]]:
        """Add the question to the conversation and answer it there: ``(completion, tool exchanges)``."""
        for image in images:
            self._images[image.sha256] = image
            self.runtime.images.put(image)
        self.conversation.add_user(text, [image.sha256 for image in images])
        info = self.runtime.model_info
        model_id = info.model_id if info is not None else ""
        if self.tools is None:
            passages = self._passages(text)
            request = self.conversation.request(
                self.runtime.settings.generation,
                thinking=self.args.think,
                system_prompt=self.args.system,
                passages=passages,
            )
            reply = self.conversation.begin_reply(model_id)
            try:
                completion = _stream(request, self.runtime, self.args)
            except UserFacingError as exc:
                self.conversation.finish_reply(reply, "", error=str(exc))
                raise
            self.citations = cited_sources(passages, completion.content) if passages else []
            self.conversation.finish_reply(
                reply,
                completion.content,
                completion.reasoning,
                completion=completion,
                citations=self.citations,
            )
            if self.citations and not self.args.json:
                print(sources_line(self.citations), flush=True)
            return completion, []
        from autoglm.tools.tool_turns import answer_with_tools, record_tool_rounds, tool_history

        turn = answer_with_tools(
            self.tools,
            tool_history(self.conversation, self.tools),
            self._tool_round,
            _ask_on_terminal,
            _template_source(self.runtime),
            on_exchange=None if self.args.json else _show_exchange,
        )
        record_tool_rounds(self.conversation, turn, model_id=model_id)
        reply = self.conversation.begin_reply(model_id)
        self.conversation.finish_reply(
            reply, turn.completion.content, turn.completion.reasoning, completion=turn.completion
        )
        return turn.completion, turn.exchanges

    def _passages(self, question: str) -> list[Citation]:
        """The project's passages for ``question`` (none without ``--project``)."""
        if self.library is None:
            return []
        found = self.library.retrieve(self.args.project, question)
        self.document_tokens = found.prompt_tokens
        return list(found.citations)

    def _tool_round(self, history: list[ChatMessage], specs: list[ToolSpec]) -> Completion:
        """One reply of a tool round: the conversation's messages and this turn's calls and results so far."""
        request = build_request(
            history,
            self.runtime.settings.generation,
            thinking=self.args.think,
            system_prompt=self.args.system,
        )
        tools = self.tools
        assert tools is not None  # tool rounds run only with the tools of --mcp
        template = _template_source(self.runtime)
        request = tools.request_with_tools(request, template, specs)
        reader = tools.stream_reader(template, specs) if specs else None
        return _stream(request, self.runtime, self.args, reader)

    def attach(self, rest: str) -> str:
        """``/image FILE [QUESTION]``: attach the image to the next message; the question, if any, to send now."""
        import shlex

        try:
            words = shlex.split(rest)
        except ValueError as exc:
            print(f"autoglm: {exc}.", file=sys.stderr)
            return ""
        if not words:
            print(
                "autoglm: /image needs a FILE, e.g. /image screen.png What is on it?",
                file=sys.stderr,
            )
            return ""
        try:
            images = _load_images([Path(words[0]).expanduser()], self.runtime.settings)
            _check_vision(self.runtime, images)
        except (InputError, ModelError) as exc:
            print(f"autoglm: {exc}", file=sys.stderr)
            return ""
        self.attached.extend(images)
        question = " ".join(words[1:])
        if not question:
            print(f"Attached {words[0]}; type your question.", file=sys.stderr)
        return question

    def handle(self, line: str) -> bool:
        """One line typed at the prompt; False when the chat should end."""
        text = line.strip()
        if not text:
            return True
        if text in ("/exit", "/quit"):
            return False
        if text == "/reset":
            self.reset()
            return True
        if text == "/image" or text.startswith("/image "):
            text = self.attach(text[len("/image") :].strip())
            if not text:
                return True
        images, self.attached = self.attached, []
        try:
            self.ask(text, images)
        except (
            UserFacingError
        ) as exc:  # the chat goes on: the message is told, the question stays asked
            print(f"autoglm: {exc}", file=sys.stderr)
        return True


def _as_json(
    completion: Completion,
    runtime: Runtime,
    exchanges: list[Any] | None = None,
    chat: TerminalChat | None = None,
) -> str:
    info = runtime.model_info
    return json.dumps(
        {
            "citations": [asdict(c) for c in chat.citations] if chat is not None else [],
            "document_tokens": chat.document_tokens if chat is not None else 0,
            "tool_calls": [
                {
                    "name": e.call.function_name,
                    "arguments": e.call.arguments,
                    "decision": e.decision.value,
                    "result": e.result.for_model(),
                    "is_error": e.result.is_error,
                }
                for e in exchanges or []
            ],
            "model": info.model_id if info else "",
            "content": completion.content,
            "reasoning": completion.reasoning,
            "finish_reason": completion.finish_reason,
            "usage": {**asdict(completion.usage), "total_tokens": completion.usage.total_tokens},
            "timings": asdict(completion.timings),
            "notices": [n.message for n in completion.notices],
        },
        ensure_ascii=False,
    )


def run(args: argparse.Namespace) -> int:
    """Answer one prompt, or run a terminal chat."""
    from autoglm.core.runtime import Runtime

    runtime = Runtime()
    tools = None
    library = None
    try:
        runtime.settings = apply_engine_arguments(args, overrides_from_args(args, runtime.settings))
        if args.image and args.prompt is None:
            print("autoglm: --image needs a PROMPT.", file=sys.stderr)
            return 2
        images = _load_images(args.image, runtime.settings)
        if args.project is not None:
            library = open_project(runtime, args.project)
        start_engine(runtime, args.model, args.mmproj, quiet=args.json)
        _check_vision(runtime, images)
        tools = _start_tools(args)
        chat = TerminalChat(runtime, args, tools, library)
        if args.prompt is not None:
            completion, exchanges = chat.ask(args.prompt, images)
            if args.json:
                print(_as_json(completion, runtime, exchanges, chat))
            return 0
        return _repl(chat)
    finally:
        if tools is not None:
            tools.hub.close()
        if library is not None:
            library.close()
        runtime.close()


def open_project(runtime: Runtime, project: str) -> DocumentLibrary:
    """The document library, checked to hold the project before the model loads."""
    from autoglm.knowledge.embedder import embedder_factory
    from autoglm.knowledge.library import DocumentLibrary

    runtime.use_embedder(embedder_factory(runtime.settings))
    library = DocumentLibrary(runtime)
    if not any(d.status == "indexed" for d in library.documents(project)):
        library.close()
        raise InputError(
            f"The project {project!r} has no indexed documents: add some with "
            f"autoglm docs add {project} PATH…"
        )
    return library


def _repl(chat: TerminalChat) -> int:
    print(
        "Chatting with the model. /image FILE [QUESTION] attaches an image, /reset starts over, "
        "/exit or Ctrl+D leaves, Ctrl+C stops a reply.",
        file=sys.stderr,
    )
    while True:
        try:
            line = input("› ")
        except (EOFError, KeyboardInterrupt):
            print(file=sys.stderr)
            return 0
        if not chat.handle(line):
            return 0
