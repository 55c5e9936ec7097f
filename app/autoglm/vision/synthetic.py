"""A tiny vision projector with random weights, written with the ``gguf`` package.

No real projector fits a fresh machine's test run, yet the whole image path (mtmd
preprocessing, the CLIP graph, embedding decode into the language model) should run for
real. This writes llama.cpp's plain ``mlp`` (LLaVA-style) projector: one small ViT block
and a two-layer MLP whose output width equals the language model's embedding width, so
llama.cpp accepts it next to that model. Tests and ``autoglm bench vision`` use it.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

_LOGGER = logging.getLogger(__name__)


def write_random_projector(
    path: str | Path,
    text_embedding_width: int,
    *,
    image_size: int = 224,
    patch_size: int = 14,
    width: int = 64,
    heads: int = 4,
    blocks: int = 2,
    seed: int = 7,
) -> Path:
    """Write an ``mlp`` projector GGUF; ``(image_size / patch_size)²`` tokens per image (256 by default)."""
    import gguf

    if image_size % patch_size:
        raise ValueError("image_size must be a multiple of patch_size")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n_patches = (image_size // patch_size) ** 2
    ffn = width * 4
    hidden = width * 4

    def weights(*shape: int, scale: float = 0.02) -> np.ndarray:
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    def ones(n: int) -> np.ndarray:
        return np.ones(n, dtype=np.float32)

    def zeros(n: int) -> np.ndarray:
        return np.zeros(n, dtype=np.float32)

    writer = gguf.GGUFWriter(str(path), "clip")
    writer.add_type(gguf.GGUFType.MMPROJ)
    writer.add_name("AutoGLM test projector (random mlp)")
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_clip_has_vision_encoder(True)
    writer.add_clip_has_audio_encoder(False)
    writer.add_bool(gguf.Keys.Clip.HAS_LLAVA_PROJECTOR, True)
    writer.add_clip_projector_type("mlp")
    writer.add_vision_image_size(image_size)
    writer.add_vision_patch_size(patch_size)
    writer.add_vision_embedding_length(width)
    writer.add_vision_feed_forward_length(ffn)
    writer.add_vision_projection_dim(text_embedding_width)
    writer.add_vision_block_count(blocks)
    writer.add_vision_head_count(heads)
    writer.add_vision_attention_layernorm_eps(1e-6)
    writer.add_vision_image_mean([0.5, 0.5, 0.5])
    writer.add_vision_image_std([0.5, 0.5, 0.5])
    writer.add_vision_use_gelu(True)

    # numpy shapes are the reverse of ggml's ne: a Linear(in → out) weight is (out, in).
    writer.add_tensor("v.patch_embd.weight", weights(width, 3, patch_size, patch_size))
    writer.add_tensor("v.patch_embd.bias", zeros(width))
    writer.add_tensor("v.position_embd.weight", weights(n_patches, width))
    writer.add_tensor("v.pre_ln.weight", ones(width))
    writer.add_tensor("v.pre_ln.bias", zeros(width))
    for block in range(blocks):
        prefix = f"v.blk.{block}"
        for name in ("attn_q", "attn_k", "attn_v", "attn_out"):
            writer.add_tensor(f"{prefix}.{name}.weight", weights(width, width))
            writer.add_tensor(f"{prefix}.{name}.bias", zeros(width))
        for name in ("ln1", "ln2"):
            writer.add_tensor(f"{prefix}.{name}.weight", ones(width))
            writer.add_tensor(f"{prefix}.{name}.bias", zeros(width))
        writer.add_tensor(f"{prefix}.ffn_up.weight", weights(ffn, width))
        writer.add_tensor(f"{prefix}.ffn_up.bias", zeros(ffn))
        writer.add_tensor(f"{prefix}.ffn_down.weight", weights(width, ffn))
        writer.add_tensor(f"{prefix}.ffn_down.bias", zeros(width))
    writer.add_tensor("mm.0.weight", weights(hidden, width))
    writer.add_tensor("mm.0.bias", zeros(hidden))
    writer.add_tensor("mm.2.weight", weights(text_embedding_width, hidden))
    writer.add_tensor("mm.2.bias", zeros(text_embedding_width))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    _LOGGER.info("Wrote a random %d-token mlp projector to %s", n_patches, path)
    return path
