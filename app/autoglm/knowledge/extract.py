"""Text out of documents as a stream of sections that remember their page, heading or line.

Every reader yields as it reads (a PDF page at a time, a text file a block of lines at a
time), so a 200 MB file is read in bounded memory. A file that cannot be read raises
``UnreadableDocument`` whose message says why in words.
"""

from __future__ import annotations

import html.parser
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from autoglm.core.errors import InputError

_LOGGER = logging.getLogger(__name__)

PDF_SUFFIXES = frozenset({".pdf"})
DOCX_SUFFIXES = frozenset({".docx"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
TEXT_SUFFIXES = frozenset(
    {
        ".txt",
        ".text",
        ".rst",
        ".csv",
        ".tsv",
        ".log",
        ".json",
        ".yaml",
        ".yml",
        ".toml",
        ".ini",
        ".cfg",
        ".xml",
        ".tex",
    }
)
CODE_SUFFIXES = frozenset(
    {
        ".py",
        ".pyi",
        ".js",
        ".jsx",
        ".ts",
        ".tsx",
        ".c",
        ".h",
        ".cc",
        ".cpp",
        ".hpp",
        ".cs",
        ".java",
        ".kt",
        ".go",
        ".rs",
        ".rb",
        ".php",
        ".swift",
        ".m",
        ".scala",
        ".sh",
        ".bash",
        ".zsh",
        ".ps1",
        ".sql",
        ".lua",
        ".r",
        ".jl",
        ".dart",
        ".vue",
        ".css",
        ".scss",
        ".qml",
    }
)
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp"})
"""Pictures, scans and screenshots: the loaded vision model describes them and the description is indexed."""
DOCUMENT_SUFFIXES = (
    PDF_SUFFIXES
    | DOCX_SUFFIXES
    | MARKDOWN_SUFFIXES
    | HTML_SUFFIXES
    | TEXT_SUFFIXES
    | CODE_SUFFIXES
    | IMAGE_SUFFIXES
)
"""Files a folder contributes when it is added (a file named on its own is tried whatever its suffix)."""

_BLOCK_CHARS = 4000
_SNIFF_BYTES = 8192
_READ_BYTES = 1 << 20
_MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


class UnreadableDocument(InputError):
    """A file that holds no text this app can read; the message says why."""


class NeedsVisionModel(UnreadableDocument):
    """An image, while no vision model is loaded to describe it (it is indexed once one is)."""


@dataclass(frozen=True)
class Section:
    """A run of text from one place in a document: its page (PDF), heading and first line."""

    text: str
    page: int = 0
    """1-based page of a PDF; 0 where a document has no pages."""
    heading: str = ""
    line: int = 0
    """1-based line the text starts on (text, Markdown, code); 0 where lines mean nothing."""


def kind_of(path: Path) -> str:
    """``pdf``, ``docx``, ``markdown``, ``html``, ``code``, ``image`` or ``text`` (the default for anything else)."""
    suffix = path.suffix.lower()
    for kind, suffixes in (
        ("pdf", PDF_SUFFIXES),
        ("docx", DOCX_SUFFIXES),
        ("markdown", MARKDOWN_SUFFIXES),
        ("html", HTML_SUFFIXES),
        ("code", CODE_SUFFIXES),
        ("image", IMAGE_SUFFIXES),
    ):
        if suffix in suffixes:
            return kind
    return "text"


def read_sections(path: Path) -> Iterator[Section]:
    """The document's text, section by section; ``UnreadableDocument`` (before the first) if it has none."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableDocument(f"{path.name} cannot be opened: {exc.strerror or exc}.") from exc
    if not path.is_file():
        raise UnreadableDocument(f"{path.name} is not a file.")
    if size == 0:
        raise UnreadableDocument(f"{path.name} is empty (0 bytes).")
    kind = kind_of(path)
    readers = {
        "pdf": _pdf_sections,
        "docx": _docx_sections,
        "markdown": _markdown_sections,
        "html": _html_sections,
    }
    return readers.get(kind, _text_sections)(path)


def page_count(path: Path) -> int:
    """How many pages a PDF has (0 for other documents, or a PDF that cannot be opened)."""
    if kind_of(path) != "pdf":
        return 0
    try:
        document = _open_pdf(path)
    except UnreadableDocument:
        return 0
    try:
        return len(document)
    finally:
        document.close()


# -- PDF ----------------------------------------------------------------------------------------
def _open_pdf(path: Path):  # noqa: ANN202 - pypdfium2 has no public document type to name
    import pypdfium2

    try:
        return pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message:
            raise UnreadableDocument(f"{path.name} is protected by a password.") from exc
        if "format" in message or "file" in message:
            raise UnreadableDocument(
                f"{path.name} is not a readable PDF (the file is damaged or not a PDF)."
            ) from exc
        raise UnreadableDocument(f"{path.name} cannot be read as a PDF: {exc}.") from exc


def _pdf_sections(path: Path) -> Iterator[Section]:
    document = _open_pdf(path)

    def pages() -> Iterator[Section]:
        try:
            for index in range(len(document)):
                page = document[index]
                try:
                    textpage = page.get_textpage()
                    try:
                        text = textpage.get_text_bounded().replace("\r\n", "\n").replace("\r", "\n")
                    finally:
                        textpage.close()
                finally:
                    page.close()
                if text.strip():
                    yield Section(text, page=index + 1)
        finally:
            document.close()

    return _non_empty(
        path, pages(), "has no text layer (a scanned PDF needs text recognition first)"
    )


# -- DOCX ---------------------------------------------------------------------------------------
def _docx_sections(path: Path) -> Iterator[Section]:
    import zipfile

    import docx

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableDocument(
            f"{path.name} is not a readable Word document (the file is damaged)."
        ) from exc

    def paragraphs() -> Iterator[Section]:
        heading, lines = "", list[str]()
        for paragraph in document.paragraphs:
            style = (paragraph.style.name or "") if paragraph.style is not None else ""
            text = paragraph.text.strip()
            if style.lower().startswith(("heading", "title")) and text:
                if lines:
                    yield Section("\n".join(lines), heading=heading)
                heading, lines = text, []
            elif text:
                lines.append(text)
        for table in document.tables:
            for row in table.rows:
                cells = [cell.text.strip() for cell in row.cells]
                if any(cells):
                    lines.append(" | ".join(cells))
        if lines:
            yield Section("\n".join(lines), heading=heading)

    return _non_empty(path, paragraphs(), "has no text")


# -- Markdown and plain text ------------------------------------------------------------------
def _lines(path: Path) -> Iterator[str]:
    """The file's lines as text (UTF-8, else UTF-16 with a byte-order mark, else Latin-1)."""
    with path.open("rb") as raw:
        head = raw.read(_SNIFF_BYTES)
    encoding = "utf-8"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif b"\x00" in head:
        raise UnreadableDocument(
            f"{path.name} is not a document this app can read (it holds binary data)."
        )
    else:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if (
                exc.start < len(head) - 4
            ):  # not just a character cut at the end of the sniffed bytes
                encoding = "latin-1"
    with path.open("r", encoding=encoding, errors="replace", newline=None) as text:
        yield from text


def _blocks(path: Path, heading_of: re.Pattern[str] | None) -> Iterator[Section]:
    heading, start, size = "", 1, 0
    lines: list[str] = []
    for number, line in enumerate(_lines(path), start=1):
        match = heading_of.match(line) if heading_of is not None else None
        if match or size >= _BLOCK_CHARS and not line.strip():
            if lines:
                yield Section("".join(lines), heading=heading, line=start)
            lines, size, start = [], 0, number
            if match:
                heading = match.group(2).strip()
                lines, size, start = [line], len(line), number
                continue
        lines.append(line)
        size += len(line)
        if size >= 4 * _BLOCK_CHARS:  # a long run without a blank line (logs, minified code)
            yield Section("".join(lines), heading=heading, line=start)
            lines, size, start = [], 0, number + 1
    if lines:
        yield Section("".join(lines), heading=heading, line=start)


def _markdown_sections(path: Path) -> Iterator[Section]:
    return _non_empty(path, _blocks(path, _MARKDOWN_HEADING), "has no text")


def _text_sections(path: Path) -> Iterator[Section]:
    return _non_empty(path, _blocks(path, None), "has no text")


# -- HTML ---------------------------------------------------------------------------------------
class _HtmlText(html.parser.HTMLParser):
    """Visible text of an HTML page, split at headings."""

    _SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head"})
    _HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
    _BREAKS = frozenset(
        {"p", "div", "br", "li", "tr", "section", "article", "pre", "blockquote", "table"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[Section] = []
        self._skipping = 0
        self._heading: list[str] | None = None
        self._current_heading = ""
        self._parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Enter skipped elements and headings; break lines at block elements."""
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._HEADINGS:
            self.flush()
            self._heading = []
        elif tag in self._BREAKS:
            self._parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        """Leave skipped elements and headings."""
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._HEADINGS and self._heading is not None:
            self._current_heading = " ".join("".join(self._heading).split())
            self._parts.append(self._current_heading + "\n")
            self._heading = None

    def handle_data(self, data: str) -> None:
        """Keep visible text."""
        if self._skipping:
            return
        (self._heading if self._heading is not None else self._parts).append(data)

    def flush(self) -> None:
        """Close the current section."""
        text = re.sub(r"\n\s*\n+", "\n\n", "".join(self._parts)).strip()
        if text:
            self.sections.append(Section(text, heading=self._current_heading))
        self._parts = []


def _html_sections(path: Path) -> Iterator[Section]:
    def sections() -> Iterator[Section]:
        parser = _HtmlText()
        with path.open("r", encoding="utf-8", errors="replace") as source:
            while chunk := source.read(_READ_BYTES):
                parser.feed(chunk)
                yield from parser.sections
                parser.sections.clear()
        parser.close()
        parser.flush()
        yield from parser.sections

    return _non_empty(path, sections(), "has no visible text")


def _non_empty(path: Path, sections: Iterator[Section], why: str) -> Iterator[Section]:
    """``sections`` whose first one is read now, so an unreadable file fails at once, in words."""
    try:
        first = next(s for s in sections if s.text.strip())
    except StopIteration:
        raise UnreadableDocument(f"{path.name} {why}.") from None
    except UnicodeDecodeError as exc:
        raise UnreadableDocument(f"{path.name} is not text in a known encoding.") from exc

    def rest() -> Iterator[Section]:
        yield first
        yield from sections

    return rest()
