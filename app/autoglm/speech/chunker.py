"""Cut a streaming reply into speakable sentences, as early as each sentence is complete.

The chunker is fed the reply's *content* deltas only (reasoning never reaches it). It
drops fenced code blocks, strips markdown that should not be read out (emphasis, heading
marks, bullets, link targets, bare URLs) and yields a sentence as soon as its end is seen:
``. ! ?`` followed by a space, Chinese ``。！？；…`` at once, or a line break. The first
piece may end at a comma when it is already long, so speech starts sooner; with
``first_words`` it may end after that many words, even mid-sentence: a streamed reply then
starts speaking after a handful of tokens instead of a whole sentence, and the short piece
is also synthesised faster. Only a sentence still unfinished in what has arrived is cut
this way (text fed whole keeps its sentences), and the cut never falls right after a word that leans on the next
one ("the", "of", "to"…), where a pause sounds broken.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_CJK_ENDS = "。！？；…"
_ASCII_ENDS = ".!?"
_ALL_ENDS = _CJK_ENDS + _ASCII_ENDS
_CLOSERS = "\"')]}”’」』）】"
_CLAUSE_BREAKS = ",;:，：、"
_CJK_CLAUSE_BREAKS = "，、："
_FIRST_CJK_CLAUSE_CHARS = (
    4  # a first Chinese piece ends at its first comma once it has this many characters
)
_FENCES = ("```", "~~~")
_ABBREVIATIONS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "eg",
        "ie",
        "approx",
        "no",
        "fig",
        "inc",
        "ltd",
        "cf",
    }
)

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_QUOTE = re.compile(r"^\s*(?:>\s*)+")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_URL = re.compile(r"https?://\S+")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_EMPHASIS = re.compile(r"\*\*|\*|~~|`")
_UNDERSCORE_EMPHASIS = re.compile(r"(?<![\w])_{1,2}(?=\S)(.+?)(?<=\S)_{1,2}(?![\w])")
_TABLE_RULE = re.compile(r"^[\s|:\-=+]*$")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w", re.UNICODE)
_LEANING_WORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "were",
        "be",
        "my",
        "your",
        "its",
        "their",
        "our",
        "his",
        "her",
        "this",
        "that",
        "these",
        "those",
        "as",
        "than",
        "into",
        "about",
        "very",
        "not",
        "no",
        "can",
        "will",
    }
)
_MAX_LEANING_EXTENSION = 3  # words added past ``first_words`` to avoid a leaning word


def speakable(text: str) -> str:
    """``text`` with markdown noise removed and whitespace collapsed ('' if nothing to say)."""
    if _TABLE_RULE.match(text):
        return ""
    text = _HEADING.sub("", text)
    text = _QUOTE.sub("", text)
    text = _BULLET.sub("", text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _URL.sub("", text)
    text = _HTML_TAG.sub(" ", text)
    text = _UNDERSCORE_EMPHASIS.sub(r"\1", text)
    text = _EMPHASIS.sub("", text)
    text = text.replace("|", " ")
    text = _SPACES.sub(" ", text).strip()
    return text if _WORD.search(text) else ""


class SentenceChunker:
    """Fed text deltas with ``feed``; returns the sentences completed so far; ``flush`` at the end."""

    def __init__(self, first_clause_chars: int = 40, max_chars: int = 280, first_words: int = 0):
        self.first_clause_chars = first_clause_chars
        self.max_chars = max_chars
        self.first_words = first_words
        self.reset()

    def reset(self) -> None:
        """Forget everything fed so far (a new reply)."""
        self._line = ""  # the current, unfinished line of raw text
        self._line_passed = 0  # how much of it already went into the prose buffer
        self._line_is_prose = False
        self._in_code = False
        self._prose = ""  # prose waiting for a sentence end
        self._emitted = 0

    def feed(self, delta: str) -> list[str]:
        """Add a piece of the reply; return the sentences it completed."""
        for char in delta:
            if char == "\n":
                self._end_line()
            else:
                self._line += char
        self._pass_partial_line()
        return self._split(final=False)

    def flush(self) -> list[str]:
        """The reply ended: return whatever is left as sentences."""
        self._end_line(final=True)
        sentences = self._split(final=True)
        self._prose = ""
        return sentences

    def feed_all(self, deltas: Iterable[str]) -> list[str]:
        """Feed every delta, flush, and return all sentences (convenience for whole texts)."""
        sentences: list[str] = []
        for delta in deltas:
            sentences += self.feed(delta)
        return sentences + self.flush()

    # -- fenced code blocks --------------------------------------------------------------
    def _end_line(self, final: bool = False) -> None:
        line, passed = self._line, self._line_passed
        self._line, self._line_passed, self._line_is_prose = "", 0, False
        if line.lstrip().startswith(_FENCES) and passed == 0:
            self._in_code = not self._in_code
            return
        if self._in_code:
            return
        self._prose += line[passed:] + ("" if final else "\n")

    def _pass_partial_line(self) -> None:
        """Move the unfinished line into the prose buffer once it cannot be a fence."""
        if self._in_code:
            return
        if not self._line_is_prose:
            stripped = self._line.lstrip()
            if not stripped:
                return
            could_be_fence = any(fence.startswith(stripped[:3]) for fence in _FENCES)
            if could_be_fence and (len(stripped) < 3 or stripped.startswith(_FENCES)):
                return
            self._line_is_prose = True
        self._prose += self._line[self._line_passed :]
        self._line_passed = len(self._line)

    # -- sentence ends -------------------------------------------------------------------
    def _split(self, final: bool) -> list[str]:
        sentences: list[str] = []
        while True:
            cut = self._find_end(final)
            if cut is None:
                break
            piece, self._prose = self._prose[:cut], self._prose[cut:]
            spoken = speakable(piece)
            if spoken:
                sentences.append(spoken)
                self._emitted += 1
        if final and self._prose:
            spoken = speakable(self._prose)
            self._prose = ""
            if spoken:
                sentences.append(spoken)
                self._emitted += 1
        return sentences

    def _find_end(self, final: bool) -> int | None:
        """Index just after the first sentence end in the prose buffer, or ``None``."""
        text = self._prose
        for index, char in enumerate(text):
            if char == "\n":
                return index + 1
            if char in _ALL_ENDS:
                end = index + 1
                while end < len(text) and text[end] in _ALL_ENDS:
                    end += 1
                while end < len(text) and text[end] in _CLOSERS:
                    end += 1
                if char in _CJK_ENDS or text[end - 1] in _CJK_ENDS:
                    return end
                if end >= len(text):
                    if final:
                        return end
                    return None  # wait: "3." may become "3.5"
                if text[end].isspace() and not self._is_false_period(text, index):
                    return end
            elif (
                char in _CJK_CLAUSE_BREAKS
                and self._emitted == 0
                and self.first_words
                and index + 1 >= _FIRST_CJK_CLAUSE_CHARS
            ):
                return (
                    index + 1
                )  # Chinese has no spaces to count words by: its first clause is the first piece
            elif (
                char in _CLAUSE_BREAKS
                and self._emitted == 0
                and index + 1 >= self.first_clause_chars
            ):
                if index + 1 < len(text) and (text[index + 1].isspace() or char not in ",;:"):
                    return index + 1
        if len(text) > self.max_chars:
            space = text.rfind(" ", 0, self.max_chars)
            return space + 1 if space > 0 else self.max_chars
        if self.first_words and self._emitted == 0:
            return self._first_words_end(text)
        return None

    def _first_words_end(self, text: str) -> int | None:
        """Where the first piece may end early: after ``first_words`` whole words, or ``None``."""
        words = 0
        for match in re.finditer(r"\S+(?=\s)", text):
            words += 1
            if words < self.first_words:
                continue
            word = match.group().lower().strip("\"'()")
            leaning = word in _LEANING_WORDS or not _WORD.search(word)
            if not leaning or words >= self.first_words + _MAX_LEANING_EXTENSION:
                return match.end() + 1
        return None

    @staticmethod
    def _is_false_period(text: str, index: int) -> bool:
        """A '.' that ends an abbreviation or a list number rather than a sentence."""
        if text[index] != ".":
            return False
        line_start = text.rfind("\n", 0, index) + 1
        word_start = index
        while word_start > line_start and not text[word_start - 1].isspace():
            word_start -= 1
        word = text[word_start:index].lower().lstrip("(\"'")
        if word in _ABBREVIATIONS:
            return True
        before = text[line_start:index].strip()
        if before.isdigit() and len(before) <= 3:
            return True
        return False
