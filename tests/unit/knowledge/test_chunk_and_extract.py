"""Chunking keeps pages and headings; every format is read; unreadable files say why."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[2]))  # tests/fixtures

from autoglm.knowledge.chunk import chunk_section, chunk_sections
from autoglm.knowledge.extract import Section, UnreadableDocument, read_sections
from autoglm.knowledge.index import expand_paths, keyword_query
from fixtures.documents import write_bad_files, write_corpus


def test_passages_stay_within_their_page_and_heading_and_overlap() -> None:
    sentences = " ".join(f"Sentence number {i} says something about topic {i}." for i in range(80))
    chunks = list(
        chunk_sections(
            [Section(sentences, page=4, heading="Topics"), Section("Short one.", page=5)],
            chunk_chars=300,
            overlap_chars=60,
        )
    )
    assert all(len(c.text) <= 300 for c in chunks)
    assert (
        {c.page for c in chunks[:-1]} == {4}
        and chunks[-1].page == 5
        and chunks[-1].text == "Short one."
    )
    assert all(c.heading == "Topics" for c in chunks[:-1])
    first, second = chunks[0].text, chunks[1].text
    assert first.endswith(".") and second[:20] in first  # cut at a sentence end, then overlapped
    joined = " ".join(c.text for c in chunks[:-1])
    assert all(f"number {i} " in joined for i in range(80))  # nothing lost


def test_chinese_text_is_cut_at_sentence_ends_and_lines_are_counted() -> None:
    text = "。".join(f"第{i}句话讲的是第{i}个仓库" for i in range(60)) + "。"
    chunks = list(chunk_section(Section(text, line=10), chunk_chars=120, overlap_chars=20))
    assert len(chunks) > 3 and all(len(c.text) <= 120 for c in chunks)
    assert all(c.text.endswith("。") for c in chunks[:-1])
    lines = list(
        chunk_section(
            Section("".join(f"line {i} of the file\n" for i in range(200)), line=1),
            chunk_chars=400,
            overlap_chars=0,
        )
    )
    assert (
        lines[0].line == 1
        and lines[1].line > 10
        and lines[1].text.startswith(f"line {lines[1].line - 1} ")
    )


def test_keyword_query_drops_stopwords_and_splits_chinese_into_trigrams() -> None:
    assert (
        keyword_query("What is the budget of the Quillfeather project?")
        == '"budget" OR "Quillfeather" OR "project"'
    )
    assert keyword_query("青岛仓库？") == '"青岛仓" OR "岛仓库"'
    assert keyword_query("is it?") == ""
    assert (
        keyword_query('kayaks NEAR("boats*")') == '"kayaks" OR "NEAR" OR "boats"'
    )  # words, never FTS syntax


def test_every_format_is_read_with_its_pages_and_headings(tmp_path: Path) -> None:
    folder = write_corpus(tmp_path / "docs")
    pdf = list(read_sections(folder / "harbour-report.pdf"))
    assert [s.page for s in pdf] == [1, 2, 3] and "Ingrid Solbakken" in pdf[1].text
    docx = list(read_sections(folder / "recipes.docx"))
    assert any(s.heading == "Zorblax soup" and "7 cloves" in s.text for s in docx)
    assert any("Oven | 220 degrees" in s.text for s in docx)
    markdown = list(read_sections(folder / "project-notes.md"))
    budget = next(s for s in markdown if s.heading == "Budget")
    assert "48,500" in budget.text and budget.line == 5
    html = list(read_sections(folder / "garden.html"))
    assert any(s.heading == "Trees" and "walnut" in s.text for s in html)
    assert not any("hidden" in s.text for s in html)  # scripts are not text
    chinese = list(read_sections(folder / "仓库记录.txt"))
    assert "三百二十七" in chinese[0].text
    assert "frobnicate" in next(iter(read_sections(folder / "tool.py"))).text


def test_unreadable_files_say_why_in_words(tmp_path: Path) -> None:
    bad = write_bad_files(tmp_path / "bad")
    for name, word in bad.items():
        with pytest.raises(UnreadableDocument) as caught:
            list(read_sections(tmp_path / "bad" / name))
        assert word in str(caught.value) and name in str(caught.value)
    with pytest.raises(UnreadableDocument, match="cannot be opened"):
        read_sections(tmp_path / "missing.md")


def test_folders_contribute_their_documents_and_missing_paths_are_named(tmp_path: Path) -> None:
    folder = write_corpus(tmp_path / "docs")
    (folder / ".hidden.md").write_text("secret")
    (folder / "archive.zip").write_bytes(b"PK\x03\x04")
    (folder / "picture.png").write_bytes(
        b"\x89PNG"
    )  # images are documents too (read by a vision model)
    files, missing = expand_paths([folder, tmp_path / "nowhere.pdf"])
    assert sorted(f.name for f in files) == sorted(
        [
            "garden.html",
            "harbour-report.pdf",
            "picture.png",
            "project-notes.md",
            "recipes.docx",
            "tool.py",
            "仓库记录.txt",
        ]
    )
    assert list(missing.values()) == ["nowhere.pdf does not exist."]
