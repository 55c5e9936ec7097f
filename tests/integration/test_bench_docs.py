"""``autoglm bench docs`` runs end to end on a small generated folder and writes its figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from autoglm.bench.docs import shares_no_terms, write_folder, write_notes
from autoglm.knowledge.extract import read_sections


def test_the_generated_folder_has_one_fact_per_page_and_a_question_for_each(tmp_path: Path) -> None:
    questions = write_folder(tmp_path / "docs", 25)
    assert len(questions) == 25 and sorted({q.file for q in questions}) == [
        "survey-001.pdf",
        "survey-002.pdf",
    ]
    assert {q.kind for q in questions} == {"literal", "place-paraphrase"}
    pages = list(read_sections(tmp_path / "docs" / "survey-002.pdf"))
    assert [s.page for s in pages] == [1, 2, 3, 4, 5]
    place = questions[21].text.rsplit(" ", 1)[1].rstrip("?")
    assert place in pages[1].text and sum(place in s.text for s in pages) == 1


def test_the_notes_are_asked_about_in_words_they_do_not_hold(tmp_path: Path) -> None:
    questions = write_notes(tmp_path / "notes")
    assert {q.kind for q in questions} == {"paraphrase", "cross-lingual"} and len(questions) == 16
    for question in questions:
        text = (tmp_path / "notes" / question.file).read_text(encoding="utf-8")
        assert shares_no_terms(question.text, text), question
    assert not shares_no_terms(
        "Who runs the bakery?", "The bakery opens at five."
    )  # the check itself bites
    assert {
        any("\u4e00" <= c <= "\u9fff" for c in q.text)
        for q in questions
        if q.kind == "cross-lingual"
    } == {True, False}  # Chinese questions about English notes and English ones about Chinese notes


def test_bench_docs_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "docs.json"
    env = {**os.environ, "AUTOGLM_HOME": str(tmp_path / "home")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "autoglm",
            "bench",
            "docs",
            "--pages",
            "20",
            "--questions",
            "10",
            "--no-llama",
            "--threads",
            "2",
            "--json",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(out.read_text())
    assert figures["pages"] == 20 and figures["failed"] == 0 and figures["pages_per_s"] > 0
    assert figures["hybrid_recall_at_5"] >= 0.8 and 0 <= figures["keyword_recall_at_5"] <= 1
    assert (
        figures["questions_no_shared_terms"] == 16
        and figures["keyword_recall_at_5_no_shared_terms"] == 0
    )
    assert (
        figures["hybrid_recall_at_5_no_shared_terms"] >= 0.75
    )  # meaning finds what keywords cannot
    assert figures["hybrid_query_ms_p95"] >= figures["hybrid_query_ms_p50"] > 0
    assert figures["within_memory_bound"] and figures["onnxruntime_passages_per_s"] > 0
