"""Updates end to end: a signed feed and archives on a real HTTP server on 127.0.0.1, the real
``autoglm update`` command, and an installed app folder that it replaces (or must not touch).

The archives hold an app folder whose ``autoglm`` is a small shell program answering
``--version`` and ``selftest`` as a bundle does, so each case runs in well under a second;
the feed is made and signed by the release tool itself (``packaging/sign_update.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autoglm.core.update_feed import UpdateError
from autoglm.core.update_install import (
    UpdateSource,
    apply_update,
    check_for_update,
    download_release,
    previous_dir,
    rollback,
)
from autoglm.core.update_origin import read_origin
from fixtures.updates import publish, sign_update

ROOT = Path(__file__).resolve().parents[2]
CURRENT = "0.1.0"


def run_update(*args: str, public_key: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AUTOGLM_UPDATES__PUBLIC_KEY": public_key, "PYTHONPATH": str(ROOT / "app")}
    return subprocess.run(
        [sys.executable, "-m", "autoglm", "update", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_check_says_up_to_date_then_offers_the_newer_version(update_server, release_key):
    key_file, public = release_key
    feed = publish(update_server, key_file, CURRENT)
    result = run_update("--check", "--feed", feed, public_key=public)
    assert result.returncode == 0, result.stderr
    assert f"{CURRENT} is up to date" in result.stdout

    publish(update_server, key_file, "0.2.0")
    result = run_update("--check", "--feed", feed, public_key=public)
    assert result.returncode == 0, result.stderr
    assert "Version 0.2.0 is available" in result.stdout
    assert "What is new in 0.2.0." in result.stdout


def test_apply_swaps_in_the_new_version_and_keeps_the_old_one(
    update_server, release_key, installed_app
):
    key_file, public = release_key
    feed = publish(update_server, key_file, "0.2.0")
    result = run_update(
        "--apply", "--feed", feed, "--install-dir", str(installed_app), public_key=public
    )
    assert result.returncode == 0, result.stderr
    assert "Installed version 0.2.0" in result.stdout
    assert (installed_app / "VERSION").read_text() == "0.2.0"
    assert (previous_dir(installed_app) / "VERSION").read_text() == CURRENT
    origin = read_origin(installed_app)
    assert origin is not None and origin["version"] == "0.2.0" and origin["feed_url"] == feed
    assert origin["replaced"] == CURRENT
    assert not list(installed_app.parent.glob(".*staged*")), "the staging folder is cleaned up"

    result = run_update("--rollback", "--install-dir", str(installed_app), public_key=public)
    assert result.returncode == 0, result.stderr
    assert (installed_app / "VERSION").read_text() == CURRENT
    assert (previous_dir(installed_app) / "VERSION").read_text() == "0.2.0"


def _assert_untouched(installed_app: Path) -> None:
    assert (installed_app / "VERSION").read_text() == CURRENT
    assert not previous_dir(installed_app).exists()
    assert sorted(path.name for path in installed_app.parent.iterdir()) == [installed_app.name]


def test_a_tampered_archive_is_refused_and_deleted(
    update_server, release_key, installed_app, autoglm_home
):
    key_file, public = release_key
    feed = publish(update_server, key_file, "0.2.0")
    archive = next(update_server[0].glob("*.tar.gz"))
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, one byte changed
    archive.write_bytes(bytes(data))
    result = run_update(
        "--apply", "--feed", feed, "--install-dir", str(installed_app), public_key=public
    )
    assert result.returncode == 1
    assert "does not match its signed checksum" in result.stderr
    assert "Traceback" not in result.stderr
    _assert_untouched(installed_app)
    assert not list(autoglm_home.rglob("*.tar.gz")), "the tampered download is deleted"


def test_a_tampered_feed_or_a_foreign_key_is_refused(update_server, release_key, installed_app):
    key_file, public = release_key
    feed = publish(update_server, key_file, "0.2.0")
    feed_file = update_server[0] / "feed.json"
    feed_file.write_text(feed_file.read_text().replace("What is new", "What is NEW"))
    result = run_update(
        "--apply", "--feed", feed, "--install-dir", str(installed_app), public_key=public
    )
    assert result.returncode == 1
    assert "signature does not match" in result.stderr
    _assert_untouched(installed_app)

    publish(update_server, key_file, "0.2.0")  # signed again, but the app trusts another key
    other_public = sign_update.new_key(key_file.with_name("other.key"))
    result = run_update("--check", "--feed", feed, public_key=other_public)
    assert result.returncode == 1 and "signature does not match" in result.stderr


def test_a_truncated_archive_is_refused(update_server, release_key, installed_app):
    key_file, public = release_key
    feed = publish(update_server, key_file, "0.2.0")
    archive = next(update_server[0].glob("*.tar.gz"))
    archive.write_bytes(archive.read_bytes()[:-100])
    result = run_update(
        "--apply", "--feed", feed, "--install-dir", str(installed_app), public_key=public
    )
    assert result.returncode == 1
    assert (
        "download of version 0.2.0 is truncated" in result.stderr
        and "Traceback" not in result.stderr
    )
    _assert_untouched(installed_app)


def test_a_downgrade_is_refused(update_server, release_key, installed_app, tmp_path):
    key_file, public = release_key
    feed = publish(update_server, key_file, "0.0.9")
    result = run_update(
        "--apply", "--feed", feed, "--install-dir", str(installed_app), public_key=public
    )
    assert result.returncode == 0 and "is up to date" in result.stdout
    _assert_untouched(installed_app)

    # An older release handed to the installer directly (a replayed feed) is refused too.
    source = UpdateSource(feed, public)
    newest = check_for_update(source, current="0.0.1")
    assert newest is not None and str(newest.version) == "0.0.9"
    archive = download_release(newest, tmp_path / "cache")
    with pytest.raises(UpdateError, match="not newer than the installed 0.1.0"):
        apply_update(newest, archive, installed_app, source, current=CURRENT)
    _assert_untouched(installed_app)


def test_a_new_version_that_fails_its_selftest_is_not_installed(
    update_server, release_key, installed_app
):
    key_file, public = release_key
    feed = publish(update_server, key_file, "0.2.0", selftest_passes=False)
    result = run_update(
        "--apply", "--feed", feed, "--install-dir", str(installed_app), public_key=public
    )
    assert result.returncode == 1
    assert (
        "did not pass its self-test" in result.stderr and "whisper heard nothing" in result.stderr
    )
    _assert_untouched(installed_app)


def test_a_feed_that_is_gone_or_unset_is_one_sentence(update_server, release_key, installed_app):
    _key_file, public = release_key
    result = run_update(
        "--check", "--feed", f"{update_server[1]}/missing/feed.json", public_key=public
    )
    assert result.returncode == 1 and "answered HTTP 404" in result.stderr
    result = run_update("--check", "--feed", "http://127.0.0.1:9/feed.json", public_key=public)
    assert result.returncode == 1 and "could not be reached" in result.stderr
    result = run_update("--check", public_key=public)
    assert result.returncode == 1 and "No update feed is set" in result.stderr
    with pytest.raises(UpdateError, match="no earlier version"):
        rollback(installed_app)


def test_release_config_names_the_feed_and_key_the_bundle_trusts(tmp_path, release_key):
    key_file, public = release_key
    out = tmp_path / "update.json"
    assert (
        sign_update.main(
            [
                "release-config",
                "--feed-url",
                "https://example.org/feed.json",
                "--key",
                str(key_file),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert json.loads(out.read_text()) == {
        "feed_url": "https://example.org/feed.json",
        "public_key": public,
    }
