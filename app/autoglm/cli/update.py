"""``autoglm update``: look for a new version, install it (keeping the old one), or go back.

``--check`` prints the newer version and its notes (exit 0) or "up to date"; ``--apply``
downloads, verifies, proves and swaps in the new version; ``--rollback`` returns to the
version the last update replaced. Only a packaged install can be updated: from a source
checkout, ``--apply`` says so unless ``--install-dir`` names a packaged folder.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from autoglm import __version__


def register(subparsers: Any) -> None:
    """Add ``update`` to the command line."""
    parser = subparsers.add_parser(
        "update",
        help="Check for a new version of AutoGLM Desktop and install it",
        description="Read the signed release feed; with --apply, download the new version, check its "
        "signature and self-test, and swap it in (the old version is kept for --rollback).",
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--check", action="store_true", help="Say whether a newer version exists")
    action.add_argument(
        "--apply", action="store_true", help="Download and install the newer version"
    )
    action.add_argument(
        "--rollback", action="store_true", help="Go back to the version the last update replaced"
    )
    parser.add_argument(
        "--feed", default="", metavar="URL", help="Release feed (default: Settings → Updates)"
    )
    parser.add_argument(
        "--install-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="The installed app folder to update (default: the one running)",
    )
    parser.set_defaults(handler=run)


def _progress(done: int, total: int | None, _rate: float) -> None:
    if total:
        print(f"\r  {done * 100 // total:3d}% of {total / 1e6:.1f} MB", end="", flush=True)


def run(args: argparse.Namespace) -> int:
    """Check, apply or roll back; every failure is one sentence (exit 1)."""
    from autoglm.core.paths import app_paths
    from autoglm.core.settings import load_settings
    from autoglm.core.update_feed import UpdateError
    from autoglm.core.update_install import (
        apply_update,
        check_for_update,
        download_release,
        resolve_source,
        rollback,
        run_installer,
    )
    from autoglm.core.update_origin import install_root

    root = args.install_dir.resolve() if args.install_dir else install_root()
    if args.rollback:
        if root is None:
            raise UpdateError(
                "This copy runs from source, so there is no installed version to go back from."
            )
        rollback(root)
        print(f"Went back to the version before the last update in {root}.")
        return 0
    settings = load_settings().updates
    source = resolve_source(args.feed or settings.feed_url, settings.public_key)
    release = check_for_update(source)
    if release is None:
        print(f"AutoGLM Desktop {__version__} is up to date.")
        return 0
    print(
        f"Version {release.version} is available (this is {__version__})."
        + (f"\n{release.notes}" if release.notes else "")
    )
    if args.check:
        return 0
    is_installer = release.asset.url.endswith(".exe")
    if root is None and not is_installer:
        raise UpdateError(
            "This copy runs from source; update it with git or pip, or pass --install-dir "
            "with the folder of an installed AutoGLM Desktop."
        )
    archive = download_release(release, app_paths().ensure().cache_dir, progress=_progress)
    print()
    if is_installer or root is None:
        run_installer(archive)
        print(f"The installer of version {release.version} has started; it replaces this version.")
        return 0
    apply_update(release, archive, root, source, report=print)
    print(
        f"Installed version {release.version} in {root}; the previous one is kept for --rollback. "
        "Restart AutoGLM Desktop to use it."
    )
    return 0
