"""Images added to a project: they wait for a vision model, which then describes them, and the description is
indexed with the image as its source.

The vision model is the starter model with the random-weight test projector: what it says
of a picture means nothing, so the test checks the path (described by the model, stored,
searchable, cited as the image), not the words.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "vision"))  # vision_samples

from vision_samples import picture_png

import fixtures.projector
from autoglm.core.runtime import Runtime
from autoglm.core.settings import ModelSettings, VisionSettings
from autoglm.vision.image import normalise

projector_gguf = fixtures.projector.projector_gguf

pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def vision_engine(starter_gguf: Path, projector_gguf: Path) -> Iterator[Any]:
    """The starter model with the test projector, in this process."""
    from autoglm.core.llama.engine import LlamaEngine

    engine = LlamaEngine(
        starter_gguf,
        ModelSettings(n_ctx=4096, n_threads=2),
        model_id="qwen2.5-coder-0.5b",
        mmproj_path=projector_gguf,
    )
    engine.load()
    yield engine
    engine.unload()


def wait_until(condition: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not condition():
        time.sleep(0.2)
    return bool(condition())


def test_an_image_waits_for_a_vision_model_and_is_then_described_and_indexed(
    tmp_path: Path, vision_engine: Any, sentence_embedder: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autoglm.knowledge import library as library_module
    from autoglm.knowledge.library import DocumentLibrary

    monkeypatch.setattr(
        library_module, "IMAGE_DESCRIPTION_TOKENS", 24
    )  # a short description is enough here

    folder = tmp_path / "trip"
    folder.mkdir()
    picture = folder / "whiteboard.png"
    picture.write_bytes(picture_png(3))
    (folder / "notes.md").write_text("# Notes\n\nThe ferry leaves at noon.\n", encoding="utf-8")
    runtime = Runtime(embedder=lambda: sentence_embedder)  # type: ignore[arg-type, return-value]
    library = DocumentLibrary(runtime)
    changed: list[str] = []
    try:
        library.keep_watching(lambda key, _report: changed.append(key))
        report = library.add_in_background("Trip", [folder]).wait()
        assert report is not None and report.indexed == [str((folder / "notes.md").resolve())]
        waiting = {d.name: d for d in library.documents("Trip")}["whiteboard.png"]
        assert waiting.status == "waiting" and "needs a vision model" in waiting.reason

        runtime.image_decoder = lambda data, sha: normalise(
            data, VisionSettings(), sha256=sha
        )  # as the window does
        runtime.use_engine(vision_engine)  # loading a vision model describes the images that waited
        key = library.key("Trip")
        assert wait_until(lambda: key in changed, 600), "the waiting image was not described"
        described = {d.name: d for d in library.documents("Trip")}["whiteboard.png"]
        assert described.status == "indexed" and described.chunks >= 1, described

        passages = [
            p for p in library.index.typical_passages(key, 10) if p.name == "whiteboard.png"
        ]
        assert (
            passages
            and passages[0].path == str(picture.resolve())
            and passages[0].heading == "whiteboard"
        )
        words = [w for w in passages[0].text.split() if len(w) >= 4][:3] or [passages[0].text[:12]]
        found = library.index.search(key, " ".join(words), 5, "keyword")
        assert any(p.path == str(picture.resolve()) for p in found), "the description is searchable"
        citation = next(
            c
            for c in library.retrieve("Trip", passages[0].text[:200]).citations
            if c.source == "whiteboard.png"
        )
        assert citation.path == str(picture.resolve())

        again = library.reindex_in_background("Trip").wait()  # described once: unchanged afterwards
        assert again is not None and str(picture.resolve()) in again.unchanged
    finally:
        library.close()
        runtime.scheduler.shutdown()
