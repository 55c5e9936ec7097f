"""Downloads through the real ``huggingface_hub`` and ``modelscope`` clients from hubs served on 127.0.0.1.

Each hub (``tests/hub_http_server.py``, ``tests/modelscope_http_server.py``) answers the
routes its client calls: search, the repository's file metadata, and the files
themselves with ranges. Transfers are broken, cancelled, resumed, checked against wrong
sums, refused for lack of disk space and cut by a server that goes away; each ends as
one sentence and a sound file or none, whichever the source.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import numpy as np
import pytest

from autoglm.core.catalog import ModelRepository
from autoglm.core.download import DownloadCancelled, DownloadError
from autoglm.core.errors import ModelError
from autoglm.core.hub import (
    FITS,
    MAY_BE_SLOW,
    WONT_FIT,
    estimate_fit,
    group_by_quantization,
    pick,
)
from autoglm.core.hub_sources import open_hub
from autoglm.core.paths import app_paths
from hub_http_server import HubServer, serving_hub
from modelscope_http_server import serving_modelscope

REPO = "community/AutoGLM-Phone-9B-GGUF"


def _big_gguf(path: Path, mib: int = 6) -> bytes:
    import gguf

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("download test model")
    writer.add_tensor(
        "token_embd.weight",
        np.random.default_rng(1).standard_normal((mib * 256, 1024)).astype(np.float32),
    )
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path.read_bytes()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, glm_standin) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("hub-files")
    return {
        "AutoGLM-Phone-9B-Q4_K_M.gguf": _big_gguf(folder / "big.gguf"),
        "AutoGLM-Phone-9B-Q8_0.gguf": glm_standin.model.read_bytes(),
        "mmproj-AutoGLM-Phone-9B-f16.gguf": glm_standin.mmproj.read_bytes(),
        "README.md": b"# a model card",
    }


Serving = Callable[[dict[str, dict[str, bytes]]], AbstractContextManager[HubServer]]
SERVERS: dict[str, Serving] = {"hf": serving_hub, "modelscope": serving_modelscope}


@pytest.fixture(params=sorted(SERVERS))
def source(request: pytest.FixtureRequest) -> str:
    """Each test runs against Hugging Face's routes and ModelScope's, through each one's client."""
    return str(request.param)


def serving(source: str, repos: dict[str, dict[str, bytes]]) -> AbstractContextManager[HubServer]:
    return SERVERS[source](repos)


def _file_gets(hub: HubServer, filename: str) -> list[str | None]:
    """The Range headers of the GETs that fetched ``filename`` (not its metadata)."""
    return [
        r
        for method, path, r in hub.state.requests
        if method == "GET" and (path.endswith(filename) or f"FilePath={filename}" in path)
    ]


def test_search_and_metadata_come_from_the_hub(files: dict[str, bytes], source: str) -> None:
    with serving(source, {REPO: files, "other/Qwen-GGUF": {"q.gguf": b"x"}}) as hub:
        client = open_hub(source, hub.endpoint)
        assert [m.repo for m in client.search("autoglm")] == [REPO]
        listed = client.gguf_files(REPO)
        assert {f.filename for f in listed} == {n for n in files if n.endswith(".gguf")}
        model, projector = pick(listed)
        assert (
            model is not None
            and model.quantization == "Q4_K_M"
            and model.size == len(files[model.filename])
        )
        assert projector is not None and projector.is_projector and projector.sha256
        assert [q for q, _ in group_by_quantization(listed)] == ["Q8_0", "Q4_K_M"]  # smallest first
        with pytest.raises(ModelError, match="There is no model 'nobody/none'"):
            client.gguf_files("nobody/none")


def test_a_broken_transfer_resumes_and_the_file_is_verified(
    tmp_path: Path, files: dict[str, bytes], source: str
) -> None:
    repository = ModelRepository(app_paths().ensure())
    with serving(source, {REPO: files}) as hub:
        client = open_hub(source, hub.endpoint)
        model, _ = pick(client.gguf_files(REPO))
        assert model is not None
        hub.state.chunk_delay_s = 0.01
        cancel = threading.Event()
        seen: list[tuple[int, int | None, float]] = []

        def progress(done: int, total: int | None, rate: float) -> None:
            seen.append((done, total, rate))
            if done >= 2 << 20:
                cancel.set()

        with pytest.raises(DownloadCancelled):
            client.download(model, tmp_path / "models", repository, progress, cancel)
        assert not (tmp_path / "models" / model.filename).exists()
        hub.state.requests.clear()
        seen.clear()
        path = client.download(model, tmp_path / "models", repository, progress)
        ranges = [r for r in _file_gets(hub, model.filename) if r]
        assert (
            ranges and ranges[0].startswith("bytes=") and int(ranges[0][6:-1]) >= 2 << 20
        )  # resumed
        assert path.read_bytes() == files[model.filename]
        assert seen[-1][0] == seen[-1][1] == model.size and any(rate > 0 for *_, rate in seen)
        status = repository.expected_sha256(path, _spec(model.filename))
        assert status == model.sha256
        assert repository.verify_file(path, _spec(model.filename)) is True


def _spec(name: str):
    from autoglm.core.catalog import CatalogFile

    return CatalogFile(role="model", filename=name)


def test_a_wrong_published_checksum_deletes_the_file(
    tmp_path: Path, files: dict[str, bytes], source: str
) -> None:
    repository = ModelRepository(app_paths().ensure())
    with serving(source, {REPO: files}) as hub:
        hub.state.wrong_sha.add("mmproj-AutoGLM-Phone-9B-f16.gguf")
        client = open_hub(source, hub.endpoint)
        _, projector = pick(client.gguf_files(REPO))
        assert projector is not None
        with pytest.raises(
            DownloadError, match="does not match its published checksum.*download it again"
        ):
            client.download(projector, tmp_path / "models", repository)
        assert not (tmp_path / "models" / projector.filename).exists()


def test_a_full_disk_is_refused_before_the_transfer(
    tmp_path: Path, files: dict[str, bytes], monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    import shutil

    repository = ModelRepository(app_paths().ensure())
    real = shutil.disk_usage
    monkeypatch.setattr(shutil, "disk_usage", lambda p: real(p)._replace(free=1000))
    with serving(source, {REPO: files}) as hub:
        client = open_hub(source, hub.endpoint)
        model, _ = pick(client.gguf_files(REPO))
        assert model is not None
        with pytest.raises(DownloadError, match="Not enough disk space"):
            client.download(model, tmp_path / "models", repository)
        assert _file_gets(hub, model.filename) == []


def test_a_connection_dropped_midway_is_resumed_within_the_download(
    tmp_path: Path, files: dict[str, bytes], source: str
) -> None:
    repository = ModelRepository(app_paths().ensure())
    with serving(source, {REPO: files}) as hub:
        client = open_hub(source, hub.endpoint)
        model, _ = pick(client.gguf_files(REPO))
        assert model is not None
        hub.state.drop_after = 3 << 20
        path = client.download(model, tmp_path / "models", repository)
        assert path.read_bytes() == files[model.filename]
        assert any(r and r.startswith("bytes=") for r in _file_gets(hub, model.filename))


def test_a_server_that_goes_away_is_one_sentence(
    tmp_path: Path, files: dict[str, bytes], source: str
) -> None:
    repository = ModelRepository(app_paths().ensure())
    with serving(source, {REPO: files}) as hub:
        client = open_hub(source, hub.endpoint)
        model, _ = pick(client.gguf_files(REPO))
        endpoint = hub.endpoint
    assert model is not None
    with pytest.raises(DownloadError) as caught:
        open_hub(source, endpoint, timeout=3).download(model, tmp_path / "models", repository)
    assert "Could not reach 127.0.0.1" in str(caught.value)
    with pytest.raises(DownloadError, match=r"cannot be reached \((no connection|.*refused)"):
        open_hub(source, "http://127.0.0.1:9", timeout=3).gguf_files(
            REPO
        )  # nothing listens on the discard port


def test_fit_labels_weigh_weights_kv_and_projector_against_memory(files: dict[str, bytes]) -> None:
    from autoglm.core.hub import HubFile

    q4 = HubFile(REPO, "AutoGLM-Phone-9B-Q4_K_M.gguf", 6_200_000_000, None, "Q4_K_M", False)
    gib = 2**30
    assert estimate_fit(q4, 8192, 1_800_000_000, (32 * gib, 32 * gib, None)).label == FITS
    assert estimate_fit(q4, 8192, 1_800_000_000, (6 * gib, 16 * gib, None)).label == MAY_BE_SLOW
    assert estimate_fit(q4, 8192, 1_800_000_000, (4 * gib, 8 * gib, None)).label == WONT_FIT
    assert estimate_fit(q4, 8192, 1_800_000_000, (32 * gib, 32 * gib, 24 * gib)).label == FITS
    assert estimate_fit(q4, 8192, 1_800_000_000, (32 * gib, 32 * gib, 4 * gib)).label == MAY_BE_SLOW
    longer = estimate_fit(q4, 65536, 1_800_000_000, (32 * gib, 32 * gib, None))
    assert longer.need_bytes > estimate_fit(q4, 8192, 0, (32 * gib, 32 * gib, None)).need_bytes
