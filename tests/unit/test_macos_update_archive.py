"""The macOS update archive: the name build.py gives it, the feed key the release signs it
under and the layout ``autoglm update`` unpacks all agree (a mismatch would only show as
Macs that never see an update)."""

from __future__ import annotations

import fnmatch
import importlib.util
import platform
import re
import sys
from pathlib import Path

import pytest
import yaml

from autoglm.core import update_feed
from autoglm.core.update_install import app_executable, unpack

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
import sign_update  # noqa: E402 - the release tool, from packaging/

_spec = importlib.util.spec_from_file_location(
    "autoglm_build_recipe", ROOT / "packaging" / "build.py"
)
assert _spec is not None and _spec.loader is not None
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)


@pytest.fixture
def on_a_mac(monkeypatch: pytest.MonkeyPatch) -> None:
    """``sys.platform`` and the machine of an Apple Silicon Mac, for both name makers."""
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(platform, "machine", lambda: "arm64")


def _release_feed_globs() -> dict[str, str]:
    """``platform key → glob`` of the archives the release job puts in the feed."""
    workflow = yaml.safe_load(
        (ROOT / ".github" / "workflows" / "installers.yml").read_text(encoding="utf-8")
    )
    sign = next(
        step for step in workflow["jobs"]["release"]["steps"] if "feed" in str(step.get("name"))
    )
    loops = re.findall(
        r"for \w+ in (installers/\S+); do .*?assets=\"\$assets ([\w-]+)=", sign["run"]
    )
    return {key: glob for glob, key in loops}


def test_the_archive_is_named_for_the_feed_key_the_mac_asks_for(
    on_a_mac: None, tmp_path: Path
) -> None:
    archive = build.macos_update_archive(tmp_path, "lean")
    assert update_feed.platform_key() == "macos-arm64"
    assert archive.name == f"AutoGLM-Desktop-{build.app_version()}-macos-arm64-lean.app.tar.gz"
    assert " " not in archive.name  # GitHub would rename the asset, breaking its feed URL
    globs = _release_feed_globs()
    assert fnmatch.fnmatch(f"installers/{archive.name}", globs["macos-arm64"])
    assert not fnmatch.fnmatch(
        f"installers/{archive.name[: -len('.app.tar.gz')]}.dmg", globs["macos-arm64"]
    )


def test_the_archive_unpacks_to_the_app_the_updater_starts_and_is_listed_in_the_feed(
    on_a_mac: None, tmp_path: Path
) -> None:
    app = tmp_path / "dist" / "bundle" / "AutoGLM Desktop.app"
    executable = app / "Contents" / "MacOS" / "autoglm"
    executable.parent.mkdir(parents=True)
    executable.write_text("#!/bin/sh\necho 'AutoGLM Desktop 9.9.9'\n")
    executable.chmod(0o755)
    (app / "Contents" / "Frameworks").mkdir()
    (app / "Contents" / "Frameworks" / "Python").symlink_to("../MacOS/autoglm")
    archive = build.make_tarball(app, build.macos_update_archive(tmp_path / "dist", "lean"))

    installed = tmp_path / "Applications" / "AutoGLM Desktop.app"
    installed.mkdir(parents=True)
    staged = unpack(archive, installed)
    assert app_executable(staged) == staged / "Contents" / "MacOS" / "autoglm"
    assert (staged / "Contents" / "Frameworks" / "Python").is_symlink()  # links stay links

    key = sign_update.Ed25519PrivateKey.generate()
    feed = sign_update.write_feed("9.9.9", {"macos-arm64": archive}, key, tmp_path / "feed")
    releases = update_feed.parse_feed(feed.read_bytes(), "https://example.org/releases/feed.json")
    assert [release.asset.url for release in releases] == [
        f"https://example.org/releases/{archive.name}"
    ]
