"""Write a release's signed update feed: ``feed.json`` and ``feed.json.sig``.

    python packaging/sign_update.py new-key KEY_FILE
        make a release key: the private half into KEY_FILE (keep it secret; the release
        workflow reads it from the UPDATE_SIGNING_KEY secret), the public half printed
    python packaging/sign_update.py feed --version 0.2.0 --key KEY_FILE --out DIR \\
        [--notes TEXT] [--previous OLD_FEED.json] linux-x86_64=ARCHIVE macos-arm64=ARCHIVE …
        write DIR/feed.json (this release first, then the releases of OLD_FEED) and its
        signature; archive URLs are the archives' file names, relative to the feed
    python packaging/sign_update.py release-config --feed-url URL --key KEY_FILE
        write resources/update.json, which the bundle carries: the feed and the public key
        the app trusts (run by the release workflow before the build)

The key file holds the raw 32-byte ed25519 private key, base64.
"""

# ruff: noqa: T201 - a command-line tool: it reports on stdout
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = Path(__file__).resolve().parent.parent
FEED_FORMAT = 1


def load_key(path: Path) -> Ed25519PrivateKey:
    """The private key in ``path`` (base64 of its 32 raw bytes)."""
    return Ed25519PrivateKey.from_private_bytes(
        base64.b64decode(path.read_text(encoding="ascii").strip())
    )


def public_key_text(key: Ed25519PrivateKey) -> str:
    """The public half, base64 of its 32 raw bytes, as the app's settings and ``update.json`` take it."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def new_key(path: Path) -> str:
    """Write a new private key to ``path`` (mode 600) and return its public half."""
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    path.write_text(base64.b64encode(raw).decode("ascii") + "\n", encoding="ascii")
    path.chmod(0o600)
    return public_key_text(key)


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()  # the release job runs Python 3.11


def write_feed(
    version: str,
    archives: dict[str, Path],
    key: Ed25519PrivateKey,
    out: Path,
    notes: str = "",
    previous: Path | None = None,
) -> Path:
    """``out/feed.json`` naming ``archives`` (by platform) for ``version``, signed into ``feed.json.sig``."""
    releases = []
    if previous is not None:
        releases = [
            item
            for item in json.loads(previous.read_text(encoding="utf-8")).get("releases", [])
            if item.get("version") != version
        ]
    assets = {
        platform: {"url": archive.name, "size": archive.stat().st_size, "sha256": _sha256(archive)}
        for platform, archive in archives.items()
    }
    release = {
        "version": version,
        "published": date.today().isoformat(),
        "notes": notes,
        "assets": assets,
    }
    feed = json.dumps({"format": FEED_FORMAT, "releases": [release, *releases]}, indent=2).encode(
        "utf-8"
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "feed.json").write_bytes(feed)
    (out / "feed.json.sig").write_text(
        base64.b64encode(key.sign(feed)).decode("ascii") + "\n", encoding="ascii"
    )
    return out / "feed.json"


def main(argv: list[str] | None = None) -> int:
    """The command line above."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("new-key")
    make.add_argument("key_file", type=Path)
    feed = commands.add_parser("feed")
    feed.add_argument("--version", required=True)
    feed.add_argument("--key", type=Path, required=True)
    feed.add_argument("--out", type=Path, required=True)
    feed.add_argument("--notes", default="")
    feed.add_argument("--previous", type=Path)
    feed.add_argument("archives", nargs="+", metavar="PLATFORM=ARCHIVE")
    config = commands.add_parser("release-config")
    config.add_argument("--feed-url", required=True)
    config.add_argument("--key", type=Path, required=True)
    config.add_argument("--out", type=Path, default=ROOT / "resources" / "update.json")
    args = parser.parse_args(argv)
    if args.command == "new-key":
        print(new_key(args.key_file))
        return 0
    key = load_key(args.key)
    if args.command == "release-config":
        args.out.write_text(
            json.dumps({"feed_url": args.feed_url, "public_key": public_key_text(key)}, indent=2),
            encoding="utf-8",
        )
        print(args.out)
        return 0
    archives = {}
    for item in args.archives:
        platform, _, archive = item.partition("=")
        if not archive or not Path(archive).is_file():
            parser.error(f"{item}: expected PLATFORM=ARCHIVE with an existing file")
        archives[platform] = Path(archive)
    print(write_feed(args.version, archives, key, args.out, args.notes, args.previous))
    return 0


if __name__ == "__main__":
    sys.exit(main())
