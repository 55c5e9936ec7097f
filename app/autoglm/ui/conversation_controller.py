"""What happens when the user sends, stops, regenerates or edits: conversation, engine and view in step.

The open chat's history is a ``core.conversation.Conversation`` (shared with the voice
loop, which asks with the same history, images included); this controller translates it
into the view's ``ChatMessagesModel`` and back. Store reads, attachment writes, image
decoding and hashing run in background jobs (an image is staged — stored, decoded once,
handed to the projector — as soon as it is attached); generation runs on the scheduler's
thread and reaches the view through a ``ReplyStreamWorker``. The GUI thread only does
small SQLite writes and model updates.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from autoglm.core.conversation import Citation, Conversation, Turn, cited_sources
from autoglm.core.projects import ProjectRecord
from autoglm.core.scheduler import PromptRenderer
from autoglm.core.types import ChatMessage, Completion, ImageInput
from autoglm.tools.approval import Decision
from autoglm.ui.chat_model import ChatMessagesModel, MessageItem
from autoglm.ui.composer import AttachmentDraft
from autoglm.ui.pointed_answers import find_pointed, pointed_for
from autoglm.ui.reply_worker import ReplyStreamWorker
from autoglm.ui.tasks import BackgroundTask

if TYPE_CHECKING:
    from autoglm.core.runtime import Runtime
    from autoglm.core.store import ConversationStore
    from autoglm.ui.tool_controller import ToolController

_LOGGER = logging.getLogger(__name__)
TITLE_CHARS = 60


def title_from(text: str) -> str:
    """A conversation title from its first message: the first line, at most 60 characters."""
    line = " ".join(text.strip().split())
    if len(line) <= TITLE_CHARS:
        return line or QCoreApplication.translate("ConversationController", "New chat")
    return line[: TITLE_CHARS - 1].rstrip() + "…"


def item_from_turn(turn: Turn) -> MessageItem:
    """A view item for a turn of the conversation."""
    timings = turn.timings or {}
    usage = turn.usage or {}
    item = MessageItem(
        role=turn.role,
        content=turn.content,
        reasoning=turn.reasoning,
        message_id=turn.message_id,
        attachments=list(turn.images),
        finished=turn.finished,
        reasoning_seconds=timings.get("reasoning_s"),
        error=turn.error,
        versions=list(turn.versions),
    )
    item.reply_tokens = int(usage.get("completion_tokens") or timings.get("completion_tokens") or 0)
    item.reply_speed = float(timings.get("decode_tok_s") or 0.0)
    if turn.role == "assistant" and (not turn.finished or timings.get(STOP_KEY) == "stopped"):
        item.stopped = True
    item.length_limited = turn.role == "assistant" and timings.get(STOP_KEY) == "length"
    item.citations = list(turn.citations)
    return item


def items_from_turns(turns: list[Turn]) -> list[MessageItem]:
    """The view items of stored turns: a turn that called tools is followed by a card per call, with its result."""
    from autoglm.tools.tool_turns import stored_exchanges

    items = []
    from autoglm.ui.agent_steps import steps_before

    for turn in turns:
        item = item_from_turn(turn)
        if turn.agent_steps:
            items.extend(steps_before(turn, item))
        items.append(item)
        exchanges = stored_exchanges(turn) if turn.role == "assistant" else []
        item.tool_calls = [exchange.call for exchange in exchanges]
        for exchange in exchanges:
            card = MessageItem(
                role="tool",
                tool_call=exchange.pending,
                tool_result=(exchange.call, exchange.result),
                tool_state=exchange.state,
                tool_turn_id=turn.message_id,
            )
            card.content = _card_text(card)
            items.append(card)
    find_pointed(items)
    return items


def decode_attachment(data: bytes, sha256: str, settings: Any) -> ImageInput:
    """Normalise an attachment's bytes, known by its one hash (worker thread)."""
    from autoglm.vision.image import normalise

    return normalise(data, settings, sha256=sha256)


STOP_KEY = "stop_reason"
"""Stored with a reply's timings: ``stopped`` (by the user) or ``length`` (the token limit)."""


LIVE_SPEED_AFTER_S = 0.5
"""A streaming reply shows its speed once it has run this long (earlier figures jump about)."""


@dataclass
class RunningReply:
    """A reply being generated, in the open chat or in the background."""

    item: MessageItem
    conversation_id: int
    conversation: Conversation
    turn: Turn
    worker: ReplyStreamWorker | None = None
    reasoning_started: float | None = None
    content_started: float | None = None
    last_partial_save: float = 0.0
    prefix: str = ""
    """What the reply said before Continue (the stream brings only what follows)."""
    specs: list[Any] = field(default_factory=list)
    """The tools offered with this reply (empty: none)."""
    tool_reader: Any = None
    """Lets the visible text of a streamed reply through and keeps its tool calls."""
    passages: list[Citation] = field(default_factory=list)
    """The project's passages the question was asked with (the reply's citations are among them)."""


class ConversationController(QObject):
    """Sends, streams, stops, regenerates and edits the open conversation (keeping every version)."""

    conversationChanged = Signal(int)
    runningChanged = Signal(list)
    """The ids of the chats whose reply is being generated (open or in the background)."""
    conversationsChanged = Signal()
    busyChanged = Signal(bool)
    replyFinished = Signal(object)
    problem = Signal(str)
    speedMeasured = Signal(float)
    loaded = Signal(int)
    focusMessage = Signal(int)
    replySubmitted = Signal(object)
    toolCallAdded = Signal(object)
    """A ``tool`` row (``MessageItem``) was added; its ``tool_state`` says whether it waits for the user."""
    """A typed chat's reply went to the scheduler (its ``ReplyStream``), e.g. to read it aloud."""

    def __init__(self, runtime: Runtime, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runtime = runtime
        self.model = ChatMessagesModel(self)
        runtime.image_decoder = lambda data, sha: decode_attachment(
            data, sha, runtime.settings.vision
        )
        self.conversation: Conversation = runtime.new_conversation()
        """The open chat's one history (the voice loop asks with it too)."""
        self._staged: dict[int, tuple[AttachmentDraft, Future[str]]] = {}
        self._sending = False
        self._replies: list[RunningReply] = []
        self.tools: ToolController | None = None
        """The window's ``ToolController`` (MCP tools offered to the model), when there is one."""
        self._spoken_cards: dict[int, Callable[[str, Any], None]] = {}
        """Cards of calls a spoken request made, by item key: a click on one answers the voice loop."""
        self._load_generation = 0
        self.make_measurer: Callable[[], Callable[[list[MessageItem]], Any]] | None = None
        """Set by the window: gives a function that measures items on the worker thread."""
        self.apply_measured: Callable[[Any], None] | None = None
        self.retrieve: Callable[[Any, str], list[Citation]] | None = None
        """Set by the window: the passages of a project's documents for a question (blocking)."""

    def _tool_controller(self) -> ToolController:
        """The window's tools: a reply calls a tool, and a card asks about one, only when there are tools."""
        if self.tools is None:
            raise RuntimeError("A tool call arrived, but this window has no tools")
        return self.tools

    @property
    def store(self) -> ConversationStore:
        """The conversation store."""
        return self.runtime.store

    @property
    def conversation_id(self) -> int:
        """The open chat's id in the store (0 for a new chat not saved yet)."""
        return self.conversation.id

    @property
    def busy(self) -> bool:
        """Whether the open chat's reply is being prepared or streamed (or its images stored)."""
        return self._current() is not None or self._sending

    @property
    def staging(self) -> int:
        """How many attached images are still being stored, decoded and encoded."""
        return sum(not future.done() for _draft, future in self._staged.values())

    @property
    def worker(self) -> ReplyStreamWorker | None:
        """The open chat's streaming worker, if any."""
        reply = self._current()
        return reply.worker if reply is not None else None

    @property
    def running_conversations(self) -> list[int]:
        """Chats with a reply being generated."""
        return [reply.conversation_id for reply in self._replies]

    def _current(self) -> RunningReply | None:
        if not self.conversation_id:
            return None
        return next((r for r in self._replies if r.conversation_id == self.conversation_id), None)

    def _reply_of(self, item: MessageItem) -> RunningReply | None:
        return next((reply for reply in self._replies if reply.item is item), None)

    def _switch_to(self, conversation: Conversation) -> None:
        """Make ``conversation`` the open chat; replies elsewhere go on in the background."""
        was_busy = self.busy
        self.conversation = conversation
        if self.busy != was_busy:
            self.busyChanged.emit(self.busy)

    # -- opening ---------------------------------------------------------------------------
    def new_conversation(self, project: ProjectRecord | None = None) -> None:
        """Start an empty chat, in ``project`` if given (stored when the first message is sent)."""
        self._load_generation += 1
        self._switch_to(self.runtime.new_conversation(project))
        self.model.set_items([])
        self.conversationChanged.emit(0)

    def open_conversation(self, conversation_id: int, focus_message_id: int = 0) -> None:
        """Load a stored conversation in the background and show it (a reply being written
        in it is shown live; one being written in the chat left goes on in the background)."""
        self._load_generation += 1
        generation = self._load_generation
        runtime = self.runtime
        measure = self.make_measurer() if self.make_measurer else None

        def load() -> tuple[Conversation, list[MessageItem], Any]:
            conversation = runtime.open_conversation(conversation_id)
            items = items_from_turns(conversation.turns())
            return conversation, items, measure(items) if measure else None

        def show(result: tuple[Conversation, list[MessageItem], Any]) -> None:
            if generation != self._load_generation:
                return
            conversation, items, measured = result
            items = self._with_live_replies(conversation_id, items)
            self._switch_to(conversation)
            if measured is not None and self.apply_measured is not None:
                self.apply_measured(measured)
            self.model.set_items(items)
            self.conversationChanged.emit(conversation_id)
            self.loaded.emit(len(items))
            if focus_message_id:
                self.focusMessage.emit(focus_message_id)

        BackgroundTask(load, name="open-conversation", owner=self).on_success(show).on_failure(
            lambda error: self.problem.emit(
                QCoreApplication.translate(
                    "ConversationController", "Could not open the conversation: {0}"
                ).format(error)
            )
        ).start()

    def _with_live_replies(
        self, conversation_id: int, items: list[MessageItem]
    ) -> list[MessageItem]:
        """``items`` with the stored partial reply replaced by the live one still streaming."""
        for reply in self._replies:
            if reply.conversation_id != conversation_id:
                continue
            rows = [n for n, item in enumerate(items) if item.message_id == reply.item.message_id]
            if rows:
                items[rows[0]] = reply.item
            else:
                items.append(reply.item)
        return items

    # -- attaching and sending -----------------------------------------------------------
    def stage_attachment(self, draft: AttachmentDraft) -> None:
        """Store, hash and decode an image as soon as it is attached, and let the projector encode it.

        All in the background; sending it later only waits for what is not done yet.
        """
        store, runtime = self.store, self.runtime
        future: Future[str] = Future()
        self._staged[id(draft)] = (draft, future)
        data, suffix = draft.data, draft.suffix

        def stage() -> str:
            sha = store.put_attachment(data, suffix)  # the one hash; written and fsynced here
            image = runtime.images.peek(sha) or decode_attachment(
                data, sha, runtime.settings.vision
            )
            runtime.images.put(image)
            runtime.prepare_images([image])
            return sha

        BackgroundTask(stage, name="stage-attachment", owner=self).on_success(
            future.set_result
        ).on_failure(future.set_exception).start()

    def _attachment_hashes(self, drafts: list[AttachmentDraft]) -> list[str]:
        """Each draft's stored hash, storing the ones not staged yet (worker thread)."""
        hashes = []
        for draft in drafts:
            staged = self._staged.pop(id(draft), None)
            hashes.append(
                staged[1].result()
                if staged is not None and staged[0] is draft
                else self.store.put_attachment(draft.data, draft.suffix)
            )
        return hashes

    def send(self, text: str, drafts: list[AttachmentDraft] | None = None) -> bool:
        """Add the user's message and start the reply; ``False`` if nothing was sent.

        With images, their storing (if not already staged) runs in the background first.
        """
        drafts = drafts or []
        if self.busy or (not text.strip() and not drafts):
            return False
        if not drafts:
            self._add_user_message(text, [])
            self._start_reply()
            return True
        self._sending = True
        self.busyChanged.emit(True)
        conversation = self.conversation

        def sent(hashes: list[str]) -> None:
            self._sending = False
            # Images removed from the tray were staged for nothing: let their bytes go (a later
            # send of one still in the tray stores it again, at the cost of one hash).
            self._staged = {
                key: entry for key, entry in self._staged.items() if not entry[1].done()
            }
            if conversation is not self.conversation:
                self.busyChanged.emit(self.busy)
                return  # the user went to another chat meanwhile
            self._add_user_message(text, hashes)
            self._start_reply()

        def failed(error: BaseException) -> None:
            from autoglm.ui.error_funnel import describe_error

            self._sending = False
            self.busyChanged.emit(self.busy)
            self.problem.emit(describe_error(error))

        BackgroundTask(
            lambda: self._attachment_hashes(drafts), name="store-attachments", owner=self
        ).on_success(sent).on_failure(failed).start()
        return True

    def _add_user_message(
        self, text: str, hashes: list[str], origin: str = "typed", version_of: Turn | None = None
    ) -> None:
        conversation = self.conversation
        created = not conversation.id
        title = title_from(text or QCoreApplication.translate("ConversationController", "Image"))
        if created:
            conversation.ensure_stored(title, self._model_id())
            self.runtime.remember(conversation)
        turn = conversation.add_user(
            text,
            hashes,
            origin=origin,  # type: ignore[arg-type]
            title=title,
            version_of=version_of,
        )
        if created:
            self.conversationChanged.emit(conversation.id)
        self.model.append(
            MessageItem(
                role="user",
                content=text,
                message_id=turn.message_id,
                attachments=hashes,
                versions=list(turn.versions),
            )
        )
        self.conversationsChanged.emit()

    def _model_id(self) -> str:
        info = self.runtime.model_info
        return info.model_id if info is not None else ""

    def model_id(self) -> str:
        """The loaded model's id ('' when none is loaded)."""
        return self._model_id()

    def add_task_message(self, text: str, origin: str = "typed") -> None:
        """The user's task for the agent, stored and shown as their message."""
        self._add_user_message(text, [], origin=origin)

    # -- spoken turns (the voice loop generates; the conversation shows and stores) -------
    def begin_spoken_turn(self, text: str) -> MessageItem:
        """The user's spoken words become a user message; returns the reply item to stream into."""
        if self.busy:
            self.stop()
        self._add_user_message(text, [], origin="spoken")
        return self._open_reply_item(origin="spoken")

    def add_spoken_delta(self, item: MessageItem, content: str) -> None:
        """Show more of a spoken reply, saving the partial text about once a second."""
        self._on_delta(item, content, "")
        now = time.monotonic()
        reply = self._reply_of(item)
        if reply is not None and now - reply.last_partial_save >= 1.0:
            reply.last_partial_save = now
            reply.conversation.save_partial(reply.turn, item.content)

    def finish_spoken_turn(
        self, item: MessageItem, stored_text: str, completion: Completion | None, interrupted: bool
    ) -> None:
        """End a spoken reply; ``stored_text`` is what was actually said (cut on barge-in)."""
        if self._reply_of(item) is None:
            return
        item.content = stored_text
        if completion is not None and completion.error:
            item.error = completion.error
        self._finalise(item, stopped=interrupted, completion=None if interrupted else completion)

    def _start_reply(self, follow_up: bool = False, version_of: Turn | None = None) -> None:
        """Answer the conversation; ``follow_up``: after tool results, answer from them without tools;
        ``version_of``: the reply this one is a new version of."""
        item = self._open_reply_item(version_of=version_of)
        runtime = self.runtime
        conversation = self.conversation
        session = self.tools.session(runtime) if self.tools is not None else None
        specs = session.specs() if session is not None and not follow_up else []
        running = self._reply_of(item)
        if running is None:
            return
        running.specs = specs
        turn = running.turn

        retrieve = self.retrieve

        def prepare() -> Any:
            # the conversation is the history: its selected branch up to this reply, images decoded
            # once by hash; without tools the model sees the answers, not the calls that led to them
            if session is not None:
                from autoglm.tools.tool_turns import tool_history

                messages = tool_history(conversation, session, upto=turn)
            else:
                messages = conversation.engine_messages(upto=turn)
            if follow_up and messages and messages[-1].role == "tool":
                from autoglm.tools.tool_turns import ANSWER_HINT

                messages[-1].content += f"\n\n{ANSWER_HINT}"
            # its project gives persona, sampling and the passages of its documents the question is answered from
            project = conversation.current_project()
            passages = _passages(retrieve, project, messages) if not follow_up else []
            request = runtime.build_request(messages, project=project, passages=passages)
            if session is not None:
                request = session.request_with_tools(request, _template_source(runtime), specs)
            return request, passages

        BackgroundTask(prepare, name="prepare-request", owner=self).on_success(
            lambda prepared: self._submit(item, prepared[0], prepared[1])
        ).on_failure(lambda error: self._fail(item, error)).start()

    def continue_reply(self, item: MessageItem) -> bool:
        """Write more of the last reply where it ended (length limit or Stop)."""
        row = self.model.row_of(item)
        engine = self.runtime.engine
        if (
            self.busy
            or row != self.model.rowCount() - 1
            or item.role != "assistant"
            or not item.content
            or not isinstance(engine, PromptRenderer)
        ):
            return False
        conversation = self.conversation
        turn = conversation.turn(item.message_id)
        if turn is None:
            return False
        generation = self.runtime.settings.generation
        prefix = item.content
        item.streaming, item.finished, item.stopped, item.length_limited = True, False, False, False
        self._replies.append(
            RunningReply(
                item,
                self.conversation_id,
                conversation,
                turn,
                last_partial_save=time.monotonic(),
                prefix=prefix,
            )
        )
        self.model.changed(item)
        self.busyChanged.emit(True)
        self.runningChanged.emit(self.running_conversations)

        def prepare() -> Any:
            request = conversation.request(generation, upto=turn, thinking=False)
            request.prompt = engine.render(request.messages, False).text + prefix
            return request

        BackgroundTask(prepare, name="prepare-continue", owner=self).on_success(
            lambda request: self._submit(item, request)
        ).on_failure(lambda error: self._fail(item, error)).start()
        return True

    def _open_reply_item(
        self, origin: str = "typed", version_of: Turn | None = None
    ) -> MessageItem:
        """Store an empty, unfinished reply and show it streaming."""
        conversation = self.conversation
        turn = conversation.begin_reply(
            self._model_id(),
            origin=origin,  # type: ignore[arg-type]
            version_of=version_of,
        )
        item = MessageItem(
            role="assistant",
            message_id=turn.message_id,
            finished=False,
            streaming=True,
            versions=list(turn.versions),
        )
        self._replies.append(
            RunningReply(
                item, conversation.id, conversation, turn, last_partial_save=time.monotonic()
            )
        )
        self.model.append(item)
        self.busyChanged.emit(True)
        self.runningChanged.emit(self.running_conversations)
        return item

    def _submit(
        self, item: MessageItem, request: Any, passages: list[Citation] | None = None
    ) -> None:
        reply = self._reply_of(item)
        if reply is None:
            return  # stopped while preparing
        reply.passages = list(passages or [])
        stream = self.runtime.scheduler.submit(request)
        self.replySubmitted.emit(stream)
        conversation, turn, prefix = reply.conversation, reply.turn, reply.prefix
        worker = ReplyStreamWorker(
            stream,
            lambda content, reasoning: conversation.save_partial(turn, prefix + content, reasoning),
            self,
        )
        worker.delta.connect(lambda content, reasoning: self._on_delta(item, content, reasoning))
        worker.notice.connect(lambda notice: self._on_notice(notice))
        worker.finished.connect(lambda completion: self._on_finished(item, worker, completion))
        reply.worker = worker
        if reply.specs and self.tools is not None:
            reply.tool_reader = self.tools.session(self.runtime).stream_reader(
                _template_source(self.runtime), reply.specs
            )
        worker.start()

    def _on_delta(self, item: MessageItem, content: str, reasoning: str) -> None:
        reply = self._reply_of(item)
        if reply is None:
            return
        now = time.monotonic()
        if reasoning:
            if reply.reasoning_started is None:
                reply.reasoning_started = now
            item.reasoning += reasoning
        if content and reply.tool_reader is not None:
            content = reply.tool_reader.feed(
                content
            ).content  # a call being written is not shown as text
        if content and reply.content_started is None:
            reply.content_started = now
        item.content += content
        if reply.reasoning_started is not None:
            end = reply.content_started or now
            item.reasoning_seconds = end - reply.reasoning_started
        worker = reply.worker
        if (
            worker is not None and worker.first_token_at is not None
        ):  # live figures (kept if stopped)
            item.reply_tokens = worker.tokens
            elapsed = now - worker.first_token_at
            item.reply_speed = worker.tokens / elapsed if elapsed >= LIVE_SPEED_AFTER_S else 0.0
        self.model.changed(item)

    def _on_notice(self, notice: Any) -> None:
        if notice.kind in ("context_trimmed", "error"):
            self.problem.emit(notice.message)

    def _on_finished(
        self, item: MessageItem, worker: ReplyStreamWorker, completion: Completion
    ) -> None:
        worker.deleteLater()
        reply = self._reply_of(item)
        if reply is None:
            return  # already finalised by Stop
        if completion.finish_reason == "cancelled":
            self._finalise(item, stopped=True)
            return
        if reply is not None and reply.specs and not completion.error and self.tools is not None:
            parsed = self.tools.session(self.runtime).calls_in(
                completion.content, _template_source(self.runtime), reply.specs
            )
            if parsed.calls:
                self._tool_calls_made(item, completion, parsed)
                return
            completion.content = parsed.content
        item.content = reply.prefix + completion.content if completion.content else item.content
        item.reasoning = completion.reasoning or item.reasoning
        if completion.error:
            item.error = completion.error
            self.problem.emit(completion.error)
        self._finalise(item, completion=completion)

    def _fail(self, item: MessageItem, error: BaseException) -> None:
        if self._reply_of(item) is None:
            return
        from autoglm.ui.error_funnel import describe_error

        item.error = describe_error(error)
        self.problem.emit(item.error)
        self._finalise(item)

    def _finalise(
        self, item: MessageItem, stopped: bool = False, completion: Completion | None = None
    ) -> None:
        reply = self._reply_of(item)
        if reply is None:
            return
        item.streaming = False
        item.finished = True
        item.stopped = stopped
        timings: dict = {}
        if reply.reasoning_started is not None:
            end = reply.content_started or time.monotonic()
            item.reasoning_seconds = end - reply.reasoning_started
            timings["reasoning_s"] = item.reasoning_seconds
        if completion is not None:
            item.reply_tokens = completion.usage.completion_tokens
            item.reply_speed = completion.timings.decode_tok_s
            if completion.timings.decode_tok_s:
                self.speedMeasured.emit(completion.timings.decode_tok_s)
        if stopped:
            timings[STOP_KEY] = "stopped"
            if completion is None and item.reply_tokens:  # the figures it reached, kept with it
                timings["completion_tokens"] = item.reply_tokens
                timings["decode_tok_s"] = item.reply_speed
        elif completion is not None and completion.finish_reason == "length":
            item.length_limited = True
            timings[STOP_KEY] = "length"
        was_busy = self.busy
        self._replies.remove(reply)
        if item.role == "assistant" and not item.error:
            item.pointed = pointed_for(self.model.items(), item)
        self.model.changed(item)
        conversation_id, conversation, turn = reply.conversation_id, reply.conversation, reply.turn
        content, reasoning, error = item.content, item.reasoning, item.error
        turn.content, turn.reasoning = (
            content,
            reasoning,
        )  # the next request is built from it before the save ends
        citations = cited_sources(reply.passages, content) if reply.passages and content else None
        if citations is not None:
            item.citations = citations
            self.model.changed(item)
        BackgroundTask(
            lambda: conversation.finish_reply(
                turn,
                content,
                reasoning,
                completion=completion,
                timings=timings,
                error=error,
                citations=citations,
            ),
            name="save-reply",
            owner=self,
        ).on_success(lambda _r: self.conversationsChanged.emit()).start()
        if was_busy != self.busy:
            self.busyChanged.emit(self.busy)
        self.runningChanged.emit(self.running_conversations)
        self.replyFinished.emit(completion)
        _LOGGER.debug("Reply finished in conversation %s (stopped=%s)", conversation_id, stopped)

    # -- tool calls --------------------------------------------------------------------------
    def _tool_calls_made(self, item: MessageItem, completion: Completion, parsed: Any) -> None:
        """The reply called tools: it becomes the calls' turn, and each call gets a card below it."""
        for card in self._call_cards(item, parsed.content, list(parsed.calls), completion):
            if card.tool_state == "running":
                self._run_tool(card, Decision.ONCE)

    def _call_cards(
        self, item: MessageItem, content: str, calls: list[Any], completion: Completion | None
    ) -> list[MessageItem]:
        """Finish ``item`` as the turn that made ``calls`` (stored with them) and show a card per call."""
        from autoglm.tools.tool_turns import stored_calls

        item.content = content
        item.tool_calls = calls
        reply = self._reply_of(item)
        if (
            reply is not None
        ):  # saved with the turn: reopening the chat shows the calls and their results
            reply.conversation.record_tool_calls(reply.turn, stored_calls(calls))
        self._finalise(item, completion=completion)
        session = self._tool_controller().session(self.runtime)
        cards = []
        for call in calls:
            pending = session.pending(call)
            card = MessageItem(
                role="tool",
                tool_call=pending,
                tool_result=(call, None),
                tool_turn_id=item.message_id,
            )
            card.tool_state = "asking" if session.needs_asking(pending) else "running"
            card.content = _card_text(card)
            self.model.append(card)
            self.toolCallAdded.emit(card)
            cards.append(card)
        return cards

    # -- tool calls of a spoken request (the voice loop asks, runs and answers) ----------------
    def spoken_tool_calls(
        self, item: MessageItem, content: str, calls: list[Any], answer: Callable[[str, Any], None]
    ) -> list[MessageItem]:
        """A spoken reply called tools: its item becomes their turn and each call a card.

        A click on a card waiting for approval goes to ``answer(call_id, decision)`` (the voice
        loop, which is asking aloud at the same time and runs the call itself).
        """
        cards = self._call_cards(item, content, calls, None)
        for card in cards:
            self._spoken_cards[card.key] = answer
        return cards

    def spoken_tool_result(self, exchange: Any) -> bool:
        """The voice loop decided and ran (or left unrun) a call: show it on its card and keep it stored.

        Returns whether every card of the spoken turn is answered now (its reply in words comes next).
        """
        from autoglm.tools.tool_turns import stored_result

        cards = [i for i in self.model.items() if i.role == "tool" and i.key in self._spoken_cards]
        card = next((c for c in cards if c.tool_result[0].id == exchange.call.call_id), None)
        if card is None:
            return not cards
        call = card.tool_result[0]
        card.tool_result = (call, exchange.result)
        card.tool_state = (
            "denied"
            if not exchange.decision.approved
            else "failed"
            if exchange.result.is_error
            else "done"
        )
        card.content = _card_text(card)
        self.model.changed(card)
        conversation, turn_id = self.conversation, card.tool_turn_id
        reader = self.tools.session(self.runtime).image_reader if self.tools is not None else None
        BackgroundTask(
            lambda: self._record_result(
                conversation,
                turn_id,
                stored_result(call.id, exchange.decision, exchange.result, conversation, reader),
            ),
            name="save-tool-result",
            owner=self,
        ).start()
        if all(c.tool_state in ("done", "failed", "denied") for c in cards):
            for answered in cards:
                self._spoken_cards.pop(answered.key, None)
            return True
        return False

    @staticmethod
    def _record_result(conversation: Conversation, turn_id: int, result: Any) -> None:
        turn = conversation.turn(turn_id)
        if turn is not None:
            conversation.record_tool_result(turn, result)

    def continue_spoken_turn(self) -> MessageItem:
        """The reply in words after a spoken turn's tool results: a new item to stream into."""
        return self._open_reply_item(origin="spoken")

    def decide_tool_call(self, card: MessageItem, decision: Decision) -> None:
        """The user answered a card: run the call (once or always) or tell the model it was denied."""
        if card.tool_state != "asking" or self.model.row_of(card) < 0:
            return
        card.tool_state = "running" if decision.approved else "denied"
        card.content = _card_text(card)
        self.model.changed(card)
        if decision is Decision.ALWAYS:
            self._tool_controller().remember(
                card.tool_call, decision
            )  # kept in mcp.json: this tool runs without asking
            decision = Decision.ONCE
        spoken = self._spoken_cards.get(card.key)
        if spoken is not None:
            spoken(card.tool_result[0].id, decision)  # the voice loop runs it and reports back
            return
        self._run_tool(card, decision)

    def _run_tool(self, card: MessageItem, decision: Decision) -> None:
        from autoglm.tools.tool_turns import stored_result

        session = self._tool_controller().session(self.runtime)
        call = card.tool_result[0]
        conversation_id, conversation = self.conversation_id, self.conversation

        def run() -> Any:
            result = session.decided(card.tool_call, decision)
            turn = conversation.turn(card.tool_turn_id)
            if turn is not None:
                conversation.record_tool_result(
                    turn,
                    stored_result(call.id, decision, result, conversation, session.image_reader),
                )
            return result

        def finished(result: Any) -> None:
            if self.model.row_of(card) < 0 or conversation_id != self.conversation_id:
                return  # the chat was closed meanwhile
            card.tool_result = (call, result)
            if card.tool_state != "denied":
                card.tool_state = "failed" if result.is_error else "done"
            card.content = _card_text(card)
            self.model.changed(card)
            cards = [i for i in self.model.items() if i.role == "tool"]
            if all(c.tool_state in ("done", "failed", "denied") for c in cards) and not self.busy:
                self._start_reply(follow_up=True)

        BackgroundTask(run, name="run-tool", owner=self).on_success(finished).start()

    def pending_tool_cards(self) -> list[MessageItem]:
        """The cards waiting for the user's answer."""
        return [
            item
            for item in self.model.items()
            if item.role == "tool" and item.tool_state == "asking"
        ]

    # -- stop, regenerate, edit ------------------------------------------------------------
    def stop(self, conversation_id: int | None = None) -> None:
        """Stop the open chat's reply (or ``conversation_id``'s) now; what was shown is kept."""
        target = self.conversation_id if conversation_id is None else conversation_id
        reply = (
            next((r for r in self._replies if r.conversation_id == target), None)
            if target
            else None
        )
        if reply is None:
            return
        if reply.worker is not None:
            reply.worker.cancel()
        self._finalise(reply.item, stopped=True)

    def delete_message(self, item: MessageItem) -> bool:
        """Delete one message of the open chat (not while its reply is being written); ``False`` if refused."""
        row = self.model.row_of(item)
        if row < 0 or item.streaming or self.busy or item.role not in ("user", "assistant"):
            return False
        turn = self.conversation.turn(item.message_id) if item.message_id else None
        self.model.remove(row)
        if turn is not None:
            conversation = self.conversation
            BackgroundTask(
                lambda: conversation.delete(turn), name="delete-message", owner=self
            ).on_success(lambda _r: self.conversationsChanged.emit()).start()
        return True

    def regenerate(self, item: MessageItem) -> None:
        """Write a new version of the last reply; the earlier ones stay, a switcher shows them."""
        row = self.model.row_of(item)
        if self.busy or row < 0 or item.role != "assistant" or row != self.model.rowCount() - 1:
            return
        turn = self.conversation.turn(item.message_id)
        self.model.remove_from(row)
        self._start_reply(version_of=turn)

    def edit_and_resend(
        self, item: MessageItem, new_text: str, drafts: list[AttachmentDraft] | None = None
    ) -> None:
        """Send ``new_text`` as a new version of the question ``item``, in the same chat; the
        earlier version and the replies that followed it stay, a switcher shows them."""
        row = self.model.row_of(item)
        turn = self.conversation.turn(item.message_id)
        if self.busy or row < 0 or item.role != "user" or not new_text.strip() or turn is None:
            return
        kept = list(item.attachments)
        extra = list(drafts or [])
        conversation = self.conversation
        self._sending = True
        self.busyChanged.emit(True)

        def resend(hashes: list[str]) -> None:
            self._sending = False
            if conversation is not self.conversation or self.model.row_of(item) < 0:
                self.busyChanged.emit(self.busy)
                return  # the user went to another chat meanwhile
            self.model.remove_from(self.model.row_of(item))
            self._add_user_message(new_text, kept + hashes, version_of=turn)
            self._start_reply()

        def failed(error: BaseException) -> None:
            self._sending = False
            self.busyChanged.emit(self.busy)
            self.problem.emit(
                QCoreApplication.translate(
                    "ConversationController", "Could not edit the message: {0}"
                ).format(error)
            )

        BackgroundTask(
            lambda: self._attachment_hashes(extra), name="store-attachments", owner=self
        ).on_success(resend).on_failure(failed).start()

    def show_version(self, item: MessageItem, step: int) -> None:
        """Show the previous (``step`` −1) or next (+1) version of ``item`` and what followed it."""
        if self.busy or item.message_id not in item.versions:
            return
        index = item.versions.index(item.message_id) + step
        if not 0 <= index < len(item.versions):
            return
        conversation, chosen = self.conversation, item.versions[index]
        self._load_generation += 1
        generation = self._load_generation
        measure = self.make_measurer() if self.make_measurer else None

        def switch() -> tuple[list[MessageItem], Any]:
            conversation.select_version(chosen)
            items = items_from_turns(conversation.turns())
            return items, measure(items) if measure else None

        def show(result: tuple[list[MessageItem], Any]) -> None:
            if generation != self._load_generation or conversation is not self.conversation:
                return
            items, measured = result
            if measured is not None and self.apply_measured is not None:
                self.apply_measured(measured)
            self.model.set_items(items)
            self.focusMessage.emit(chosen)

        BackgroundTask(switch, name="show-version", owner=self).on_success(show).on_failure(
            lambda error: self.problem.emit(
                QCoreApplication.translate(
                    "ConversationController", "Could not show that version: {0}"
                ).format(error)
            )
        ).start()

    # -- conversation housekeeping ---------------------------------------------------------
    def delete_conversation(self, conversation_id: int) -> None:
        """Delete a conversation; the open one is replaced by a new chat."""
        self.stop(conversation_id)
        if conversation_id == self.conversation_id:
            self.new_conversation()
        store = self.store
        BackgroundTask(
            lambda: store.delete_conversation(conversation_id),
            name="delete-conversation",
            owner=self,
        ).on_success(lambda _r: self.conversationsChanged.emit()).start()

    def rename_conversation(self, conversation_id: int, title: str) -> None:
        """Give a conversation a new title."""
        self.store.rename_conversation(conversation_id, title.strip()[:200])
        self.conversationsChanged.emit()

    def move_conversation(self, conversation_id: int, project_id: int) -> None:
        """File a chat under a project (0: under none); the open chat's next reply follows the move."""
        try:
            if conversation_id and conversation_id == self.conversation_id:
                project = self.store.get_project(project_id) if project_id else None
                if project_id and project is None:
                    raise KeyError(f"no project {project_id}")
                self.conversation.set_project(project)
            else:
                self.store.move_conversation(conversation_id, project_id or None)
        except KeyError:
            self.problem.emit(
                QCoreApplication.translate(
                    "ConversationController", "That chat or project no longer exists."
                )
            )
        self.conversationsChanged.emit()

    def set_pinned(self, conversation_id: int, pinned: bool) -> None:
        """Pin or unpin a conversation."""
        self.store.set_pinned(conversation_id, pinned)
        self.conversationsChanged.emit()

    def engine_messages(self, draft: str = "") -> list[ChatMessage]:
        """The conversation as the engine would see it, plus ``draft`` (text only; for token counts)."""
        reply = self._current()
        return self.conversation.engine_messages(
            draft, with_images=False, upto=reply.turn if reply is not None else None
        )

    def shutdown(self, timeout: float = 2.0) -> None:
        """Stop every reply and wait briefly for their threads."""
        workers = [reply.worker for reply in self._replies if reply.worker is not None]
        for conversation_id in self.running_conversations:
            self.stop(conversation_id)
        for worker in workers:
            worker.wait(timeout)


def _passages(
    retrieve: Callable[[Any, str], list[Citation]] | None, project: Any, messages: list[ChatMessage]
) -> list[Citation]:
    """The project's passages for the last question (worker thread); none when that fails, said in the log."""
    question = next((m.content for m in reversed(messages) if m.role == "user"), "")
    if retrieve is None or project is None or not question.strip():
        return []
    try:
        return list(retrieve(project, question))
    except Exception:
        _LOGGER.warning("Finding passages in the project's documents failed", exc_info=True)
        return []


def _template_source(runtime: Runtime) -> str:
    return (
        getattr(runtime.model_info, "chat_template", "") if runtime.model_info is not None else ""
    )


def _card_text(card: MessageItem) -> str:
    """A tool row's text: the call with its exact arguments, then where it stands."""
    translate = QCoreApplication.translate
    call = card.tool_call
    where = f" · {call.server}" if call.server else ""
    text = translate("ConversationController", "**Tool call** `{0}`{1}").format(
        call.function_name, where
    )
    text += f"\n\n```json\n{call.arguments_text}\n```\n\n"
    result = card.tool_result[1]
    if card.tool_state == "asking":
        text += translate("ConversationController", "*Run it? It runs only if you approve.*")
    elif card.tool_state == "running":
        text += translate("ConversationController", "*Running…*")
    elif card.tool_state == "denied":
        text += translate("ConversationController", "*Denied: it was not run.*")
    elif result is not None:
        label = translate(
            "ConversationController", "Failed" if card.tool_state == "failed" else "Result"
        )
        body = result.for_model().strip()
        if len(body) > 600:
            body = body[:600] + "…"
        text += f"*{label}:* " + body.replace("\n", "  \n")
    return text
