"""A tiny random-weight model of AutoGLM-Phone-9B's architecture, written with the ``gguf`` package.

AutoGLM-Phone-9B is GLM-4.1V-9B: a ``glm4`` text model with M-RoPE
(``glm4.rope.dimension_sections``), GLM's special tokens and chat template, and a
``glm4v`` projector whose output width is the text model's width. Nine billion
parameters do not fit a test run, so this writes the same layout at a few hundred
thousand: llama.cpp loads it, mtmd encodes images with it, the K-quant path quantises
it, and every check and protocol rule of the real model can be exercised offline.
Nothing it writes is committed; tests and ``autoglm bench vision`` generate it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

_LOGGER = logging.getLogger(__name__)

# The official GLM-4.1V-9B-Thinking chat template (the model's own tokenizer_config.json).
GLM41V_CHAT_TEMPLATE = """[gMASK]<sop>
{%- for msg in messages %}
    {%- if msg.role == 'system' %}
<|system|>
{{ msg.content }}
    {%- elif msg.role == 'user' %}
<|user|>{{ '\\n' }}
        {%- if msg.content is string %}
{{ msg.content }}
        {%- else %}
            {%- for item in msg.content %}
                {%- if item.type == 'video' or 'video' in item %}
<|begin_of_video|><|video|><|end_of_video|>
                {%- elif item.type == 'image' or 'image' in item %}
<|begin_of_image|><|image|><|end_of_image|>
                {%- elif item.type == 'text' %}
{{ item.text }}
                {%- endif %}
            {%- endfor %}
        {%- endif %}
    {%- elif msg.role == 'assistant' %}
        {%- if msg.metadata %}
<|assistant|>{{ msg.metadata }}
{{ msg.content }}
        {%- else %}
<|assistant|>
{{ msg.content }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{% if add_generation_prompt %}<|assistant|>
{% endif %}"""

# GLM-4's control tokens, then the reasoning/answer tags (atomic, as in the real vocabulary).
GLM_CONTROL_TOKENS = (
    "<|endoftext|>",
    "[MASK]",
    "[gMASK]",
    "[sMASK]",
    "<sop>",
    "<eop>",
    "<|system|>",
    "<|user|>",
    "<|assistant|>",
    "<|observation|>",
    "<|begin_of_image|>",
    "<|end_of_image|>",
    "<|begin_of_video|>",
    "<|end_of_video|>",
    "<|image|>",
    "<|video|>",
)
GLM_TAG_TOKENS = ("<think>", "</think>", "<answer>", "</answer>")
# Pieces longer than llama-cpp-python's 32-byte detokenizer buffer (real vocabularies hold
# separator lines and runs of spaces like these).
LONG_PIECES = ("-" * 40, "=" * 48)
_WORDS = (
    "the",
    "and",
    "Tap",
    "do",
    "action",
    "element",
    "finish",
    "message",
    "screen",
    "app",
    "Launch",
    "Back",
    "Home",
    "Swipe",
    "Type",
    "text",
    "is",
    "on",
    "to",
    "of",
)


def _byte_tokens() -> list[str]:
    """GPT-2's byte-to-unicode table: the 256 tokens every byte-level BPE vocabulary holds."""
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    chars = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            chars.append(256 + extra)
            extra += 1
    table = dict(zip(printable, chars))
    return [chr(table[b]) for b in range(256)]


def _vocabulary() -> tuple[list[str], list[int], list[str]]:
    """Tokens, their types and BPE merges: bytes, a few merged words, GLM's specials."""
    import gguf

    tokens = _byte_tokens()
    types = [gguf.TokenType.NORMAL] * len(tokens)
    merges: list[str] = []
    known = set(tokens)
    for word in _WORDS:
        for prefix in ("", "Ġ"):  # "Ġ" is a space in GPT-2's byte table
            piece = prefix + word
            current = piece[0]
            for char in piece[1:]:
                merged = current + char
                if merged not in known:
                    merges.append(f"{current} {char}")
                    tokens.append(merged)
                    types.append(gguf.TokenType.NORMAL)
                    known.add(merged)
                current = merged
    for long_piece in LONG_PIECES:
        tokens.append(long_piece)
        types.append(gguf.TokenType.NORMAL)
    for special in GLM_CONTROL_TOKENS + GLM_TAG_TOKENS:
        tokens.append(special)
        types.append(gguf.TokenType.CONTROL)
    return tokens, [int(t) for t in types], merges


def write_glm_text_model(
    path: str | Path,
    *,
    rope_sections: Sequence[int] | None = (4, 6, 6, 0),
    width: int = 256,
    blocks: int = 2,
    heads: int = 4,
    kv_heads: int = 2,
    ffn: int = 256,
    context: int = 4096,
    seed: int = 11,
    says: tuple[str, str] | None = None,
) -> Path:
    """Write a ``glm4`` text GGUF (F32); ``rope_sections=None`` is a conversion from before M-RoPE.

    ``says`` makes a model that only ever answers with those two tokens (which one
    depends on the sign of one hidden value): its output layer sees one dimension, and
    only the two tokens read it, one positively, one negatively.
    """
    import gguf

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    head_dim = width // heads
    tokens, types, merges = _vocabulary()
    vocab = len(tokens)

    def weights(*shape: int, scale: float = 0.05) -> np.ndarray:
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    def ones(n: int) -> np.ndarray:
        return np.ones(n, dtype=np.float32)

    writer = gguf.GGUFWriter(str(path), "glm4")
    writer.add_name("AutoGLM-Phone-9B stand-in (random glm4)")
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_context_length(context)
    writer.add_embedding_length(width)
    writer.add_block_count(blocks)
    writer.add_feed_forward_length(ffn)
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv_heads)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_rope_dimension_count(head_dim // 2)  # partial_rotary_factor 0.5, as GLM-4.1V
    writer.add_rope_freq_base(10000.0)
    if rope_sections is not None:
        writer.add_rope_dimension_sections(list(rope_sections))
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("glm4")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    special = {t: tokens.index(t) for t in GLM_CONTROL_TOKENS}
    writer.add_eos_token_id(special["<|endoftext|>"])
    writer.add_eot_token_id(special["<|user|>"])
    writer.add_bos_token_id(special["<|endoftext|>"])
    writer.add_unk_token_id(special["<|endoftext|>"])
    writer.add_pad_token_id(special["<|endoftext|>"])
    writer.add_add_bos_token(False)
    writer.add_chat_template(GLM41V_CHAT_TEMPLATE)

    # numpy shapes are the reverse of ggml's ne: a Linear(in → out) weight is (out, in).
    writer.add_tensor("token_embd.weight", weights(vocab, width, scale=0.5))
    if says is None:
        writer.add_tensor("output_norm.weight", ones(width))
        writer.add_tensor("output.weight", weights(vocab, width, scale=0.5))
    else:
        norm = np.zeros(width, dtype=np.float32)
        norm[0] = 1.0
        output = np.zeros((vocab, width), dtype=np.float32)
        output[tokens.index(says[0]), 0] = 8.0
        output[tokens.index(says[1]), 0] = -8.0
        writer.add_tensor("output_norm.weight", norm)
        writer.add_tensor("output.weight", output)
    for block in range(blocks):
        prefix = f"blk.{block}"
        writer.add_tensor(f"{prefix}.attn_norm.weight", ones(width))
        writer.add_tensor(f"{prefix}.attn_q.weight", weights(heads * head_dim, width))
        writer.add_tensor(f"{prefix}.attn_q.bias", weights(heads * head_dim))
        writer.add_tensor(f"{prefix}.attn_k.weight", weights(kv_heads * head_dim, width))
        writer.add_tensor(f"{prefix}.attn_k.bias", weights(kv_heads * head_dim))
        writer.add_tensor(f"{prefix}.attn_v.weight", weights(kv_heads * head_dim, width))
        writer.add_tensor(f"{prefix}.attn_v.bias", weights(kv_heads * head_dim))
        writer.add_tensor(f"{prefix}.attn_output.weight", weights(width, heads * head_dim))
        writer.add_tensor(f"{prefix}.post_attention_norm.weight", ones(width))
        writer.add_tensor(f"{prefix}.ffn_norm.weight", ones(width))
        writer.add_tensor(f"{prefix}.ffn_up.weight", weights(2 * ffn, width))  # gate | up, fused
        writer.add_tensor(f"{prefix}.ffn_down.weight", weights(width, ffn))
        writer.add_tensor(f"{prefix}.post_ffw_norm.weight", ones(width))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    _LOGGER.info(
        "Wrote a random glm4 text model (%d tokens, sections %s) to %s", vocab, rope_sections, path
    )
    return path


def write_glm4v_projector(
    path: str | Path,
    text_embedding_width: int,
    *,
    width: int = 64,
    heads: int = 2,
    blocks: int = 1,
    ffn: int = 128,
    merger_ffn: int = 512,
    patch_size: int = 14,
    image_size: int = 56,
    seed: int = 13,
) -> Path:
    """Write a ``glm4v`` mmproj (F32) projecting to ``text_embedding_width``.

    Like GLM-4.1V's: 14-pixel patches merged 2×2, so an image costs
    ``(W / 28) × (H / 28)`` tokens, and its last layer's width is the text model's.
    """
    import gguf

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    grid = image_size // patch_size
    out = text_embedding_width

    def weights(*shape: int, scale: float = 0.05) -> np.ndarray:
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    def ones(n: int) -> np.ndarray:
        return np.ones(n, dtype=np.float32)

    def zeros(n: int) -> np.ndarray:
        return np.zeros(n, dtype=np.float32)

    writer = gguf.GGUFWriter(str(path), "clip")
    writer.add_type(gguf.GGUFType.MMPROJ)
    writer.add_name("AutoGLM-Phone-9B stand-in projector (random glm4v)")
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_clip_has_vision_encoder(True)
    writer.add_clip_has_audio_encoder(False)
    writer.add_clip_projector_type("glm4v")
    writer.add_vision_image_size(image_size)
    writer.add_vision_patch_size(patch_size)
    writer.add_vision_embedding_length(width)
    writer.add_vision_feed_forward_length(ffn)
    writer.add_vision_projection_dim(out)
    writer.add_vision_block_count(blocks)
    writer.add_vision_head_count(heads)
    writer.add_vision_attention_layernorm_eps(1e-5)
    writer.add_vision_image_mean([0.48145466, 0.4578275, 0.40821073])
    writer.add_vision_image_std([0.26862954, 0.26130258, 0.27577711])
    writer.add_vision_use_silu(True)
    writer.add_vision_spatial_merge_size(2)

    writer.add_tensor("v.patch_embd.weight", weights(width, 3, patch_size, patch_size))
    writer.add_tensor("v.patch_embd.weight.1", weights(width, 3, patch_size, patch_size))
    writer.add_tensor("v.patch_embd.bias", zeros(width))
    writer.add_tensor("v.norm_embd.weight", ones(width))
    writer.add_tensor("v.position_embd.weight", weights(grid * grid, width))
    for block in range(blocks):
        prefix = f"v.blk.{block}"
        writer.add_tensor(f"{prefix}.ln1.weight", ones(width))
        writer.add_tensor(f"{prefix}.ln2.weight", ones(width))
        writer.add_tensor(f"{prefix}.attn_qkv.weight", weights(3 * width, width))
        writer.add_tensor(f"{prefix}.attn_out.weight", weights(width, width))
        writer.add_tensor(f"{prefix}.ffn_gate.weight", weights(ffn, width))
        writer.add_tensor(f"{prefix}.ffn_up.weight", weights(ffn, width))
        writer.add_tensor(f"{prefix}.ffn_down.weight", weights(width, ffn))
    writer.add_tensor("v.post_ln.weight", ones(width))
    writer.add_tensor("mm.patch_merger.weight", weights(out, width, 2, 2))
    writer.add_tensor("mm.patch_merger.bias", zeros(out))
    writer.add_tensor("mm.model.fc.weight", weights(out, out))
    writer.add_tensor("mm.post_norm.weight", ones(out))
    writer.add_tensor("mm.post_norm.bias", zeros(out))
    writer.add_tensor("mm.gate.weight", weights(merger_ffn, out))
    writer.add_tensor("mm.up.weight", weights(merger_ffn, out))
    writer.add_tensor("mm.down.weight", weights(out, merger_ffn))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    _LOGGER.info("Wrote a random glm4v projector (width %d → %d) to %s", width, out, path)
    return path


def quantize_gguf(source: str | Path, target: str | Path, file_type: int = 15) -> Path:
    """Quantise with llama.cpp's own ``llama_model_quantize`` (15 = Q4_K_M, what the real model ships as)."""
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = file_type
    params.nthread = 2
    status = llama_cpp.llama_model_quantize(str(source).encode(), str(target).encode(), params)
    if status != 0:
        raise RuntimeError(f"llama_model_quantize failed with status {status}")
    return Path(target)


def write_glm_standin(
    folder: str | Path, *, rope_sections: Sequence[int] | None = (4, 6, 6, 0), quantize: bool = True
) -> tuple[Path, Path]:
    """The stand-in pair in ``folder``: a Q4_K_M ``glm4`` text model and its f32 ``glm4v`` projector."""
    folder = Path(folder)
    label = "mrope" if rope_sections is not None else "old"
    f32 = write_glm_text_model(
        folder / f"autoglm-standin-{label}-f32.gguf", rope_sections=rope_sections
    )
    model = f32
    if quantize:
        model = quantize_gguf(f32, folder / f"autoglm-standin-{label}-Q4_K_M.gguf")
        f32.unlink()
    from autoglm.core.gguf_file import inspect_gguf

    projector = write_glm4v_projector(
        folder / "mmproj-autoglm-standin-f32.gguf", inspect_gguf(model).embedding_length
    )
    return model, projector
