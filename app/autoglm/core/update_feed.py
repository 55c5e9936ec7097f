"""The release feed that updates come from, and the one key whose signature makes it trusted.

A release publishes ``feed.json`` (every release, newest first, and for each the archive
of each platform with its size and sha256) and ``feed.json.sig``: the base64 ed25519
signature of the feed's exact bytes, made with the project's release key (see
``packaging/sign_update.py``). Signing the feed rather than each archive keeps one
signature per release while covering every archive through its sha256, the scheme apt
and TUF use. The app trusts only the public key its release build wrote into the
bundle (``data/update-key.pub``, from the release workflow's signing secret) or the one its
settings name (for a private mirror): a feed that does not verify, a release that is not
newer than this one (a downgrade, or an old feed replayed) and an archive whose size or
hash differ are refused in words, never installed.
"""

from __future__ import annotations

import base64
import binascii
import json
import platform
import sys
from dataclasses import dataclass
from urllib.parse import urljoin

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from packaging.version import InvalidVersion, Version

from autoglm.core.errors import UserFacingError

FEED_FORMAT = 1


class UpdateError(UserFacingError):
    """An update could not be checked or applied; the message says why and what to do."""


@dataclass(frozen=True)
class ReleaseAsset:
    """One platform's archive of a release."""

    url: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Release:
    """A release in the feed, with the archive for this computer's platform."""

    version: Version
    notes: str
    published: str
    asset: ReleaseAsset


def platform_key() -> str:
    """``linux-x86_64``, ``macos-arm64``, ``windows-x86_64``…: which archive this computer takes."""
    system = {"darwin": "macos", "win32": "windows"}.get(sys.platform, "linux")
    machine = platform.machine().lower()
    arch = {"amd64": "x86_64", "x64": "x86_64", "aarch64": "arm64"}.get(
        machine, machine or "unknown"
    )
    return f"{system}-{arch}"


def verify_signature(feed: bytes, signature: bytes, public_key: str) -> None:
    """Raise ``UpdateError`` unless ``signature`` (base64) is the key's signature of ``feed``."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
    except (binascii.Error, ValueError) as exc:
        raise UpdateError(
            f"The update key in the settings is not a valid ed25519 public key ({exc})."
        ) from exc
    try:
        key.verify(base64.b64decode(signature.strip(), validate=True), feed)
    except (binascii.Error, ValueError, InvalidSignature):
        raise UpdateError(
            "The update feed's signature does not match the release key: it was changed "
            "after it was signed, or does not come from the AutoGLM Desktop releases. "
            "Nothing was installed."
        ) from None


def _version(text: object) -> Version:
    try:
        return Version(str(text))
    except InvalidVersion as exc:
        raise UpdateError(
            f"The update feed names a version that is not a version number ({text!r})."
        ) from exc


def parse_feed(feed: bytes, feed_url: str, platform_name: str | None = None) -> list[Release]:
    """The feed's releases that carry an archive for this platform, newest first.

    Archive URLs may be relative to the feed's. The feed must already be verified.
    """
    try:
        data = json.loads(feed.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise UpdateError(f"The update feed is not readable JSON ({exc}).") from exc
    if (
        not isinstance(data, dict)
        or data.get("format") != FEED_FORMAT
        or not isinstance(data.get("releases"), list)
    ):
        raise UpdateError(
            f"The update feed is not in a format this version reads (format {FEED_FORMAT}); "
            "download the new version from the releases page instead."
        )
    key = platform_name or platform_key()
    releases: list[Release] = []
    for item in data["releases"]:
        if not isinstance(item, dict):
            continue
        asset = (item.get("assets") or {}).get(key)
        if not isinstance(asset, dict):
            continue
        try:
            parsed = ReleaseAsset(
                url=urljoin(feed_url, str(asset["url"])),
                size=int(asset["size"]),
                sha256=str(asset["sha256"]).lower(),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise UpdateError(
                f"The update feed's entry for {item.get('version')} on {key} is incomplete ({exc})."
            ) from exc
        releases.append(
            Release(
                version=_version(item.get("version")),
                notes=str(item.get("notes", "")),
                published=str(item.get("published", "")),
                asset=parsed,
            )
        )
    return sorted(releases, key=lambda release: release.version, reverse=True)


def newer_release(releases: list[Release], current: str) -> Release | None:
    """The newest release later than ``current``, or ``None`` when this version is the newest."""
    running = _version(current)
    newest = releases[0] if releases else None
    return newest if newest is not None and newest.version > running else None


def refuse_downgrade(release: Release, current: str) -> None:
    """Raise ``UpdateError`` for a release that is not newer than the running version."""
    if release.version <= _version(current):
        raise UpdateError(
            f"The update offers version {release.version}, which is not newer than the "
            f"installed {current}; going back is refused (an old feed may have been replayed)."
        )
