"""A reply that may use MCP tools: offer them, read the calls, ask, run, give the results back.

A round is: the request goes out with the switched-on tools (laid out by the chat
template, or written into the prompt when the template has no tools); the reply is read
for calls in the model's own format; each call is approved or denied; the results go
back as ``tool`` messages and the model continues. After the last round the model is
asked again without tools, so it answers in words from the results: small models (the
starter among them) offered the tools again only repeat the call. One round per reply is
the default; a question that needs more tools gets them in its next turn.
``answer_with_tools`` is for fronts that can block (the CLI, the voice loop); the desktop
chat drives the same steps from its event loop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial

from autoglm.core import conversation as stored
from autoglm.core.types import (
    ChatMessage,
    Completion,
    GenerationRequest,
    ImageInput,
    ToolCall,
    ToolSpec,
)
from autoglm.tools.approval import ApprovalPolicy, Decision, PendingCall, denied_result
from autoglm.tools.calls import (
    ParsedReply,
    ToolCallStream,
    arguments_object,
    dialect_for_template,
    parse_tool_calls,
)
from autoglm.tools.mcp_client import McpHub, ToolResult
from autoglm.tools.prompt import fit_to_template

_LOGGER = logging.getLogger(__name__)
MAX_TOOL_ROUNDS = 1
ANSWER_HINT = "Answer the user's question in plain words, using this result."


@dataclass
class ToolExchange:
    """One call of a round: what the model asked, what the user decided, what came back."""

    call: PendingCall
    decision: Decision
    result: ToolResult


@dataclass
class ToolTurn:
    """The outcome of ``answer_with_tools``: the last reply and every message the turn added."""

    completion: Completion
    messages: list[ChatMessage] = field(default_factory=list)
    exchanges: list[ToolExchange] = field(default_factory=list)


class ToolSession:
    """The MCP tools as one front uses them: specs for requests, calls read from replies, results as messages."""

    def __init__(
        self,
        hub: McpHub,
        policy: ApprovalPolicy | None = None,
        image_reader: Callable[[bytes], ImageInput] | None = None,
    ) -> None:
        self.hub = hub
        self.policy = policy or ApprovalPolicy()
        self.image_reader = image_reader
        """Set when the model reads images (the front's image intake): tool images go back as image parts."""

    def specs(self) -> list[ToolSpec]:
        """The switched-on tools of connected servers."""
        return [
            ToolSpec(
                tool.function_name, tool.description, tool.openai_tool()["function"]["parameters"]
            )
            for tool in self.hub.tools()
        ]

    def request_with_tools(
        self, request: GenerationRequest, template_source: str, specs: list[ToolSpec] | None = None
    ) -> GenerationRequest:
        """``request`` offering the tools in the form this model's chat template takes."""
        specs = self.specs() if specs is None else specs
        if not specs and not any(m.role == "tool" or m.tool_calls for m in request.messages):
            return request
        messages, tools = fit_to_template(request.messages, specs, template_source)
        return replace(request, messages=messages, tools=tools)

    @staticmethod
    def calls_in(text: str, template_source: str, specs: list[ToolSpec]) -> ParsedReply:
        """The reply's visible text and the calls in it."""
        return parse_tool_calls(text, dialect_for_template(template_source), specs)

    @staticmethod
    def stream_reader(template_source: str, specs: list[ToolSpec]) -> ToolCallStream:
        """A reader that lets the visible text of a streamed reply through and keeps the calls."""
        return ToolCallStream(dialect_for_template(template_source), specs)

    def pending(self, call: ToolCall) -> PendingCall:
        """A call with the tool it names."""
        return PendingCall(
            call.id, call.name, arguments_object(call.arguments), self.hub.find(call.name)
        )

    def needs_asking(self, call: PendingCall) -> bool:
        """Whether the user decides before this call runs."""
        return self.policy.needs_asking(call, self.hub.config)

    def decided(self, call: PendingCall, decision: Decision) -> ToolResult:
        """Run an approved call (blocking, never raises) or tell the model it was denied."""
        if decision is Decision.ALWAYS:
            updated = self.policy.remember(call, decision, self.hub.config)
            if updated is not self.hub.config:
                self.hub.apply_config(updated)
        if not decision.approved:
            return denied_result(call)
        return self.hub.call(call.function_name, call.arguments)

    def result_messages(
        self, calls: list[ToolCall], results: list[ToolResult]
    ) -> list[ChatMessage]:
        """The ``tool`` messages of one round; the last one asks for an answer in words."""
        messages = [
            self.result_message(call, result) for call, result in zip(calls, results, strict=True)
        ]
        if messages:
            messages[-1].content += f"\n\n{ANSWER_HINT}"
        return messages

    def result_message(self, call: ToolCall, result: ToolResult) -> ChatMessage:
        """The ``tool`` message that gives a result back to the model (images as image parts if it reads them)."""
        reader = self.image_reader
        loaders = (
            None if reader is None else [partial(reader, image.data) for image in result.images]
        )
        text, images = images_for_model(result.for_model(), loaders, len(result.images))
        if result.is_error and not text.startswith(("Error", "The ")):
            text = f"Error: {text}"
        return ChatMessage("tool", text, images, tool_call_id=call.id, name=call.name)


def stored_calls(calls: list[ToolCall]) -> list[stored.ToolCall]:
    """The model's calls as the conversation keeps them."""
    return [stored.ToolCall(call.id, call.name, call.arguments) for call in calls]


def images_for_model(
    text: str, loaders: Sequence[Callable[[], ImageInput]] | None, count: int
) -> tuple[str, list[ImageInput]]:
    """The images a tool returned as the model is given them, and ``text`` with a note for each it is not.

    ``loaders`` is ``None`` when the model reads no images; a loader that fails (an unreadable
    or lost file) is described in words, and the chat goes on.
    """
    if loaders is None:
        note = (
            f"\n({count} image(s) the tool returned are not shown: this model cannot see images.)"
        )
        return (text + note if count else text), []
    images: list[ImageInput] = []
    for load in loaders:
        try:
            images.append(load())
        except Exception as exc:  # noqa: BLE001 - an unreadable image is described, not raised
            text += f"\n(an image the tool returned could not be read: {exc})"
    return text, images


_IMAGE_SUFFIXES = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "image/gif": ".gif",
}


def stored_result(
    call_id: str,
    decision: Decision,
    result: ToolResult,
    conversation: stored.Conversation | None = None,
    image_reader: Callable[[bytes], ImageInput] | None = None,
) -> stored.ToolResult:
    """A call's outcome as the conversation keeps it: the text the model was given, and the images.

    With ``conversation`` the tool's images are kept by it like attachments (blocking: their
    files are written), so the model still sees them on later turns and after a reopen;
    ``image_reader`` decodes them now, so the next request does not decode them again.
    """
    hashes: list[str] = []
    for image in result.images:
        if conversation is None:
            break
        decoded = None
        if image_reader is not None:
            try:
                decoded = image_reader(image.data)
            except Exception as exc:  # noqa: BLE001 - an unreadable image was already described to the model
                _LOGGER.info("A tool's image is not kept: %s", exc)
                continue
        hashes.append(
            conversation.keep_image(image.data, _IMAGE_SUFFIXES.get(image.mime_type, ""), decoded)
        )
    return stored.ToolResult(
        call_id,
        result.for_model(),
        result.is_error,
        denied=not decision.approved,
        images=tuple(hashes),
    )


def record_tool_rounds(
    conversation: stored.Conversation,
    turn: ToolTurn,
    *,
    origin: stored.Origin = "typed",
    model_id: str = "",
    image_reader: Callable[[bytes], ImageInput] | None = None,
) -> None:
    """Save the replies of ``turn`` that called tools, each with its calls and their results.

    The final answer in words is the caller's to save (it is streamed, spoken, cut on
    barge-in); this keeps what led to it, so a reopened chat shows the calls.
    """
    outcomes = {exchange.call.call_id: exchange for exchange in turn.exchanges}
    for message in turn.messages:
        if message.role != "assistant" or not message.tool_calls:
            continue
        reply = conversation.begin_reply(model_id, origin=origin)
        conversation.finish_reply(reply, message.content)
        conversation.record_tool_calls(reply, stored_calls(message.tool_calls))
        for call in message.tool_calls:
            exchange = outcomes.get(call.id)
            if exchange is not None:
                conversation.record_tool_result(
                    reply,
                    stored_result(
                        call.id, exchange.decision, exchange.result, conversation, image_reader
                    ),
                )


UNANSWERED = "The call was not answered before the chat was closed; it was not run."


@dataclass(frozen=True)
class StoredExchange:
    """A call kept in a conversation, rebuilt for showing and for asking the model again."""

    call: ToolCall
    pending: PendingCall
    result: ToolResult
    state: str
    """``done``, ``failed`` or ``denied`` (an unanswered call counts as failed: it never ran)."""


def stored_exchanges(turn: stored.Turn, hub: McpHub | None = None) -> list[StoredExchange]:
    """The calls of a stored turn with their results, in the order the model made them."""
    results = {result.call_id: result for result in turn.tool_results}
    exchanges = []
    for kept in turn.tool_calls:
        call = ToolCall(kept.call_id, kept.name, kept.arguments)
        pending = PendingCall(
            call.id,
            call.name,
            arguments_object(call.arguments),
            hub.find(call.name) if hub is not None else None,
        )
        outcome = results.get(kept.call_id)
        if outcome is None:
            exchanges.append(
                StoredExchange(call, pending, ToolResult(UNANSWERED, is_error=True), "failed")
            )
            continue
        state = "denied" if outcome.denied else "failed" if outcome.is_error else "done"
        exchanges.append(
            StoredExchange(
                call, pending, ToolResult(outcome.content, is_error=outcome.is_error), state
            )
        )
    return exchanges


Ask = Callable[[PendingCall], Decision]
Generate = Callable[[list[ChatMessage], list[ToolSpec]], Completion]


def answer_with_tools(
    session: ToolSession,
    messages: list[ChatMessage],
    generate: Generate,
    ask: Ask,
    template_source: str,
    *,
    max_rounds: int = MAX_TOOL_ROUNDS,
    on_calls: Callable[[Completion, ParsedReply], None] | None = None,
    on_exchange: Callable[[ToolExchange], None] | None = None,
) -> ToolTurn:
    """Reply to ``messages``, running the tools the model calls; blocking (CLI, voice).

    ``generate(messages, specs)`` produces one reply (the caller builds and submits the
    request and shows it streaming); ``on_calls`` hears of a reply that called tools,
    before any is asked about; ``ask`` is called for each call that needs approval.
    """
    history = list(messages)
    turn = ToolTurn(Completion())
    specs = session.specs()
    for round_number in range(max_rounds + 1):
        offered = specs if round_number < max_rounds else []  # the last round must answer in words
        completion = generate(history, offered)
        turn.completion = completion
        parsed = (
            session.calls_in(completion.content, template_source, offered)
            if offered
            else ParsedReply(completion.content)
        )
        if completion.error or completion.finish_reason == "cancelled" or not parsed.calls:
            completion.content = parsed.content if not parsed.calls else completion.content
            reply = ChatMessage("assistant", completion.content)
            turn.messages.append(reply)
            return turn
        assistant = ChatMessage("assistant", parsed.content, tool_calls=list(parsed.calls))
        if on_calls is not None:
            on_calls(completion, parsed)
        history.append(assistant)
        turn.messages.append(assistant)
        results = []
        for call in parsed.calls:
            pending = session.pending(call)
            decision = ask(pending) if session.needs_asking(pending) else Decision.ONCE
            result = session.decided(pending, decision)
            results.append(result)
            exchange = ToolExchange(pending, decision, result)
            turn.exchanges.append(exchange)
            if on_exchange is not None:
                on_exchange(exchange)
        messages = session.result_messages(parsed.calls, results)
        history += messages
        turn.messages += messages
        _LOGGER.info("Tool round %d: %d call(s)", round_number + 1, len(parsed.calls))
    return turn


def _with_stored_images(
    message: ChatMessage,
    hashes: tuple[str, ...],
    conversation: stored.Conversation,
    session: ToolSession,
) -> ChatMessage:
    """A stored result's message with the images the tool returned (or why they are not shown)."""
    loaders = (
        None
        if session.image_reader is None
        else [partial(conversation.image, sha) for sha in hashes]
    )
    message.content, images = images_for_model(message.content, loaders, len(hashes))
    message.images.extend(images)
    return message


def tool_history(
    conversation: stored.Conversation, session: ToolSession, upto: stored.Turn | None = None
) -> list[ChatMessage]:
    """The chat as a model offered tools sees it: each reply's calls, then their results as ``tool`` messages.

    ``upto`` stops before that turn (the reply being generated).
    """
    messages: list[ChatMessage] = []
    turns = conversation.turns()
    if upto is not None and upto in turns:
        turns = turns[: turns.index(upto)]
    for turn in turns:
        if turn.role == "assistant" and turn.tool_calls:
            exchanges = stored_exchanges(turn, session.hub)
            images = {result.call_id: result.images for result in turn.tool_results}
            messages.append(
                ChatMessage("assistant", turn.content, tool_calls=[e.call for e in exchanges])
            )
            messages += [
                _with_stored_images(
                    session.result_message(e.call, e.result),
                    images.get(e.call.id, ()),
                    conversation,
                    session,
                )
                for e in exchanges
            ]
        elif turn.role in ("user", "assistant") and (turn.content or turn.images):
            messages.append(
                ChatMessage(
                    turn.role, turn.content, [conversation.image(sha) for sha in turn.images]
                )
            )
    return messages
