"""Checking and describing GGUF files before llama.cpp ever opens them.

llama.cpp aborts the whole process on some malformed files, so every model and
projector passes through ``inspect_gguf`` first: a missing file, a file that is not
GGUF, a truncated download or an unreadable header becomes one ``ModelError`` sentence.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autoglm.core.errors import ModelError

_LOGGER = logging.getLogger(__name__)
GGUF_MAGIC = b"GGUF"

_FILE_TYPE_NAMES = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
    11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S",
    17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS",
    23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S",
    29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0",
}


@dataclass(frozen=True)
class GgufSummary:
    """What the app needs to know about a GGUF file without loading it."""

    path: Path
    file_size: int
    architecture: str
    name: str
    quantization: str
    context_length: int
    embedding_length: int
    block_count: int
    head_count: int
    head_count_kv: int
    key_length: int
    value_length: int
    n_params: int
    chat_template: str
    is_projector: bool
    projector_type: str
    metadata: dict[str, Any]

    @property
    def has_chat_template(self) -> bool:
        """Whether the file carries its own chat template."""
        return bool(self.chat_template)

    def kv_cache_bytes(self, n_ctx: int, bytes_per_value: int = 2) -> int:
        """Memory of an f16 KV cache holding ``n_ctx`` tokens."""
        per_token = self.block_count * self.head_count_kv * (self.key_length + self.value_length)
        return per_token * n_ctx * bytes_per_value


def _field_value(field: Any) -> Any:
    """A reader field as a plain Python value (string, number or list)."""
    try:
        return field.contents()
    except Exception:  # noqa: BLE001 - odd field types are described, not fatal
        return None


def inspect_gguf(path: str | Path, *, role: str = "model") -> GgufSummary:
    """Read a GGUF header and tensor table; raise ``ModelError`` in words if it is unusable."""
    path = Path(path).expanduser()
    label = f"The {role} file {path.name}"
    if not path.exists():
        raise ModelError(f"{label} was not found at {path}.")
    if not path.is_file():
        raise ModelError(f"{label} is not a file ({path}).")
    size = path.stat().st_size
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise ModelError(f"{label} cannot be read: {exc.strerror or exc}.") from exc
    if magic != GGUF_MAGIC:
        raise ModelError(f"{label} is not a GGUF model (it does not start with the GGUF signature).")

    from gguf import GGUFReader  # heavy numpy import; only when a file is checked

    try:
        reader = GGUFReader(path, "r")
    except Exception as exc:  # noqa: BLE001 - any parse failure means a damaged file
        raise ModelError(f"{label} is damaged or truncated ({size:,} bytes): its header or tensor table cannot be read.") from exc
    data_end = max((t.data_offset + int(t.n_bytes) for t in reader.tensors), default=0)
    if not reader.tensors:
        raise ModelError(f"{label} holds no tensors; it is not a usable model.")
    if data_end > size:
        raise ModelError(f"{label} is truncated: it should be at least {data_end:,} bytes but is {size:,}.")

    meta = {name: _field_value(field) for name, field in reader.fields.items()
            if not name.startswith("tokenizer.ggml.")}
    arch = str(meta.get("general.architecture") or "")
    is_projector = arch == "clip" or any(k.startswith("clip.") for k in meta)

    def num(key: str, default: int = 0) -> int:
        value = meta.get(f"{arch}.{key}", default)
        if isinstance(value, list):  # per-layer arrays: the first layer speaks for all
            value = value[0] if value else default
        try:
            return int(value)
        except (TypeError, ValueError):
            return default

    head_count = num("attention.head_count")
    embedding = num("embedding_length")
    head_dim = embedding // head_count if head_count else 0
    file_type = meta.get("general.file_type")
    quant = _FILE_TYPE_NAMES.get(int(file_type), f"type {file_type}") if isinstance(file_type, int) else ""
    if not quant:
        quant = _dominant_tensor_type(reader)
    return GgufSummary(
        path=path, file_size=size, architecture=arch,
        name=str(meta.get("general.name") or path.stem),
        quantization=quant,
        context_length=num("context_length"),
        embedding_length=embedding,
        block_count=num("block_count"),
        head_count=head_count,
        head_count_kv=num("attention.head_count_kv", head_count) or head_count,
        key_length=num("attention.key_length", head_dim) or head_dim,
        value_length=num("attention.value_length", head_dim) or head_dim,
        n_params=sum(int(t.n_elements) for t in reader.tensors),
        chat_template=str(meta.get("tokenizer.chat_template") or ""),
        is_projector=is_projector,
        projector_type=str(meta.get("clip.projector_type") or ("clip" if is_projector else "")),
        metadata={k: v for k, v in meta.items() if not isinstance(v, list) or len(v) < 64},
    )


def _dominant_tensor_type(reader: Any) -> str:
    """The tensor type holding the most bytes, for files without ``general.file_type``."""
    totals: dict[str, int] = {}
    for tensor in reader.tensors:
        totals[tensor.tensor_type.name] = totals.get(tensor.tensor_type.name, 0) + int(tensor.n_bytes)
    return max(totals, key=totals.__getitem__) if totals else ""


def sha256_file(path: Path, progress: Callable[[int, int], None] | None = None, chunk: int = 8 << 20) -> str:
    """The file's sha256, reporting ``(bytes_done, total)`` as it goes."""
    total = path.stat().st_size
    digest = hashlib.sha256()
    done = 0
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
            done += len(block)
            if progress:
                progress(done, total)
    return digest.hexdigest()
