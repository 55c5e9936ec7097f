"""THIRD_PARTY.md names the licence of every dependency and every catalog model."""

from __future__ import annotations

import re
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[2]


def _rows() -> dict[str, str]:
    """``{normalised name: licence}`` from the file's tables (first two columns)."""
    rows = {}
    for line in (ROOT / "THIRD_PARTY.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 2 and not set(cells[0]) <= {"-", " "}:
            rows[re.sub(r"[-_.]+", "-", cells[0]).lower()] = (
                cells[-1] if len(cells) == 2 else " ".join(cells[1:])
            )
    return rows


def test_every_runtime_dependency_and_starter_package_has_a_licence() -> None:
    """Each name in ``dependencies`` and the ``starter`` extra appears with a non-empty licence."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["starter"]
    rows = _rows()
    for requirement in requirements:
        name = re.sub(r"[-_.]+", "-", re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]).lower()
        assert name in rows, f"{name} is missing from THIRD_PARTY.md (run packaging/third_party.py)"
        assert rows[name] and rows[name] != "see the package", name


def test_every_catalog_model_has_its_licence_and_the_app_is_gpl() -> None:
    """Each catalog model is listed with the licence the catalog gives it."""
    text = (ROOT / "THIRD_PARTY.md").read_text(encoding="utf-8")
    catalog = tomllib.loads((ROOT / "models" / "catalog.toml").read_text(encoding="utf-8"))
    for model in catalog["model"]:
        assert f"| {model['name']} | `{model['id']}` | {model['licence']} |" in text, model["id"]
    assert "GPL-3.0-or-later" in text.split("## Python packages")[0]
