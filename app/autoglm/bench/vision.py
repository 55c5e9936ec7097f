"""``autoglm bench vision``: TTFT of a follow-up question about an image, vs llama-cpp-python's MTMD handler.

The scene: the user sends a screenshot with a question, gets an answer, then asks more
about the same screenshot. The engine keeps the image's KV entries, so a follow-up
evaluates only the new question. The peer is llama-cpp-python's own ``MTMDChatHandler``
on the same model and projector files (in its own ``Llama``, same threads and context),
which resets the context and re-encodes every image on every call. Trials alternate
between the two so a noisy neighbour hits both alike; medians are compared.

For a model without a projector (the starter), a random-weight ``mlp`` projector of the
model's embedding width is written to the cache folder: the timings are real (encoder
and decoder run in full), the answers are not meaningful.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from autoglm.bench.report import peak_rss_mb, print_table, write_json
from autoglm.core.types import ChatMessage, GenerationRequest, ImageInput, SamplingParams

SYSTEM = "You are a helpful assistant that looks at screenshots."
FIRST_QUESTION = "What is shown in this screenshot?"
FOLLOW_UPS = [
    "What colour is the largest shape?",
    "Is there any text in it?",
    "Which corner is the brightest?",
    "How many shapes are there?",
    "Describe the background.",
    "What would you change about it?",
]
REPLY_TOKENS = 8


def register(subparsers: Any) -> None:
    """Add ``bench vision``."""
    parser = subparsers.add_parser(
        "vision", help="Follow-up TTFT about an image vs llama-cpp-python's MTMDChatHandler"
    )
    parser.add_argument(
        "--model", default=None, help="Catalog id or .gguf path (default: the starter model)"
    )
    parser.add_argument(
        "--mmproj",
        type=Path,
        default=None,
        help="Projector GGUF (default: the model's own, else a random mlp projector)",
    )
    parser.add_argument(
        "--image",
        type=Path,
        default=None,
        help="Image to ask about (default: a generated 800×600 picture)",
    )
    parser.add_argument("--trials", type=int, default=3, help="Follow-up questions per side")
    parser.add_argument(
        "--threads", type=int, default=None, help="CPU threads (default: physical cores)"
    )
    parser.add_argument("--json", type=Path, help="Write the figures to this JSON file")
    parser.set_defaults(handler=run)


def synthetic_screenshot(width: int = 800, height: int = 600) -> bytes:
    """A deterministic picture with shapes and text, as PNG bytes."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (235, 240, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, width // 2, height // 2), fill=(200, 40, 40))
    draw.ellipse((width // 2, height // 3, width - 60, height - 60), fill=(40, 90, 200))
    draw.text((60, height - 80), "AutoGLM vision benchmark", fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _files(args: argparse.Namespace) -> tuple[str, str, Path, Path]:
    """Model id, name, model path and projector path (writing a random projector if needed)."""
    from autoglm.core.catalog import STARTER_MODEL_ID, ModelRepository
    from autoglm.core.gguf_file import inspect_gguf
    from autoglm.core.paths import app_paths
    from autoglm.vision.synthetic import write_random_projector

    paths = app_paths().ensure()
    resolved = ModelRepository(paths).resolve(args.model or STARTER_MODEL_ID, args.mmproj)
    mmproj = resolved.mmproj_path
    if mmproj is None:
        width = inspect_gguf(resolved.model_path).embedding_length
        mmproj = paths.cache_dir / "bench" / f"random-mlp-projector-{width}.gguf"
        if not mmproj.exists():
            write_random_projector(mmproj, width)
    return resolved.model_id, resolved.display_name, resolved.model_path, mmproj


class _Engine:
    """Our side: the app's engine, one growing conversation about the image."""

    def __init__(self, engine: Any, image: ImageInput):
        self.engine = engine
        self.messages = [
            ChatMessage("system", SYSTEM),
            ChatMessage("user", FIRST_QUESTION, [image]),
        ]
        self.last_completion: Any = None

    def warm_up(self) -> float:
        """A tiny text-only reply and the projector loaded, as the peer's warm-up does; returns the projector load time."""
        request = GenerationRequest(
            [ChatMessage("user", "Hi")], SamplingParams(max_tokens=2), thinking=False
        )
        self.engine.generate(request, lambda event: None, threading.Event())
        started = time.perf_counter()
        with self.engine.vision.projector.use(self.engine.llama.model):
            pass
        return time.perf_counter() - started

    def ask(self, question: str | None) -> float:
        if question is not None:
            self.messages.append(ChatMessage("user", question))
        request = GenerationRequest(
            list(self.messages),
            SamplingParams(temperature=0.0, max_tokens=REPLY_TOKENS),
            thinking=False,
        )
        completion = self.engine.generate(request, lambda event: None, threading.Event())
        self.messages.append(ChatMessage("assistant", completion.content))
        self.last_completion = completion
        return completion.timings.ttft_s


class _Peer:
    """llama-cpp-python's MTMD chat handler on its own ``Llama`` over the same files."""

    def __init__(self, engine: Any, data_uri: str):
        import llama_cpp

        flatten = not engine.template.accepts_list_content()
        handler_class = _flattening_handler_class() if flatten else _mtmd_handler_class()
        settings = engine.settings
        threads = engine.llama.n_threads
        self.handler = handler_class(
            clip_model_path=str(engine.mmproj_path),
            verbose=False,
            use_gpu=engine.vision.projector.use_gpu,
        )
        self.llama = llama_cpp.Llama(
            str(engine.model_path),
            n_ctx=engine.llama.n_ctx(),
            n_threads=threads,
            n_threads_batch=threads,
            n_batch=settings.n_batch,
            n_ubatch=settings.n_batch,
            n_gpu_layers=settings.n_gpu_layers,
            flash_attn=settings.flash_attn,
            verbose=False,
            chat_handler=self.handler,
        )
        self.messages: list[Any] = [  # llama-cpp-python's message dicts
            {"role": "system", "content": SYSTEM},
            {
                "role": "user",
                "content": [
                    {"type": "image_url", "image_url": {"url": data_uri}},
                    {"type": "text", "text": FIRST_QUESTION},
                ],
            },
        ]

    def warm_up(self) -> None:
        """A tiny text-only reply (which also loads the handler's projector)."""
        self.llama.create_chat_completion(
            messages=[{"role": "user", "content": "Hi"}], max_tokens=2
        )

    def ask(self, question: str | None) -> float:
        if question is not None:
            self.messages.append({"role": "user", "content": question})
        started = time.perf_counter()
        first: float | None = None
        parts: list[str] = []
        chunks: Iterator[Any] = self.llama.create_chat_completion(  # type: ignore[assignment]
            messages=list(self.messages), temperature=0.0, max_tokens=REPLY_TOKENS, stream=True
        )
        for chunk in chunks:
            delta = chunk["choices"][0].get("delta", {}).get("content")
            if delta:
                first = first or time.perf_counter()
                parts.append(delta)
        self.messages.append({"role": "assistant", "content": "".join(parts)})
        return (first or time.perf_counter()) - started

    def close(self) -> None:
        self.llama.close()


def _mtmd_handler_class() -> type:
    from llama_cpp.llama_chat_format import MTMDChatHandler

    return MTMDChatHandler


def _flattening_handler_class() -> type:
    """``MTMDChatHandler`` with images flattened to the media marker, for templates without list content."""
    from autoglm.core.chat_template import flatten_images

    base = _mtmd_handler_class()

    class FlatteningMTMDChatHandler(base):  # type: ignore[misc, valid-type]
        def _get_template_messages(self, messages: list[Any], media_marker: str) -> list[Any]:
            flattened = []
            for message in messages:
                content = message.get("content")
                if isinstance(content, list):
                    n_images = sum(1 for part in content if part.get("type") == "image_url")
                    text = "".join(
                        part.get("text", "") for part in content if part.get("type") == "text"
                    )
                    message = {**message, "content": flatten_images(text, n_images, media_marker)}
                flattened.append(message)
            return flattened

    return FlatteningMTMDChatHandler


def _screen_cost(engine: Any, settings: Any, width: int, height: int) -> int:
    """KV cells a screenshot of this size takes in the model's prompt at the image-token budget."""
    from autoglm.vision.image import normalise

    image = normalise(
        synthetic_screenshot(width, height), settings.vision, f"a {width}×{height} screenshot"
    )
    sequence = engine.build_prompt([ChatMessage("user", "", [image])]).sequence
    return sum(piece.n_tokens for piece in sequence.media)


def run(args: argparse.Namespace) -> int:
    """Run the benchmark, print the table, write JSON."""
    from autoglm.core.llama.engine import LlamaEngine, default_thread_count
    from autoglm.core.settings import load_settings
    from autoglm.vision.image import encode_data_uri, load_image_file, normalise

    settings = load_settings()
    model_id, name, model_path, mmproj = _files(args)
    threads = args.threads or default_thread_count()
    model_settings = settings.model.model_copy(
        update={"n_ctx": 4096, "n_threads": threads, "projector_idle_unload_s": 0}
    )
    image = (
        load_image_file(args.image, settings.vision)
        if args.image
        else normalise(synthetic_screenshot(), settings.vision, "the generated picture")
    )

    engine = LlamaEngine(
        model_path, model_settings, model_id=model_id, mmproj_path=mmproj, display_name=name
    )
    engine.load()
    vision = engine.vision
    assert vision is not None, "the benchmark always loads a projector"
    ours = _Engine(engine, image)
    peer = _Peer(engine, encode_data_uri(image))
    try:
        projector_load_s = ours.warm_up()
        peer.warm_up()
        first_ttft = ours.ask(None)
        first = ours.last_completion
        peer_first_ttft = peer.ask(None)
        encodes_before = vision.stats.images_encoded
        our_trials: list[float] = []
        peer_trials: list[float] = []
        cached: list[int] = []
        for question in FOLLOW_UPS[: max(1, args.trials)]:
            our_trials.append(ours.ask(question))
            cached.append(ours.last_completion.usage.cached_prompt_tokens)
            peer_trials.append(peer.ask(question))
        follow_up = statistics.median(our_trials)
        peer_follow_up = statistics.median(peer_trials)
        figures = {
            "model": model_id,
            "projector": mmproj.name,
            "threads": threads,
            "image_pixels": f"{image.width}x{image.height}",
            "image_prompt_tokens": first.usage.prompt_tokens,
            "projector_load_s": projector_load_s,
            "first_turn_ttft_s": first_ttft,
            "peer_first_turn_ttft_s": peer_first_ttft,
            "followup_ttft_s": follow_up,
            "peer_followup_ttft_s": peer_follow_up,
            "followup_ttft_ratio_vs_peer": follow_up / peer_follow_up if peer_follow_up else 0.0,
            "followup_cached_prompt_tokens": min(cached),
            "followup_image_encodes": vision.stats.images_encoded - encodes_before,
            "image_tokens_budget": settings.vision.image_tokens,
            "phone_screenshot_1080x2400_prompt_tokens": _screen_cost(engine, settings, 1080, 2400),
            "desktop_screenshot_2560x1440_prompt_tokens": _screen_cost(
                engine, settings, 2560, 1440
            ),
            "followup_ttft_trials_s": our_trials,
            "peer_followup_ttft_trials_s": peer_trials,
            "peak_rss_mb": peak_rss_mb(),
        }
    finally:
        peer.close()
        engine.unload()
    print_table(
        f"autoglm bench vision — {model_id} + {mmproj.name}",
        [(k, v) for k, v in figures.items() if not isinstance(v, list)],
    )
    write_json(args.json, figures)
    return 0
