"""The download journal: what is kept to resume, what is forgotten, and a damaged file."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoglm.core.catalog import ModelRepository
from autoglm.core.download import DownloadError
from autoglm.core.download_journal import DownloadJournal, PendingDownload
from autoglm.core.errors import ModelError
from autoglm.core.hub import Hub, HubFile, download_repository
from autoglm.core.paths import app_paths


class _Failing(Hub):
    """A hub whose file listing fails with ``error`` (no network involved)."""

    def __init__(self, error: Exception):
        self.endpoint, self.timeout, self.error = "http://hub.test", 1.0, error

    def gguf_files(self, repo: str) -> list[HubFile]:
        raise self.error


def test_records_are_kept_replaced_paused_and_forgotten(tmp_path: Path) -> None:
    journal = DownloadJournal(tmp_path)
    first = PendingDownload("hf", "http://a", "o/r", "m.gguf")
    journal.started(first)
    journal.started(
        PendingDownload("modelscope", "http://b", "o/r", "m.gguf")
    )  # the same download, restarted
    [kept] = journal.pending()
    assert kept.source == "modelscope" and not kept.paused
    journal.pause("o/r", "m.gguf")
    assert journal.pending()[0].paused
    journal.started(first)
    assert not journal.pending()[0].paused
    journal.finished(first)
    assert journal.pending() == [] and not journal.path.exists()


def test_a_damaged_journal_is_an_empty_one(tmp_path: Path) -> None:
    journal = DownloadJournal(tmp_path)
    journal.path.write_text("{not json", encoding="utf-8")
    assert journal.pending() == []
    journal.path.write_text('[{"nonsense": 1}]', encoding="utf-8")
    assert journal.pending() == []


@pytest.mark.parametrize(
    ("error", "kept"), [(DownloadError("offline"), True), (ModelError("no such repo"), False)]
)
def test_a_failed_download_stays_only_if_trying_again_can_help(
    error: Exception, kept: bool
) -> None:
    repository = ModelRepository(app_paths().ensure())
    with pytest.raises(ModelError):
        download_repository(_Failing(error), repository, "o/r", "m.gguf")
    assert bool(DownloadJournal(repository.paths.data_dir).pending()) is kept
