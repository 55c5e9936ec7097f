"""The downloader's pure logic: ranges, rates, sizes, free space, HTTP answers in words."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest

from autoglm.core.catalog import Catalog, CatalogEntry, CatalogFile, ModelRepository
from autoglm.core.download import (
    DownloadError,
    TransferRate,
    check_free_space,
    download_entry,
    download_file,
    downloadable_files,
    format_bytes,
    parse_content_range,
    partial_bytes,
    partial_path,
)
from autoglm.core.paths import app_paths

BODY = bytes(range(256)) * 40


def _client(handler) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


def test_parse_content_range() -> None:
    assert parse_content_range("bytes 100-199/1000") == (100, 1000)
    assert parse_content_range("bytes 5-9/*") == (5, None)
    with pytest.raises(ValueError):
        parse_content_range("items 1-2/3")


def test_transfer_rate_follows_recent_speed() -> None:
    now = [0.0]
    rate = TransferRate(window_s=2.0, clock=lambda: now[0])
    assert rate.add(0) == 0.0
    for second in range(1, 5):
        now[0] = float(second)
        speed = rate.add(second * 1000)
    assert speed == pytest.approx(1000.0)
    now[0] = 5.0
    assert (
        rate.add(4000 + 10_000) > 4000
    )  # a burst shows within the window, not diluted by the start


def test_format_bytes() -> None:
    assert format_bytes(512) == "512 bytes"
    assert format_bytes(1_500_000) == "1.5 MB"
    assert format_bytes(6_200_000_000) == "6.2 GB"


def test_check_free_space(tmp_path: Path) -> None:
    check_free_space(tmp_path / "not" / "yet", 10, free=11)
    with pytest.raises(DownloadError, match="needs 2.0 GB more but only 1.0 GB is free"):
        check_free_space(tmp_path, 2_000_000_000, free=1_000_000_000)


def test_downloadable_files_and_missing_address() -> None:
    entry = Catalog.load().get("autoglm-phone-9b")
    assert entry is not None
    assert downloadable_files(entry) == []  # no official GGUF address yet
    repository = ModelRepository(app_paths().ensure())
    with pytest.raises(DownloadError, match="no download address.*import"):
        download_entry(repository, entry)
    assert partial_bytes(repository, entry) == 0


def test_http_errors_are_sentences(tmp_path: Path) -> None:
    for code, words in ((404, "HTTP 404"), (403, "refused access"), (503, "try again later")):
        client = _client(lambda request, code=code: httpx.Response(code))
        with pytest.raises(DownloadError, match=words):
            download_file("http://models.example/x.gguf", tmp_path / "x.gguf", client=client)
        assert not (tmp_path / "x.gguf").exists()


def test_resume_sends_range_and_appends(tmp_path: Path) -> None:
    target = tmp_path / "m.bin"
    partial_path(target).write_bytes(BODY[:1000])
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("range"))
        return httpx.Response(
            206,
            headers={"content-range": f"bytes 1000-{len(BODY) - 1}/{len(BODY)}"},
            content=BODY[1000:],
        )

    download_file(
        "http://models.example/m.bin", target, expected_size=len(BODY), client=_client(handler)
    )
    assert seen == ["bytes=1000-"]
    assert target.read_bytes() == BODY


def test_range_not_satisfiable_starts_over(tmp_path: Path) -> None:
    target = tmp_path / "m.bin"
    partial_path(target).write_bytes(b"x" * 50)
    answers = iter([httpx.Response(416), httpx.Response(200, content=BODY)])

    download_file(
        "http://models.example/m.bin", target, client=_client(lambda request: next(answers))
    )
    assert target.read_bytes() == BODY


def test_complete_partial_is_finished_without_a_request(tmp_path: Path) -> None:
    target = tmp_path / "m.bin"
    partial_path(target).write_bytes(BODY)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    download_file(
        "http://models.example/m.bin", target, expected_size=len(BODY), client=_client(refuse)
    )
    assert target.read_bytes() == BODY


def test_cancel_before_start_keeps_nothing_lost(tmp_path: Path) -> None:
    from autoglm.core.download import DownloadCancelled

    cancel = threading.Event()
    cancel.set()
    target = tmp_path / "m.bin"
    with pytest.raises(DownloadCancelled):
        download_file(
            "http://models.example/m.bin",
            target,
            cancel=cancel,
            client=_client(lambda request: httpx.Response(200, content=BODY)),
        )
    assert not target.exists()


def test_present_sound_file_is_not_fetched_again(tmp_path: Path) -> None:
    import hashlib

    spec = CatalogFile(
        role="model",
        filename="m.bin",
        size=len(BODY),
        sha256=hashlib.sha256(BODY).hexdigest(),
        url="http://models.example/m.bin",
    )
    entry = CatalogEntry(
        id="m", name="M", kind="llm", licence="MIT", modalities=("text",), files=(spec,)
    )
    repository = ModelRepository(app_paths().ensure(), Catalog([entry]))
    target = repository.paths.models_dir / "m" / "m.bin"
    target.parent.mkdir(parents=True)
    target.write_bytes(BODY)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    assert download_entry(repository, entry, client=_client(refuse)) == {"model": target}
