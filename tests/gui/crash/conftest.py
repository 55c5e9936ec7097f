"""Fixtures for killing the real app: the session's Xvfb display."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/fixtures

import fixtures.xvfb

xvfb_display = fixtures.xvfb.xvfb_display  # the X server, shared with the capture and agent tests
