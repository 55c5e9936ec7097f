"""Build AutoGLM Desktop's packaged app with PyInstaller, then wrap it for this platform.

    python packaging/build.py [--variant lean|full] [--format dir|tar|dmg|installer]

* Linux: ``dist/AutoGLM-Desktop-<version>-linux-<arch>-<variant>/`` (the one-folder
  bundle with ``install.sh``, the ``.desktop`` file and the icon) and, unless
  ``--format dir``, the same folder as a ``.tar.gz`` next to it. ``./install.sh`` inside it
  installs into ``~/.local``.
* macOS: ``AutoGLM Desktop.app`` in that folder and, unless ``--format dir``, a ``.dmg``
  (``packaging/macos/make_dmg.sh``) for people and ``<bundle>.app.tar.gz`` for the updater
  (one top-level ``AutoGLM Desktop.app``, which ``autoglm update`` unpacks and swaps in).
* Windows: the bundle folder and, unless ``--format dir``, an installer built by Inno
  Setup from ``packaging/windows/autoglm.iss``.

The default format is the platform's own: ``tar`` on Linux, ``dmg`` on macOS,
``installer`` on Windows.

``lean`` leaves the models out (the app assembles or downloads them later); ``full``
carries the starter models. The version comes from ``app/autoglm/__init__.py``.

llama.cpp goes in built for every CPU (``packaging/portable_llama.py``, in
``<work>/llama-portable``, reused between builds), never the venv's build for this machine:
``--llama-lib DIR`` bundles a folder built before, ``--cpu-variants`` builds only some
variants (tests), ``--native-llama`` bundles the venv's own build (runs only on CPUs like
this one). Whatever is bundled is checked; a one-machine build where a portable one was
asked for stops the build.
"""

# ruff: noqa: T201 - a command-line tool: it reports on stdout
from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "autoglm.spec"
EXECUTABLE = "autoglm"
DEFAULT_FORMAT = {"linux": "tar", "macos": "dmg", "windows": "installer"}


def app_version() -> str:
    """``__version__`` from ``app/autoglm/__init__.py`` (read, not imported)."""
    text = (ROOT / "app" / "autoglm" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*["\']([^"\']+)["\']', text, re.MULTILINE)
    if not match:
        raise SystemExit("app/autoglm/__init__.py has no __version__")
    return match.group(1)


def platform_tag() -> tuple[str, str]:
    """``(system, arch)`` as used in file names: ``linux``/``macos``/``windows``, ``x86_64``/``arm64``…"""
    system = {"darwin": "macos", "win32": "windows"}.get(sys.platform, "linux")
    machine = platform.machine().lower()
    arch = {"amd64": "x86_64", "x64": "x86_64", "aarch64": "arm64"}.get(
        machine, machine or "unknown"
    )
    return system, arch


def bundle_name(variant: str) -> str:
    """``AutoGLM-Desktop-<version>-<system>-<arch>-<variant>``."""
    system, arch = platform_tag()
    return f"AutoGLM-Desktop-{app_version()}-{system}-{arch}-{variant}"


def folder_size(path: Path) -> int:
    """Bytes in every regular file below ``path`` (links not followed)."""
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def make_icons(out: Path) -> Path:
    """Render ``resources/icons/app.svg`` to ``autoglm.png``, ``.ico`` and ``.icns`` in ``out``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - Qt needs one for painting
    out.mkdir(parents=True, exist_ok=True)
    image = QImage(1024, 1024, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(ROOT / "resources" / "icons" / "app.svg")).render(painter)
    painter.end()
    png = out / "autoglm.png"
    if not image.save(str(png)):
        raise SystemExit(f"could not write {png}")
    with Image.open(png) as picture:
        picture.save(out / "autoglm.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
        picture.save(out / "autoglm.icns")
    return out


def llama_libraries(args: argparse.Namespace, work: Path) -> Path | None:
    """The llama.cpp folder to bundle (``None``: the venv's own); stops on a one-machine build."""
    import portable_llama

    if args.native_llama:
        print("bundling the venv's llama.cpp: it runs only on processors like this one", flush=True)
        return None
    if args.llama_lib:
        lib_dir = args.llama_lib.resolve()
    else:
        variants = [v for v in args.cpu_variants.split(",") if v]
        lib_dir = portable_llama.make(work / "llama-portable", variants or None)
    chosen = portable_llama.check_portable(lib_dir)
    print(f"llama.cpp from {lib_dir}: CPU variants {', '.join(chosen)}", flush=True)
    return lib_dir


def run_pyinstaller(variant: str, work: Path, llama_lib: Path | None = None) -> Path:
    """Freeze the app; returns PyInstaller's output folder (``…/autoglm``)."""
    icons = make_icons(work / "icons")
    dist = work / "dist"
    if dist.exists():
        shutil.rmtree(dist)
    # The compiled translations are build output (not in the repository): make them first.
    subprocess.run([sys.executable, "-m", "autoglm.ui.translations"], check=True, cwd=ROOT)
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        str(SPEC),
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work / f"work-{variant}"),
        "--",
        "--variant",
        variant,
        "--name",
        EXECUTABLE,
        "--icons",
        str(icons),
    ]
    if llama_lib is not None:
        command += ["--llama-lib", str(llama_lib)]
    if os.environ.get("CODESIGN_IDENTITY"):  # macOS: sign with a Developer ID instead of ad hoc
        command += ["--codesign-identity", os.environ["CODESIGN_IDENTITY"]]
    print("$", " ".join(command), flush=True)
    # Run from the build folder so the repository's own ``packaging/`` folder cannot shadow
    # the ``packaging`` library PyInstaller imports.
    subprocess.run(command, check=True, cwd=work)
    return dist


def add_linux_extras(bundle: Path) -> None:
    """install.sh, the .desktop file, the icon and the licence beside the executable."""
    shutil.copy2(PACKAGING / "linux" / "install.sh", bundle / "install.sh")
    (bundle / "install.sh").chmod(0o755)
    shutil.copy2(ROOT / "resources" / "autoglm.desktop", bundle / "autoglm-desktop.desktop")
    shutil.copy2(ROOT / "resources" / "icons" / "app.svg", bundle / "autoglm-desktop.svg")
    shutil.copy2(ROOT / "LICENSE", bundle / "LICENSE")
    shutil.copy2(ROOT / "THIRD_PARTY.md", bundle / "THIRD_PARTY.md")


def make_tarball(bundle: Path, archive: Path | None = None) -> Path:
    """``archive`` (default ``<bundle>.tar.gz``) holding the bundle folder (links kept as links)."""
    archive = archive or bundle.with_name(bundle.name + ".tar.gz")
    partial = archive.with_name(archive.name + ".partial")
    with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=bundle.name)
    os.replace(partial, archive)
    return archive


def macos_update_archive(dist_dir: Path, variant: str) -> Path:
    """Where the macOS updater's archive goes: ``<bundle name>.app.tar.gz`` beside the ``.dmg``.

    The name has no spaces (GitHub turns them into dots in release assets, which would
    break the feed's relative URL) and carries ``macos-arm64``, the feed's platform key.
    """
    return dist_dir / f"{bundle_name(variant)}.app.tar.gz"


def package(
    variant: str, fmt: str, dist_dir: Path, work: Path, llama_lib: Path | None = None
) -> list[Path]:
    """Build the bundle (and its archive or installer); returns what was made."""
    frozen = run_pyinstaller(variant, work, llama_lib)
    name = bundle_name(variant)
    bundle = dist_dir / name
    if bundle.exists():
        shutil.rmtree(bundle)
    dist_dir.mkdir(parents=True, exist_ok=True)
    made = [bundle]
    system, _ = platform_tag()
    if system == "macos":
        bundle.mkdir()
        shutil.move(str(frozen / "AutoGLM Desktop.app"), bundle / "AutoGLM Desktop.app")
        if fmt != "dir":
            dmg = dist_dir / f"{name}.dmg"
            subprocess.run(
                [
                    "bash",
                    str(PACKAGING / "macos" / "make_dmg.sh"),
                    str(bundle / "AutoGLM Desktop.app"),
                    str(dmg),
                    app_version(),
                ],
                check=True,
            )
            made.append(dmg)
            made.append(
                make_tarball(
                    bundle / "AutoGLM Desktop.app", macos_update_archive(dist_dir, variant)
                )
            )
    elif system == "windows":
        shutil.move(str(frozen / EXECUTABLE), bundle)
        if fmt != "dir":
            iscc = shutil.which("iscc") or r"C:\Program Files (x86)\Inno Setup 6\ISCC.exe"
            subprocess.run(
                [
                    iscc,
                    f"/DAppVersion={app_version()}",
                    f"/DSourceDir={bundle}",
                    f"/DOutputDir={dist_dir}",
                    f"/DOutputName={name}-setup",
                    f"/DIconFile={work / 'icons' / 'autoglm.ico'}",
                    str(PACKAGING / "windows" / "autoglm.iss"),
                ],
                check=True,
            )
            made.append(dist_dir / f"{name}-setup.exe")
    else:
        shutil.move(str(frozen / EXECUTABLE), bundle)
        add_linux_extras(bundle)
        if fmt != "dir":
            made.append(make_tarball(bundle))
    return made


def main(argv: list[str] | None = None) -> int:
    """Parse the options, build, print what was made with sizes and the build time."""
    parser = argparse.ArgumentParser(
        description="Build the packaged AutoGLM Desktop app into dist/."
    )
    parser.add_argument(
        "--variant",
        choices=("lean", "full"),
        default="lean",
        help="lean: no models; full: with the starter models (default: lean)",
    )
    parser.add_argument(
        "--format",
        choices=(*DEFAULT_FORMAT.values(), "dir"),
        default=None,
        help="dir: the bundle folder only; tar/dmg/installer: also this platform's archive "
        "(default: the platform's own)",
    )
    parser.add_argument(
        "--dist", type=Path, default=ROOT / "dist", help="Output folder (default: dist/)"
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=ROOT / "build" / "pyinstaller",
        help="PyInstaller's work folder, reused between builds (default: build/pyinstaller)",
    )
    llama = parser.add_mutually_exclusive_group()
    llama.add_argument(
        "--llama-lib",
        type=Path,
        default=None,
        help="Folder of llama.cpp libraries built by packaging/portable_llama.py (default: build them)",
    )
    llama.add_argument(
        "--native-llama",
        action="store_true",
        help="Bundle the venv's llama.cpp, built for this machine only",
    )
    parser.add_argument(
        "--cpu-variants",
        default="",
        help="Build only these llama.cpp CPU variants, comma-separated (default: all)",
    )
    args = parser.parse_args(argv)
    system, _ = platform_tag()
    fmt = args.format or DEFAULT_FORMAT[system]
    if fmt not in ("dir", DEFAULT_FORMAT[system]):
        parser.error(f"--format {fmt} is not made on {system}; use dir or {DEFAULT_FORMAT[system]}")
    started = time.perf_counter()
    args.work.mkdir(parents=True, exist_ok=True)
    try:
        llama_lib = llama_libraries(args, args.work.resolve())
        made = package(args.variant, fmt, args.dist.resolve(), args.work.resolve(), llama_lib)
    except subprocess.CalledProcessError as exc:
        print(
            f"build.py: {Path(exc.cmd[0]).name} failed with exit code {exc.returncode}",
            file=sys.stderr,
        )
        return 1
    for path in made:
        size = folder_size(path) if path.is_dir() else path.stat().st_size
        print(f"built {path}  ({size / 2**20:.0f} MiB)")
    print(f"build time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
