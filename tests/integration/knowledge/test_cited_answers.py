"""The starter model answers from the test documents and the answer cites the right file and page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from autoglm.core.conversation import cited_sources, spoken_attribution
from autoglm.core.runtime import Runtime
from autoglm.core.types import ChatMessage
from fixtures.documents import FACTS, write_corpus

APP_DIR = Path(__file__).resolve().parents[3] / "app"


@pytest.fixture
def library(tmp_path: Path, llama_engine: object, sentence_embedder: object) -> Iterator[object]:
    from autoglm.knowledge.library import DocumentLibrary

    runtime = Runtime(embedder=lambda: sentence_embedder)  # type: ignore[arg-type, return-value]
    runtime.use_engine(llama_engine)  # type: ignore[arg-type]
    built = DocumentLibrary(runtime)
    built.add_in_background(
        "harbour", [write_corpus(tmp_path / "docs")]
    ).wait()  # makes the project
    yield built
    built.close()
    runtime.scheduler.shutdown()  # the shared engine stays loaded for the other tests


@pytest.mark.parametrize(
    "fact",
    [FACTS[0], FACTS[4], *(pytest.param(f, marks=pytest.mark.slow) for f in FACTS[1:4])],
    ids=["pdf-page-2", "chinese", "pdf-page-3", "docx", "markdown"],
)
def test_the_answer_holds_the_fact_and_cites_its_file_and_page(
    library: object, fact: object
) -> None:
    runtime = library.runtime
    found = library.retrieve("harbour", fact.question)
    assert found.citations[0].source == fact.file and found.citations[0].page == fact.page
    assert 20 < found.prompt_tokens < 1500  # counted by the model's tokenizer
    typical = library.typical_cost("harbour", 2)
    assert typical.counted and typical.passages == 2 and 20 < typical.tokens < 1500
    request = runtime.build_request(
        [ChatMessage("user", fact.question)],
        passages=found.citations,
        thinking=False,
        temperature=0.0,
        max_tokens=60,
    )
    completion = runtime.scheduler.submit(request).result()
    assert fact.answer in completion.content.replace(" ", ""), completion.content
    sources = cited_sources(found.citations, completion.content)
    assert (sources[0].source, sources[0].page) == (fact.file, fact.page)
    assert spoken_attribution(sources[:1]) == f"According to {fact.file}, "


@pytest.mark.slow
def test_autoglm_chat_with_a_project_answers_and_returns_its_sources(
    tmp_path: Path, starter_gguf: Path
) -> None:
    home = tmp_path / "home"
    env = {
        **os.environ,
        "AUTOGLM_HOME": str(home),
        "AUTOGLM_MODEL__N_THREADS": "2",
        "AUTOGLM_MODEL__N_CTX": "2048",
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(APP_DIR), os.environ.get("PYTHONPATH", "")) if p
        ),
    }
    models = home / "data" / "models" / "qwen2.5-coder-0.5b"
    models.mkdir(parents=True)
    os.symlink(starter_gguf, models / starter_gguf.name)
    command = [sys.executable, "-m", "autoglm"]
    added = subprocess.run(
        [*command, "docs", "add", "harbour", str(write_corpus(tmp_path / "docs")), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert added.returncode == 0, added.stderr
    assert len(json.loads(added.stdout)["indexed"]) == 6
    asked = subprocess.run(
        [
            *command,
            "chat",
            "--project",
            "harbour",
            "--json",
            "--no-think",
            "--temperature",
            "0",
            FACTS[0].question,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert asked.returncode == 0, asked.stderr
    reply = json.loads(asked.stdout)
    assert FACTS[0].answer in reply["content"]
    assert (
        reply["citations"][0]["source"] == "harbour-report.pdf"
        and reply["citations"][0]["page"] == 2
    )
    assert reply["document_tokens"] > 20
    missing = subprocess.run(
        [*command, "chat", "--project", "nowhere", "Hello?"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert missing.returncode == 2 and "has no indexed documents" in missing.stderr
    assert "Traceback" not in missing.stderr
