"""The release feed: parsing what a release publishes, choosing the newer version, checking the key."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from autoglm.core.update_feed import (
    UpdateError,
    newer_release,
    parse_feed,
    refuse_downgrade,
    verify_signature,
)

FEED_URL = "https://releases.example.org/autoglm/feed.json"


def feed(*releases: dict) -> bytes:
    return json.dumps({"format": 1, "releases": list(releases)}).encode()


def release(version: str, platform: str = "linux-x86_64", url: str = "app.tar.gz") -> dict:
    return {
        "version": version,
        "notes": f"notes {version}",
        "assets": {platform: {"url": url, "size": 10, "sha256": "AB" * 32}},
    }


def test_releases_for_this_platform_newest_first_with_urls_resolved():
    releases = parse_feed(
        feed(
            release("0.2.0"),
            release("0.10.0"),
            release("0.3.0", platform="macos-arm64"),
            release("0.4.0", url="https://mirror.example.org/x.tar.gz"),
        ),
        FEED_URL,
        platform_name="linux-x86_64",
    )
    assert [str(item.version) for item in releases] == [
        "0.10.0",
        "0.4.0",
        "0.2.0",
    ]  # numeric, not text order
    assert releases[0].asset.url == "https://releases.example.org/autoglm/app.tar.gz"
    assert releases[1].asset.url == "https://mirror.example.org/x.tar.gz"
    assert releases[0].asset.sha256 == "ab" * 32


def test_newer_release_and_downgrade():
    releases = parse_feed(
        feed(release("0.2.0"), release("0.1.0")), FEED_URL, platform_name="linux-x86_64"
    )
    assert newer_release(releases, "0.1.0") is releases[0]
    assert newer_release(releases, "0.2.0") is None
    assert newer_release(releases, "0.3.0") is None
    assert newer_release([], "0.1.0") is None
    refuse_downgrade(releases[0], "0.1.0")
    with pytest.raises(UpdateError, match="not newer"):
        refuse_downgrade(releases[1], "0.1.0")
    with pytest.raises(UpdateError, match="not newer"):
        refuse_downgrade(releases[0], "0.2.0")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"\xff\xfe", "not readable JSON"),
        (b"[]", "not in a format"),
        (json.dumps({"format": 2, "releases": []}).encode(), "not in a format"),
        (feed(release("not a version")), "not a version number"),
        (feed({"version": "0.2.0", "assets": {"linux-x86_64": {"url": "a"}}}), "incomplete"),
    ],
)
def test_bad_feeds_are_one_sentence(body, message):
    with pytest.raises(UpdateError, match=message):
        parse_feed(body, FEED_URL, platform_name="linux-x86_64")


def test_signature_checks_the_exact_bytes_and_the_key():
    key = Ed25519PrivateKey.generate()
    public = base64.b64encode(
        key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    ).decode()
    body = feed(release("0.2.0"))
    signature = base64.b64encode(key.sign(body))
    verify_signature(body, signature + b"\n", public)
    with pytest.raises(UpdateError, match="signature does not match"):
        verify_signature(body + b" ", signature, public)
    with pytest.raises(UpdateError, match="signature does not match"):
        verify_signature(body, b"not base64!", public)
    with pytest.raises(UpdateError, match="not a valid ed25519 public key"):
        verify_signature(body, signature, "c2hvcnQ=")
