"""Fetching model files over HTTP, resumably, only when the user asks for it.

A file is streamed into ``<name>.partial`` next to its destination. When a download is
interrupted (the connection drops, the user cancels, the laptop sleeps) the partial file
stays, and the next attempt asks the server for the rest with a ``Range`` request, guarded
by ``If-Range`` so a file that changed on the server starts over instead of being spliced.
Only a complete file is renamed into place, and a catalog file is then checked against
its size and sha256 (``ModelRepository.verify_file``); a mismatch deletes it. Every
failure the user can meet — offline, 404, a full disk, a bad checksum — is one sentence.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from autoglm.core.catalog import CatalogEntry, CatalogFile, ModelRepository, ProgressCallback
from autoglm.core.errors import ModelError, UserFacingError

_LOGGER = logging.getLogger(__name__)

DownloadProgress = Callable[[int, "int | None", float], None]
"""``(bytes_done, bytes_total or None, bytes_per_second)``."""

PROGRESS_INTERVAL_S = 0.1
_RUNNING: set[threading.Event] = (
    set()
)  # the cancel events of the transfers under way in this process
_RUNNING_LOCK = threading.Lock()


def stop_all_downloads() -> int:
    """The app is quitting: every transfer under way stops at its next block; return how many.

    What arrived is kept in each ``.partial`` file and the download journal still names
    them (as not paused), so the next start resumes them instead of this quit waiting for
    gigabytes.
    """
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for event in running:
        event.set()
    return len(running)


_TIMEOUT = httpx.Timeout(30.0, connect=15.0)


class DownloadError(ModelError):
    """A download failed; the message says why and whether pressing Download again resumes it."""


class DownloadInterrupted(DownloadError):
    """The connection broke midway; the partial file is kept and the next attempt resumes it."""


class DownloadCancelled(UserFacingError):
    """The user stopped a download; what arrived so far is kept for resuming."""


class TransferRate:
    """Bytes per second over the last few seconds of a transfer."""

    def __init__(self, window_s: float = 3.0, clock: Callable[[], float] = time.monotonic):
        self._window_s = window_s
        self._clock = clock
        self._samples: deque[tuple[float, int]] = deque()

    def add(self, total_bytes: int) -> float:
        """Record the running byte count now and return the current rate."""
        now = self._clock()
        self._samples.append((now, total_bytes))
        while len(self._samples) > 2 and now - self._samples[1][0] >= self._window_s:
            self._samples.popleft()
        first_time, first_bytes = self._samples[0]
        elapsed = now - first_time
        return (total_bytes - first_bytes) / elapsed if elapsed > 0 else 0.0


def partial_path(target: Path) -> Path:
    """Where the unfinished download of ``target`` is kept."""
    return target.with_name(target.name + ".partial")


def _meta_path(target: Path) -> Path:
    return target.with_name(target.name + ".partial.json")


def parse_content_range(value: str) -> tuple[int, int | None]:
    """``bytes START-END/TOTAL`` → ``(START, TOTAL or None)``; ``ValueError`` if malformed."""
    unit, _, spec = value.strip().partition(" ")
    if unit.lower() != "bytes" or "/" not in spec:
        raise ValueError(f"unsupported Content-Range {value!r}")
    span, _, total = spec.partition("/")
    start = int(span.split("-", 1)[0])
    return start, None if total.strip() == "*" else int(total)


def format_bytes(count: float) -> str:
    """A byte count as the user reads it (``1.2 GB``)."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if abs(count) < 1000 or unit == "GB":
            return f"{count:,.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} GB"  # pragma: no cover - loop always returns


def check_free_space(folder: Path, needed: int, free: int | None = None) -> None:
    """Raise ``DownloadError`` in words when ``folder``'s disk has less than ``needed`` bytes free."""
    if needed <= 0:
        return
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free if free is None else free
    if free < needed:
        raise DownloadError(
            f"Not enough disk space in {folder}: the download needs {format_bytes(needed)} more "
            f"but only {format_bytes(free)} is free; free some space and press Download again."
        )


def _http_error(response: httpx.Response, url: str) -> DownloadError:
    code = response.status_code
    if code == 404:
        return DownloadError(
            f"The server has no file at {url} (HTTP 404); the catalog's address may be out of date."
        )
    if code in (401, 403):
        return DownloadError(
            f"The server refused access to {url} (HTTP {code}); it may need a login or licence acceptance."
        )
    reason = response.reason_phrase or "error"
    hint = "try again later" if code >= 500 or code == 429 else "check the address"
    return DownloadError(f"The server answered HTTP {code} ({reason}) for {url}; {hint}.")


def _interrupted(name: str, received: int, exc: Exception) -> DownloadInterrupted:
    kept = f"; the {format_bytes(received)} received are kept" if received else ""
    return DownloadInterrupted(
        f"The download of {name} was interrupted ({type(exc).__name__}){kept}: "
        "press Download again to resume."
    )


def _unreachable(url: str, exc: Exception) -> DownloadError:
    host = urlsplit(url).netloc or url
    return DownloadError(
        f"Could not reach {host} ({exc or type(exc).__name__}): check the internet connection and "
        "try again; models already on this computer keep working offline."
    )


def _disk_error(path: Path, exc: OSError) -> DownloadError:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return DownloadError(
            f"The disk holding {path.parent} is full; free some space and press Download "
            "again to resume."
        )
    return DownloadError(f"Could not write {path}: {exc.strerror or exc}.")


def _read_meta(target: Path) -> dict[str, str]:
    try:
        data = json.loads(_meta_path(target).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_meta(target: Path, url: str, response: httpx.Response) -> None:
    meta = {
        "url": url,
        "etag": response.headers.get("etag", ""),
        "last_modified": response.headers.get("last-modified", ""),
    }
    try:
        _meta_path(target).write_text(json.dumps(meta), encoding="utf-8")
    except OSError as exc:  # resuming still works, just without the If-Range guard
        _LOGGER.warning("Could not record download validators for %s: %s", target, exc)


def _validator(meta: dict[str, str]) -> str:
    """An ``If-Range`` value: a strong ETag, else the Last-Modified date."""
    etag = meta.get("etag", "")
    return etag if etag and not etag.startswith("W/") else meta.get("last_modified", "")


def _finish(partial: Path, target: Path) -> Path:
    os.replace(partial, target)
    _meta_path(target).unlink(missing_ok=True)
    return target


def _fetch_once(
    client: httpx.Client,
    url: str,
    target: Path,
    expected_size: int | None,
    progress: DownloadProgress | None,
    cancel: threading.Event | None,
) -> Path:
    """One HTTP attempt; resumes what ``.partial`` holds. Raises on any failure."""
    partial = partial_path(target)
    meta = _read_meta(target)
    offset = partial.stat().st_size if partial.exists() else 0
    if offset and meta.get("url") not in (None, url):
        offset = 0  # a partial of another address is not ours to continue
    if expected_size is not None and offset == expected_size:
        return _finish(partial, target)
    if expected_size is not None and offset > expected_size:
        offset = 0
    headers = {"Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
        if validator := _validator(meta):
            headers["If-Range"] = validator
    with client.stream("GET", url, headers=headers) as response:
        if response.status_code == 416 and offset:
            _LOGGER.info("Server refused the range for %s; starting over", target.name)
            partial.unlink(missing_ok=True)
            raise _RestartNeeded
        if response.status_code not in (200, 206):
            raise _http_error(response, url)
        if response.status_code == 206:
            start, total = parse_content_range(response.headers.get("content-range", ""))
            if start != offset:
                _LOGGER.info(
                    "Server resumed %s at byte %d instead of %d; starting over",
                    target.name,
                    start,
                    offset,
                )
                partial.unlink(missing_ok=True)
                raise _RestartNeeded
            mode = "ab"
        else:  # whole file: the server ignores ranges or the file changed
            if offset:
                _LOGGER.info(
                    "Server sent all of %s again; discarding %d partial bytes", target.name, offset
                )
            offset = 0
            length = response.headers.get("content-length")
            total = int(length) if length and length.isdigit() else None
            mode = "wb"
            _write_meta(target, url, response)
        if expected_size is not None and total is not None and total != expected_size:
            raise DownloadError(
                f"The server offers {target.name} with {total:,} bytes but the catalog expects "
                f"{expected_size:,}; it is a different file, so it was not downloaded."
            )
        total = total if total is not None else expected_size
        if total is not None:
            check_free_space(target.parent, total - offset)
        done = offset
        rate = TransferRate()
        last_report = 0.0
        try:
            with partial.open(mode) as out:
                for block in response.iter_bytes():
                    if cancel is not None and cancel.is_set():
                        raise DownloadCancelled(
                            f"Download of {target.name} paused at {format_bytes(done)}; "
                            "press Download to resume."
                        )
                    out.write(block)
                    done += len(block)
                    speed = rate.add(done)
                    now = time.monotonic()
                    if progress and now - last_report >= PROGRESS_INTERVAL_S:
                        last_report = now
                        progress(done, total, speed)
        except OSError as exc:
            raise _disk_error(partial, exc) from exc
        if progress:
            progress(done, total, rate.add(done))
    if total is not None and done != total:
        raise _interrupted(target.name, done, ConnectionError("connection closed early"))
    return _finish(partial, target)


class _RestartNeeded(Exception):
    """The partial file was discarded; the next attempt starts from zero."""


def download_file(
    url: str,
    target: Path,
    *,
    expected_size: int | None = None,
    progress: DownloadProgress | None = None,
    cancel: threading.Event | None = None,
    retries: int = 2,
    client: httpx.Client | None = None,
) -> Path:
    """Fetch ``url`` into ``target``, resuming a ``.partial`` file; retry dropped connections.

    Raises ``DownloadError`` in words, or ``DownloadCancelled`` when ``cancel`` is set
    (what arrived is kept, so the next call resumes).
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _disk_error(target, exc) from exc
    own_client = client is None
    client = client or httpx.Client(timeout=_TIMEOUT, follow_redirects=True)
    attempt = restarts = 0
    cancel = cancel if cancel is not None else threading.Event()  # so that quitting can stop it
    with _RUNNING_LOCK:
        _RUNNING.add(cancel)
    try:
        while True:
            partial = partial_path(target)
            before = _size(partial)
            try:
                return _fetch_once(client, url, target, expected_size, progress, cancel)
            except _RestartNeeded:
                restarts += 1
                if restarts > 2:
                    raise DownloadError(
                        f"The server could not resume {target.name}; press Download to "
                        "start it over."
                    ) from None
                continue
            except httpx.ConnectError as exc:
                raise _unreachable(url, exc) from exc
            except httpx.TransportError as exc:
                if isinstance(exc, httpx.TimeoutException) and _size(partial) == 0:
                    raise _unreachable(url, exc) from exc
                error: DownloadInterrupted = _interrupted(target.name, _size(partial), exc)
                cause: Exception = exc
            except DownloadInterrupted as exc:
                error, cause = exc, exc
            attempt += 1
            if attempt > retries or _size(partial) <= before:
                raise error from cause
            _LOGGER.info(
                "Download of %s interrupted (%s); resuming (attempt %d)",
                target.name,
                cause,
                attempt + 1,
            )
            pause = min(2.0**attempt / 4, 2.0)  # a moment for a flaky network to settle
            if cancel.wait(pause):
                raise DownloadCancelled(
                    f"Download of {target.name} paused; press Download to resume."
                )
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard(cancel)
        if own_client:
            client.close()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def downloadable_files(entry: CatalogEntry) -> list[CatalogFile]:
    """The files of ``entry`` the catalog gives an address for."""
    return [spec for spec in entry.files if spec.url]


def download_target(repository: ModelRepository, entry: CatalogEntry, spec: CatalogFile) -> Path:
    """Where a downloaded file of ``entry`` goes: ``models/<id>/<filename>``."""
    return repository.paths.models_dir / entry.id / spec.filename


def partial_bytes(repository: ModelRepository, entry: CatalogEntry) -> int:
    """Bytes already fetched by unfinished downloads of ``entry`` (0: nothing to resume)."""
    return sum(
        _size(partial_path(download_target(repository, entry, spec)))
        for spec in downloadable_files(entry)
    )


def download_entry(
    repository: ModelRepository,
    entry: CatalogEntry,
    progress: DownloadProgress | None = None,
    cancel: threading.Event | None = None,
    *,
    verify_progress: ProgressCallback | None = None,
    retries: int = 2,
    client: httpx.Client | None = None,
) -> dict[str, Path]:
    """Fetch and verify every file of ``entry`` that has a ``url``; return their paths by role.

    Progress covers all files together; files already present and sound are skipped.
    """
    files = downloadable_files(entry)
    if not files:
        raise DownloadError(
            f"The catalog has no download address for {entry.name}; import its files from disk "
            "in the model manager instead."
        )
    total = sum(spec.size or spec.size_estimate or 0 for spec in files) or None
    finished = 0
    paths: dict[str, Path] = {}
    for spec in files:
        target = download_target(repository, entry, spec)
        expected = spec.size or None
        if target.exists() and _already_sound(repository, target, spec, verify_progress):
            paths[spec.role] = target
            finished += _size(target)
            if progress:
                progress(finished, total, 0.0)
            continue

        def report(done: int, file_total: int | None, rate: float, base: int = finished) -> None:
            if progress:
                overall = (
                    total
                    if total and not (file_total and base + file_total > total)
                    else (base + file_total if file_total else None)
                )
                progress(base + done, overall, rate)

        _LOGGER.info("Downloading %s from %s", target.name, spec.url)
        download_file(
            spec.url,
            target,
            expected_size=expected,
            progress=report,
            cancel=cancel,
            retries=retries,
            client=client,
        )
        _check_download(repository, target, spec, verify_progress)
        paths[spec.role] = target
        finished += _size(target)
    return paths


def _already_sound(
    repository: ModelRepository,
    target: Path,
    spec: CatalogFile,
    verify_progress: ProgressCallback | None,
) -> bool:
    """Whether a file already at ``target`` passes its checks (a failing one is removed)."""
    if not spec.sha256 and spec.size is None:
        return False  # nothing to check it against: fetch again rather than trust it
    try:
        repository.verify_file(target, spec, verify_progress)
    except ModelError as exc:
        _LOGGER.info("Replacing %s: %s", target, exc)
        target.unlink(missing_ok=True)
        return False
    return True


def _check_download(
    repository: ModelRepository,
    target: Path,
    spec: CatalogFile,
    verify_progress: ProgressCallback | None,
) -> None:
    """Verify a fresh download against the catalog; delete it and explain if it fails."""
    try:
        repository.verify_file(target, spec, verify_progress, force=True)
        if not spec.sha256 and target.suffix.lower() == ".gguf":
            from autoglm.core.gguf_file import inspect_gguf

            inspect_gguf(target, role="projector" if spec.role == "mmproj" else "model")
    except ModelError as exc:
        target.unlink(missing_ok=True)
        raise DownloadError(
            f"{exc} The downloaded copy was deleted; press Download to fetch it again."
        ) from exc
