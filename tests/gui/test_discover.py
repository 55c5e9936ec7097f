"""Discover: hub search, quantisations with fit labels, a download with progress, cancel and resume.

The hub is ``tests/hub_http_server.py`` on 127.0.0.1, spoken to by the real
``huggingface_hub`` client, or ``tests/modelscope_http_server.py`` through the real
``modelscope`` client. With ``AUTOGLM_SCREENSHOT_DIR`` set, the dialog is saved as
the README's discover.png and discover-download.png.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from autoglm.core.runtime import Runtime
from autoglm.core.settings import updated
from autoglm.ui.discover import DiscoverDialog
from hub_http_server import serving_hub
from modelscope_http_server import serving_modelscope

REPO = "community/AutoGLM-Phone-9B-GGUF"
GIB = 2**30


@pytest.fixture
def runtime() -> Iterator[Runtime]:
    shared = Runtime()
    yield shared
    QThreadPool.globalInstance().waitForDone(60_000)
    shared.close()


def _gguf(path: Path, mib: int) -> bytes:
    import gguf

    writer = gguf.GGUFWriter(
        str(path), "glm4"
    )  # the header of the stand-in, to pair with its projector
    writer.add_name("discover test model")
    writer.add_embedding_length(256)
    writer.add_rope_dimension_sections([4, 6, 6, 0])
    writer.add_tensor(
        "token_embd.weight",
        np.random.default_rng(2).standard_normal((mib * 256, 1024)).astype(np.float32),
    )
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path.read_bytes()


def _shot(widget: DiscoverDialog, name: str) -> None:
    folder = os.environ.get("AUTOGLM_SCREENSHOT_DIR")
    if folder:
        assert widget.grab().save(str(Path(folder) / name))


def test_search_shows_fit_labels_and_a_download_resumes(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path, glm_standin
) -> None:
    big = _gguf(tmp_path / "big.gguf", 8)
    files = {
        "AutoGLM-Phone-9B-Q2_K.gguf": glm_standin.model.read_bytes(),
        "AutoGLM-Phone-9B-Q4_K_M.gguf": big,
        "AutoGLM-Phone-9B-Q8_0.gguf": glm_standin.model.read_bytes(),
        "AutoGLM-Phone-9B-F16.gguf": glm_standin.model.read_bytes(),
        "mmproj-AutoGLM-Phone-9B-f16.gguf": glm_standin.mmproj.read_bytes(),
    }
    with serving_hub({REPO: files, "community/AutoGLM-Phone-9B-Multilingual-GGUF": files}) as hub:
        # the metadata claims the real model's sizes, so the labels are those a 16 GB laptop sees
        hub.state.declared_sizes = {
            "AutoGLM-Phone-9B-Q2_K.gguf": int(3.9e9),
            "AutoGLM-Phone-9B-Q4_K_M.gguf": int(6.2e9),
            "AutoGLM-Phone-9B-Q8_0.gguf": int(10.1e9),
            "AutoGLM-Phone-9B-F16.gguf": int(18.8e9),
            "mmproj-AutoGLM-Phone-9B-f16.gguf": int(1.8e9),
        }
        hub.state.downloads = {REPO: 48213, "community/AutoGLM-Phone-9B-Multilingual-GGUF": 9120}
        runtime.settings = updated(runtime.settings, "model", hub_endpoint=hub.endpoint)
        dialog = DiscoverDialog(
            runtime, memory=(12 * GIB, 16 * GIB, None)
        )  # a 16 GB laptop, 12 GB free
        qtbot.addWidget(dialog)
        dialog.resize(1000, 520)
        dialog.show()
        dialog.query.setText("autoglm")
        with qtbot.waitSignal(dialog.resultsShown, timeout=30_000):
            dialog.search()
        assert dialog.results.count() == 2 and REPO in dialog.results.item(0).text()
        with qtbot.waitSignal(dialog.filesShown, timeout=30_000):
            dialog.results.setCurrentRow(0)
        rows = {dialog.row_texts(r)[0]: dialog.row_texts(r) for r in range(dialog.table.rowCount())}
        assert list(rows) == ["Q2_K", "Q4_K_M", "Q8_0", "F16"]  # smallest first
        assert rows["Q2_K"][2] == rows["Q4_K_M"][2] == "Fits"
        assert rows["Q8_0"][2] == "May be slow" and rows["F16"][2] == "Won't fit"
        assert "mmproj-AutoGLM-Phone-9B-f16.gguf" in dialog.fit_note.text()
        _shot(dialog, "discover.png")

        hub.state.declared_sizes = {}  # now the true sizes, so the files can be downloaded and verified
        with qtbot.waitSignal(dialog.filesShown, timeout=30_000):
            dialog.results.setCurrentRow(1)
        with qtbot.waitSignal(dialog.filesShown, timeout=30_000):
            dialog.results.setCurrentRow(0)
        dialog.table.selectRow(
            next(r for r in range(dialog.table.rowCount()) if dialog.row_texts(r)[0] == "Q4_K_M")
        )
        hub.state.chunk_delay_s = 0.03
        dialog.start_download()
        qtbot.waitUntil(lambda: 0.2 < dialog.progress.value() / 1000 < 0.8, timeout=30_000)
        assert "/s" in dialog.progress_label.text() and "Downloaded" in dialog.progress_label.text()
        _shot(dialog, "discover-download.png")
        with qtbot.waitSignal(dialog.jobFinished, timeout=30_000):
            dialog.cancel_download()
        assert "press Download to resume" in dialog.progress_label.text()
        hub.state.chunk_delay_s = 0.0
        hub.state.requests.clear()
        with qtbot.waitSignal(dialog.jobFinished, timeout=60_000):
            dialog.start_download()
        banner = " ".join(label.text() for label in dialog.banner.findChildren(QLabel))
        assert "Downloaded and verified" in dialog.progress_label.text(), banner
        assert any(
            r and r.startswith("bytes=") for method, _, r in hub.state.requests if method == "GET"
        )
    model_id = dialog.progress_label.text().split(" as ")[1].rstrip(".")
    record = runtime.repository.imported()[model_id]
    assert Path(record["model"]).read_bytes() == big and record["mmproj"].endswith(
        "mmproj-AutoGLM-Phone-9B-f16.gguf"
    )
    dialog.close()


def test_a_hub_that_cannot_be_reached_is_a_sentence(qtbot: QtBot, runtime: Runtime) -> None:
    runtime.settings = updated(runtime.settings, "model", hub_endpoint="http://127.0.0.1:9")
    dialog = DiscoverDialog(runtime, memory=(12 * GIB, 16 * GIB, None))
    qtbot.addWidget(dialog)
    dialog.query.setText("qwen")
    with qtbot.waitSignal(dialog.jobFinished, timeout=30_000, raising=False):
        dialog.search()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)
    assert dialog.search_button.isEnabled()
    assert "cannot be reached" in " ".join(
        label.text() for label in dialog.banner.findChildren(QLabel)
    )


def test_modelscope_is_chosen_in_the_dialog_and_kept(
    qtbot: QtBot, runtime: Runtime, glm_standin
) -> None:
    files = {
        "AutoGLM-Phone-9B-Q4_K_M.gguf": glm_standin.model.read_bytes(),
        "mmproj-AutoGLM-Phone-9B-f16.gguf": glm_standin.mmproj.read_bytes(),
    }
    with serving_modelscope({"ZhipuAI/AutoGLM-Phone-9B-GGUF": files}) as scope:
        runtime.settings = updated(runtime.settings, "model", modelscope_endpoint=scope.endpoint)
        dialog = DiscoverDialog(runtime, memory=(12 * GIB, 16 * GIB, None))
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.source.currentData() == "hf"
        dialog.query.setText("autoglm")
        with qtbot.waitSignal(dialog.resultsShown, timeout=30_000):
            dialog.source.setCurrentIndex(
                dialog.source.findData("modelscope")
            )  # searches again, on ModelScope
        assert scope.endpoint in dialog.hub_label.text()
        assert runtime.settings.model.hub_source == "modelscope"
        assert "modelscope" in runtime.paths.settings_path.read_text(encoding="utf-8")
        with qtbot.waitSignal(dialog.filesShown, timeout=30_000):
            dialog.results.setCurrentRow(0)
        assert dialog.row_texts(0)[0] == "Q4_K_M" and dialog.row_texts(0)[2] == "Fits"
        with qtbot.waitSignal(dialog.jobFinished, timeout=60_000):
            dialog.start_download()
        assert "Downloaded and verified" in dialog.progress_label.text()
        assert any(
            "FilePath=AutoGLM-Phone-9B-Q4_K_M.gguf" in path for _, path, _ in scope.state.requests
        )
    again = DiscoverDialog(runtime, memory=(12 * GIB, 16 * GIB, None))
    qtbot.addWidget(again)
    assert again.source.currentData() == "modelscope"
