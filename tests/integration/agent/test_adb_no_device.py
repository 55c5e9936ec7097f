"""The real ADB server with no phone attached: one clear sentence, from the library and from the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from autoglm.agent.adb import NO_DEVICE, connect_adb
from autoglm.core.errors import DeviceError


def test_no_device_connected_is_told_in_words(private_adb_server: str) -> None:
    with pytest.raises(DeviceError) as raised:
        connect_adb()
    assert str(raised.value) == NO_DEVICE
    assert raised.value.exit_code == 4


def test_act_on_adb_without_a_phone_exits_4_with_the_message(
    private_adb_server: str, tmp_path: Path
) -> None:
    replies = tmp_path / "replies.json"
    replies.write_text('["finish(message=\\"x\\")"]', encoding="utf-8")
    env = {**os.environ, "AUTOGLM_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-m", "autoglm", "act", "--replay", str(replies), "--device", "adb"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 4, done.stderr
    assert done.stderr.strip() == f"autoglm: {NO_DEVICE}"
    assert "Traceback" not in done.stderr
