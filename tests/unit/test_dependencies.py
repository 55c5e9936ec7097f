"""The run-time dependencies in pyproject.toml are exactly what the app's code imports."""

from __future__ import annotations

import ast
import functools
import importlib.metadata as metadata
import re
import sys
from pathlib import Path

from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app" / "autoglm"
NOT_IMPORTED = {"python-multipart": "FastAPI imports it to parse the transcription endpoint's form"}


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> dict[str, str]:
    """``{distribution: requirement text}`` of the run-time dependencies."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {
        _key(re.split(r"[<>=!~;\[ ]", text, maxsplit=1)[0]): text
        for text in project["dependencies"]
    }


def _imported_top_modules() -> set[str]:
    """Every top-level module the app's code imports (lazily inside functions too)."""
    found: set[str] = set()
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"autoglm", "__future__"}


@functools.cache
def _providers() -> dict[str, list[str]]:
    return metadata.packages_distributions()


def _distributions_of(module: str) -> set[str]:
    """The distributions providing ``module`` here; its own name when it is not installed (e.g. tomli)."""
    provided = _providers().get(module)
    return {_key(name) for name in provided} if provided else {_key(module)}


def _closure(names: set[str]) -> set[str]:
    """``names`` and everything they require at run time, as installed here."""
    seen: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for text in requires:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(_key(requirement.name))
    return seen


def test_every_imported_package_is_declared_with_its_python_condition() -> None:
    """A module the app imports must come with a dependency (``tomli`` on Python 3.10 only)."""
    declared = _declared()
    available = _closure(set(declared))
    missing = {
        module for module in _imported_top_modules() if not _distributions_of(module) & available
    }
    assert not missing, f"imported but not declared in pyproject.toml: {sorted(missing)}"
    assert "python_version" in declared["tomli"] and "3.11" in declared["tomli"]


def test_every_declared_package_is_used() -> None:
    """A dependency nothing imports (like ``tomli-w`` was) is dead weight in every installer."""
    providers = set().union(*(_distributions_of(module) for module in _imported_top_modules()))
    unused = {name for name in _declared() if name not in providers and name not in NOT_IMPORTED}
    assert not unused, f"declared but never imported: {sorted(unused)}"
