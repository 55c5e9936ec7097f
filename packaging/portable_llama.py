"""Build llama.cpp for every x86-64 CPU, as llama.cpp's own releases are, for the packaged app.

    python packaging/portable_llama.py --work build/llama-portable [--variants x64,sse42,haswell]

A developer's llama-cpp-python is compiled for the machine it was built on (``GGML_NATIVE``);
a bundle carrying that build dies with an illegal instruction on an older processor. This
builds the same llama-cpp-python source with ``GGML_BACKEND_DL``, ``GGML_CPU_ALL_VARIANTS``
and without ``GGML_NATIVE``: one ``libggml-cpu-<variant>`` per instruction-set level, the
app loading the best one this CPU runs (``autoglm.core.llama.backends``). pip cannot do
this: llama-cpp-python's install step copies ``libggml-cpu`` only, never the variants, so
the libraries are taken from the CMake build folder into ``<work>/lib`` instead, and
``build.py`` bundles that folder in place of the installed ``llama_cpp/lib``.

The source is the sdist of the installed llama-cpp-python version (``pip download``), so
the bundled libraries match the Python bindings. ``--variants`` builds a few variants
only — each of the 16 x86 variants takes about a minute on two cores — for tests; a
release builds them all. The build folder is reused: a second run builds nothing new.
"""

# ruff: noqa: T201 - a command-line tool: it reports on stdout
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "app"))

from autoglm.core.llama.backends import variant_files  # noqa: E402 - after the path is set

PORTABLE_FLAGS = ("-DGGML_BACKEND_DL=ON", "-DGGML_CPU_ALL_VARIANTS=ON", "-DGGML_NATIVE=OFF")
_LIBRARY = re.compile(r"^(lib)?(ggml|llama|mtmd)[\w.-]*\.(so[\d.]*|dylib|dll)$")
_VARIANT_LINE = re.compile(r"^(\s*)ggml_add_cpu_backend_variant\((\w+)\b.*$", re.MULTILINE)


def fetch_source(work: Path, version: str | None = None) -> Path:
    """The unpacked llama-cpp-python sdist of ``version`` (default: the installed one)."""
    version = version or metadata.version("llama_cpp_python")
    unpacked = work / f"llama_cpp_python-{version}"
    if (unpacked / "vendor" / "llama.cpp" / "ggml").is_dir():
        return unpacked
    downloads = work / "sdist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            f"llama-cpp-python=={version}",
            "--no-binary",
            ":all:",
            "--no-deps",
            "-q",
            "-d",
            str(downloads),
        ],
        check=True,
    )
    archive = next(downloads.glob(f"llama_cpp_python-{version}.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    return unpacked


def keep_variants(source: Path, variants: list[str] | None) -> None:
    """Leave only ``variants`` (``None``: all) in ggml's list of CPU variants.

    ggml offers no option for this: ``GGML_CPU_ALL_VARIANTS`` adds every one and the
    ``ggml`` library depends on them all. The list is edited from a kept original, so a
    later build of all variants in the same folder gets them all back; the file is
    rewritten only when it changes, so CMake does not configure again for nothing.
    """
    cmake_file = source / "vendor" / "llama.cpp" / "ggml" / "src" / "CMakeLists.txt"
    original = cmake_file.with_name("CMakeLists.txt.all-variants")
    if not original.exists():
        shutil.copy2(cmake_file, original)
    text = original.read_text(encoding="utf-8")
    if variants:
        known = {m.group(2) for m in _VARIANT_LINE.finditer(text)}
        unknown = sorted(set(variants) - known)
        if unknown:
            raise SystemExit(
                f"portable_llama.py: llama.cpp has no CPU variant {', '.join(unknown)}"
            )

        def keep(match: re.Match[str]) -> str:
            if match.group(2) in variants:
                return match.group(0)
            return f"{match.group(1)}# {match.group(0).strip()}"

        text = _VARIANT_LINE.sub(keep, text)
    if cmake_file.read_text(encoding="utf-8") != text:
        cmake_file.write_text(text, encoding="utf-8")


def build(source: Path, build_dir: Path) -> None:
    """Configure and build llama-cpp-python's libraries with the run-time CPU choice.

    ``CMAKE_ARGS`` from the environment are added (e.g. ``-DGGML_CUDA=on``), as pip does.
    """
    extra = os.environ.get("CMAKE_ARGS", "").split()
    # Ninja where it is found, except on Windows: there it would find MinGW, not MSVC.
    use_ninja = shutil.which("ninja") and sys.platform != "win32"
    generator = ["-G", "Ninja"] if use_ninja and not os.environ.get("CMAKE_GENERATOR") else []
    subprocess.run(
        [
            "cmake",
            "-S",
            str(source),
            "-B",
            str(build_dir),
            *generator,
            "-DCMAKE_BUILD_TYPE=Release",
            *PORTABLE_FLAGS,
            *extra,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        ["cmake", "--build", str(build_dir), "--config", "Release", "--target", "llama", "mtmd"],
        check=True,
    )


def collect_libraries(build_dir: Path, lib_dir: Path) -> list[Path]:
    """Copy the built ggml, llama and mtmd libraries (version links kept) into ``lib_dir``."""
    if lib_dir.exists():
        shutil.rmtree(lib_dir)
    lib_dir.mkdir(parents=True)
    copied = []
    for path in sorted(build_dir.rglob("*")):
        if _LIBRARY.match(path.name) and (path.is_file() or path.is_symlink()):
            if "CMakeFiles" in path.parts or (lib_dir / path.name).exists():
                continue
            target = lib_dir / path.name
            if path.is_symlink():
                target.symlink_to(os.readlink(path))
            else:
                shutil.copy2(path, target)
            copied.append(target)
    return copied


def check_portable(lib_dir: Path) -> list[str]:
    """The CPU variants in ``lib_dir``; ``SystemExit`` in words when it is a one-machine build."""
    variants = variant_files(lib_dir)
    if not variants:
        raise SystemExit(
            f"{lib_dir} holds a llama.cpp built for one machine (no libggml-cpu-<variant>): "
            "the bundle would crash on older processors. Build it with packaging/portable_llama.py."
        )
    if not list(lib_dir.glob("*llama*")):
        raise SystemExit(f"{lib_dir} has no llama library")
    from autoglm.core.llama.backends import variant_name

    return [variant_name(path) for path in variants]


def make(work: Path, variants: list[str] | None = None) -> Path:
    """Fetch, build and collect into ``<work>/lib``; returns that folder."""
    work.mkdir(parents=True, exist_ok=True)
    source = fetch_source(work)
    keep_variants(source, variants)
    build(source, work / "build")
    lib_dir = work / "lib"
    collect_libraries(work / "build", lib_dir)
    check_portable(lib_dir)
    return lib_dir


def main(argv: list[str] | None = None) -> int:
    """Build, then print the folder, its variants and the time taken."""
    parser = argparse.ArgumentParser(description="Build llama.cpp for every x86-64 CPU.")
    parser.add_argument(
        "--work", type=Path, default=ROOT / "build" / "llama-portable", help="Build folder"
    )
    parser.add_argument(
        "--variants",
        default="",
        help="Comma-separated CPU variants to build (default: all; x64 is the fallback)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    variants = [v for v in args.variants.split(",") if v]
    try:
        lib_dir = make(args.work.resolve(), variants or None)
    except subprocess.CalledProcessError as exc:
        print(
            f"portable_llama.py: {Path(exc.cmd[0]).name} failed ({exc.returncode})", file=sys.stderr
        )
        return 1
    print(f"built {lib_dir}: CPU variants {', '.join(check_portable(lib_dir))}")
    print(f"build time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
