"""The release recipes say what the hosted builds rely on: checked here, since those builds cannot run here."""

from __future__ import annotations

import plistlib
import shlex
import time
from pathlib import Path
from types import SimpleNamespace

import yaml

from autoglm.core.update_install import SILENT_INSTALLER_FLAGS

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = yaml.safe_load(
    (ROOT / ".github" / "workflows" / "installers.yml").read_text(encoding="utf-8")
)
STEPS = WORKFLOW["jobs"]["build"]["steps"]
README = (ROOT / "packaging" / "README.md").read_text(encoding="utf-8")


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
    assert {"app/**", "pyproject.toml", "packaging/**", ".github/workflows/installers.yml"} <= set(
        paths
    )
    cache = next(step for step in STEPS if str(step.get("uses", "")).startswith("actions/cache"))
    key = cache["with"]["key"]
    # The flavour, and the files holding the dependencies and the build flags.
    assert (
        "cuda" in key and "hashFiles('pyproject.toml', '.github/workflows/installers.yml')" in key
    )


# -- each leg installs its installer, then self-tests the installed copy -------------------

FAIL_LOUD_BASH = "set -euo pipefail"
FAIL_LOUD_PWSH = "$ErrorActionPreference = 'Stop'"
LEGS = [("Linux", False), ("macOS", False), ("Windows", False), ("Windows", True)]


def _github_expression(text: str, runner_os: str, cuda: bool) -> object:
    """A ``${{ … }}`` of ``runner.os``/``inputs.cuda``, ``==``, ``&&``, ``||`` and quoted words.

    GitHub's ``&&``/``||`` return an operand, as Python's ``and``/``or`` do, so the
    expression is read by Python after swapping the operators: what each leg really gets.
    """
    body = text.strip()
    assert body.startswith("${{") and body.endswith("}}"), text
    python = body[3:-2].replace("&&", " and ").replace("||", " or ")
    names = {"runner": SimpleNamespace(os=runner_os), "inputs": SimpleNamespace(cuda=cuda)}
    return eval(python, {"__builtins__": {}}, names)


def _steps_between(first: str, last: str) -> list[dict]:
    names = [str(step.get("name", "")) for step in STEPS]
    start = next(i for i, name in enumerate(names) if name.startswith(first))
    end = next(i for i, name in enumerate(names) if name.startswith(last))
    return STEPS[start : end + 1]


def test_every_install_and_self_test_step_stops_at_its_first_failing_command():
    checked = _steps_between("Virtual sound device", "Launch the installed copy")
    assert len(checked) == 7
    for step in checked:
        first_line = step["run"].strip().splitlines()[0]
        expected = FAIL_LOUD_PWSH if step.get("shell") == "pwsh" else FAIL_LOUD_BASH
        assert first_line == expected, step["name"]


def test_each_os_installs_the_way_a_person_would_before_the_build_folder_is_moved_away():
    linux = _step("Install the tarball")
    macos = _step("Install from the attached .dmg")
    windows = _step("Install silently")
    assert (linux["if"], macos["if"], windows["if"]) == (
        "runner.os == 'Linux'",
        "runner.os == 'macOS'",
        "runner.os == 'Windows'",
    )
    assert "tar -xzf" in linux["run"] and 'PREFIX="$prefix" sh' in linux["run"]
    assert "install.sh" in linux["run"] and 'prefix="$RUNNER_TEMP/prefix"' in linux["run"]
    run = macos["run"]
    attach, copy, detach = (
        run.index(word) for word in ("hdiutil attach", "ditto", "hdiutil detach")
    )
    assert attach < copy < detach and "-mountpoint" in run and '"$RUNNER_TEMP/Applications"' in run
    assert windows["shell"] == "pwsh"
    for flag in (*SILENT_INSTALLER_FLAGS, '/DIR=`"$dir`"'):
        assert f"'{flag}'" in windows["run"] or f'"{flag}"' in windows["run"], flag
    for step in (linux, macos, windows):
        assert "INSTALLED_EXE=" in step["run"] and "GITHUB_ENV" in step["run"], step["name"]
        assert "RUNNER_TEMP" in step["run"] and "dist/" not in step["run"].split("INSTALLED")[1]
    names = [str(step.get("name", "")) for step in STEPS]
    moved = names.index("Move the build folder out of reach")
    launch = names.index("Launch the installed copy and run its self-test")
    assert max(names.index(step["name"]) for step in (linux, macos, windows)) < moved < launch
    assert 'mv "$(ls -d "$PWD"/dist/AutoGLM-Desktop-*-"$VARIANT")"' in STEPS[moved]["run"]


def test_a_windows_reinstall_proves_that_install_delete_removed_the_old_files():
    run = _step("Install silently")["run"]
    assert run.count("Install-Silently (") == 2
    assert "_internal\\stale-from-an-older-version.dll" in run and "if (Test-Path $stale)" in run


def test_the_launch_runs_the_installed_copy_with_each_legs_self_test_flags():
    from autoglm.cli import build_parser

    launch = _step("Launch the installed copy")
    run = launch["run"]
    assert "exe=$INSTALLED_EXE dir=$INSTALLED_DIR" in run and "dist/AutoGLM" not in run
    assert "the self-test would run the build folder" in run
    command = next(line.strip() for line in run.splitlines() if '"$exe" selftest' in line)
    expected = {
        ("Linux", False): ("none", False),
        ("macOS", False): ("metal", False),
        ("Windows", False): ("none", True),
        ("Windows", True): ("cuda", True),
    }
    for runner_os, cuda in LEGS:
        env = {
            key: str(_github_expression(launch["env"][key], runner_os, cuda))
            for key in ("EXPECT_GPU", "AUDIO_FLAGS")
        }
        line = command.split(" 2>&1")[0].replace("$AUDIO_FLAGS", env["AUDIO_FLAGS"])
        argv = shlex.split(line.replace('"$EXPECT_GPU"', env["EXPECT_GPU"]))[1:]
        args = build_parser().parse_args(argv)
        assert args.command == "selftest" and args.window and args.audio, argv
        assert (args.expect_gpu, args.allow_no_audio) == expected[(runner_os, cuda)], argv
    assert "find \"$dir\" -iname '*ggml-cuda*'" in run  # the CUDA leg has the library installed
    assert launch["timeout-minutes"] <= 30


def test_the_lines_the_launch_checks_are_the_ones_the_readme_promises():
    run = _step("Launch the installed copy")["run"]
    section = README.split("## What the first hosted run must show")[1].split("\n## ")[0]
    for line in (
        "selftest: model ok (gpu: metal, ",
        "selftest: model ok (gpu: none)",
        "selftest: window ok (",
        "selftest: audio ok (device ",
        "selftest passed in ",
    ):
        assert line in run, line
        assert line.strip() in section, line
    for leg_line in ("backend: metal ok", "backend: cpu ok", "selftest: audio skipped ("):
        assert leg_line in section, leg_line


def test_the_inno_script_deletes_the_old_program_files_before_copying_the_new_ones():
    sections = _inno_sections((ROOT / "packaging" / "windows" / "autoglm.iss").read_text("utf-8"))
    order = list(sections)
    assert order.index("InstallDelete") < order.index("Files")
    assert 'Type: filesandordirs; Name: "{app}\\_internal"' in sections["InstallDelete"]


def _inno_sections(text: str) -> dict[str, list[str]]:
    """Inno Setup's ``[Section]`` blocks, their lines without comments, in file order."""
    sections: dict[str, list[str]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        elif current is not None:
            current.append(line)
    return sections


def test_the_windows_updater_starts_the_installer_with_the_flags_ci_installs_with(tmp_path):
    """``run_installer`` really passes them: a stand-in installer writes down its arguments."""
    import sys

    from autoglm.core.update_install import run_installer

    argv_file = tmp_path / "argv.txt"
    installer = tmp_path / "setup"
    installer.write_text(
        f"#!{sys.executable}\nimport sys, pathlib\n"
        f"pathlib.Path({str(argv_file)!r}).write_text('\\n'.join(sys.argv[1:]))\n"
    )
    installer.chmod(0o755)
    run_installer(installer)
    deadline = time.monotonic() + 30
    while not argv_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    passed = argv_file.read_text().splitlines()
    assert passed[: len(SILENT_INSTALLER_FLAGS)] == list(SILENT_INSTALLER_FLAGS)
    assert "/CLOSEAPPLICATIONS" in passed


def test_linux_and_windows_cpu_bundles_carry_llama_cpp_for_every_cpu():
    """Only macOS (Metal) and the CUDA leg may bundle the venv's one-machine build."""
    build = _step("Build the")
    assert "packaging/build.py" in build["run"] and "$LLAMA_BUILD" in build["run"]
    native_when = build["env"]["LLAMA_BUILD"]
    assert "--native-llama" in native_when
    assert "runner.os == 'macOS'" in native_when and "inputs.cuda" in native_when
    recipe = (ROOT / "packaging" / "portable_llama.py").read_text(encoding="utf-8")
    assert (
        'PORTABLE_FLAGS = ("-DGGML_BACKEND_DL=ON", "-DGGML_CPU_ALL_VARIANTS=ON", "-DGGML_NATIVE=OFF")'
        in recipe
    )


def test_macos_signing_runs_only_with_its_secrets_and_says_when_it_was_skipped(tmp_path):
    """Signing comes before the build (PyInstaller signs), notarising after it, before the install."""
    import subprocess

    names = [str(step.get("name", "")) for step in STEPS]
    signing = names.index("Signing identity (macOS, with the signing secrets)")
    notarise = names.index("Sign and notarise the .dmg (macOS, signed builds)")
    build = next(i for i, name in enumerate(names) if name.startswith("Build the"))
    install = next(i for i, name in enumerate(names) if name.startswith("Install from the"))
    assert signing < build < notarise < install
    step = STEPS[notarise]
    assert step["if"] == "runner.os == 'macOS' && env.CODESIGN_IDENTITY != ''"
    for command in ("notarytool submit", "stapler staple", "spctl --assess", "--strict"):
        assert command in step["run"], command
    # Without the secrets the identity step writes no identity, says why, and passes.
    summary, env_file = tmp_path / "summary.md", tmp_path / "env"
    result = subprocess.run(
        ["bash", "-c", STEPS[signing]["run"]],
        env={
            "PATH": "/usr/bin:/bin",
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_ENV": str(env_file),
            "MACOS_CERTIFICATE_P12": "",
            "MACOS_CODESIGN_IDENTITY": "",
        },
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "::warning::macOS signing skipped" in result.stdout
    assert "**skipped**" in summary.read_text(encoding="utf-8")
    assert not env_file.exists()
    assert "Signing (macOS)" in README and "MACOS_CODESIGN_IDENTITY" in README
