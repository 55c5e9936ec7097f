"""Models from a hub (Hugging Face, or a mirror of it), through the ``huggingface_hub`` client.

Searching, listing a repository's GGUF files with their sizes and sha256 (the hub's own
metadata, read when the user looks or downloads) and naming a file's URL are the
client's; the transfer resumes a ``.partial`` file (across restarts), reports bytes and
speed, can be cancelled, and the finished file is checked against the published size
and sha256 before the app will call it verified. A mirror is
one setting (``HF_ENDPOINT``, which users in mainland China need). Every failure the user
can meet — offline, a missing file, a full disk, a bad checksum, a server gone midway —
is one sentence.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from autoglm.core.catalog import CatalogEntry, CatalogFile, ModelRepository
from autoglm.core.download import (
    DownloadCancelled,
    DownloadError,
    DownloadProgress,
    check_free_space,
    download_file,
    partial_path,
)
from autoglm.core.download_journal import DownloadJournal, PendingDownload
from autoglm.core.errors import ModelError

_LOGGER = logging.getLogger(__name__)
DEFAULT_ENDPOINT = "https://huggingface.co"
_QUANT = re.compile(r"(?i)(?:^|[-_.])((?:I?Q\d(?:_[A-Z0-9]+)*)|BF16|F16|F32)(?=[-_.]|$)")
# Bits per weight of common GGUF types (what a file's size says about its parameter count).
_BITS = {
    "Q2_K": 3.0,
    "Q3_K_S": 3.5,
    "Q3_K_M": 3.9,
    "Q3_K_L": 4.3,
    "Q4_0": 4.5,
    "Q4_K_S": 4.6,
    "Q4_K_M": 4.9,
    "Q5_0": 5.5,
    "Q5_K_S": 5.5,
    "Q5_K_M": 5.7,
    "Q6_K": 6.6,
    "Q8_0": 8.5,
    "F16": 16.0,
    "BF16": 16.0,
    "F32": 32.0,
    "IQ4_XS": 4.3,
    "IQ4_NL": 4.5,
}
KV_BYTES_PER_TOKEN_PER_BILLION = 16 * 1024  # f16 KV of a GQA model (Llama-3-8B: 128 KB a token)


@dataclass(frozen=True)
class HubFile:
    """One GGUF file of a hub repository, as its metadata describes it."""

    repo: str
    filename: str
    size: int
    sha256: str | None
    quantization: str
    is_projector: bool


@dataclass(frozen=True)
class HubModel:
    """A search result."""

    repo: str
    downloads: int
    likes: int


def quantization_of(filename: str) -> str:
    """The quantisation a GGUF file name states (``Q4_K_M``), or ``""``."""
    found = _QUANT.findall(Path(filename).stem)
    return found[-1].upper() if found else ""


def is_projector_name(filename: str) -> bool:
    """Whether a file name is a vision projector's (``mmproj…``)."""
    return "mmproj" in Path(filename).name.lower()


def resolve_endpoint(setting: str = "") -> str:
    """The hub to use: the setting, else ``HF_ENDPOINT``, else huggingface.co."""
    import os

    return (setting or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


class Hub:
    """One hub endpoint; every call is one sentence on failure.

    This class speaks to Hugging Face (or a mirror of it); ``core.modelscope`` gives the
    same calls for ModelScope. Both hand their files' addresses to the same resumable
    transfer and the same checks.
    """

    source = "hf"
    name = "Hugging Face"
    mirror_hint = "set a mirror (Settings → Model → hub address, or HF_ENDPOINT)"

    def __init__(self, endpoint: str = "", timeout: float = 30.0):
        from huggingface_hub import HfApi

        self.endpoint = resolve_endpoint(endpoint)
        self.timeout = timeout
        self._api = HfApi(endpoint=self.endpoint)

    def _unreachable(self, exc: Exception) -> ModelError:
        return DownloadError(
            f"The model hub at {self.endpoint} cannot be reached ({_reason(exc)}); check the "
            f"connection, or {self.mirror_hint}."
        )

    def file_url(self, file: HubFile) -> str:
        """Where the bytes of ``file`` are fetched from."""
        from huggingface_hub import hf_hub_url

        return hf_hub_url(file.repo, file.filename, endpoint=self.endpoint)

    def catalog_repos(self, spec: CatalogFile) -> tuple[str, ...]:
        """The repositories of this hub that publish a catalog file, in the order to try them."""
        return spec.hub_repos

    def search(self, query: str, limit: int = 30) -> list[HubModel]:
        """GGUF repositories whose name matches ``query``, most downloaded first."""
        try:
            found = list(
                self._api.list_models(search=query, filter="gguf", limit=limit, sort="downloads")
            )
        except Exception as exc:
            raise self._unreachable(exc) from exc
        models = [HubModel(m.id, int(m.downloads or 0), int(m.likes or 0)) for m in found]
        return sorted(models, key=lambda m: -m.downloads)

    def gguf_files(self, repo: str) -> list[HubFile]:
        """The repository's GGUF files with the sizes and sha256 sums the hub publishes."""
        files = [file for file in self.files(repo) if file.filename.lower().endswith(".gguf")]
        return sorted(files, key=lambda f: (f.is_projector, f.size))

    def files(self, repo: str) -> list[HubFile]:
        """Every file of the repository (paths inside it) with its published size and sha256."""
        from huggingface_hub.errors import RepositoryNotFoundError

        try:
            info = self._api.model_info(repo, files_metadata=True, timeout=self.timeout)
        except RepositoryNotFoundError as exc:
            raise ModelError(f"There is no model '{repo}' on {self.endpoint}.") from exc
        except Exception as exc:
            if getattr(getattr(exc, "response", None), "status_code", None) == 404:
                raise ModelError(f"There is no model '{repo}' on {self.endpoint}.") from exc
            raise self._unreachable(exc) from exc
        files = []
        for sibling in info.siblings or []:
            name = sibling.rfilename
            lfs = sibling.lfs
            size = int(sibling.size or (lfs.size if lfs else 0) or 0)
            gguf = name.lower().endswith(".gguf")
            files.append(
                HubFile(
                    repo,
                    name,
                    size,
                    lfs.sha256 if lfs else None,
                    quantization_of(name) if gguf else "",
                    gguf and is_projector_name(name),
                )
            )
        return files

    def download(
        self,
        file: HubFile,
        folder: Path,
        repository: ModelRepository,
        progress: DownloadProgress | None = None,
        cancel: threading.Event | None = None,
        name: str = "",
    ) -> Path:
        """Fetch ``file`` into ``folder`` (as ``name``, else its own name; resuming a partial
        one), then check its size and sha256 (and a GGUF's header).

        The client names the file's URL and its headers; the bytes go through
        ``core.download``, whose ``.partial`` file survives a restart of the app (the
        client's own transfer restarts from zero in a new process).
        """
        target = folder / (name or file.filename)
        spec = CatalogFile(role="mmproj" if file.is_projector else "model", filename=target.name)
        repository.record_expected(target, file.size, file.sha256, f"{self.endpoint}/{file.repo}")
        if not (target.exists() and target.stat().st_size == file.size):
            check_free_space(folder, file.size - _size(partial_path(target)))
            download_file(
                self.file_url(file),
                target,
                expected_size=file.size,
                progress=progress,
                cancel=cancel,
            )
        self._check(repository, target, spec, file)
        return target

    @staticmethod
    def _check(repository: ModelRepository, path: Path, spec: CatalogFile, file: HubFile) -> None:
        try:
            repository.verify_file(path, spec, force=True)
        except ModelError as exc:
            path.unlink(missing_ok=True)
            raise DownloadError(f"{exc} The file was deleted; download it again.") from exc
        if not file.filename.lower().endswith(".gguf"):
            return
        from autoglm.core.gguf_file import inspect_gguf

        inspect_gguf(path, role="projector" if file.is_projector else "model")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


# -- whether a file fits this machine ------------------------------------------------------
FITS, MAY_BE_SLOW, WONT_FIT = "Fits", "May be slow", "Won't fit"


@dataclass(frozen=True)
class FitEstimate:
    """Memory a model needs at a context, against what this machine has."""

    label: str
    need_bytes: int
    ram_bytes: int
    vram_bytes: int | None


def estimate_need(file: HubFile, n_ctx: int, projector_size: int = 0) -> int:
    """Weights + f16 KV cache at ``n_ctx`` (estimated from the size) + projector + compute buffers."""
    bits = _BITS.get(file.quantization, 5.0)
    billions = file.size * 8 / bits / 1e9
    kv = int(billions * KV_BYTES_PER_TOKEN_PER_BILLION * n_ctx)
    return file.size + kv + projector_size + 512 * 2**20


def fit_label(need: int, available_ram: int, total_ram: int, free_vram: int | None = None) -> str:
    """``Fits`` in free memory (or VRAM), ``May be slow`` if only in all of it, else ``Won't fit``."""
    if free_vram is not None and need <= free_vram:
        return FITS
    if need <= available_ram * 0.9:
        return (
            FITS if free_vram is None else MAY_BE_SLOW
        )  # on a GPU build, the CPU part is the slow one
    if need <= total_ram:
        return MAY_BE_SLOW
    return WONT_FIT


def machine_memory() -> tuple[int, int, int | None]:
    """``(available RAM, total RAM, free VRAM or None)`` of this machine and llama.cpp build."""
    import psutil

    memory = psutil.virtual_memory()
    return memory.available, memory.total, free_vram_bytes()


def free_vram_bytes() -> int | None:
    """Free memory of the first GPU llama.cpp can offload to, or ``None`` (CPU build, none found)."""
    try:
        import llama_cpp

        if not llama_cpp.llama_supports_gpu_offload():
            return None
    except ImportError:  # pragma: no cover - llama-cpp-python is a dependency
        return None
    import shutil
    import subprocess

    smi = shutil.which("nvidia-smi")
    if smi is None:
        return None
    try:
        out = subprocess.run(
            [smi, "--query-gpu=memory.free", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout
        return int(out.split()[0]) * 2**20
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None


def estimate_fit(
    file: HubFile,
    n_ctx: int,
    projector_size: int = 0,
    memory: tuple[int, int, int | None] | None = None,
) -> FitEstimate:
    """The fit label of ``file`` at ``n_ctx`` on this machine (or on ``memory``)."""
    available, total, vram = memory or machine_memory()
    need = estimate_need(file, n_ctx, projector_size)
    return FitEstimate(fit_label(need, available, total, vram), need, available, vram)


def group_by_quantization(files: list[HubFile]) -> list[tuple[str, list[HubFile]]]:
    """Language-model files grouped by quantisation, smallest first (split files stay together)."""
    groups: dict[str, list[HubFile]] = {}
    for file in files:
        if not file.is_projector:
            groups.setdefault(file.quantization or file.filename, []).append(file)
    return sorted(groups.items(), key=lambda item: sum(f.size for f in item[1]))


def pick(
    files: list[HubFile], quantization: str = "Q4_K_M"
) -> tuple[HubFile | None, HubFile | None]:
    """The model file of that quantisation (else the smallest) and the best projector (f16 first)."""
    models = [f for f in files if not f.is_projector]
    model = next((f for f in models if f.quantization == quantization.upper()), None)
    if model is None and models:
        model = min(models, key=lambda f: abs(f.size - 6e9))
    projectors = [f for f in files if f.is_projector]
    projector = next(
        (f for f in projectors if f.quantization in ("F16", "BF16")),
        projectors[0] if projectors else None,
    )
    return model, projector


# -- getting a model: a catalog entry or a repository -------------------------------------
def _slug(repo: str) -> str:
    return "".join(
        c if c.isalnum() or c in ".-" else "-" for c in repo.split("/")[-1].lower()
    ).strip("-")


def _overall_progress(
    progress: DownloadProgress | None, before: int, total: int
) -> DownloadProgress:
    """One file's progress as progress over several: ``before`` bytes came in earlier files."""

    def report(done: int, _total: int | None, rate: float) -> None:
        if progress is not None:
            progress(before + done, total, rate)

    return report


def download_pair(
    hub: Hub,
    repository: ModelRepository,
    model: HubFile,
    projector: HubFile | None,
    folder: Path,
    model_id: str,
    progress: DownloadProgress | None = None,
    cancel: threading.Event | None = None,
) -> str:
    """Download a model file and its projector into ``folder`` and register them under ``model_id``."""
    files = [f for f in (model, projector) if f is not None]
    total = sum(f.size for f in files)
    paths: list[Path] = []
    for index, file in enumerate(files):
        report = _overall_progress(progress, sum(f.size for f in files[:index]), total)
        paths.append(hub.download(file, folder, repository, report, cancel))
    return repository.import_model(
        paths[0], paths[1] if len(paths) > 1 else None, model_id=model_id
    )


def _journaled(repository: ModelRepository, item: PendingDownload, run: Callable[[], str]) -> str:
    """Run a download with it recorded in the journal until it ends, so a quit app resumes it."""
    journal = DownloadJournal(repository.paths.data_dir)
    journal.started(item)
    try:
        model_id = run()
    except (DownloadError, DownloadCancelled):
        raise  # cut off, stopped, offline, a bad copy: fetching it again may work, so it stays
    except ModelError:
        journal.finished(item)  # no such model or file: nothing to resume
        raise
    journal.finished(item)
    return model_id


def download_catalog_model(
    hub: Hub,
    repository: ModelRepository,
    model_id: str,
    progress: DownloadProgress | None = None,
    cancel: threading.Event | None = None,
) -> str:
    """Download a catalog model from the first of its hub repositories that publishes it."""
    item = PendingDownload(hub.source, hub.endpoint, model_id)
    return _journaled(
        repository,
        item,
        lambda: _download_catalog_model(hub, repository, model_id, progress, cancel),
    )


def _download_catalog_model(
    hub: Hub,
    repository: ModelRepository,
    model_id: str,
    progress: DownloadProgress | None,
    cancel: threading.Event | None,
) -> str:
    entry = repository.catalog.get(model_id)
    spec = entry.file("model") if entry else None
    if entry is None or spec is None or not hub.catalog_repos(spec):
        raise ModelError(
            f"'{model_id}' is not a catalog model with a source on {hub.name}; name a repository "
            "(owner/name) instead, or search with `autoglm models search`."
        )
    if spec.hub_path:
        return _download_named_files(hub, repository, entry, progress, cancel)
    projector_spec = entry.file("mmproj")
    problems: list[str] = []
    for repo in hub.catalog_repos(spec):
        try:
            files = hub.gguf_files(repo)
        except DownloadError:
            raise
        except ModelError as exc:
            problems.append(str(exc))
            continue
        model, projector = pick(files, spec.hub_quantization or "Q4_K_M")
        if model is None or (model.quantization != (spec.hub_quantization or model.quantization)):
            problems.append(f"{repo} has no {spec.hub_quantization} file.")
            continue
        if projector_spec is not None and projector is None:
            problems.append(f"{repo} publishes no vision projector (mmproj).")
            continue
        return download_pair(
            hub,
            repository,
            model,
            projector,
            repository.paths.models_dir / entry.id,
            entry.id,
            progress,
            cancel,
        )
    raise ModelError(f"No source of {entry.name} could be used: " + " ".join(problems))


def _download_named_files(
    hub: Hub,
    repository: ModelRepository,
    entry: CatalogEntry,
    progress: DownloadProgress | None,
    cancel: threading.Event | None,
) -> str:
    """Download the files a catalog entry names by their paths in a hub repository (a piper
    voice: its ``.onnx`` network and ``.onnx.json`` configuration) into ``models/<id>/``."""
    problems: list[str] = []
    for repo in hub.catalog_repos(entry.files[0]):
        try:
            published = {file.filename: file for file in hub.files(repo)}
        except DownloadError:
            raise
        except ModelError as exc:
            problems.append(str(exc))
            continue
        wanted = [(spec, published.get(spec.hub_path or spec.filename)) for spec in entry.files]
        missing = [spec.hub_path or spec.filename for spec, file in wanted if file is None]
        if missing:
            problems.append(f"{repo} has no {', '.join(missing)}.")
            continue
        found = [(spec, file) for spec, file in wanted if file is not None]
        total = sum(file.size for _, file in found)
        for index, (spec, file) in enumerate(found):
            report = _overall_progress(progress, sum(f.size for _, f in found[:index]), total)
            hub.download(
                file,
                repository.paths.models_dir / entry.id,
                repository,
                report,
                cancel,
                spec.filename,
            )
        return entry.id
    raise ModelError(f"No source of {entry.name} could be used: " + " ".join(problems))


def download_repository(
    hub: Hub,
    repository: ModelRepository,
    repo: str,
    filename: str | None = None,
    quantization: str = "Q4_K_M",
    progress: DownloadProgress | None = None,
    cancel: threading.Event | None = None,
) -> str:
    """Download ``filename`` (else the ``quantization`` file) of ``repo``, with its projector if it has one."""
    item = PendingDownload(hub.source, hub.endpoint, repo, filename or "", quantization)
    return _journaled(
        repository,
        item,
        lambda: _download_repository(
            hub, repository, repo, filename, quantization, progress, cancel
        ),
    )


def _download_repository(
    hub: Hub,
    repository: ModelRepository,
    repo: str,
    filename: str | None,
    quantization: str,
    progress: DownloadProgress | None,
    cancel: threading.Event | None,
) -> str:
    files = hub.gguf_files(repo)
    if not files:
        raise ModelError(f"{repo} holds no GGUF files.")
    if filename:
        model = next((f for f in files if f.filename == filename), None)
        if model is None:
            names = ", ".join(f.filename for f in files)
            raise ModelError(f"{repo} has no file {filename}; it has {names}.")
        _, projector = pick(files)
        if model.is_projector:
            raise ModelError(
                f"{filename} is a vision projector; name the model file (the projector comes with it)."
            )
    else:
        model, projector = pick(files, quantization)
        if model is None:
            raise ModelError(f"{repo} holds only vision projectors, no language model.")
    return download_pair(
        hub,
        repository,
        model,
        projector,
        repository.paths.models_dir / _slug(repo),
        _slug(repo) if not filename else _slug(Path(filename).stem),
        progress,
        cancel,
    )
