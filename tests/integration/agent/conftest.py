"""Fixtures for the agent's command-line tests: the test projector for the starter model."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # fixtures

import fixtures.adb
import fixtures.projector

projector_gguf = fixtures.projector.projector_gguf
private_adb_server = fixtures.adb.private_adb_server
