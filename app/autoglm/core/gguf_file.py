"""Checking and describing GGUF files before llama.cpp ever opens them.

llama.cpp aborts the whole process on some malformed files, so every model and
projector passes through ``inspect_gguf`` first: a missing file, a file that is not
GGUF, a truncated download or an unreadable header becomes one ``ModelError`` sentence.
"""

from __future__ import annotations

import hashlib
import logging
import mmap
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autoglm.core.errors import ModelError

_LOGGER = logging.getLogger(__name__)
GGUF_MAGIC = b"GGUF"

_FILE_TYPE_NAMES = {
    0: "F32",
    1: "F16",
    2: "Q4_0",
    3: "Q4_1",
    7: "Q8_0",
    8: "Q5_0",
    9: "Q5_1",
    10: "Q2_K",
    11: "Q3_K_S",
    12: "Q3_K_M",
    13: "Q3_K_L",
    14: "Q4_K_S",
    15: "Q4_K_M",
    16: "Q5_K_S",
    17: "Q5_K_M",
    18: "Q6_K",
    19: "IQ2_XXS",
    20: "IQ2_XS",
    21: "Q2_K_S",
    22: "IQ3_XS",
    23: "IQ3_XXS",
    24: "IQ1_S",
    25: "IQ4_NL",
    26: "IQ3_S",
    27: "IQ3_M",
    28: "IQ2_S",
    29: "IQ2_M",
    30: "IQ4_XS",
    31: "IQ1_M",
    32: "BF16",
    36: "TQ1_0",
    37: "TQ2_0",
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

    @property
    def rope_sections(self) -> list[int]:
        """M-RoPE sections (``{arch}.rope.dimension_sections``); empty for plain RoPE."""
        value = self.metadata.get(f"{self.architecture}.rope.dimension_sections")
        return [int(v) for v in value] if isinstance(value, list) else []

    @property
    def uses_mrope(self) -> bool:
        """Whether llama.cpp will run this model with M-RoPE, as image positions need (first two sections set)."""
        sections = self.rope_sections
        return len(sections) >= 2 and sections[0] > 0 and sections[1] > 0

    def kv_cache_bytes(self, n_ctx: int, bytes_per_value: int = 2) -> int:
        """Memory of an f16 KV cache holding ``n_ctx`` tokens."""
        per_token = self.block_count * self.head_count_kv * (self.key_length + self.value_length)
        return per_token * n_ctx * bytes_per_value


_SCALAR_FORMATS = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
_STRING, _ARRAY = 8, 9
_KEEP_ARRAY_ITEMS = 64


@dataclass(frozen=True)
class _TensorInfo:
    name: str
    type_id: int
    n_elements: int
    offset: int


class _HeaderParser:
    """A minimal GGUF header reader over a memory map.

    ``gguf.GGUFReader`` builds numpy views of every tokenizer entry, which takes ten
    seconds on a 150,000-token vocabulary; this reads the same header in a fraction of
    that and keeps only short arrays (long ones are summarised by their length).
    """

    def __init__(self, data: Any):
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> Any:
        value = struct.unpack_from(fmt, self.data, self.pos)[0]
        self.pos += struct.calcsize(fmt)
        return value

    def string(self) -> str:
        length = self.take("<Q")
        if self.pos + length > len(self.data):
            raise ValueError("string runs past the end of the file")
        raw = bytes(self.data[self.pos : self.pos + length])
        self.pos += length
        return raw.decode("utf-8", errors="replace")

    def value(self, type_id: int) -> Any:
        if type_id in _SCALAR_FORMATS:
            return self.take(_SCALAR_FORMATS[type_id])
        if type_id == _STRING:
            return self.string()
        if type_id == _ARRAY:
            item_type, count = self.take("<I"), self.take("<Q")
            if item_type in _SCALAR_FORMATS:
                size = struct.calcsize(_SCALAR_FORMATS[item_type])
                if count <= _KEEP_ARRAY_ITEMS:
                    items = [self.value(item_type) for _ in range(count)]
                    return items
                self.pos += size * count
                if self.pos > len(self.data):
                    raise ValueError("array runs past the end of the file")
                return f"<{count} items>"
            items = [self.value(item_type) for _ in range(count)]
            return items if count <= _KEEP_ARRAY_ITEMS else f"<{count} items>"
        raise ValueError(f"unknown GGUF value type {type_id}")


def _read_header(handle: Any) -> tuple[dict[str, Any], list[_TensorInfo], int]:
    """Metadata, tensor table and the offset where tensor data starts."""
    with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        parser = _HeaderParser(data)
        parser.pos = 4
        version = parser.take("<I")
        if version < 2:
            raise ValueError(f"GGUF version {version} is too old")
        n_tensors, n_kv = parser.take("<Q"), parser.take("<Q")
        if n_tensors > 1_000_000 or n_kv > 1_000_000:
            raise ValueError("implausible header counts")
        meta: dict[str, Any] = {}
        for _ in range(n_kv):
            key = parser.string()
            meta[key] = parser.value(parser.take("<I"))
        tensors = []
        for _ in range(n_tensors):
            name = parser.string()
            dims = [parser.take("<Q") for _ in range(parser.take("<I"))]
            type_id, offset = parser.take("<I"), parser.take("<Q")
            n_elements = 1
            for dim in dims:
                n_elements *= dim
            tensors.append(_TensorInfo(name, type_id, n_elements, offset))
        alignment = int(meta.get("general.alignment", 32) or 32)
        data_start = (parser.pos + alignment - 1) // alignment * alignment
        return meta, tensors, data_start


def _tensor_bytes(tensor: _TensorInfo) -> int:
    from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType

    block, type_size = GGML_QUANT_SIZES[GGMLQuantizationType(tensor.type_id)]
    return tensor.n_elements * type_size // block


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
            if magic != GGUF_MAGIC:
                raise ModelError(
                    f"{label} is not a GGUF model (it does not start with the GGUF signature)."
                )
            meta, tensors, data_start = _read_header(handle)
            sizes = [_tensor_bytes(t) for t in tensors]
    except ModelError:
        raise
    except OSError as exc:
        raise ModelError(f"{label} cannot be read: {exc.strerror or exc}.") from exc
    except Exception as exc:  # any parse failure means a damaged file
        raise ModelError(
            f"{label} is damaged or truncated ({size:,} bytes): "
            "its header or tensor table cannot be read."
        ) from exc
    if not tensors:
        raise ModelError(f"{label} holds no tensors; it is not a usable model.")
    data_end = max(data_start + t.offset + n for t, n in zip(tensors, sizes))
    if data_end > size:
        raise ModelError(
            f"{label} is truncated: it should be at least {data_end:,} bytes but is {size:,}."
        )

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
    quant = (
        _FILE_TYPE_NAMES.get(file_type, f"type {file_type}") if isinstance(file_type, int) else ""
    )
    if not quant:
        quant = _dominant_tensor_type(tensors, sizes)
    return GgufSummary(
        path=path,
        file_size=size,
        architecture=arch,
        name=str(meta.get("general.name") or path.stem),
        quantization=quant,
        context_length=num("context_length"),
        embedding_length=embedding,
        block_count=num("block_count"),
        head_count=head_count,
        head_count_kv=num("attention.head_count_kv", head_count) or head_count,
        key_length=num("attention.key_length", head_dim) or head_dim,
        value_length=num("attention.value_length", head_dim) or head_dim,
        n_params=sum(t.n_elements for t in tensors),
        chat_template=str(meta.get("tokenizer.chat_template") or ""),
        is_projector=is_projector,
        projector_type=str(meta.get("clip.projector_type") or ("clip" if is_projector else "")),
        metadata=meta,
    )


# Projectors whose image positions are M-RoPE positions, and the text architectures they belong to.
_MROPE_PROJECTORS = {
    "glm4v": ("glm4",),
    "glm5v": ("glm4", "glm4moe", "glm-dsa"),
    "qwen2vl_merger": ("qwen2vl",),
    "qwen2.5vl_merger": ("qwen2vl",),
    "qwen3vl_merger": ("qwen3vl", "qwen3vlmoe"),
}


def check_projector_pairing(model: GgufSummary, projector: GgufSummary) -> None:
    """Refuse, in one sentence, a projector that llama.cpp would abort on or misuse with ``model``.

    llama.cpp aborts the whole process on the first image when a GLM-4 text model
    converted before its GLM-4.1V vision support (no M-RoPE sections) is given a glm4v
    projector, so the pair is checked here, before llama.cpp opens either file.
    """
    kind = projector.projector_type
    width = projector.metadata.get("clip.vision.projection_dim")
    if (
        isinstance(width, int)
        and width
        and model.embedding_length
        and width != model.embedding_length
    ):
        raise ModelError(
            f"The projector {projector.path.name} projects images to {width} values, but the language "
            f"model expects {model.embedding_length}: it belongs to a different model; use the mmproj "
            f"published with {model.path.name}."
        )
    architectures = _MROPE_PROJECTORS.get(kind)
    if architectures is None:
        return
    if model.architecture not in architectures:
        raise ModelError(
            f"The projector {projector.path.name} is a {kind} projector for "
            f"{'/'.join(architectures)} models, but {model.path.name} is a {model.architecture} model; "
            "use the mmproj published with this model."
        )
    if not model.uses_mrope:
        raise ModelError(
            f"{model.path.name} was converted before llama.cpp supported its images "
            f"(it has no {model.architecture}.rope.dimension_sections), so it cannot take the "
            f"projector {projector.path.name}: download a current GGUF of this model or reconvert it "
            "with a current llama.cpp (convert_hf_to_gguf.py); without the projector it still works "
            "for text."
        )


def _dominant_tensor_type(tensors: list[_TensorInfo], sizes: list[int]) -> str:
    """The tensor type holding the most bytes, for files without ``general.file_type``."""
    from gguf.constants import GGMLQuantizationType

    totals: dict[str, int] = {}
    for tensor, n_bytes in zip(tensors, sizes):
        name = GGMLQuantizationType(tensor.type_id).name
        totals[name] = totals.get(name, 0) + n_bytes
    return max(totals, key=totals.__getitem__) if totals else ""


def sha256_file(
    path: Path, progress: Callable[[int, int], None] | None = None, chunk: int = 8 << 20
) -> str:
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
