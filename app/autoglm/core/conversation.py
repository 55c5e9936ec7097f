"""The one history of a chat, and the one place every request to the model is built.

A ``Conversation`` holds the turns of one chat — text, images (by the content hash of
their attachment), reasoning, timings, and typed room for tool calls and results, agent
steps with their screenshots, and document citations — and saves every change through
the ``ConversationStore``. The window, the voice loop, the CLI and the API translate
into and out of it; none keeps a history of its own. The window's GUI thread and the
voice thread both use the open conversation, so every method takes its lock.

``build_request`` is where sampling defaults, thinking and the system prompt are
decided for every front; a front says only how it asks (``RequestStyle``: priority,
a system prompt of its own, a reply-length cap). A chat filed under a project is asked
with the project's persona (before a front's own prompt, in place of the settings') and
its sampling (in place of the settings' defaults). Trimming to the context is done by the
engine, which alone can count tokens (``core.llama.engine.trim_to_fit``).

Images are decoded and normalised once: ``ImageCache`` keeps the ``ImageInput`` of each
attachment hash, and that hash is the image's one identity (the engine's KV reuse keys
on it too).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from autoglm.core.projects import ProjectRecord
from autoglm.core.settings import GenerationSettings
from autoglm.core.types import (
    UNTIL_CONTEXT_FULL,
    ChatMessage,
    Completion,
    GenerationRequest,
    ImageInput,
    Priority,
    SamplingParams,
)

_LOGGER = logging.getLogger(__name__)
Role = Literal["system", "user", "assistant"]
Origin = Literal["typed", "spoken", "api", "agent"]
ImageLoader = Callable[[str], ImageInput]
"""Decodes the attachment with that hash into a normalised image (reads the store's file)."""
IMAGE_CACHE_BYTES = 512 * 2**20
VOICE_SYSTEM_PROMPT = (
    "You are a helpful voice assistant. Answer in the language you are asked in, in one to three "
    "short spoken sentences, in plain words, without lists, code or markdown."
)
VOICE_MAX_TOKENS = 160
REPLY_LANGUAGE_DIRECTIVES = {
    "zh": "用户在说中文。请用简体中文回答。",
    "en": "The user is speaking English. Answer in English.",
}
"""Said to the model when speech recognition knows the question's language: "answer in the
language you are asked in" alone is not enough for a small model, which often answers a
Chinese question in English and is then read aloud by the wrong voice."""


# -- what a turn can hold ---------------------------------------------------------------------
@dataclass(frozen=True)
class ToolCall:
    """The model asked for a tool: its call id, the tool's name and the JSON arguments."""

    call_id: str
    name: str
    arguments: str = "{}"


@dataclass(frozen=True)
class ToolResult:
    """What a tool answered to one call."""

    call_id: str
    content: str
    is_error: bool = False
    denied: bool = False
    """The user did not allow the call, so it was not run (``content`` says so to the model)."""
    images: tuple[str, ...] = ()
    """Hashes of the images the tool returned, kept like attachments so later turns still show them."""


@dataclass(frozen=True)
class AgentStep:
    """One step of acting: the action taken, the model's thought, and the screenshot it saw."""

    action: str
    thought: str = ""
    screenshot: str = ""
    """The attachment hash of the screenshot the step was decided on."""
    outcome: str = ""
    ok: bool = True
    """Whether the action was done (``outcome`` says why not)."""


@dataclass(frozen=True)
class Citation:
    """A passage of a document the answer used."""

    source: str
    text: str
    location: str = ""
    score: float = 0.0
    path: str = ""
    """The file the passage is from (to open it at the passage)."""
    page: int = 0
    """1-based page of a PDF passage (0 where the document has no pages)."""

    def label(self) -> str:
        """``report.pdf, page 3`` — how the reply and the window name the source."""
        return f"{self.source}, {self.location}" if self.location else self.source


@dataclass
class Turn:
    """One message of the chat as the conversation keeps it."""

    role: Role
    content: str = ""
    reasoning: str = ""
    images: list[str] = field(default_factory=list)
    """Attachment hashes (sha256 of the stored file), in order."""
    message_id: int = 0
    finished: bool = True
    origin: Origin = "typed"
    model_id: str = ""
    usage: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_results: list[ToolResult] = field(default_factory=list)
    agent_steps: list[AgentStep] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    versions: list[int] = field(default_factory=list)
    """Message ids of this turn's versions (regenerated or edited), oldest first; empty or one: no others."""

    def extra(self) -> dict[str, Any]:
        """The fields the store keeps as JSON beside the text (empty ones left out)."""
        values: dict[str, Any] = {"origin": self.origin} if self.origin != "typed" else {}
        for name in ("tool_calls", "tool_results", "agent_steps", "citations"):
            items = getattr(self, name)
            if items:
                values[name] = [asdict(item) for item in items]
        if self.error:
            values["error"] = self.error
        return values


_EXTRA_TYPES: dict[str, type] = {
    "tool_calls": ToolCall,
    "tool_results": ToolResult,
    "agent_steps": AgentStep,
    "citations": Citation,
}


def turn_from_record(record: Any) -> Turn:
    """A turn from a stored ``MessageRecord``."""
    extra = dict(getattr(record, "extra", None) or {})
    typed = {
        name: [kind(**item) for item in extra.get(name, [])] for name, kind in _EXTRA_TYPES.items()
    }
    typed["tool_results"] = [
        replace(result, images=tuple(result.images)) for result in typed["tool_results"]
    ]
    return Turn(
        role=record.role,
        content=record.content,
        reasoning=record.reasoning,
        images=list(record.attachments),
        message_id=record.id,
        finished=record.finished,
        origin=extra.get("origin", "typed"),
        model_id=record.model_id,
        usage=dict(record.usage or {}),
        timings=dict(record.timings or {}),
        error=str(extra.get("error", "")),
        versions=list(getattr(record, "versions", None) or []),
        **typed,
    )


# -- images, decoded once ---------------------------------------------------------------------
class ImageCache:
    """Normalised images by attachment hash, least recently used dropped past a byte budget."""

    def __init__(self, max_bytes: int = IMAGE_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._images: OrderedDict[str, ImageInput] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.decodes = 0
        """How many images were decoded through ``get`` (a miss each)."""

    def put(self, image: ImageInput) -> None:
        """Keep ``image`` under its ``sha256``."""
        with self._lock:
            old = self._images.pop(image.sha256, None)
            if old is not None:
                self._bytes -= len(old.rgb)
            self._images[image.sha256] = image
            self._bytes += len(image.rgb)
            while self._bytes > self.max_bytes and len(self._images) > 1:
                _, dropped = self._images.popitem(last=False)
                self._bytes -= len(dropped.rgb)

    def peek(self, sha256: str) -> ImageInput | None:
        """The cached image, or ``None`` (never decodes)."""
        with self._lock:
            image = self._images.get(sha256)
            if image is not None:
                self._images.move_to_end(sha256)
            return image

    def get(self, sha256: str, load: ImageLoader) -> ImageInput:
        """The image for ``sha256``, decoded by ``load`` only the first time."""
        image = self.peek(sha256)
        if image is None:
            image = load(sha256)
            if image.sha256 != sha256:
                image = replace(image, sha256=sha256)
            with self._lock:
                self.decodes += 1
            self.put(image)
        return image


# -- requests ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class RequestStyle:
    """How a front asks: its priority, and what it changes of the settings' defaults."""

    priority: Priority = Priority.INTERACTIVE
    label: str = ""
    system_prompt: str | None = None
    """``None``: the settings' system prompt."""
    thinking: bool | None = None
    """``None``: the settings' choice."""
    max_tokens_cap: int | None = None
    """Replies at most this long, whatever the settings say (spoken replies stay short)."""


TYPED = RequestStyle(Priority.INTERACTIVE, "chat")
SPOKEN = RequestStyle(
    Priority.VOICE, "voice", VOICE_SYSTEM_PROMPT, thinking=False, max_tokens_cap=VOICE_MAX_TOKENS
)
API = RequestStyle(Priority.API, "api", system_prompt="")
"""API clients send their own system message; the app's is not slipped in."""


def answering_in(style: RequestStyle, language: str) -> RequestStyle:
    """The style with a directive to reply in the language the question was heard in, if known."""
    directive = REPLY_LANGUAGE_DIRECTIVES.get(language.split("-")[0].lower())
    if directive is None or style.system_prompt is None:
        return style
    return replace(style, system_prompt=f"{style.system_prompt} {directive}".strip())


# -- answers from documents ---------------------------------------------------------------------
GROUNDING_DIRECTIVE = (
    "Answer the question using these passages from the user's documents. "
    "If they do not hold the answer, say so."
)
"""Small models asked to name the file answer with the file name alone, so the sources are named by
the app after the reply (``sources_line``), from the passages the reply drew on."""
_CITATION_MARK = re.compile(r"\[(\d{1,2})\]")


def grounded_question(question: str, passages: Sequence[Citation]) -> str:
    """The question with the passages above it, numbered and labelled with file and page."""
    if not passages:
        return question
    blocks = "\n\n".join(
        f"[{number}] {passage.label()}\n{passage.text.strip()}"
        for number, passage in enumerate(passages, start=1)
    )
    return f"{GROUNDING_DIRECTIVE}\n\n{blocks}\n\nQuestion: {question}"


def grounded_messages(
    messages: list[ChatMessage], passages: Sequence[Citation]
) -> list[ChatMessage]:
    """``messages`` with the last user message grounded in ``passages`` (the others as they are)."""
    if not passages:
        return list(messages)
    last = max((i for i, m in enumerate(messages) if m.role == "user"), default=-1)
    if last < 0:
        return list(messages)
    grounded = replace(messages[last], content=grounded_question(messages[last].content, passages))
    return [*messages[:last], grounded, *messages[last + 1 :]]


def cited_sources(passages: Sequence[Citation], reply: str) -> list[Citation]:
    """The passages a reply drew on: those it marks ``[n]`` or names by file, else all, best first."""
    marked = {int(n) for n in _CITATION_MARK.findall(reply)}
    chosen = [
        p
        for i, p in enumerate(passages, start=1)
        if i in marked or p.source.lower() in reply.lower()
    ]
    return chosen or list(passages)


def sources_line(citations: Sequence[Citation]) -> str:
    """``Sources: report.pdf, page 3; notes.md, Budget`` (each source once), or empty."""
    labels = list(dict.fromkeys(c.label() for c in citations))
    return f"Sources: {'; '.join(labels)}" if labels else ""


def spoken_attribution(citations: Sequence[Citation], language: str = "en") -> str:
    """What a spoken reply starts with: "According to report.pdf, " (or 根据 … ，), or nothing."""
    names = list(dict.fromkeys(c.source for c in citations))[:2]
    if not names:
        return ""
    if language.split("-")[0].split("_")[0].lower() == "zh":
        return f"根据{'和'.join(names)}，"
    return f"According to {' and '.join(names)}, "


def sampling_defaults(generation: GenerationSettings, **overrides: Any) -> SamplingParams:
    """Sampling from the generation settings; an override that is not ``None`` wins."""
    sampling = SamplingParams(
        temperature=generation.temperature,
        top_p=generation.top_p,
        top_k=generation.top_k,
        repeat_penalty=generation.repeat_penalty,
        max_tokens=generation.max_tokens or UNTIL_CONTEXT_FULL,
        seed=generation.seed,
    )
    for key, value in overrides.items():
        if value is not None:
            if not hasattr(sampling, key):
                raise TypeError(f"unknown sampling parameter {key!r}")
            setattr(sampling, key, value)
    return sampling


def _system_prompt(
    generation: GenerationSettings,
    style: RequestStyle,
    system_prompt: str | None,
    project: ProjectRecord | None,
) -> str:
    """The call's prompt; else the project's persona before the style's own; else the style's or the settings'."""
    if system_prompt is not None:
        return system_prompt
    persona = project.system_prompt.strip() if project is not None else ""
    if persona:
        return f"{persona}\n\n{style.system_prompt}".strip() if style.system_prompt else persona
    return style.system_prompt if style.system_prompt is not None else generation.system_prompt


def build_request(
    messages: list[ChatMessage],
    generation: GenerationSettings,
    style: RequestStyle = TYPED,
    *,
    thinking: bool | None = None,
    system_prompt: str | None = None,
    sampling: SamplingParams | None = None,
    project: ProjectRecord | None = None,
    passages: Sequence[Citation] = (),
    **sampling_overrides: Any,
) -> GenerationRequest:
    """The request for ``messages``: the system prompt first, sampling and thinking settled.

    Precedence: the call's arguments, then the project's (persona, sampling), then the
    style's, then the settings'. A conversation that starts with its own system message
    keeps it. ``passages`` (from the project's documents) go into the last user message,
    numbered, for the reply to cite.
    """
    messages = grounded_messages(messages, passages)
    prompt = _system_prompt(generation, style, system_prompt, project)
    if prompt and not (messages and messages[0].role == "system"):
        messages = [ChatMessage("system", prompt), *messages]
    if sampling is None:
        merged = dict(project.sampling) if project is not None else {}
        merged.update(
            {key: value for key, value in sampling_overrides.items() if value is not None}
        )
        sampling = sampling_defaults(generation, **merged)
    params = sampling
    if style.max_tokens_cap is not None:
        params = replace(params, max_tokens=min(params.max_tokens, style.max_tokens_cap))
    think = next((t for t in (thinking, style.thinking) if t is not None), generation.thinking)
    return GenerationRequest(
        messages=list(messages),
        sampling=params,
        thinking=think,
        priority=style.priority,
        label=style.label,
    )


def _unreadable(sha256: str) -> ImageInput:
    from autoglm.core.errors import InputError

    raise InputError(f"The image {sha256[:12]}… is no longer available to this conversation.")


# -- the conversation -------------------------------------------------------------------------
class Conversation:
    """One chat's turns, saved through the store as they change; safe to share between threads.

    With ``store=None`` it lives in memory only (the CLI's terminal chat, tests). ``project``
    is the project the chat is filed under: its persona and sampling go into every request.
    """

    def __init__(
        self,
        store: Any = None,
        *,
        images: ImageCache | None = None,
        load_image: ImageLoader | None = None,
        conversation_id: int = 0,
        turns: Iterable[Turn] = (),
        project: ProjectRecord | None = None,
    ) -> None:
        self.store = store
        self.images = images or ImageCache()
        self._load_image = load_image
        self._id = conversation_id
        self._turns: list[Turn] = list(turns)
        self._project = project
        self._lock = threading.RLock()

    @classmethod
    def open(
        cls,
        store: Any,
        conversation_id: int,
        *,
        images: ImageCache | None = None,
        load_image: ImageLoader | None = None,
    ) -> Conversation:
        """A stored conversation with its turns and project (blocking: database reads)."""
        turns = [turn_from_record(record) for record in store.messages(conversation_id)]
        record = store.get_conversation(conversation_id)
        project_id = getattr(record, "project_id", None)
        project = store.get_project(project_id) if project_id is not None else None
        return cls(
            store,
            images=images,
            load_image=load_image,
            conversation_id=conversation_id,
            turns=turns,
            project=project,
        )

    def empty_like(self, project: ProjectRecord | None = None) -> Conversation:
        """A new, empty chat on the same store and image cache, in ``project`` if given."""
        return Conversation(
            self.store, images=self.images, load_image=self._load_image, project=project
        )

    # -- reading ------------------------------------------------------------------------------
    @property
    def id(self) -> int:
        """The store's id (0 until the first message is saved)."""
        return self._id

    def turns(self) -> list[Turn]:
        """A copy of the turn list (the turns themselves are shared)."""
        with self._lock:
            return list(self._turns)

    def turn(self, message_id: int) -> Turn | None:
        """The turn stored under ``message_id``."""
        with self._lock:
            return next((t for t in self._turns if t.message_id == message_id), None)

    def __len__(self) -> int:
        """How many turns the chat has."""
        with self._lock:
            return len(self._turns)

    @property
    def project(self) -> ProjectRecord | None:
        """The project the chat is filed under (its persona and sampling shape requests)."""
        with self._lock:
            return self._project

    def current_project(self) -> ProjectRecord | None:
        """The project as the store has it now (moved, edited or deleted since): blocking reads.

        A chat not stored yet, or one without a store, has the project it was made with.
        """
        with self._lock:
            snapshot, conversation_id = self._project, self._id
        if self.store is None or not conversation_id:
            return snapshot
        record = self.store.get_conversation(conversation_id)
        project_id = getattr(record, "project_id", None)
        project = self.store.get_project(project_id) if project_id is not None else None
        with self._lock:
            self._project = project
        return project

    def set_project(self, project: ProjectRecord | None) -> None:
        """File the chat under ``project`` (or none), in the store too once it is stored.

        Also how a project's edited settings reach its open chat: pass the new record.
        """
        with self._lock:
            if self.store is not None and self._id:
                self.store.move_conversation(self._id, project.id if project is not None else None)
            self._project = project

    # -- writing ------------------------------------------------------------------------------
    def ensure_stored(self, title: str, model_id: str = "") -> int:
        """Create the conversation in the store if it is not there yet; returns its id."""
        with self._lock:
            if not self._id and self.store is not None:
                project_id = self._project.id if self._project is not None else None
                self._id = self.store.create_conversation(title, model_id, project_id)
            return self._id

    def add_user(
        self,
        text: str,
        images: Iterable[str] = (),
        *,
        origin: Origin = "typed",
        title: str | None = None,
        version_of: Turn | None = None,
    ) -> Turn:
        """Append and save the user's message (``images``: attachment hashes already stored).

        With ``version_of`` (an earlier question) it becomes that question's new version:
        the turns after it are set aside, kept in the store as the older version's branch.
        """
        turn = Turn("user", text, images=list(images), origin=origin)
        with self._lock:
            self.ensure_stored(title or text or "Image")
            self._append(turn, version_of, attachments=turn.images)
        return turn

    def begin_reply(
        self, model_id: str = "", origin: Origin = "typed", *, version_of: Turn | None = None
    ) -> Turn:
        """Append and save an empty, unfinished assistant reply to stream into (``version_of``:
        the reply it is a new version of, which stays stored)."""
        turn = Turn("assistant", finished=False, origin=origin, model_id=model_id)
        with self._lock:
            self.ensure_stored("New chat", model_id)
            self._append(turn, version_of, finished=False, model_id=model_id)
        return turn

    def _append(self, turn: Turn, version_of: Turn | None, **fields: Any) -> None:
        """Store ``turn`` after the shown turns, or as a new version of ``version_of``."""
        replaced = version_of if version_of is not None and version_of in self._turns else None
        if replaced is not None:
            del self._turns[self._turns.index(replaced) :]
        if self.store is not None:
            turn.message_id = self.store.add_message(
                self._id,
                turn.role,
                turn.content,
                extra=turn.extra(),
                version_of=replaced.message_id
                if replaced is not None and replaced.message_id
                else None,
                **fields,
            )
            if replaced is not None:
                turn.versions = [*(replaced.versions or [replaced.message_id]), turn.message_id]
        self._turns.append(turn)

    def select_version(self, message_id: int) -> None:
        """Show that version of its turn, with the turns that followed it (blocking: the store)."""
        if self.store is None:
            return
        with self._lock:
            self.store.select_version(message_id)
            self._turns = [turn_from_record(record) for record in self.store.messages(self._id)]

    def save_partial(self, turn: Turn, content: str, reasoning: str = "") -> None:
        """The reply so far (still unfinished), so a crash keeps it."""
        with self._lock:
            turn.content, turn.reasoning = content, reasoning
            self._save(turn, content=content, reasoning=reasoning, finished=False)

    def finish_reply(
        self,
        turn: Turn,
        content: str,
        reasoning: str = "",
        *,
        completion: Completion | None = None,
        timings: dict[str, Any] | None = None,
        error: str = "",
        citations: Sequence[Citation] | None = None,
    ) -> None:
        """The reply is over (done, stopped or failed): keep what it says, how it went and its sources."""
        with self._lock:
            if citations is not None:
                turn.citations = list(citations)
            turn.content, turn.reasoning, turn.finished = content, reasoning, True
            turn.error = error or (completion.error or "" if completion is not None else "")
            turn.timings = dict(timings or {})
            if completion is not None:
                turn.timings.update(asdict(completion.timings))
                turn.usage = asdict(completion.usage)
            self._save(
                turn,
                content=content,
                reasoning=reasoning,
                finished=True,
                usage=turn.usage,
                timings=turn.timings,
                extra=turn.extra(),
            )

    def _save(self, turn: Turn, **fields: Any) -> None:
        """Write a reply's fields, also when a newer version has set it aside; not when it was deleted."""
        if self.store is None or not turn.message_id:
            return
        try:
            self.store.update_message(turn.message_id, **fields)
        except KeyError:
            _LOGGER.debug("Reply %s was deleted before it was saved", turn.message_id)

    def record_tool_calls(self, turn: Turn, calls: Iterable[ToolCall]) -> None:
        """The reply ``turn`` called tools: keep the calls on it, saved with the turn."""
        with self._lock:
            turn.tool_calls = list(calls)
            self._save_extra(turn)

    def record_tool_result(self, turn: Turn, result: ToolResult) -> None:
        """One call of ``turn`` was answered (run, failed or denied): keep its result beside the call."""
        with self._lock:
            turn.tool_results = [r for r in turn.tool_results if r.call_id != result.call_id] + [
                result
            ]
            self._save_extra(turn)

    def record_agent_step(self, turn: Turn, step: AgentStep) -> None:
        """One more step of the run ``turn`` reports on, saved at once (a crash keeps the steps so far)."""
        with self._lock:
            turn.agent_steps = [*turn.agent_steps, step]
            self._save_extra(turn)

    def keep_image(self, data: bytes, suffix: str, decoded: ImageInput | None = None) -> str:
        """Keep an image file that is not an attachment of a message (a tool returned it); its hash.

        Stored like an attachment when the chat is stored (blocking: a file write); ``decoded``,
        when given, is cached so the image is not decoded again for the next request.
        """
        sha256 = (
            self.store.put_attachment(data, suffix)
            if self.store is not None
            else hashlib.sha256(data).hexdigest()
        )
        if decoded is not None:
            self.images.put(replace(decoded, sha256=sha256))
        return sha256

    def _save_extra(self, turn: Turn) -> None:
        if self.store is not None and turn.message_id and turn in self._turns:
            self.store.update_message(turn.message_id, extra=turn.extra())

    def delete(self, turn: Turn) -> None:
        """Forget ``turn`` alone (the user deleted one message); later turns stay."""
        with self._lock:
            if turn not in self._turns:
                return
            self._turns.remove(turn)
            if self.store is not None and turn.message_id:
                self.store.delete_message(self._id, turn.message_id)

    def drop_from(self, turn: Turn) -> None:
        """Forget ``turn`` and every later one (regenerating a reply)."""
        with self._lock:
            if turn not in self._turns:
                return
            del self._turns[self._turns.index(turn) :]
            if self.store is not None and turn.message_id:
                self.store.delete_messages_from(self._id, turn.message_id)

    # -- what the model sees --------------------------------------------------------------------
    def image(self, sha256: str) -> ImageInput:
        """The normalised image of an attachment, decoded on first use only."""
        return self.images.get(sha256, self._load_image or _unreadable)

    def engine_messages(
        self,
        draft: str = "",
        draft_images: Iterable[str] = (),
        *,
        with_images: bool = True,
        upto: Turn | None = None,
    ) -> list[ChatMessage]:
        """The chat as the engine sees it (turns with words or images), ``draft`` last.

        ``upto`` stops before that turn (the reply being generated). Blocking where an image
        is not decoded yet: call it off the GUI thread when ``with_images``.
        """
        with self._lock:
            turns = (
                self._turns
                if upto is None or upto not in self._turns
                else self._turns[: self._turns.index(upto)]
            )
            history = [
                (t.role, t.content, list(t.images))
                for t in turns
                if t.role in ("user", "assistant") and (t.content or t.images)
            ]
        drafts = list(draft_images)
        if draft.strip() or drafts:
            history.append(("user", draft, drafts))
        return [
            ChatMessage(role, content, [self.image(sha) for sha in hashes] if with_images else [])
            for role, content, hashes in history
        ]

    def request(
        self,
        generation: GenerationSettings,
        style: RequestStyle = TYPED,
        *,
        draft: str = "",
        draft_images: Iterable[str] = (),
        upto: Turn | None = None,
        **overrides: Any,
    ) -> GenerationRequest:
        """The request to answer this chat (and ``draft``, a message not saved yet) in ``style``."""
        if "project" not in overrides:
            overrides["project"] = self.current_project()
        return build_request(
            self.engine_messages(draft, draft_images, upto=upto), generation, style, **overrides
        )
