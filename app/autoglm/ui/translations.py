"""The compiled translation (``.qm``) of a language, made from its source (``.ts``) when needed.

The ``.qm`` files are build output, not kept in the repository: the set-up script and the
bundle build compile them (``pyside6-lrelease``). When a checkout or an installed wheel has
no ``.qm`` yet, or one older than its ``.ts`` (a translation just edited), the ``.ts`` is
compiled once with the ``lrelease`` that PySide6 ships into the cache folder, keyed by the
source's content, so that the interface is never left in English by a missing build step.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
import sys
from pathlib import Path

import PySide6

from autoglm.core.paths import app_paths, resource_root

_LOGGER = logging.getLogger(__name__)
_COMPILE_TIMEOUT_S = 60


def lrelease_program() -> Path | None:
    """PySide6's ``lrelease``, or ``None`` when this installation has none (a frozen bundle)."""
    folder = Path(PySide6.__file__).parent
    for name in ("lrelease", "lrelease.exe", "lrelease.app/Contents/MacOS/lrelease"):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def compile_translation(source: Path, target: Path) -> bool:
    """Compile ``source`` (.ts) into ``target`` (.qm); ``False`` (and a log line) when it cannot."""
    program = lrelease_program()
    if program is None:
        _LOGGER.warning("No lrelease to compile %s", source.name)
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        result = subprocess.run(
            [str(program), str(source), "-qm", str(target)],
            capture_output=True,
            text=True,
            timeout=_COMPILE_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        _LOGGER.warning("lrelease could not compile %s: %s", source.name, exc)
        return False
    if result.returncode != 0 or not target.is_file():
        _LOGGER.warning(
            "lrelease could not compile %s: %s",
            source.name,
            (result.stderr or result.stdout).strip(),
        )
        return False
    return True


def translation_file(
    language: str, folder: Path | None = None, cache: Path | None = None
) -> Path | None:
    """The ``.qm`` for ``language``: the built one when current, else one compiled into the cache."""
    folder = folder or resource_root() / "i18n"
    compiled = folder / f"autoglm_{language}.qm"
    source = folder / f"autoglm_{language}.ts"
    if not source.is_file():
        return compiled if compiled.is_file() else None  # a bundle carries only the compiled file
    if compiled.is_file() and compiled.stat().st_mtime >= source.stat().st_mtime:
        return compiled
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    cached = (cache or app_paths().cache_dir / "i18n") / f"autoglm_{language}-{digest}.qm"
    if cached.is_file() or compile_translation(source, cached):
        return cached
    return compiled if compiled.is_file() else None


if __name__ == "__main__":  # python -m autoglm.ui.translations: compile every .ts beside itself
    ok = all(
        compile_translation(ts, ts.with_suffix(".qm"))
        for ts in sorted((resource_root() / "i18n").glob("*.ts"))
    )
    sys.exit(0 if ok else 1)
