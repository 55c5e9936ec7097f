"""The API answers from a project's documents with ``citations``, and /v1/embeddings serves the documents' model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from autoglm.core.runtime import Runtime
from autoglm.core.settings import ServerSettings, Settings
from fixtures.documents import FACTS, write_corpus


@pytest.fixture
def client(
    tmp_path: Path, llama_engine: object, sentence_embedder: object
) -> Iterator[openai.OpenAI]:
    from autoglm.knowledge.library import DocumentLibrary
    from autoglm.server import ApiServer

    runtime = Runtime(
        settings=Settings(server=ServerSettings(port=0)), embedder=lambda: sentence_embedder
    )  # type: ignore[arg-type, return-value]
    runtime.use_engine(llama_engine)  # type: ignore[arg-type]
    library = DocumentLibrary(runtime)
    library.add_in_background(
        "harbour", [write_corpus(tmp_path / "docs")]
    ).wait()  # makes the project
    library.close()
    server = ApiServer(runtime, runtime.settings).start()
    yield openai.OpenAI(base_url=f"{server.url}/v1", api_key="EMPTY", max_retries=0, timeout=600)
    server.stop()
    runtime.scheduler.shutdown()  # the shared engine stays loaded for the other tests


def test_a_project_answer_returns_its_citations_whole_and_streamed(client: openai.OpenAI) -> None:
    fact = FACTS[0]
    ask = {
        "model": "qwen2.5-coder-0.5b",
        "messages": [{"role": "user", "content": fact.question}],
        "max_tokens": 40,
        "temperature": 0,
    }
    reply = client.chat.completions.create(
        **ask, extra_body={"project": "harbour", "passages": 2, "enable_thinking": False}
    )
    assert fact.answer in reply.choices[0].message.content
    citations = reply.model_extra["citations"]
    assert citations[0]["source"] == fact.file and citations[0]["page"] == fact.page
    assert citations[0]["path"].endswith(fact.file) and "Solbakken" in citations[0]["text"]
    assert len(citations) <= 2 and reply.usage.model_extra["document_tokens"] > 20
    chunks = list(
        client.chat.completions.create(**ask, stream=True, extra_body={"project": "harbour"})
    )
    streamed = [c.model_extra["citations"] for c in chunks if c.model_extra.get("citations")]
    assert streamed and streamed[-1][0]["source"] == fact.file
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(**ask, extra_body={"project": "nowhere"})
    assert caught.value.body["code"] == "project_not_found"
    plain = client.chat.completions.create(**ask)
    assert "citations" not in (plain.model_extra or {})


def test_embeddings_come_from_the_documents_model_and_match_across_languages(
    client: openai.OpenAI,
) -> None:
    texts = [
        "The umbrellas are stored in the Qingdao warehouse.",
        "青岛仓库存放雨伞。",
        "Quarterly tax deadlines.",
    ]
    result = client.embeddings.create(
        model="qwen2.5-coder-0.5b", input=texts, encoding_format="float"
    )
    assert result.model == "universal-sentence-encoder-multilingual-3"
    vectors = [d.embedding for d in result.data]
    assert all(len(v) == 512 for v in vectors)

    def cosine(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b))

    assert cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]) + 0.2
    with pytest.raises(openai.BadRequestError):
        client.embeddings.create(
            model="qwen2.5-coder-0.5b", input=[[1, 2, 3]]
        )  # token ids: this model reads text
