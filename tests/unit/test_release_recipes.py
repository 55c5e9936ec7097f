"""The release recipes say what the hosted builds rely on: checked here, since those builds cannot run here."""

from __future__ import annotations

import plistlib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = yaml.safe_load(
    (ROOT / ".github" / "workflows" / "installers.yml").read_text(encoding="utf-8")
)
STEPS = WORKFLOW["jobs"]["build"]["steps"]


def _step(name_start: str) -> dict:
    return next(step for step in STEPS if str(step.get("name", "")).startswith(name_start))


def test_macos_minimum_matches_the_deployment_target_and_every_permission_is_explained():
    info = plistlib.loads((ROOT / "packaging" / "macos" / "Info.plist").read_bytes())
    install = _step("Install the app")
    assert info["LSMinimumSystemVersion"] == install["env"]["MACOSX_DEPLOYMENT_TARGET"] == "14.0"
    for key in (
        "NSMicrophoneUsageDescription",
        "NSCameraUsageDescription",
        "NSScreenCaptureUsageDescription",
        "NSAppleEventsUsageDescription",
    ):
        assert len(info[key]) > 40, key


def test_the_cuda_leg_loads_the_driver_lazily_for_listed_gpus_and_is_checked_after_the_build():
    cmake_args = _step("Install the app")["env"]["CMAKE_ARGS"]
    assert (
        "-DGGML_CUDA_NO_VMM=ON" in cmake_args
        and "-DCMAKE_CUDA_ARCHITECTURES=61;70;75;80;86;89;90" in cmake_args
    )
    assert "native" not in cmake_args
    assert "thrust" in _step("CUDA toolkit")["with"]["sub-packages"]
    check = _step("The llama.cpp build has the backend")
    assert (
        "ggml-cuda" in check["run"] and "ggml-metal" in check["run"] and "sys.exit" in check["run"]
    )


def test_pull_requests_that_change_the_app_build_the_installers_and_the_cache_names_the_flavour():
    triggers = WORKFLOW.get("on") or WORKFLOW[True]  # YAML 1.1 reads a bare `on` as true
    paths = triggers["pull_request"]["paths"]
    assert {"app/**", "pyproject.toml", "packaging/**"} <= set(paths)
    cache = next(step for step in STEPS if str(step.get("uses", "")).startswith("actions/cache"))
    assert "cuda" in cache["with"]["key"] and "hashFiles('pyproject.toml')" in cache["with"]["key"]
