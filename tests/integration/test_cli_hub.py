"""``autoglm models search`` and ``models download`` against a hub on 127.0.0.1, as real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hub_http_server import serving_hub
from modelscope_http_server import serving_modelscope


def autoglm(*args: str, home: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "AUTOGLM_HOME": str(home)}
    env.pop("HF_ENDPOINT", None)
    env.pop("MODELSCOPE_ENDPOINT", None)
    return subprocess.run(
        [sys.executable, "-m", "autoglm", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def test_search_list_and_download_the_catalog_model(tmp_path: Path, glm_standin) -> None:
    repos = {
        "mradermacher/AutoGLM-Phone-9B-GGUF": {
            "AutoGLM-Phone-9B.Q4_K_M.gguf": glm_standin.model.read_bytes(),
            "AutoGLM-Phone-9B.mmproj-f16.gguf": glm_standin.mmproj.read_bytes(),
        }
    }
    home = tmp_path / "home"
    with serving_hub(repos) as hub:
        found = autoglm("models", "search", "autoglm", "--endpoint", hub.endpoint, home=home)
        assert found.returncode == 0 and "mradermacher/AutoGLM-Phone-9B-GGUF" in found.stdout, (
            found.stderr
        )
        listed = autoglm(
            "models",
            "search",
            "mradermacher/AutoGLM-Phone-9B-GGUF",
            "--endpoint",
            hub.endpoint,
            home=home,
        )
        assert (
            "Q4_K_M" in listed.stdout and "Fits" in listed.stdout and "projector" in listed.stdout
        )
        got = autoglm(
            "models", "download", "autoglm-phone-9b", "--endpoint", hub.endpoint, home=home
        )
        assert got.returncode == 0, got.stderr
        assert "Downloaded and verified as autoglm-phone-9b" in got.stdout
        # the first catalog source (ggml-org) is not on this hub: the next one was used
        assert any("/api/models/ggml-org/" in path for _, path, _ in hub.state.requests)
    verify = autoglm("models", "verify", "autoglm-phone-9b", home=home)
    assert "it is not this model" in verify.stderr  # the stand-in is far smaller than the real file
    again = autoglm(
        "models", "download", "nobody/none", "--endpoint", "http://127.0.0.1:9", home=home
    )
    assert (
        again.returncode != 0
        and "cannot be reached" in again.stderr
        and "Traceback" not in again.stderr
    )


def test_download_a_repository_file_by_name(tmp_path: Path, glm_standin) -> None:
    repos = {"someone/Tiny-GLM-GGUF": {"tiny-Q4_K_M.gguf": glm_standin.model.read_bytes()}}
    home = tmp_path / "home"
    with serving_hub(repos) as hub:
        missing = autoglm(
            "models",
            "download",
            "someone/Tiny-GLM-GGUF:other.gguf",
            "--endpoint",
            hub.endpoint,
            home=home,
        )
        assert (
            missing.returncode != 0
            and "has no file other.gguf; it has tiny-Q4_K_M.gguf" in missing.stderr
        )
        got = autoglm(
            "models",
            "download",
            "someone/Tiny-GLM-GGUF:tiny-Q4_K_M.gguf",
            "--endpoint",
            hub.endpoint,
            home=home,
        )
        assert got.returncode == 0, got.stderr
    model_id = got.stdout.split("verified as ")[1].split(":")[0]
    verify = autoglm("models", "verify", model_id, home=home)
    assert verify.returncode == 0 and "imported, readable GGUF (glm4, Q4_K_M" in verify.stdout


def test_modelscope_is_a_second_source_for_search_and_download(tmp_path: Path, glm_standin) -> None:
    repos = {
        "mradermacher/AutoGLM-Phone-9B-GGUF": {
            "AutoGLM-Phone-9B.Q4_K_M.gguf": glm_standin.model.read_bytes(),
            "AutoGLM-Phone-9B.mmproj-f16.gguf": glm_standin.mmproj.read_bytes(),
        }
    }
    home = tmp_path / "home"
    with serving_modelscope(repos) as scope:
        found = autoglm(
            "models",
            "search",
            "AutoGLM",
            "--source",
            "modelscope",
            "--endpoint",
            scope.endpoint,
            home=home,
        )
        assert found.returncode == 0 and "mradermacher/AutoGLM-Phone-9B-GGUF" in found.stdout, (
            found.stderr
        )
        got = autoglm(
            "models",
            "download",
            "autoglm-phone-9b",
            "--source",
            "modelscope",
            "--endpoint",
            scope.endpoint,
            home=home,
        )
        assert got.returncode == 0, got.stderr
        assert "Downloaded and verified as autoglm-phone-9b" in got.stdout
        assert any(
            "FilePath=AutoGLM-Phone-9B.Q4_K_M.gguf" in path for _, path, _ in scope.state.requests
        )
        scope.state.wrong_sha.add("other-Q4_K_M.gguf")
        scope.state.repos["someone/Other-GGUF"] = {
            "other-Q4_K_M.gguf": glm_standin.model.read_bytes()
        }
        bad = autoglm(
            "models",
            "download",
            "someone/Other-GGUF",
            "--source",
            "modelscope",
            "--endpoint",
            scope.endpoint,
            home=home,
        )
        assert (
            bad.returncode != 0
            and "published checksum" in bad.stderr
            and "Traceback" not in bad.stderr
        )
        endpoint = scope.endpoint
    gone = autoglm(
        "models",
        "download",
        "someone/Other-GGUF",
        "--source",
        "modelscope",
        "--endpoint",
        endpoint,
        home=home,
    )
    assert gone.returncode != 0 and "ModelScope" in gone.stderr and "Traceback" not in gone.stderr
    assert (
        autoglm("models", "verify", "autoglm-phone-9b", home=home).returncode != 0
    )  # a stand-in, not the model
