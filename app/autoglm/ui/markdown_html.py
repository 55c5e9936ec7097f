"""Markdown to the HTML subset ``QTextDocument`` understands, code highlighted by Pygments.

Raw HTML in messages is escaped (never rendered). Each fenced code block becomes a small
table with its language and a ``copy-code:N`` link; ``RenderedMarkdown.code_blocks[N]``
holds that block's text for the copy button.
"""

from __future__ import annotations

import html
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.texmath import texmath_plugin

from autoglm.ui import deferred_render

COPY_CODE_SCHEME = "copy-code"
_COPY_LINK = re.compile(COPY_CODE_SCHEME + r":(\d+)")
_BLOCK_CACHE = 2048
_FENCES = ("```", "~~~")
_LIGHT_STYLE = "friendly"
_DARK_STYLE = "one-dark"
_COMMENT_COLOUR = {False: "#3e6f7b", True: "#9ba3b4"}  # WCAG contrast ≥ 4.5 on the code background
_TABLE_BORDER = {False: "#d0d7de", True: "#3d444d"}
_TABLE_HEADING = {False: "#f6f8fa", True: "#2d333b"}


@dataclass
class RenderedMarkdown:
    """HTML for a message and the source of each of its code blocks, in order."""

    html: str
    code_blocks: list[str] = field(default_factory=list)
    final: bool = True
    """False while a stand-in is shown for a formula or code lexer still prepared in the background."""


# Pygments is imported on first use: it is the slowest import of the window.
@lru_cache(maxsize=4)
def _formatter(dark: bool) -> Any:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(noclasses=True, nowrap=True, style=readable_style(dark))


@lru_cache(maxsize=2)
def readable_style(dark: bool) -> Any:
    """The theme's Pygments style with comments dark (or light) enough to read: the stock
    comment colours reach a contrast of only 2.6 (friendly) and 3.7 (one-dark) on their backgrounds."""
    from pygments.styles import get_style_by_name
    from pygments.token import Comment

    base = get_style_by_name(_DARK_STYLE if dark else _LIGHT_STYLE)
    colour = _COMMENT_COLOUR[dark]
    styles = dict(base.styles)
    for token, rule in base.styles.items():
        if token in Comment:
            styles[token] = (
                " ".join(part for part in rule.split() if not part.startswith("#")) + f" {colour}"
            )
    styles.setdefault(Comment, f"italic {colour}")
    return type(f"Readable{base.__name__}", (base,), {"styles": styles})


@lru_cache(maxsize=1)
def _lexer_names() -> dict[str, Any]:
    """Every alias Pygments knows (``py``, ``rust``…), to its lexer's name or, for a plugin, its class.

    Built once, off the GUI thread: ``get_lexer_by_name`` scans the installed packages' entry
    points for plugins on each name it does not know (tens of milliseconds), and a reply being
    written asks for ``p``, ``py``, ``pyt``… while its fence line grows.
    """
    from pygments.lexers import LEXERS
    from pygments.plugin import find_plugin_lexers

    names: dict[str, Any] = {}
    for plugin in find_plugin_lexers():
        names.update({alias.lower(): plugin for alias in plugin.aliases})
    for _module, name, aliases, _files, _types in LEXERS.values():
        names.update({alias.lower(): name for alias in aliases})
    return names


_lexers: dict[str, Any] = {}
_lexers_lock = threading.Lock()  # a lexer's rules are compiled once, by one thread


def _lexer(language: str) -> Any:
    """The lexer for ``language`` (plain text for a name Pygments does not know); blocks for
    as long as compiling its rules takes the first time (up to ~100 ms: keep off the GUI thread)."""
    lexer = _lexers.get(language)
    if lexer is not None:
        return lexer
    from pygments.lexers import find_lexer_class
    from pygments.lexers.special import TextLexer

    with _lexers_lock:
        if language not in _lexers:
            found = _lexer_names().get(language) if language else None
            kind = find_lexer_class(found) if isinstance(found, str) else found
            _lexers[language] = (kind or TextLexer)(stripnl=False)
        return _lexers[language]


def _ready_lexer(language: str) -> tuple[Any, bool]:
    """(lexer, final): on the GUI thread a lexer not built yet is built in the background and
    the code shown plain meanwhile (``final`` False: render the block again when it is ready)."""
    lexer = _lexers.get(language)
    if lexer is not None or not deferred_render.on_gui_thread():
        return lexer or _lexer(language), True
    deferred_render.request(("lexer", language), lambda: _lexer(language))
    return None, False


@lru_cache(maxsize=2)
def code_colours(dark: bool) -> tuple[str, str, str]:
    """Background, header background and plain text colour of code blocks."""
    style = readable_style(dark)
    background = style.background_color or ("#282c34" if dark else "#f6f8fa")
    header = "#21252b" if dark else "#e8ecf0"
    text = "#abb2bf" if dark else "#24292f"
    return background, header, text


WARM_LANGUAGES = (
    "python",
    "bash",
    "sh",
    "shell",
    "console",
    "javascript",
    "js",
    "typescript",
    "ts",
    "json",
    "c",
    "cpp",
    "java",
    "rust",
    "go",
    "html",
    "css",
    "sql",
    "yaml",
    "toml",
    "markdown",
    "diff",
    "text",
)
"""The languages models write most, whose lexers are built at start-up."""


def warm_up() -> None:
    """Import Pygments, build the formatters and the common lexers (a worker thread at start-up)."""
    for dark in (False, True):
        _formatter(dark)
        code_colours(dark)
    for language in WARM_LANGUAGES:
        _lexer(language)


def highlight_code(code: str, language: str, dark: bool) -> tuple[str, bool]:
    """(highlighted HTML spans for ``code``, no wrapper element; final): not final where the
    GUI thread showed the code escaped while the language's lexer is built in the background."""
    from pygments import highlight

    lexer, final = _ready_lexer(language.strip().lower())
    if lexer is None:
        return html.escape(code), final
    return highlight(code, lexer, _formatter(dark)).rstrip("\n"), final


class MarkdownRenderer:
    """Turns message Markdown into Qt rich text; one instance per theme and language."""

    def __init__(
        self,
        dark: bool = False,
        copy_label: str = "Copy",
        math_points: float = 11.0,
        math_colour: str = "",
    ) -> None:
        self.dark = dark
        self.copy_label = copy_label
        self.math_points = math_points
        self.math_colour = math_colour or ("#e6e6e6" if dark else "#1f2328")
        self._md = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(
            ["table", "strikethrough"]
        )
        # $…$, $$…$$ (not "$5 and $10"), \(…\) and \[…\], as models write formulas
        self._md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
        self._md.use(texmath_plugin, delimiters="brackets")
        for kind, display in (
            ("math_inline", False),
            ("math_inline_double", True),
            ("math_block", True),
            ("math_block_eqno", True),
        ):
            self._md.add_render_rule(
                kind,
                lambda _r, tokens, index, _o, _e, d=display: self._render_math(tokens[index], d),
            )
        self._final = True
        """Whether the block being rendered is as it will stay (no formula or lexer still being prepared)."""
        fence = lambda _renderer, tokens, index, options, env: self._render_fence(tokens, index)  # noqa: E731
        inline = lambda _renderer, tokens, index, options, env: self._render_inline_code(  # noqa: E731
            tokens, index
        )
        self._md.add_render_rule("fence", fence)
        self._md.add_render_rule("code_block", fence)
        self._md.add_render_rule("code_inline", inline)
        self._md.add_render_rule("table_open", lambda *_args: self._table_open())
        self._md.add_render_rule(
            "th_open", lambda _r, tokens, index, _o, _e: self._cell_open(tokens[index], "th")
        )
        self._md.add_render_rule(
            "td_open", lambda _r, tokens, index, _o, _e: self._cell_open(tokens[index], "td")
        )
        self._blocks: list[str] = []
        self._cache: dict[str, RenderedMarkdown] = {}

    def render(self, text: str) -> RenderedMarkdown:
        """Render ``text``; an unclosed code fence (still streaming) renders as a block too.

        Top-level blocks are rendered one by one and remembered, so while a reply streams
        only its last, growing block is rendered again at each batch.
        """
        parts: list[str] = []
        code: list[str] = []
        final = True
        for block in split_blocks(text):
            rendered = self._cache.get(block)
            if rendered is None:
                rendered = self._render_block(block)
                if (
                    rendered.final
                ):  # a formula or lexer still being prepared renders again once ready
                    self._cache[block] = rendered
                if len(self._cache) > _BLOCK_CACHE:
                    self._cache.pop(next(iter(self._cache)))
            parts.append(shift_copy_links(rendered.html, len(code)))
            code.extend(rendered.code_blocks)
            final = final and rendered.final
        return RenderedMarkdown("".join(parts), code, final)

    def _render_block(self, text: str) -> RenderedMarkdown:
        self._blocks = []
        self._final = True
        body = self._md.render(text)
        return RenderedMarkdown(body, list(self._blocks), self._final)

    def _render_fence(self, tokens: list, index: int) -> str:
        token = tokens[index]
        language = (token.info or "").strip().split(" ")[0]
        code = token.content.rstrip("\n")
        number = len(self._blocks)
        self._blocks.append(code)
        background, header, text_colour = code_colours(self.dark)
        highlighted, final = highlight_code(code, language, self.dark)
        self._final = self._final and final
        body = self._code_lines(code, highlighted, text_colour)
        label = html.escape(language or "text")
        # The header (language, Copy) is a table of its own above the code, so it keeps to the
        # column while the lines below run as wide as they are (see ``ui.code_scroll``).
        return (
            f'<table width="100%" cellspacing="0" cellpadding="6" style="background-color:{header};'
            f' margin-top:4px; margin-bottom:0px;">'
            f'<tr><td><span style="color:#8b949e;">{label}</span></td>'
            f'<td align="right"><a href="{COPY_CODE_SCHEME}:{number}">{html.escape(self.copy_label)}</a></td></tr>'
            f"</table>"
            f'<table width="100%" cellspacing="0" cellpadding="6" style="background-color:{background};'
            f' margin-top:0px; margin-bottom:4px;"><tr><td>{body}</td></tr></table>'
        )

    @staticmethod
    def _code_lines(code: str, highlighted: str, colour: str) -> str:
        """One unwrapped paragraph per code line: a line longer than the column stays one line
        and its block scrolls sideways, as in an editor (wrapping sent it back to column 0)."""
        style = f"margin-top:0px; white-space:pre; font-family:monospace; color:{colour};"
        lines = (
            highlighted.split("\n")
            if highlighted.count("\n") == code.count("\n")
            else [html.escape(code)]
        )
        # the last line keeps clear of the scroll bar drawn in the padding under a wide block
        last = len(lines) - 1
        return "".join(
            f'<p style="{style} margin-bottom:{4 if n == last else 0}px;">{line or "&nbsp;"}</p>'
            for n, line in enumerate(lines)
        )

    def _render_math(self, token: Any, display: bool) -> str:
        from autoglm.ui.math_images import formula_html

        body, final = formula_html(
            token.content.strip(),
            display,
            self.math_colour,
            self.math_points,
            deferred_render.on_gui_thread(),
        )
        self._final = self._final and final
        return body

    def _table_open(self) -> str:
        """Tables get ruled cells with room around the text (Qt draws none by default)."""
        border = _TABLE_BORDER[self.dark]
        return (
            f'<table border="1" cellspacing="0" cellpadding="6" style="border-collapse:collapse; '
            f'border-color:{border}; border-style:solid; margin-top:4px; margin-bottom:6px;">'
        )

    def _cell_open(self, token: Any, tag: str) -> str:
        align = ""
        style = token.attrGet("style") or ""
        if "text-align:" in style:
            align = f' align="{html.escape(style.split("text-align:", 1)[1].strip(" ;"))}"'
        heading = f' style="background-color:{_TABLE_HEADING[self.dark]};"' if tag == "th" else ""
        return f"<{tag}{align}{heading}>"

    def _render_inline_code(self, tokens: list, index: int) -> str:
        background, _header, text_colour = code_colours(self.dark)
        return (
            f'<code style="font-family:monospace; background-color:{background}; color:{text_colour};">'
            f"{html.escape(tokens[index].content)}</code>"
        )


def shift_copy_links(body: str, offset: int) -> str:
    """``body`` with its code-copy links numbered from ``offset`` (blocks rendered apart)."""
    if not offset:
        return body
    return _COPY_LINK.sub(lambda m: f"{COPY_CODE_SCHEME}:{int(m.group(1)) + offset}", body)


def split_blocks(text: str) -> list[str]:
    """Cut Markdown at blank lines outside code fences (each piece renders on its own)."""
    return [block for _start, block in block_spans(text)]


def block_spans(text: str, start: int = 0) -> list[tuple[int, str]]:
    """``split_blocks`` of ``text[start:]`` with where each block begins in ``text``.

    ``start`` must be where a block begins (or 0): a reply being written is cut again only
    from its last block on, since the blocks before it no longer change.
    """
    spans: list[tuple[int, str]] = []
    current: list[str] = []
    begun = start
    fence: str | None = None
    position = start
    for line in text[start:].split("\n"):
        line_start, position = position, position + len(line) + 1
        stripped = line.lstrip()
        if fence is not None:
            current.append(line)
            if stripped.startswith(fence) and not stripped[len(fence) :].strip("`~ "):
                fence = None
            continue
        if not current:
            begun = line_start
        if stripped.startswith(_FENCES):
            fence = stripped[:3]
            current.append(line)
            continue
        if not line.strip():
            if current:
                spans.append((begun, "\n".join(current)))
                current = []
            continue
        current.append(line)
    if current:
        spans.append((begun, "\n".join(current)))
    return spans
