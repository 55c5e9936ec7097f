"""Paints one message of the chat view: Markdown document, folded reasoning, action buttons.

Each row's rich text is a ``QTextDocument`` built from HTML the ``MarkdownRenderer`` made
(usually on a worker thread when a conversation opens). Heights are cached per message
revision and width, documents in a small LRU, so a 500-message list lays out from cache
and scrolls without re-rendering.
"""

from __future__ import annotations

import html
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QAbstractTextDocumentLayout as DocLayout
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QAbstractScrollArea, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from autoglm.ui import deferred_render
from autoglm.ui.chat_model import ITEM_ROLE, MessageItem
from autoglm.ui.code_scroll import CodeArea, clamp, code_areas, draw_document, to_document
from autoglm.ui.icons import icon
from autoglm.ui.image_thumbnails import decode_thumbnail
from autoglm.ui.markdown_html import (
    COPY_CODE_SCHEME,
    MarkdownRenderer,
    block_spans,
    shift_copy_links,
    split_blocks,
)
from autoglm.ui.pointed_answers import POINTED_SCHEME, caption, marked_image
from autoglm.ui.text_selection import TextSelection
from autoglm.ui.theme import LIGHT, ThemeColours

_LOGGER = logging.getLogger(__name__)

TOGGLE_REASONING = "toggle-reasoning"
IMAGE_SCHEME = "image"
REPLAY_SCHEME = "agent-replay"
"""``agent-replay:0`` under an agent run's last message runs its recorded steps again."""
CITE_SCHEME = "cite"
"""``cite:N`` opens the reply's N-th source at its passage."""
COLUMN_MAX_WIDTH = 860
MARGIN_H = 20
MARGIN_V = 6
BUBBLE_PAD = 10
ACTION_HEIGHT = 26
ACTION_SIZE = 24
THUMB_SIZE = 160
VERSION_LABEL_WIDTH = 40
PREVIOUS_VERSION = "version-previous"
NEXT_VERSION = "version-next"
TOOL_BUTTONS_HEIGHT = 12
_DOC_CACHE = 160


@dataclass
class RowLayout:
    """Where the parts of one row are painted, in viewport coordinates."""

    bubble: QRect
    document: QRect
    actions: list[tuple[str, QRect]]
    footer: QRect
    version_label: QRect = field(default_factory=QRect)
    """Where ``n/m`` goes between the version arrows (empty: one version only)."""


def reply_footer(tokens: int | None, speed: float | None) -> str:
    """``128 tokens · 35.2 tok/s`` under a reply."""
    parts = []
    if tokens:
        parts.append(QCoreApplication.translate("MessageDelegate", "{0} tokens").format(tokens))
    if speed:
        parts.append(
            QCoreApplication.translate("MessageDelegate", "{0} tok/s").format(f"{speed:.1f}")
        )
    return " · ".join(parts)


def version_text(item: MessageItem) -> str:
    """``2/3``: which of a message's versions is shown (empty with one version)."""
    if len(item.versions) < 2 or item.message_id not in item.versions:
        return ""
    return f"{item.versions.index(item.message_id) + 1}/{len(item.versions)}"


def footer_text(item: MessageItem) -> str:
    """What a reply's footer says: the figures so far while it streams, the final ones after
    (a stopped reply keeps the ones it reached)."""
    figures = reply_footer(item.reply_tokens, item.reply_speed)
    if item.streaming:
        generating = QCoreApplication.translate("MessageDelegate", "Generating…")
        return f"{generating} · {figures}" if figures else generating
    return figures


def message_actions(item: MessageItem, is_last: bool) -> list[str]:
    """The action buttons a message shows, in order (the version switcher first)."""
    if item.streaming:
        return []
    switcher = [PREVIOUS_VERSION, NEXT_VERSION] if version_text(item) else []
    return [*switcher, *_plain_actions(item, is_last)]


def _plain_actions(item: MessageItem, is_last: bool) -> list[str]:
    if item.role == "user":
        return ["edit", "copy"]
    if item.agent_step:
        return ["copy"]  # one step of a run: its last message replays the run
    if item.role == "assistant" and item.tool_calls and not item.content:
        return []  # a turn that only called tools: its cards below say what it did
    if item.role == "assistant":
        if not is_last:
            return ["copy", "speak"]
        extra = ["continue"] if item.length_limited or (item.stopped and item.content) else []
        return [*extra, "copy", "regenerate", "speak"]
    return []


def action_label(action: str) -> str:
    """The words for an action (tooltip and accessible name)."""
    return {
        "edit": QCoreApplication.translate("MessageDelegate", "Edit and resend"),
        "copy": QCoreApplication.translate("MessageDelegate", "Copy message"),
        "regenerate": QCoreApplication.translate("MessageDelegate", "Regenerate reply"),
        "speak": QCoreApplication.translate("MessageDelegate", "Read aloud"),
        "continue": QCoreApplication.translate("MessageDelegate", "Continue the reply"),
        PREVIOUS_VERSION: QCoreApplication.translate("MessageDelegate", "Previous version"),
        NEXT_VERSION: QCoreApplication.translate("MessageDelegate", "Next version"),
    }.get(action, action)


@dataclass(frozen=True)
class MessageLook:
    """Everything that decides how a message's rich text looks."""

    colours: ThemeColours
    font: QFont
    copy_label: str
    token: str


class MessageDocumentFactory:
    """Builds messages' rich text. Documents belong to the thread that built them, so a
    worker thread uses its own factory (``clone()``) and hands finished documents over."""

    def __init__(self, look: MessageLook, resolver: Callable[[str], Path | None]) -> None:
        self.look = look
        self.resolver = resolver
        self._renderer = MarkdownRenderer(
            dark=look.colours.dark,
            copy_label=look.copy_label,
            math_points=look.font.pointSizeF(),
            math_colour=look.colours.text,
        )
        self._marked: dict[tuple, tuple[QImage, str]] = {}
        self.placeholders: set[str] = set()
        """Attachments drawn as a grey square on the GUI thread while their thumbnail is read."""
        self.copied: tuple[int, str] | None = None
        """(item key, what) just copied: "copy" or a code block's ``copy-code:N`` link, shown as copied."""

    def clone(self) -> MessageDocumentFactory:
        """A factory with the same look for another thread."""
        return MessageDocumentFactory(self.look, self.resolver)

    def rendered(self, item: MessageItem, keep: bool) -> str:
        """The item's Markdown as HTML (cached on the item when ``keep``)."""
        if item.rendered is not None and item.rendered_theme == self.look.token:
            return self._mark_copied(item, item.rendered.html)
        result = self._renderer.render(item.content)
        if keep:
            item.rendered, item.rendered_theme = result, self.look.token
        return self._mark_copied(item, result.html)

    def _mark_copied(self, item: MessageItem, body: str) -> str:
        """``body`` with the code block just copied labelled "Copied" (same width, so nothing moves)."""
        if (
            self.copied is None
            or self.copied[0] != item.key
            or not self.copied[1].startswith(COPY_CODE_SCHEME)
        ):
            return body
        link = f'<a href="{self.copied[1]}">{html.escape(self.look.copy_label)}</a>'
        done = QCoreApplication.translate("MessageDelegate", "Copied")
        return body.replace(link, f'<a href="{self.copied[1]}">{html.escape(done)}</a>')

    def head_html(self, item: MessageItem) -> str:
        """The row's reasoning header (and the reasoning when unfolded), or ''."""
        translate = QCoreApplication.translate
        colours = self.look.colours
        parts: list[str] = []
        muted = colours.muted
        if item.reasoning or (item.streaming and not item.content and item.role == "assistant"):
            if item.streaming and not item.content:
                seconds = item.reasoning_seconds or 0.0
                # Before the first token the prompt (and any image) is being read; only reasoning
                # that arrives is "thinking" (a model that does not think never shows it).
                header = (
                    translate("MessageDelegate", "Thinking… {0} s").format(int(seconds))
                    if item.reasoning
                    else translate("MessageDelegate", "Reading your message…")
                )
            else:
                took = item.reasoning_seconds
                header = (
                    translate("MessageDelegate", "Thought for {0} s").format(max(1, round(took)))
                    if took is not None
                    else translate("MessageDelegate", "Thoughts")
                )
            arrow = "▾" if item.reasoning_expanded else "▸"
            parts.append(
                f'<p><a href="{TOGGLE_REASONING}" style="color:{muted}; text-decoration:none;">'
                f"{arrow} {html.escape(header)}</a></p>"
            )
            if item.reasoning_expanded and item.reasoning:
                text = html.escape(item.reasoning.strip()).replace("\n", "<br/>")
                parts.append(
                    f'<table width="100%" cellpadding="8" style="background-color:{colours.hover};">'
                    f'<tr><td><span style="color:{muted};">{text}</span></td></tr></table>'
                )
        return "".join(parts)

    def block_parts(self, item: MessageItem) -> list[str]:
        """A reply's HTML in pieces: header, one per top-level Markdown block (code-copy links
        numbered across the message), then the notes under it."""
        parts = [self.head_html(item)]
        offset = 0
        for block in split_blocks(item.content):
            part, code_blocks, _final = self.block_html(item, block, offset)
            parts.append(part)
            offset += code_blocks
        parts.append(self.tail_html(item))
        return [part for part in parts if part]

    def block_html(self, item: MessageItem, block: str, first_code: int) -> tuple[str, int, bool]:
        """(HTML, code blocks in it, final) of one top-level Markdown block of ``item`` whose
        code blocks are numbered from ``first_code``; not final while a stand-in is shown."""
        rendered = self._renderer.render(block)
        return (
            self._mark_copied(item, shift_copy_links(rendered.html, first_code)),
            len(rendered.code_blocks),
            rendered.final,
        )

    def html(self, item: MessageItem, keep: bool = True) -> str:
        """The whole row's HTML: reasoning header, text, thumbnails, error or stop note."""
        parts: list[str] = [self.head_html(item)]
        if item.role == "user":
            parts.append("<p>" + html.escape(item.content).replace("\n", "<br/>") + "</p>")
        else:
            parts.append(self.rendered(item, keep))
        parts.append(self.tail_html(item))
        return "".join(parts)

    def tail_html(self, item: MessageItem) -> str:
        """What goes under the text: thumbnails, then an error, length or stop note."""
        translate = QCoreApplication.translate
        colours = self.look.colours
        muted = colours.muted
        parts: list[str] = []
        if item.attachments:
            thumbs = "".join(
                f'<a href="{IMAGE_SCHEME}:{n}"><img src="thumb:{sha}"/></a>&nbsp;'
                for n, sha in enumerate(item.attachments)
            )
            parts.append(f"<p>{thumbs}</p>")
        marked = self.pointed_view(item)
        if marked is not None:
            parts.append(
                f'<p><a href="{POINTED_SCHEME}:0"><img src="{POINTED_SCHEME}:{item.key}"/></a></p>'
                f'<p style="color:{muted};">{html.escape(marked[1])}</p>'
            )
        if item.agent_steps and not item.streaming:
            replay = QCoreApplication.translate("MessageDelegate", "Replay these {0} steps").format(
                len(item.agent_steps)
            )
            parts.append(
                f'<p><a href="{REPLAY_SCHEME}:0" style="color:{colours.accent};">↻ {html.escape(replay)}</a></p>'
            )
        if item.citations and not item.streaming:
            parts.append(self.sources_html(item))
        if item.error:
            parts.append(f'<p style="color:{colours.error};">{html.escape(item.error)}</p>')
        elif item.length_limited:
            note = translate("MessageDelegate", "Length limit reached: Continue writes more")
            parts.append(f'<p style="color:{muted};"><i>{html.escape(note)}</i></p>')
        elif item.stopped:
            parts.append(
                f'<p style="color:{muted};"><i>{html.escape(translate("MessageDelegate", "Stopped"))}</i></p>'
            )
        return "".join(parts)

    def sources_html(self, item: MessageItem) -> str:
        """A reply's sources under it: each file and place a link that opens it at the passage."""
        label = QCoreApplication.translate("MessageDelegate", "Sources:")
        colours = self.look.colours
        links, seen = [], set()
        for number, citation in enumerate(item.citations):
            place = (
                f"{citation.source}, {citation.location}" if citation.location else citation.source
            )
            if place in seen:
                continue  # two passages of one page are one source
            seen.add(place)
            links.append(
                f'<a href="{CITE_SCHEME}:{number}" style="color:{colours.accent};">{html.escape(place)}</a>'
            )
        return (
            f'<p style="color:{colours.muted};">{html.escape(label)} '
            + " &nbsp;·&nbsp; ".join(links)
            + "</p>"
        )

    def pointed_view(self, item: MessageItem) -> tuple[QImage, str] | None:
        """A pointing reply's marked image and the line saying what it marks (``None``: it points at nothing)."""
        pointed = item.pointed
        if pointed is None or item.streaming:
            return None
        key = (pointed.image_sha, pointed.pointing)
        cached = self._marked.get(key)
        if cached is None:
            path = self.resolver(pointed.image_sha)
            image, size = (
                marked_image(path, pointed.pointing) if path is not None else (QImage(), (0, 0))
            )
            cached = self._marked[key] = (image, caption(pointed.pointing, size))
        return cached

    def _thumbnail(self, sha: str) -> QImage:
        """The attachment's thumbnail; on the GUI thread one not read yet is a grey square
        while the background reads it (a 12-megapixel PNG takes the decoder ~0.3 s)."""
        image = _THUMBNAILS.get(sha)
        if image is not None:
            return image
        path = self.resolver(sha)
        if not deferred_render.on_gui_thread():
            return _read_thumbnail(sha, path)
        self.placeholders.add(sha)
        deferred_render.request(("thumbnail", sha), lambda: _read_thumbnail(sha, path))
        placeholder = QImage(THUMB_SIZE, THUMB_SIZE, QImage.Format.Format_RGB32)
        placeholder.fill(QColor(self.look.colours.hover))
        return placeholder

    def document(self, item: MessageItem, width: int, keep: bool = True) -> QTextDocument:
        """The item's rich text laid out ``width`` pixels wide."""
        return self.html_document(self.html(item, keep), width, item.attachments, item)

    def html_document(
        self,
        body: str,
        width: int,
        attachments: list[str] | None = None,
        item: MessageItem | None = None,
    ) -> QTextDocument:
        """``body`` as a document in the message look, laid out ``width`` pixels wide (``item``: whose
        marked image it may show)."""
        doc = QTextDocument()
        doc.setDocumentMargin(0)
        doc.setDefaultFont(self.look.font)
        doc.setDefaultStyleSheet(
            f"a {{ color: {self.look.colours.link}; }} p {{ margin-top: 0px; margin-bottom: 6px; }}"
            "h1,h2,h3 { margin-top: 6px; margin-bottom: 4px; }"
        )
        for sha in attachments or ():
            doc.addResource(
                QTextDocument.ResourceType.ImageResource, QUrl(f"thumb:{sha}"), self._thumbnail(sha)
            )
        marked = self.pointed_view(item) if item is not None else None
        if marked is not None and item is not None:
            doc.addResource(
                QTextDocument.ResourceType.ImageResource,
                QUrl(f"{POINTED_SCHEME}:{item.key}"),
                marked[0],
            )
        doc.setHtml(body)
        doc.setTextWidth(width)
        return doc

    def measure(
        self, item: MessageItem, column_width: int, keep: bool = True
    ) -> tuple[int, int, QTextDocument]:
        """(height, width, document) of ``item`` in a column ``column_width`` wide."""
        if item.role == "user":
            max_width = int(column_width * 0.8) - 2 * BUBBLE_PAD
            doc = self.document(item, max_width, keep)
            width = min(max_width, int(doc.idealWidth()) + 2)
            if width < max_width:
                doc.setTextWidth(width)
        elif is_block_laid(item):  # the same pieces the view paints, so heights agree
            docs = [
                self.html_document(part, column_width, item.attachments, item)
                for part in self.block_parts(item)
            ]
            height = sum(int(doc.size().height()) for doc in docs)
            return (
                height + 1,
                column_width,
                docs[-1] if docs else self.html_document("", column_width),
            )
        else:
            width = column_width
            doc = self.document(item, width, keep)
        return int(doc.size().height()) + 1, width, doc


_THUMBNAILS: dict[str, QImage] = {}
"""Thumbnails by attachment hash, shared by the GUI thread and the threads that measure."""


def _read_thumbnail(sha: str, path: Path | None) -> QImage:
    """Read (scaled down while decoding where the format allows) and remember ``sha``'s thumbnail."""
    image = decode_thumbnail(path, THUMB_SIZE)[0] if path is not None else QImage()
    if image.isNull():
        image = QImage(THUMB_SIZE // 2, THUMB_SIZE // 2, QImage.Format.Format_RGB32)
        image.fill(QColor("#d0d7de"))
    _THUMBNAILS[sha] = image
    return image


def column_width(row_width: int) -> int:
    """Width of the centred text column in a row ``row_width`` wide."""
    return min(COLUMN_MAX_WIDTH, max(120, row_width - 2 * MARGIN_H))


def size_key(item: MessageItem, token: str) -> tuple:
    """What a message's measured size depends on (besides the width)."""
    return (item.key, item.revision, token, item.reasoning_expanded)


@dataclass
class StreamBlock:
    """One document of a reply laid out block by block, with what painting it needs."""

    part: str
    """The HTML it was laid out from."""
    document: QTextDocument
    height: int
    code: int
    """Code blocks in it (those below are numbered after them)."""
    source: str = ""
    """A finished block's Markdown (to render it again once a stand-in in it is ready)."""
    first_code: int = 0
    areas: list[CodeArea] | None = None
    """Where its code blocks are (found on first paint: walking a document's tables is slow)."""


@dataclass
class StreamDocuments:
    """A streaming reply as one document per Markdown block. Blocks before the last no
    longer change, so each batch cuts, renders and lays out only the text from the last
    block on (and the header and notes around it), not the whole reply."""

    width: int
    token: str
    copied: tuple[int, str] | None
    finished: list[StreamBlock] = field(default_factory=list)
    """The blocks before the one being written, top to bottom."""
    finished_text: str = ""
    """The reply's text up to where the block being written begins."""
    finished_code: int = 0
    waiting: set[int] = field(default_factory=set)
    """Finished blocks drawn with a stand-in for a formula or code lexer still being prepared."""
    laid: dict[str, StreamBlock] = field(default_factory=dict)
    """Every block laid out, by its HTML: the header, last block and notes are kept while they
    read the same, and a block that reads like an earlier one shares its layout."""
    revision: int = -1
    blocks: list[StreamBlock] = field(default_factory=list)
    height: int = 0


BLOCK_LAYOUT_CHARS = 3000
"""Replies longer than this are laid out one Markdown block per document, like streaming ones."""


def is_block_laid(item: MessageItem) -> bool:
    """Whether ``item`` is laid out block by block: a reply being written, or a long one
    (one document for 40 kB of Markdown takes the GUI thread hundreds of milliseconds)."""
    return item.role == "assistant" and (item.streaming or len(item.content) > BLOCK_LAYOUT_CHARS)


@dataclass(frozen=True)
class CodeBlockHit:
    """A code block under the pointer: which one, where its document is painted, how far it scrolls."""

    key: int
    number: int
    area: CodeArea
    origin: QPointF
    """Its document's top-left corner in the view."""
    offset: float


@dataclass
class Measured:
    """A size measured off the GUI thread."""

    item: MessageItem
    column_width: int
    height: int
    width: int


class MessageDelegate(QStyledItemDelegate):
    """Lays out and paints ``MessageItem`` rows; the view asks it what was clicked.

    Sizes come from a cache filled by worker threads (``prime``); a size known only at
    another width is scaled as an estimate until the exact one arrives, so ``sizeHint``
    never lays out a document on the GUI thread for rows that are not on screen.
    """

    remeasureNeeded = Signal()
    layoutNeeded = Signal()

    def __init__(self, parent=None) -> None:  # noqa: ANN001 - a QObject or None
        super().__init__(parent)
        self.attachment_resolver: Callable[[str], Path | None] = lambda _sha: None
        self.factory = MessageDocumentFactory(
            MessageLook(
                LIGHT, QFont(), QCoreApplication.translate("MessageDelegate", "Copy"), "light/en"
            ),
            self._resolve,
        )
        self._docs: OrderedDict[tuple, QTextDocument] = OrderedDict()
        self._sizes: dict[tuple, dict[int, tuple[int, int]]] = {}
        self._streams: dict[int, StreamDocuments] = {}
        self.block_layouts = 0
        """Documents laid out for streaming replies (a measure of the work per batch)."""
        self.hover: tuple[int, str] | None = None
        self.selection: TextSelection | None = None
        """Text selected in one row (set by the view; painted here)."""
        self.row_width: Callable[[], int] = lambda: 0
        """Width of a row (the view's viewport), set by the view."""
        self.code_offsets: dict[tuple[int, int], float] = {}
        """How far each wide code block is scrolled sideways: (item key, block number) → pixels."""

    def _resolve(self, sha: str) -> Path | None:
        return self.attachment_resolver(sha)

    @property
    def colours(self) -> ThemeColours:
        """The theme's colours."""
        return self.factory.look.colours

    @property
    def theme_token(self) -> str:
        """Changes whenever the look changes."""
        return self.factory.look.token

    # -- configuration ---------------------------------------------------------------------
    def set_look(self, colours: ThemeColours, font: QFont, language: str) -> None:
        """Use new colours, font or language; every cached layout is dropped."""
        token = f"{colours.name}/{language}/{font.pointSize()}"
        look = MessageLook(
            colours, QFont(font), QCoreApplication.translate("MessageDelegate", "Copy"), token
        )
        copied = self.factory.copied
        self.factory = MessageDocumentFactory(look, self._resolve)
        self.factory.copied = copied
        self.clear_cache()

    def clear_cache(self) -> None:
        """Forget every cached document and size."""
        self._docs.clear()
        self._sizes.clear()
        self._streams.clear()

    # -- sizes and documents ---------------------------------------------------------------
    def prime(self, measured: list[Measured]) -> None:
        """Take sizes measured on a worker thread."""
        token = self.theme_token
        for entry in measured:
            self._sizes.setdefault(size_key(entry.item, token), {})[entry.column_width] = (
                entry.height,
                entry.width,
            )

    def _remember_doc(self, item: MessageItem, width: int, doc: QTextDocument) -> None:
        key = (*size_key(item, self.theme_token), width)
        self._docs[key] = doc
        self._docs.move_to_end(key)
        while len(self._docs) > _DOC_CACHE:
            self._docs.popitem(last=False)

    def stream_documents(self, item: MessageItem, width: int) -> list[QTextDocument]:
        """A block-laid reply's documents, top to bottom."""
        return [block.document for block in self.stream_blocks(item, width)]

    def stream_blocks(self, item: MessageItem, width: int) -> list[StreamBlock]:
        """A block-laid reply's documents with their heights; only the text from the block
        being written on is cut, rendered and laid out again."""
        entry = self._streams.get(item.key)
        copied = self.factory.copied
        if (
            entry is None
            or entry.width != width
            or entry.token != self.theme_token
            or entry.copied != copied
            or not item.content.startswith(entry.finished_text)
        ):
            entry = self._streams[item.key] = StreamDocuments(width, self.theme_token, copied)
        if entry.revision == item.revision:
            return entry.blocks
        for number in list(entry.waiting):  # finished blocks drawn with a stand-in, rendered again
            block = entry.finished[number]
            part, code, final = self.factory.block_html(item, block.source, block.first_code)
            if part != block.part:
                entry.finished[number] = replace(
                    self._stream_block(entry, part, code, item),
                    source=block.source,
                    first_code=block.first_code,
                )
            if final:
                entry.waiting.discard(number)
        spans = block_spans(item.content, len(entry.finished_text))
        for _start, source in spans[:-1]:
            part, code, final = self.factory.block_html(item, source, entry.finished_code)
            if not final:
                entry.waiting.add(len(entry.finished))
            entry.finished.append(
                replace(
                    self._stream_block(entry, part, code, item),
                    source=source,
                    first_code=entry.finished_code,
                )
            )
            entry.finished_code += code
        if len(spans) > 1:
            entry.finished_text = item.content[: spans[-1][0]]
        head_part = self.factory.head_html(item)
        last_part, last_code, _final = (
            self.factory.block_html(item, spans[-1][1], entry.finished_code)
            if spans
            else ("", 0, True)
        )
        head = [self._stream_block(entry, head_part, 0, item)] if head_part else []
        rest = [
            self._stream_block(entry, part, code, item)
            for part, code in ((last_part, last_code), (self.factory.tail_html(item), 0))
            if part
        ]
        entry.blocks = [*head, *entry.finished, *rest]
        entry.laid = {
            block.part: block for block in entry.blocks
        }  # earlier versions of the last block go
        entry.height = sum(block.height for block in entry.blocks)
        entry.revision = item.revision
        return entry.blocks

    def _stream_block(
        self, entry: StreamDocuments, part: str, code: int, item: MessageItem
    ) -> StreamBlock:
        """The laid-out block for ``part``: the one shown last time if it reads the same."""
        kept = entry.laid.get(part)
        if kept is not None:
            return kept
        document = self.factory.html_document(part, entry.width, item.attachments, item)
        self.block_layouts += 1
        block = entry.laid[part] = StreamBlock(part, document, int(document.size().height()), code)
        return block

    def document(self, item: MessageItem, width: int) -> QTextDocument:
        """The laid-out rich text of ``item`` at ``width`` pixels (GUI thread)."""
        if is_block_laid(item):
            documents = self.stream_documents(item, width)
            return documents[-1] if documents else self.factory.html_document("", width)
        self._streams.pop(item.key, None)
        key = (*size_key(item, self.theme_token), width)
        doc = self._docs.get(key)
        if doc is not None:
            self._docs.move_to_end(key)
            return doc
        doc = self.factory.document(item, width)
        self._remember_doc(item, width, doc)
        return doc

    def _exact(self, item: MessageItem, column: int) -> tuple[int, int]:
        sizes = self._sizes.setdefault(size_key(item, self.theme_token), {})
        if column not in sizes and is_block_laid(item):
            self.stream_blocks(item, column)
            sizes[column] = (self._streams[item.key].height + 1, column)
        if column not in sizes:
            height, width, doc = self.factory.measure(item, column)
            sizes[column] = (height, width)
            self._remember_doc(item, width, doc)
        return sizes[column]

    def _size(self, item: MessageItem, column: int) -> tuple[tuple[int, int], bool]:
        """((height, width), exact) — scaled from another width when that is all there is."""
        sizes = self._sizes.get(size_key(item, self.theme_token))
        if sizes and column in sizes:
            return sizes[column], True
        if sizes:
            other = min(sizes, key=lambda known: abs(known - column))
            height, width = sizes[other]
            self.remeasureNeeded.emit()
            scaled = int(height * min(2.0, max(0.5, other / column)))
            return (scaled, min(width, column)), False
        return self._exact(item, column), True

    # -- geometry --------------------------------------------------------------------------
    @staticmethod
    def _column(rect: QRect) -> QRect:
        width = column_width(rect.width())
        left = rect.left() + (rect.width() - width) // 2
        return QRect(left, rect.top(), width, rect.height())

    def row_layout(self, item: MessageItem, rect: QRect, is_last: bool) -> RowLayout:
        """Where each part of ``item`` goes inside the row ``rect`` (exact sizes)."""
        column = self._column(rect)
        height, width = self._exact(item, column.width())
        top = rect.top() + MARGIN_V
        if item.role == "user":
            bubble = QRect(
                column.right() - width - 2 * BUBBLE_PAD,
                top,
                width + 2 * BUBBLE_PAD,
                height + 2 * BUBBLE_PAD,
            )
            document = bubble.adjusted(BUBBLE_PAD, BUBBLE_PAD, -BUBBLE_PAD, -BUBBLE_PAD)
        else:
            bubble = QRect(column.left(), top, column.width(), height)
            document = QRect(bubble)
        actions: list[tuple[str, QRect]] = []
        action_top = bubble.bottom() + 4
        names = message_actions(item, is_last)
        label_width = VERSION_LABEL_WIDTH if NEXT_VERSION in names else 0
        if item.role == "user":
            x = bubble.right() - len(names) * (ACTION_SIZE + 2) - label_width
        else:
            x = bubble.left() - 4
        version_label = QRect()
        for name in names:
            if name == NEXT_VERSION:
                version_label = QRect(x, action_top, label_width, ACTION_SIZE)
                x += label_width
            actions.append((name, QRect(x, action_top, ACTION_SIZE, ACTION_SIZE)))
            x += ACTION_SIZE + 2
        footer = QRect(x + 6, action_top, max(0, column.right() - x - 6), ACTION_SIZE)
        return RowLayout(bubble, document, actions, footer, version_label)

    def sizeHint(  # noqa: N802
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        """Row height: the document, bubble padding and the action row."""
        item: MessageItem = index.data(ITEM_ROLE)
        row_width = self.row_width() or option.rect.width() or 600
        (height, _width), _exact = self._size(item, column_width(row_width))
        if item.role == "user":
            height += 2 * BUBBLE_PAD
        if item.role == "tool" and item.tool_state == "asking":
            height += TOOL_BUTTONS_HEIGHT  # room for the approval buttons laid over the row
        return QSize(row_width, height + 2 * MARGIN_V + ACTION_HEIGHT + 4)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """Paint the bubble, the document, the action buttons and the footer."""
        item: MessageItem = index.data(ITEM_ROLE)
        is_last = index.row() == index.model().rowCount() - 1
        _size, exact = self._size(item, column_width(option.rect.width()))
        layout = self.row_layout(item, option.rect, is_last)
        if not exact:  # the estimate was off: the view lays out again (later, never inside paint)
            self.layoutNeeded.emit()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if (
            option.state & QStyle.StateFlag.State_HasFocus
            and option.state & QStyle.StateFlag.State_Selected
        ):
            painter.setPen(QColor(self.colours.accent))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(layout.bubble).adjusted(-4, -3, 4, 3), 8, 8)
        text_colour = self.colours.text
        if item.role == "user":
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(self.colours.user_bubble))
            painter.drawRoundedRect(QRectF(layout.bubble), 12, 12)
            text_colour = self.colours.user_text
        palette = QPalette(option.palette)
        palette.setColor(QPalette.ColorRole.Text, QColor(text_colour))
        if is_block_laid(item):
            view = option.widget
            visible = (
                view.viewport().rect() if isinstance(view, QAbstractScrollArea) else option.rect
            )
            self._paint_stream(painter, item, layout.document, palette, visible)
        else:
            doc = self.document(item, layout.document.width())
            painter.translate(QPointF(layout.document.topLeft()))
            context = DocLayout.PaintContext()
            context.palette = palette
            context.clip = QRectF(0, 0, layout.document.width(), layout.document.height())
            if (
                self.selection is not None
                and self.selection.row == index.row()
                and not self.selection.empty
            ):
                context.selections = [
                    self.selection.painted(doc, self.colours.accent, self.colours.accent_text)
                ]
            areas = code_areas(doc, layout.document.width())
            draw_document(
                painter,
                doc,
                context,
                areas,
                self.code_block_offsets(item, 0, areas),
                self.colours.muted,
            )
            painter.translate(-QPointF(layout.document.topLeft()))
        for name, rect in layout.actions:
            hovered = self.hover == (index.row(), name)
            if hovered:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(self.colours.hover))
                painter.drawRoundedRect(QRectF(rect), 6, 6)
            colour = self.colours.text if hovered else self.colours.muted
            if name in (PREVIOUS_VERSION, NEXT_VERSION):
                painter.setPen(QColor(colour))
                painter.setFont(self.factory.look.font)
                painter.drawText(
                    rect, Qt.AlignmentFlag.AlignCenter, "‹" if name == PREVIOUS_VERSION else "›"
                )
            else:
                icon(name, colour).paint(painter, rect.adjusted(4, 4, -4, -4))
        small = QFont(self.factory.look.font)
        small.setPointSizeF(max(7.0, small.pointSizeF() - 2))
        if not layout.version_label.isEmpty():
            painter.setPen(QColor(self.colours.muted))
            painter.setFont(small)
            painter.drawText(layout.version_label, Qt.AlignmentFlag.AlignCenter, version_text(item))
        footer = footer_text(item)
        if footer:
            painter.setPen(QColor(self.colours.muted))
            painter.setFont(small)
            painter.drawText(
                layout.footer, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, footer
            )
        painter.restore()

    def _paint_stream(
        self, painter: QPainter, item: MessageItem, area: QRect, palette: QPalette, visible: QRect
    ) -> None:
        """Paint a streaming reply's block documents one under another (only those in view)."""
        shown = visible
        top = area.top()
        first_code = 0
        for block in self.stream_blocks(item, area.width()):
            doc, height = block.document, block.height
            if top + height >= shown.top() and top <= shown.bottom():
                if block.areas is None:  # the block's layout is fixed: find its code blocks once
                    block.areas = code_areas(doc, area.width())
                areas = block.areas
                painter.translate(QPointF(area.left(), top))
                context = DocLayout.PaintContext()
                context.palette = palette
                context.clip = QRectF(0, 0, area.width(), height)
                draw_document(
                    painter,
                    doc,
                    context,
                    areas,
                    self.code_block_offsets(item, first_code, areas),
                    self.colours.muted,
                )
                painter.translate(-QPointF(area.left(), top))
            top += height
            first_code += block.code

    def code_block_offsets(
        self, item: MessageItem, first: int, areas: list[CodeArea]
    ) -> list[float]:
        """How far each of ``areas`` (code blocks ``first``… of ``item``) is scrolled, within its range."""
        return [
            clamp(self.code_offsets.get((item.key, first + n), 0.0), area)
            for n, area in enumerate(areas)
        ]

    def placed_documents(
        self, item: MessageItem, layout: RowLayout
    ) -> list[tuple[QTextDocument, QPointF, int]]:
        """Each document of a row with its top-left corner in the view and the number of its first code block."""
        width = layout.document.width()
        if not is_block_laid(item):
            return [(self.document(item, width), QPointF(layout.document.topLeft()), 0)]
        placed = []
        top, first_code = layout.document.top(), 0
        for block in self.stream_blocks(item, width):
            placed.append((block.document, QPointF(layout.document.left(), top), first_code))
            top += block.height
            first_code += block.code
        return placed

    def code_block_at(self, index: QModelIndex, rect: QRect, pos: QPoint) -> CodeBlockHit | None:
        """The code block under ``pos`` in the row at ``rect``, if any."""
        item: MessageItem = index.data(ITEM_ROLE)
        if item.role == "user":
            return None
        layout = self.row_layout(item, rect, index.row() == index.model().rowCount() - 1)
        if not layout.document.contains(pos):
            return None
        for doc, origin, first_code in self.placed_documents(item, layout):
            local = QPointF(pos) - origin
            areas = code_areas(doc, layout.document.width())
            for number, (area, offset) in enumerate(
                zip(areas, self.code_block_offsets(item, first_code, areas), strict=True)
            ):
                if area.rect().contains(local):
                    return CodeBlockHit(item.key, first_code + number, area, origin, offset)
        return None

    def code_blocks(self, index: QModelIndex, rect: QRect) -> list[CodeBlockHit]:
        """Every code block of the row at ``rect``, top to bottom."""
        item: MessageItem = index.data(ITEM_ROLE)
        if item.role == "user":
            return []
        layout = self.row_layout(item, rect, index.row() == index.model().rowCount() - 1)
        blocks = []
        for doc, origin, first_code in self.placed_documents(item, layout):
            areas = code_areas(doc, layout.document.width())
            offsets = self.code_block_offsets(item, first_code, areas)
            blocks += [
                CodeBlockHit(item.key, first_code + n, area, origin, offset)
                for n, (area, offset) in enumerate(zip(areas, offsets, strict=True))
            ]
        return blocks

    def scroll_code_block(self, block: CodeBlockHit, offset: float) -> bool:
        """Scroll ``block`` sideways to ``offset``; whether it moved."""
        offset = clamp(offset, block.area)
        if offset == block.offset:
            return False
        self.code_offsets[(block.key, block.number)] = offset
        return True

    def unscrolled(
        self, item: MessageItem, doc: QTextDocument, point: QPointF, first_code: int = 0
    ) -> QPointF:
        """``point`` over ``doc`` as painted to where it is in the document (code blocks scroll)."""
        areas = code_areas(doc, doc.textWidth())
        return to_document(point, areas, self.code_block_offsets(item, first_code, areas))

    # -- hit testing -----------------------------------------------------------------------
    def hit(self, index: QModelIndex, rect: QRect, pos: QPoint) -> tuple[str, str] | None:
        """What is under ``pos``: ``("action", name)``, ``("anchor", href)`` or ``None``."""
        item: MessageItem = index.data(ITEM_ROLE)
        is_last = index.row() == index.model().rowCount() - 1
        layout = self.row_layout(item, rect, is_last)
        for name, action_rect in layout.actions:
            if action_rect.contains(pos):
                return ("action", name)
        if layout.document.contains(pos):
            for doc, origin, first_code in self.placed_documents(item, layout):
                if pos.y() < origin.y() + int(doc.size().height()):
                    href = doc.documentLayout().anchorAt(
                        self.unscrolled(item, doc, QPointF(pos) - origin, first_code)
                    )
                    return ("anchor", href) if href else None
        return None
