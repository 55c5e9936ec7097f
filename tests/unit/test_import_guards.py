"""No ``except ImportError`` around the app's own modules: a broken module must fail loudly, not vanish."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app" / "autoglm"


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(
        isinstance(name, ast.Name) and name.id in ("ImportError", "ModuleNotFoundError")
        for name in names
    )


def _imports_own_module(body: list[ast.stmt]) -> bool:
    for node in (inner for statement in body for inner in ast.walk(statement)):
        if isinstance(node, ast.ImportFrom) and (
            node.level > 0 or (node.module or "").startswith("autoglm")
        ):
            return True
        if isinstance(node, ast.Import) and any(
            alias.name.startswith("autoglm") for alias in node.names
        ):
            return True
    return False


def test_no_import_error_guard_hides_the_apps_own_modules() -> None:
    """Each ``try`` that catches ImportError imports only third-party modules."""
    guarded = []
    for path in sorted(APP.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Try)
                and any(_catches_import_error(h) for h in node.handlers)
                and _imports_own_module(node.body)
            ):
                guarded.append(f"{path.relative_to(APP)}:{node.lineno}")
    assert not guarded, f"ImportError guards around autoglm modules: {guarded}"
