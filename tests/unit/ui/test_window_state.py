"""The window's remembered state is written off the caller's thread, in the order asked."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QSettings

from autoglm.ui.window_state import WindowState


def _read(path: Path, key: str) -> object:
    return QSettings(str(path), QSettings.Format.IniFormat).value(key)


def test_the_last_value_asked_for_is_the_one_on_disk(tmp_path: Path) -> None:
    state = WindowState(tmp_path / "window.ini")
    for number in range(1, 41):
        state.remember("last_conversation", number)
    state.flush()
    assert int(str(_read(tmp_path / "window.ini", "last_conversation"))) == 40


def test_writes_run_on_a_background_thread(tmp_path: Path) -> None:
    state = WindowState(tmp_path / "window.ini")
    threads: list[str] = []
    write = state._write

    def recorded(key: str, value: object) -> None:
        threads.append(threading.current_thread().name)
        write(key, value)

    state._write = recorded  # type: ignore[method-assign]
    state.remember("last_conversation", 7)
    state.flush()
    assert threads and all(name.startswith("autoglm-state") for name in threads)
    assert threading.current_thread().name not in threads


def test_reading_waits_for_the_writes_asked_for(tmp_path: Path) -> None:
    state = WindowState(tmp_path / "window.ini")
    state.remember("last_conversation", 12)
    assert int(str(state.settings().value("last_conversation"))) == 12
    state.remember("last_conversation", 13)  # a new writer after the flush
    state.flush()
    assert int(str(_read(tmp_path / "window.ini", "last_conversation"))) == 13
