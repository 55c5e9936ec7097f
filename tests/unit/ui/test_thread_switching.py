"""A thread holding the GIL hands it over after 0.5 ms once the window is made."""

from __future__ import annotations

import sys

from autoglm.ui.thread_switching import SWITCH_INTERVAL_S, hand_over_the_gil_quickly


def test_the_switch_interval_is_set() -> None:
    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)
        hand_over_the_gil_quickly()
        assert sys.getswitchinterval() == SWITCH_INTERVAL_S
        assert SWITCH_INTERVAL_S < 0.005  # Python's default lets a holder keep it ten times longer
    finally:
        sys.setswitchinterval(before)
