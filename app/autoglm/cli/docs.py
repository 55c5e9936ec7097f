"""``autoglm docs add|list|remove|reindex|watch|search``: a project's documents from the terminal."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autoglm.core.errors import InputError
from autoglm.core.settings_cli import add_settings_arguments, overrides_from_args

if TYPE_CHECKING:
    from autoglm.core.runtime import Runtime
    from autoglm.knowledge.library import DocumentLibrary


def register(subparsers: Any) -> None:
    """Add ``docs`` and its actions to the command line."""
    parser = subparsers.add_parser(
        "docs",
        help="Add, list, re-index or remove a project's documents",
        description="A project's documents: PDF, Word, Markdown, HTML, text and code "
        "files, indexed on this computer for `autoglm chat --project`.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="Index files and folders into a project (Ctrl+C stops)")
    add.add_argument("project", help="The project's name")
    add.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="Files or folders")
    add.add_argument(
        "--force", action="store_true", help="Index again even where a file did not change"
    )
    listing = actions.add_parser("list", help="The projects, or one project's documents")
    listing.add_argument(
        "project", nargs="?", help="The project's name (without it: every project)"
    )
    remove = actions.add_parser(
        "remove", help="Forget files or folders of a project (or all of it)"
    )
    remove.add_argument("project", help="The project's name")
    remove.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="Files or folders (with --all: none)"
    )
    remove.add_argument("--all", action="store_true", help="Forget every document of the project")
    reindex = actions.add_parser(
        "reindex", help="Index a project's changed files again, forget deleted ones"
    )
    reindex.add_argument("project", help="The project's name")
    reindex.add_argument("--force", action="store_true", help="Index every file again")
    watch = actions.add_parser(
        "watch",
        help="Index folders into a project, then keep them indexed as files change (until Ctrl+C)",
    )
    watch.add_argument("project", help="The project's name")
    watch.add_argument("paths", nargs="+", type=Path, metavar="FOLDER", help="Folders to watch")
    search = actions.add_parser("search", help="The passages a question would be answered from")
    search.add_argument("project", help="The project's name")
    search.add_argument("question", help="The question")
    search.add_argument(
        "--mode",
        choices=("hybrid", "keyword", "vector"),
        default=None,
        help="Ranking (default: the documents settings: hybrid unless turned off)",
    )
    for sub in (add, listing, remove, reindex, watch, search):
        sub.add_argument("--json", action="store_true", help="Print one JSON object")
        add_settings_arguments(sub, ("documents",))
        sub.set_defaults(handler=run)


def open_library(args: argparse.Namespace) -> tuple[Runtime, DocumentLibrary]:
    """A runtime with the documents' embedder, and its document library."""
    from autoglm.core.runtime import Runtime
    from autoglm.knowledge.embedder import embedder_factory
    from autoglm.knowledge.library import DocumentLibrary

    runtime = Runtime()
    runtime.settings = overrides_from_args(args, runtime.settings)
    runtime.use_embedder(embedder_factory(runtime.settings))
    return runtime, DocumentLibrary(runtime)


def _bar(state: Any) -> None:
    width = 30
    filled = int(state.fraction * width)
    sys.stderr.write(
        f"\r[{'#' * filled}{'.' * (width - filled)}] {state.files_done}/{state.files_total} "
        f"{state.current[:40]:<40} {state.chunks} passages"
    )
    sys.stderr.flush()


def _index(job: Any, show: bool) -> Any:
    """Wait for ``job``; Ctrl+C cancels it (what was written stays)."""
    try:
        while job.running:
            job.wait(0.2)
    except KeyboardInterrupt:
        job.cancel()
        if show:
            sys.stderr.write("\nCancelling…\n")
    report = job.wait()
    if show:
        sys.stderr.write("\n")
    return report


def _report_dict(report: Any) -> dict[str, Any]:
    return {
        "indexed": report.indexed,
        "unchanged": report.unchanged,
        "failed": report.failed,
        "waiting": report.waiting,
        "removed": report.removed,
        "passages": report.chunks,
        "pages": report.pages,
        "cancelled": report.cancelled,
        "seconds": round(report.seconds, 3),
    }


def _print_report(report: Any) -> None:
    print(
        f"Indexed {len(report.indexed)} file(s): {report.pages} page(s), {report.chunks} passage(s) "
        f"in {report.seconds:.1f} s; {len(report.unchanged)} unchanged."
    )
    for path in report.removed:
        print(f"Forgotten (no longer on disk): {path}")
    for path, reason in report.failed.items():
        print(f"Not indexed: {path}: {reason}")
    for path, reason in report.waiting.items():
        print(f"Waiting: {path}: {reason}")
    if report.cancelled:
        print("Cancelled: the files indexed so far are kept; run the same command again to go on.")


def run(args: argparse.Namespace) -> int:
    """Carry out one ``docs`` action."""
    runtime, library = open_library(args)
    try:
        return _ACTIONS[args.action](args, library)
    finally:
        library.close()
        runtime.close()


def _add(args: argparse.Namespace, library: DocumentLibrary) -> int:
    show = not args.json and sys.stderr.isatty()
    job = library.add_in_background(
        args.project, args.paths, on_progress=_bar if show else None, force=args.force
    )
    report = _index(job, show)
    if args.json:
        print(json.dumps(_report_dict(report), ensure_ascii=False))
    else:
        _print_report(report)
    if report.failed and not (report.indexed or report.unchanged):
        return InputError.exit_code
    return 0


def _reindex(args: argparse.Namespace, library: DocumentLibrary) -> int:
    if not library.documents(args.project):
        raise InputError(
            f"The project {args.project!r} has no documents (add some with autoglm docs add)."
        )
    show = not args.json and sys.stderr.isatty()
    report = _index(
        library.reindex_in_background(
            args.project, on_progress=_bar if show else None, force=args.force
        ),
        show,
    )
    if args.json:
        print(json.dumps(_report_dict(report), ensure_ascii=False))
    else:
        _print_report(report)
    return 0


def _list(args: argparse.Namespace, library: DocumentLibrary) -> int:
    if args.project is None:
        projects = {
            library.project_name(key): len(library.index.documents(key))
            for key in library.index.projects()
        }
        if args.json:
            print(json.dumps({"projects": projects}, ensure_ascii=False))
        elif not projects:
            print("No project has documents yet (autoglm docs add PROJECT PATH…).")
        for name, count in projects.items() if not args.json else ():
            print(f"{name}\t{count} document(s)")
        return 0
    documents = library.documents(args.project)
    if args.json:
        print(
            json.dumps(
                {
                    "project": args.project,
                    "documents": [
                        {
                            "path": d.path,
                            "name": d.name,
                            "status": d.status,
                            "reason": d.reason,
                            "size": d.size,
                            "pages": d.pages,
                            "passages": d.chunks,
                        }
                        for d in documents
                    ],
                },
                ensure_ascii=False,
            )
        )
        return 0
    if not documents:
        print(f"The project {args.project!r} has no documents.")
    for d in documents:
        detail = (
            d.reason
            if d.status != "indexed"
            else f"{d.pages} page(s), {d.chunks} passage(s)"
            if d.pages
            else f"{d.chunks} passage(s)"
        )
        print(f"{d.status:<9} {d.path}  — {detail}")
    return 0


def _remove(args: argparse.Namespace, library: DocumentLibrary) -> int:
    if args.all == bool(args.paths):
        raise InputError(
            "Name the files or folders to forget, or --all for the whole project (not both)."
        )
    if args.all:
        removed = [d.path for d in library.documents(args.project)]
        library.forget_project(args.project)
    else:
        removed = library.remove(args.project, args.paths)
    if args.json:
        print(json.dumps({"removed": removed}, ensure_ascii=False))
    elif not removed:
        print(f"Nothing of that was in the project {args.project!r}.")
    for path in removed if not args.json else ():
        print(f"Forgotten: {path}")
    return 0 if removed or args.all else InputError.exit_code


def _search(args: argparse.Namespace, library: DocumentLibrary) -> int:
    if args.mode is not None:
        passages = library.index.search(
            library.key(args.project),
            args.question,
            library.runtime.settings.documents.passages,
            args.mode,
        )
        from autoglm.knowledge.library import as_citation

        citations = [as_citation(p) for p in passages]
        cost = library.prompt_cost(args.question, citations)
    else:
        found = library.retrieve(args.project, args.question)
        citations, cost = found.citations, found.prompt_tokens
    if args.json:
        print(
            json.dumps(
                {
                    "prompt_tokens": cost,
                    "citations": [
                        {
                            "source": c.source,
                            "location": c.location,
                            "path": c.path,
                            "page": c.page,
                            "score": c.score,
                            "text": c.text,
                        }
                        for c in citations
                    ],
                },
                ensure_ascii=False,
            )
        )
        return 0
    if not citations:
        print("No passage of the project matches.")
    for number, citation in enumerate(citations, start=1):
        print(
            f"[{number}] {citation.label()}  (score {citation.score:.4f})\n    {citation.text[:300]}"
        )
    print(f"These passages add about {cost} tokens to the question.")
    return 0


def _watch(args: argparse.Namespace, library: DocumentLibrary) -> int:
    folders = [p.expanduser() for p in args.paths]
    missing = [str(f) for f in folders if not f.is_dir()]
    if missing:
        raise InputError(f"Not a folder: {', '.join(missing)}.")
    show = not args.json and sys.stderr.isatty()
    report = _index(
        library.add_in_background(args.project, folders, on_progress=_bar if show else None), show
    )
    if not args.json:
        _print_report(report)
    if report.cancelled:
        return 0

    def changed(update: Any) -> None:
        if args.json:
            print(json.dumps(_report_dict(update), ensure_ascii=False), flush=True)
        else:
            _print_report(update)

    library.watch(args.project, folders, changed)
    if not args.json:
        print("Watching for changes; Ctrl+C stops.", file=sys.stderr, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    return 0


_ACTIONS = {
    "add": _add,
    "list": _list,
    "remove": _remove,
    "reindex": _reindex,
    "watch": _watch,
    "search": _search,
}
