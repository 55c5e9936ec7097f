"""Downloads against a real HTTP server on 127.0.0.1 that speaks Range, drops connections and vanishes."""

from __future__ import annotations

import hashlib
import os
import random
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from autoglm.core.catalog import Catalog, CatalogEntry, CatalogFile, ModelRepository
from autoglm.core.download import (
    DownloadCancelled,
    DownloadError,
    DownloadInterrupted,
    download_entry,
    download_file,
    partial_bytes,
    partial_path,
)
from autoglm.core.paths import app_paths
from range_http_server import RangeFileServer, serving

PAYLOAD_BYTES = 3 * 1024 * 1024 + 123


@pytest.fixture
def payload() -> bytes:
    return random.Random(7).randbytes(PAYLOAD_BYTES)


@pytest.fixture
def server(payload: bytes) -> Iterator[RangeFileServer]:
    with serving(payload) as httpd:
        yield httpd


def _repository(
    url: str, payload: bytes, *, sha256: str | None = None, size: int | None = -1
) -> tuple[ModelRepository, CatalogEntry]:
    spec = CatalogFile(
        role="model",
        filename="tiny-model.bin",
        url=url,
        size=len(payload) if size == -1 else size,
        sha256=sha256 or hashlib.sha256(payload).hexdigest(),
    )
    entry = CatalogEntry(
        id="tiny-test",
        name="Tiny test model",
        kind="llm",
        licence="MIT",
        modalities=("text",),
        files=(spec,),
    )
    return ModelRepository(app_paths().ensure(), Catalog([entry])), entry


def test_full_download_lands_verified_with_progress(
    server: RangeFileServer, payload: bytes
) -> None:
    repository, entry = _repository(server.base_url + "/model.bin", payload)
    reports: list[tuple[int, int | None, float]] = []

    paths = download_entry(repository, entry, lambda d, t, r: reports.append((d, t, r)))

    target = repository.paths.models_dir / "tiny-test" / "tiny-model.bin"
    assert paths == {"model": target}
    assert target.read_bytes() == payload
    assert not partial_path(target).exists()
    status = repository.status(entry)
    assert status.present and status.verified is True
    assert reports[-1][:2] == (len(payload), len(payload))
    assert [d for d, _, _ in reports] == sorted(d for d, _, _ in reports)
    assert all(rate >= 0 for _, _, rate in reports)


def test_dropped_connection_keeps_partial_and_next_attempt_resumes(
    server: RangeFileServer, payload: bytes
) -> None:
    repository, entry = _repository(server.base_url + "/model.bin", payload)
    server.state.drop_after = 1_000_000

    with pytest.raises(DownloadInterrupted, match="interrupted.*resume"):
        download_entry(repository, entry, retries=0)
    kept = partial_bytes(repository, entry)
    assert 0 < kept <= 1_000_000

    download_entry(repository, entry, retries=0)

    target = repository.paths.models_dir / "tiny-test" / "tiny-model.bin"
    assert target.read_bytes() == payload
    assert server.state.requests[-1]["range"] == f"bytes={kept}-"
    assert server.state.requests[-1]["if_range"] == '"v1"'
    assert partial_bytes(repository, entry) == 0


def test_dropped_connection_is_resumed_automatically(
    server: RangeFileServer, payload: bytes, tmp_path: Path
) -> None:
    server.state.drop_after = 500_000
    target = tmp_path / "auto.bin"

    download_file(server.base_url + "/model.bin", target, expected_size=len(payload), retries=2)

    assert target.read_bytes() == payload
    assert [r["range"] is None for r in server.state.requests] == [True, False]


def test_cancel_keeps_partial_then_resume_completes(
    server: RangeFileServer, payload: bytes
) -> None:
    repository, entry = _repository(server.base_url + "/model.bin", payload)
    cancel = threading.Event()

    def stop_once_bytes_arrive(done: int, total: int | None, rate: float) -> None:
        if done:
            cancel.set()

    with pytest.raises(DownloadCancelled, match="resume"):
        download_entry(repository, entry, stop_once_bytes_arrive, cancel)
    assert 0 < partial_bytes(repository, entry) < len(payload)

    download_entry(repository, entry, None, threading.Event())
    assert (repository.paths.models_dir / "tiny-test" / "tiny-model.bin").read_bytes() == payload
    assert server.state.requests[-1]["range"] is not None


def test_checksum_mismatch_is_refused_and_deleted(server: RangeFileServer, payload: bytes) -> None:
    repository, entry = _repository(server.base_url + "/model.bin", payload, sha256="0" * 64)

    with pytest.raises(DownloadError, match="checksum.*deleted"):
        download_entry(repository, entry)

    target = repository.paths.models_dir / "tiny-test" / "tiny-model.bin"
    assert not target.exists() and not partial_path(target).exists()


def test_size_that_differs_from_catalog_is_refused(server: RangeFileServer, payload: bytes) -> None:
    repository, entry = _repository(server.base_url + "/model.bin", payload, size=len(payload) + 1)

    with pytest.raises(DownloadError, match="catalog expects"):
        download_entry(repository, entry)


def test_missing_file_says_404(server: RangeFileServer, payload: bytes) -> None:
    repository, entry = _repository(server.base_url + "/nothing-here.gguf", payload)

    with pytest.raises(DownloadError, match="HTTP 404"):
        download_entry(repository, entry)


def test_server_gone_says_unreachable(payload: bytes) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there any more
    repository, entry = _repository(f"http://127.0.0.1:{port}/model.bin", payload)

    with pytest.raises(DownloadError, match="Could not reach 127.0.0.1"):
        download_entry(repository, entry)


def test_server_ignoring_range_restarts_cleanly(
    server: RangeFileServer, payload: bytes, tmp_path: Path
) -> None:
    target = tmp_path / "whole.bin"
    partial_path(target).write_bytes(b"stale bytes from elsewhere")
    server.state.ignore_range = True

    download_file(server.base_url + "/model.bin", target, expected_size=len(payload))

    assert target.read_bytes() == payload


def test_changed_file_on_server_is_not_spliced(
    server: RangeFileServer, payload: bytes, tmp_path: Path
) -> None:
    target = tmp_path / "changing.bin"
    server.state.drop_after = 700_000
    with pytest.raises(DownloadInterrupted):
        download_file(server.base_url + "/model.bin", target, retries=0)
    new_payload = payload[::-1]
    server.state.payload, server.state.etag = new_payload, '"v2"'

    download_file(server.base_url + "/model.bin", target, retries=0)

    assert target.read_bytes() == new_payload
    assert server.state.requests[-1]["if_range"] == '"v1"'


@pytest.mark.skipif(
    not os.path.exists("/dev/full"), reason="needs /dev/full to simulate a full disk"
)
def test_full_disk_is_explained(server: RangeFileServer, payload: bytes, tmp_path: Path) -> None:
    target = tmp_path / "disk-full.bin"
    partial_path(target).symlink_to("/dev/full")  # every write there fails with ENOSPC

    with pytest.raises(DownloadError, match="is full; free some space"):
        download_file(server.base_url + "/model.bin", target)
