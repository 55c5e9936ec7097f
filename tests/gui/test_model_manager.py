"""The model manager with real files: the starter GGUF, imports, hashing, downloads over loopback HTTP."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from autoglm.core.catalog import (
    STARTER_MODEL_ID,
    Catalog,
    CatalogEntry,
    CatalogFile,
    ModelRepository,
    estimate_ram_bytes,
)
from autoglm.core.download import format_bytes
from autoglm.core.gguf_file import inspect_gguf
from autoglm.core.paths import AppPaths
from autoglm.core.runtime import Runtime
from autoglm.ui import model_manager
from autoglm.ui.model_manager import ModelManagerDialog
from range_http_server import serving

STARTER_SLUG = "qwen2.5-coder-0.5b-instruct-q4-k-m"


@pytest.fixture
def runtime() -> Iterator[Runtime]:
    shared = Runtime()
    yield shared
    QThreadPool.globalInstance().waitForDone(60_000)  # no job outlives its test
    shared.close()


def _open(qtbot: QtBot, runtime: Runtime) -> ModelManagerDialog:
    dialog = ModelManagerDialog(runtime)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.factsRefreshed, timeout=30_000):
        dialog.show()
    return dialog


def _click(qtbot: QtBot, button) -> None:
    assert button.isEnabled(), f"{button.text()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _wait_idle(qtbot: QtBot, dialog: ModelManagerDialog, timeout: int = 60_000) -> None:
    qtbot.waitUntil(lambda: dialog.busy == "", timeout=timeout)


def _with_entry(runtime: Runtime, entry: CatalogEntry) -> None:
    runtime.repository = ModelRepository(runtime.paths, Catalog([*Catalog.load().entries(), entry]))


def test_catalog_rows_show_presence_size_memory_and_licence(qtbot: QtBot, runtime: Runtime) -> None:
    dialog = _open(qtbot, runtime)

    starter = dialog.row_texts(STARTER_MODEL_ID)
    assert starter["status"] == "Bundled; prepared on first use"
    assert starter["size"] == "≈ 491.4 MB" and starter["ram"] == "≈ 0.8 GB"
    assert starter["licence"] == "Apache-2.0" and "(active)" in starter["name"]
    target = dialog.row_texts("autoglm-phone-9b")
    assert target["status"] == "Not on this computer" and target["ram"] == "≈ 8.5 GB"
    assert dialog.table.accessibleName() == "Models"
    for button in (
        dialog.use_button,
        dialog.import_button,
        dialog.download_button,
        dialog.verify_button,
    ):
        assert button.accessibleName()

    dialog.select("autoglm-phone-9b")
    assert not dialog.use_button.isEnabled() and dialog.download_button.isEnabled()  # from the hub
    assert "community GGUF conversions on the hub" in dialog.details.text()
    dialog.select(STARTER_MODEL_ID)
    with qtbot.waitSignal(dialog.activeModelChosen, timeout=2000) as chosen:
        _click(qtbot, dialog.use_button)
    assert chosen.args == [STARTER_MODEL_ID]


def test_importing_the_starter_gguf_adds_a_usable_row(
    qtbot: QtBot, runtime: Runtime, starter_gguf: Path
) -> None:
    dialog = _open(qtbot, runtime)

    with qtbot.waitSignal(dialog.factsRefreshed, timeout=60_000):
        dialog.import_files(starter_gguf)

    assert STARTER_SLUG in runtime.repository.imported()
    row = dialog.row_texts(STARTER_SLUG)
    assert (
        row["status"] == "In the models folder"
        if starter_gguf.is_relative_to(runtime.paths.models_dir)
        else f"Linked from {model_manager._short(starter_gguf.resolve().parent)}"
    )
    assert row["size"] == format_bytes(starter_gguf.stat().st_size)
    expected_ram = estimate_ram_bytes(inspect_gguf(starter_gguf), runtime.settings.model.n_ctx)
    assert row["ram"] == f"{format_bytes(expected_ram)} at {runtime.settings.model.n_ctx} tokens"
    assert dialog.selected_id() == STARTER_SLUG
    assert "Imported “" in dialog.progress_text

    with qtbot.waitSignal(dialog.activeModelChosen, timeout=2000) as chosen:
        _click(qtbot, dialog.use_button)
    assert chosen.args == [STARTER_SLUG]
    assert "(active)" in dialog.row_texts(STARTER_SLUG)["name"]


def test_a_text_file_named_gguf_is_refused_in_words(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path
) -> None:
    fake = tmp_path / "notes.gguf"
    fake.write_text("these are my notes, not a model\n", encoding="utf-8")
    dialog = _open(qtbot, runtime)

    dialog.import_files(fake)
    _wait_idle(qtbot, dialog)

    assert "notes.gguf is not a GGUF model" in dialog.message_text
    assert "Traceback" not in dialog.message_text
    assert runtime.repository.imported() == {}
    assert dialog.import_button.isEnabled()


def test_import_button_walks_through_the_file_dialogs(
    qtbot: QtBot, runtime: Runtime, starter_gguf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter(
        [(str(starter_gguf), ""), (str(starter_gguf), "")]
    )  # model, then (wrongly) as projector
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *args, **kwargs: next(answers))
    )
    dialog = _open(qtbot, runtime)

    _click(qtbot, dialog.import_button)
    # The model file is checked first, then the projector is asked for in words (not in a file dialog's title).
    qtbot.waitUntil(
        lambda: dialog.projector_question is not None and dialog.projector_question.isVisible(),
        timeout=60_000,
    )
    question = dialog.projector_question
    assert starter_gguf.name in question.text() and "usable model file" in question.text()
    assert "mmproj" in question.informativeText()
    question.grab().save("/tmp/polish/projector-question.png")
    choose = next(
        button for button in question.buttons() if button.text() == "Choose the projector…"
    )
    _click(qtbot, choose)
    _wait_idle(qtbot, dialog)

    assert "is a language model, not a vision projector" in dialog.message_text
    assert runtime.repository.imported() == {}


def test_a_broken_model_file_is_refused_before_the_projector_is_asked_for(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path
) -> None:
    fake = tmp_path / "broken.gguf"
    fake.write_text("not a model\n", encoding="utf-8")
    dialog = _open(qtbot, runtime)

    dialog.check_then_import(fake)
    _wait_idle(qtbot, dialog)

    assert "broken.gguf is not a GGUF model" in dialog.message_text
    assert dialog.projector_question is None


def test_verify_hashes_in_the_background(
    qtbot: QtBot, session_home: Path, starter_gguf: Path
) -> None:
    paths = AppPaths(
        session_home / "config",
        session_home / "data",
        session_home / "cache",
        session_home / "logs",
    )
    shared = Runtime(paths=paths)
    try:
        dialog = _open(qtbot, shared)
        assert dialog.row_texts(STARTER_MODEL_ID)["status"] == "Verified"
        dialog.select(STARTER_MODEL_ID)

        _click(qtbot, dialog.verify_button)
        assert (
            dialog.busy == "verify"
        )  # the click returned before hashing 491 MB: it runs on a pool thread
        assert not dialog.verify_button.isEnabled() and not dialog.import_button.isEnabled()
        _wait_idle(qtbot, dialog)

        assert dialog.progress_text == "Every file matches the catalog's checksum."
        assert dialog.message_text == ""
    finally:
        QThreadPool.globalInstance().waitForDone(60_000)
        shared.close()


def test_verify_reports_a_checksum_mismatch(qtbot: QtBot, runtime: Runtime) -> None:
    spec = CatalogFile(role="model", filename="damaged.bin", size=11, sha256="0" * 64)
    _with_entry(
        runtime,
        CatalogEntry(
            id="damaged",
            name="Damaged model",
            kind="llm",
            licence="MIT",
            modalities=("text",),
            files=(spec,),
        ),
    )
    target = runtime.paths.models_dir / "damaged" / "damaged.bin"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"hello world")
    dialog = _open(qtbot, runtime)
    assert dialog.row_texts("damaged")["status"] == "Present, not verified yet"
    dialog.select("damaged")

    with qtbot.waitSignal(dialog.factsRefreshed, timeout=30_000):
        _click(qtbot, dialog.verify_button)

    assert "does not match the catalog's checksum" in dialog.message_text
    assert dialog.row_texts("damaged")["status"] == "Checksum mismatch"


def test_download_shows_progress_and_resumes_after_cancel(qtbot: QtBot, runtime: Runtime) -> None:
    payload = random.Random(3).randbytes(4 * 1024 * 1024)
    with serving(payload) as server:
        server.state.chunk_delay_s = 0.02  # about 1.3 s in all, so there is time to cancel
        spec = CatalogFile(
            role="model",
            filename="remote.bin",
            size=len(payload),
            sha256=hashlib.sha256(payload).hexdigest(),
            url=server.base_url + "/model.bin",
        )
        _with_entry(
            runtime,
            CatalogEntry(
                id="remote",
                name="Remote model",
                kind="llm",
                licence="MIT",
                modalities=("text",),
                files=(spec,),
            ),
        )
        dialog = _open(qtbot, runtime)
        dialog.select("remote")
        assert dialog.download_button.text() == "Download"

        _click(qtbot, dialog.download_button)
        assert dialog.cancel_button.isVisible()
        qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=10_000)
        assert "Downloaded" in dialog.progress_text and "of 4.2 MB" in dialog.progress_text
        with qtbot.waitSignal(dialog.factsRefreshed, timeout=30_000):
            _click(qtbot, dialog.cancel_button)

        assert dialog.progress_text.startswith("Download paused")
        assert dialog.row_texts("remote")["status"].startswith("Partly downloaded")
        assert dialog.download_button.text() == "Resume download"

        with qtbot.waitSignal(dialog.factsRefreshed, timeout=60_000):
            _click(qtbot, dialog.download_button)
        assert dialog.progress_text == "Download complete and verified."
        assert dialog.row_texts("remote")["status"] == "Verified"
        assert (runtime.paths.models_dir / "remote" / "remote.bin").read_bytes() == payload
        assert server.state.requests[-1]["range"] is not None


def test_closing_the_manager_pauses_a_download(qtbot: QtBot, runtime: Runtime) -> None:
    payload = random.Random(5).randbytes(4 * 1024 * 1024)
    with serving(payload) as server:
        server.state.chunk_delay_s = 0.02
        spec = CatalogFile(
            role="model",
            filename="closing.bin",
            size=len(payload),
            sha256=hashlib.sha256(payload).hexdigest(),
            url=server.base_url + "/model.bin",
        )
        entry = CatalogEntry(
            id="closing",
            name="Closing model",
            kind="llm",
            licence="MIT",
            modalities=("text",),
            files=(spec,),
        )
        _with_entry(runtime, entry)
        dialog = _open(qtbot, runtime)
        dialog.select("closing")
        _click(qtbot, dialog.download_button)
        qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=10_000)

        dialog.close()
        dialog.deleteLater()
        qtbot.wait(50)
        assert QThreadPool.globalInstance().waitForDone(30_000)

    from autoglm.core.download import partial_bytes

    assert 0 < partial_bytes(runtime.repository, entry) < len(payload)
    assert not (runtime.paths.models_dir / "closing" / "closing.bin").exists()


def test_download_failure_is_shown_in_words(qtbot: QtBot, runtime: Runtime) -> None:
    with serving(b"unused") as server:
        spec = CatalogFile(
            role="model", filename="gone.bin", size=10, url=server.base_url + "/missing.bin"
        )
        _with_entry(
            runtime,
            CatalogEntry(
                id="gone",
                name="Gone model",
                kind="llm",
                licence="MIT",
                modalities=("text",),
                files=(spec,),
            ),
        )
        dialog = _open(qtbot, runtime)
        dialog.select("gone")
        _click(qtbot, dialog.download_button)
        _wait_idle(qtbot, dialog)

    assert "HTTP 404" in dialog.message_text
    assert dialog.download_button.isEnabled()


def test_an_import_says_the_file_stays_a_second_import_is_refused_and_remove_takes_it_off(
    qtbot: QtBot, runtime: Runtime, starter_gguf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtGui import QDesktopServices

    dialog = _open(qtbot, runtime)
    with qtbot.waitSignal(dialog.factsRefreshed, timeout=60_000):
        dialog.import_files(starter_gguf)
    assert "linked, the file is used where it is (it was not copied)" in dialog.progress_text
    name = runtime.repository.imported()[STARTER_SLUG]["name"]
    assert (
        f"Imported “{name}”" in dialog.progress_text
        and name in dialog.row_texts(STARTER_SLUG)["name"]
    )
    dialog.select(STARTER_SLUG)
    assert "No vision projector: it reads text only" in dialog.details.text()
    dialog.import_files(starter_gguf)  # the same file again, perhaps under another name
    _wait_idle(qtbot, dialog)
    assert f"already imported as “{STARTER_SLUG}”" in dialog.message_text
    assert list(runtime.repository.imported()) == [STARTER_SLUG]

    opened: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toLocalFile()))
    )
    dialog.select(STARTER_SLUG)
    _click(qtbot, dialog.folder_button)
    assert opened == [str(starter_gguf.resolve().parent)]

    reads: list[Path] = []
    real_inspect = model_manager.inspect_gguf
    monkeypatch.setattr(
        model_manager,
        "inspect_gguf",
        lambda path, **kw: reads.append(path) or real_inspect(path, **kw),
    )
    with qtbot.waitSignal(dialog.factsRefreshed, timeout=30_000):
        dialog.refresh()
    assert reads == []  # the headers checked at the first opening are not read again

    dialog.select(STARTER_SLUG)
    with qtbot.waitSignal(dialog.factsRefreshed, timeout=30_000):
        _click(qtbot, dialog.remove_button)
    assert runtime.repository.imported() == {} and starter_gguf.exists()
    assert (
        dialog.facts(STARTER_SLUG) is None and "its files were left on disk" in dialog.progress_text
    )
    dialog.select(STARTER_MODEL_ID)
    assert not dialog.remove_button.isEnabled()  # a catalog model is not removed from the list


def test_import_asks_copy_or_link_shows_which_and_a_moved_file_as_missing(
    qtbot: QtBot, runtime: Runtime, tmp_path: Path, tiny_gguf, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    copied, linked = tiny_gguf(tmp_path / "copied.gguf"), tiny_gguf(tmp_path / "linked.gguf")
    dialog = _open(qtbot, runtime)
    dialog.check_then_import(copied)
    qtbot.waitUntil(
        lambda: dialog.projector_question is not None and dialog.projector_question.isVisible(),
        timeout=60_000,
    )
    question = dialog.projector_question
    copy_box = question.checkBox()
    assert (
        copy_box.objectName() == "copyOnImport" and not copy_box.isChecked()
    )  # linked unless asked
    assert "used where it is (linked, nothing is copied)" in question.informativeText()
    assert copy_box.isEnabled() and "free there" in copy_box.text()
    copy_box.setChecked(True)
    question.grab().save("/tmp/polish/import-copy-or-link.png")
    with qtbot.waitSignal(dialog.factsRefreshed, timeout=60_000):
        _click(qtbot, next(button for button in question.buttons() if button.text() == "Text only"))
    assert "copied into the models folder, so the original may be moved" in dialog.progress_text
    copy = runtime.repository.imported_folder("copied") / "copied.gguf"
    assert (
        copy.is_file() and dialog.row_texts("copied")["status"] == "Copied into the models folder"
    )

    with qtbot.waitSignal(dialog.factsRefreshed, timeout=60_000):
        dialog.import_files(linked)
    assert "linked, the file is used where it is" in dialog.progress_text
    assert (
        dialog.row_texts("linked")["status"]
        == f"Linked from {model_manager._short(tmp_path.resolve())}"
    )
    dialog.grab().save("/tmp/polish/import-copied-and-linked.png")

    linked.rename(tmp_path / "moved-away.gguf")
    copied.unlink()
    with qtbot.waitSignal(dialog.factsRefreshed, timeout=30_000):
        dialog.refresh()
    assert dialog.row_texts("linked")["status"] == "File missing: linked.gguf was moved or deleted"
    assert dialog.row_texts("copied")["status"] == "Copied into the models folder"
    dialog.select("linked")
    assert not dialog.use_button.isEnabled() and not dialog.folder_button.isEnabled()
    assert (
        "Put the file back where it was" in dialog.details.text()
        and str(linked.resolve()) in dialog.details.text()
    )
    assert dialog.remove_button.isEnabled()
    dialog.grab().save("/tmp/polish/import-file-missing.png")

    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *args: QMessageBox.StandardButton.Ok)
    )
    dialog.select("copied")
    with qtbot.waitSignal(dialog.factsRefreshed, timeout=30_000):
        _click(qtbot, dialog.remove_button)
    assert not copy.exists() and "its copy in the models folder deleted" in dialog.progress_text
    assert list(runtime.repository.imported()) == ["linked"]


def test_the_active_model_given_by_its_path_marks_its_row_active(
    qtbot: QtBot, runtime: Runtime, starter_gguf: Path
) -> None:
    from autoglm.core.settings import updated

    runtime.repository.import_model(starter_gguf)
    runtime.settings = updated(runtime.settings, "model", active_model=str(starter_gguf))
    dialog = _open(qtbot, runtime)
    assert "(active)" in dialog.row_texts(STARTER_SLUG)["name"]
    assert "(active)" not in dialog.row_texts(STARTER_MODEL_ID)["name"]
    assert dialog.selected_id() == STARTER_SLUG
