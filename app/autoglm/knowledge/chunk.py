"""Passages of a few hundred words cut from sections, each keeping its page, heading and line.

A passage never spans two pages or two headings, so a citation names one place. Cuts
fall at paragraph breaks, else at sentence ends (Western or Chinese), else at spaces;
consecutive passages of a section overlap a little so a fact cut in two is still found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from autoglm.knowledge.extract import Section

DEFAULT_CHUNK_CHARS = 1000
DEFAULT_OVERLAP_CHARS = 150
_SENTENCE_END = re.compile(r"(?<=[.!?。！？；;])\s*|\n")


@dataclass(frozen=True)
class Chunk:
    """One passage: what the index stores, searches and cites."""

    text: str
    page: int = 0
    heading: str = ""
    line: int = 0


def _cut_point(text: str, limit: int) -> int:
    """Where to end a passage of at most ``limit`` characters: a paragraph, a sentence, a space."""
    window = text[:limit]
    for separator in ("\n\n", None, " "):
        if separator is None:
            ends = [m.end() for m in _SENTENCE_END.finditer(window) if m.end() > limit // 2]
            if ends:
                return ends[-1]
            continue
        at = window.rfind(separator, limit // 2)
        if at > 0:
            return at + len(separator)
    return limit


def chunk_section(
    section: Section,
    chunk_chars: int = DEFAULT_CHUNK_CHARS,
    overlap_chars: int = DEFAULT_OVERLAP_CHARS,
) -> Iterator[Chunk]:
    """The section as passages of at most ``chunk_chars`` characters."""
    text = re.sub(r"[ \t]+", " ", section.text).strip()
    line = section.line
    while text:
        if len(text) <= chunk_chars:
            yield Chunk(text, section.page, section.heading, line)
            return
        cut = _cut_point(text, chunk_chars)
        passage = text[:cut].strip()
        if passage:
            yield Chunk(passage, section.page, section.heading, line)
        if line:
            line += text[:cut].count("\n")
        back = min(overlap_chars, cut // 2)
        start = cut - back
        space = text.find(" ", start, cut)
        start = space + 1 if space >= 0 else start
        if line:
            line -= text[start:cut].count("\n")
        text = text[start:].lstrip()


def chunk_sections(
    sections: Iterable[Section],
    chunk_chars: int = DEFAULT_CHUNK_CHARS,
    overlap_chars: int = DEFAULT_OVERLAP_CHARS,
) -> Iterator[Chunk]:
    """Passages of every section, in order (lazily: a long document is never held whole)."""
    for section in sections:
        yield from chunk_section(section, chunk_chars, overlap_chars)
