"""Checking for, downloading and applying an update of the packaged app, keeping the old one.

Only a packaged install is updated: the bundle folder (Linux, Windows) or the ``.app``
(macOS) that the running executable lives in, or the folder a caller names. An update is
applied in steps that each leave a working app behind:

1. the feed and its signature are fetched and verified (``core.update_feed``);
2. the archive is downloaded into the cache folder, resuming a partial one, then checked
   against the signed size and sha256 — a truncated or tampered archive is deleted;
3. it is unpacked beside the install (``.<name>.staged``) and *started*: the new
   ``autoglm --version`` must name the offered version and ``autoglm selftest`` must pass
   (it loads the model, speaks and listens) before anything of the old install moves;
4. the old folder becomes ``<name>.previous`` and the new one takes its place — two renames
   on the same file system, rolled back if the second fails; ``autoglm update --rollback``
   swaps them back later. ``update-origin.json`` in the new folder (beside a macOS bundle) says where it came from.

Nothing happens without the user asking: the app is offline-first, so a check runs only
on request or at start when the user turned that on.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import tarfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from autoglm import __version__
from autoglm.core.download import DownloadError, DownloadProgress, download_file
from autoglm.core.gguf_file import sha256_file
from autoglm.core.paths import resource_root
from autoglm.core.update_feed import (
    Release,
    UpdateError,
    newer_release,
    parse_feed,
    refuse_downgrade,
    verify_signature,
)
from autoglm.core.update_origin import is_bundle, rename_install, write_origin

_LOGGER = logging.getLogger(__name__)
RELEASE_CONFIG = "update.json"
SELFTEST_TIMEOUT_S = 600
# Inno Setup's unattended install: no wizard, no message boxes, never a reboot. The release
# workflow installs with exactly these (tests/unit/test_release_recipes.py holds them equal),
# so the path an update takes on Windows is the one CI proves on every pull request.
SILENT_INSTALLER_FLAGS = ("/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART")
_TIMEOUT = httpx.Timeout(30.0, connect=15.0)


@dataclass(frozen=True)
class UpdateSource:
    """Where updates come from and the key that signs them."""

    feed_url: str
    public_key: str


def release_defaults() -> UpdateSource:
    """The feed and key the release build wrote into ``resources/update.json`` (empty when run from source)."""
    path = resource_root() / RELEASE_CONFIG
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return UpdateSource("", "")
    return UpdateSource(str(data.get("feed_url", "")), str(data.get("public_key", "")))


def resolve_source(feed_url: str = "", public_key: str = "") -> UpdateSource:
    """The settings' feed and key where set, else the release build's; ``UpdateError`` when either is missing."""
    defaults = release_defaults()
    source = UpdateSource(feed_url or defaults.feed_url, public_key or defaults.public_key)
    if not source.feed_url:
        raise UpdateError(
            "No update feed is set: this copy was not built by the release workflow. Set one "
            "in Settings → Updates (or pass --feed URL)."
        )
    if not source.public_key:
        raise UpdateError(
            "No release key is known, so no update could be verified: set the key of your "
            "update feed in Settings → Updates."
        )
    return source


def check_for_update(
    source: UpdateSource, current: str = __version__, client: httpx.Client | None = None
) -> Release | None:
    """The verified newer release for this platform, or ``None`` when this version is the newest."""
    own = client is None
    client = client or httpx.Client(timeout=_TIMEOUT, follow_redirects=True)
    try:
        feed = _get(client, source.feed_url)
        signature = _get(client, source.feed_url + ".sig")
    finally:
        if own:
            client.close()
    verify_signature(feed, signature, source.public_key)
    return newer_release(parse_feed(feed, source.feed_url), current)


def _get(client: httpx.Client, url: str) -> bytes:
    try:
        response = client.get(url)
    except httpx.HTTPError as exc:
        raise UpdateError(
            f"The update feed at {url} could not be reached ({exc.__class__.__name__}); "
            "check the connection and try again."
        ) from exc
    if response.status_code != 200:
        raise UpdateError(f"The update feed at {url} answered HTTP {response.status_code}.")
    return response.content


def download_release(
    release: Release,
    cache_dir: Path,
    progress: DownloadProgress | None = None,
    cancel: threading.Event | None = None,
) -> Path:
    """The release's archive in ``cache_dir``, complete and matching its signed size and sha256."""
    target = cache_dir / "updates" / Path(release.asset.url.split("?")[0]).name
    try:  # the signed size is checked below, so that a short file is called what it is
        download_file(release.asset.url, target, progress=progress, cancel=cancel)
    except DownloadError as exc:
        raise UpdateError(f"Version {release.version} could not be downloaded: {exc}") from exc
    size = target.stat().st_size
    if size != release.asset.size:
        target.unlink(missing_ok=True)
        raise UpdateError(
            f"The download of version {release.version} is truncated ({size:,} of "
            f"{release.asset.size:,} bytes); it was deleted and nothing was installed."
        )
    if sha256_file(target) != release.asset.sha256:
        target.unlink(missing_ok=True)
        raise UpdateError(
            f"The download of version {release.version} does not match its signed checksum: "
            "it was damaged or tampered with, so it was deleted and nothing was installed."
        )
    return target


def _staging_dir(root: Path) -> Path:
    return root.with_name(f".{root.name}.staged")


def previous_dir(root: Path) -> Path:
    """Where the version before the last update is kept."""
    return root.with_name(f"{root.name}.previous")


def unpack(archive: Path, root: Path) -> Path:
    """The archive's app folder, unpacked beside ``root`` (its one top-level folder, or all of it)."""
    staging = _staging_dir(root)
    shutil.rmtree(staging, ignore_errors=True)
    unpacked = staging.with_name(staging.name + ".unpack")
    shutil.rmtree(unpacked, ignore_errors=True)
    try:
        with tarfile.open(archive) as tar:
            tar.extractall(unpacked, filter="data")  # refuses absolute paths, "..", devices
    except (tarfile.TarError, OSError) as exc:
        shutil.rmtree(unpacked, ignore_errors=True)
        raise UpdateError(
            f"The update archive could not be unpacked ({exc}); nothing was installed."
        ) from exc
    entries = list(unpacked.iterdir())
    top = entries[0] if len(entries) == 1 and entries[0].is_dir() else unpacked
    top.rename(staging)
    shutil.rmtree(unpacked, ignore_errors=True)
    return staging


def app_executable(folder: Path) -> Path:
    """The ``autoglm`` executable inside an app folder (``.app`` on macOS)."""
    for candidate in (
        folder / "autoglm",
        folder / "autoglm.exe",
        folder / "Contents" / "MacOS" / "autoglm",
    ):
        if candidate.is_file():
            return candidate
    raise UpdateError(
        f"The update holds no autoglm program (looked in {folder.name}); nothing was installed."
    )


def prove_it_starts(folder: Path, version: str, timeout_s: float = SELFTEST_TIMEOUT_S) -> None:
    """Raise ``UpdateError`` unless the unpacked app names ``version`` and passes its self-test."""
    executable = app_executable(folder)
    for argv, what in (
        ([str(executable), "--version"], "start"),
        ([str(executable), "selftest"], "pass its self-test"),
    ):
        try:
            result = subprocess.run(
                argv, capture_output=True, text=True, timeout=timeout_s, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise UpdateError(
                f"The new version did not {what} ({exc}); the installed one is kept."
            ) from exc
        if result.returncode != 0:
            last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
            raise UpdateError(
                f"The new version did not {what} (exit {result.returncode}: {last[0]}); "
                "the installed one is kept."
            )
        if what == "start" and version not in result.stdout:
            raise UpdateError(
                f"The update says it is version {version} but the program in it reports "
                f"{result.stdout.strip()!r}; the installed one is kept."
            )


def swap_in(staged: Path, root: Path) -> None:
    """Make ``staged`` the install and keep the old one as ``<root>.previous``, or change nothing."""
    previous = previous_dir(root)
    bundle = is_bundle(root)
    shutil.rmtree(previous, ignore_errors=True)
    try:
        rename_install(root, previous, bundle)
    except OSError as exc:
        raise UpdateError(
            f"The installed app in {root} could not be moved aside ({exc.strerror}); "
            "nothing was changed."
        ) from exc
    try:
        staged.rename(root)
    except OSError as exc:
        rename_install(previous, root, bundle)
        raise UpdateError(
            f"The new version could not be put in place ({exc.strerror}); the installed one "
            "is kept."
        ) from exc


def apply_update(
    release: Release,
    archive: Path,
    root: Path,
    source: UpdateSource,
    current: str = __version__,
    report: Callable[[str], None] | None = None,
) -> None:
    """Unpack, prove and swap in ``archive`` as the install at ``root``; the old one stays as ``.previous``."""
    refuse_downgrade(release, current)
    say = report or (lambda _message: None)
    if not root.is_dir():
        raise UpdateError(f"{root} is not an installed AutoGLM Desktop folder.")
    say(f"Unpacking version {release.version}…")
    staged = unpack(archive, root)
    try:
        say(f"Starting version {release.version} to check it…")
        prove_it_starts(staged, str(release.version))
        swap_in(staged, root)
    except UpdateError:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    write_origin(root, str(release.version), source.feed_url, current)
    archive.unlink(missing_ok=True)
    _LOGGER.info("Updated %s from %s to %s", root, current, release.version)


def rollback(root: Path) -> None:
    """Swap the install with the version it replaced."""
    previous = previous_dir(root)
    if not previous.is_dir():
        raise UpdateError("There is no earlier version to go back to.")
    swap = root.with_name(f".{root.name}.rollback-{int(time.time())}")
    bundle = is_bundle(root)
    rename_install(root, swap, bundle)
    rename_install(previous, root, bundle)
    rename_install(swap, previous, bundle)


def run_installer(installer: Path) -> None:
    """Windows: start the verified installer silently; it closes the app and replaces it in place.

    A running program's folder cannot be renamed on Windows, so there the installer (which
    removes stale files itself, ``[InstallDelete]``) does what ``swap_in`` does elsewhere;
    it installs into the folder of the previous version (Inno Setup remembers it by AppId)
    and closes the running app first (``/CLOSEAPPLICATIONS``).
    """
    try:
        subprocess.Popen([str(installer), *SILENT_INSTALLER_FLAGS, "/CLOSEAPPLICATIONS"])
    except OSError as exc:
        raise UpdateError(
            f"The installer of the new version could not be started ({exc.strerror})."
        ) from exc
