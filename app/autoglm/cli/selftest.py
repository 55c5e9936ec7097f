"""``autoglm selftest`` (and ``autoglm --selftest``): check an installation without a display.

It runs what a packaged app needs, in order, printing each step with its time: the
llama.cpp build, the starter model (assembled from its packages when they are bundled),
a few generated tokens, a sentence spoken by piper, the Silero VAD finding speech in it,
and whisper transcribing it back. The first failing step ends the run with one line and
a non-zero exit code (3 for a model problem, 4 for a sound device, 1 for anything else).

The release workflow also asks for what only an installed copy can show: ``--window``
opens the main window offscreen, ``--audio`` plays the spoken sentence and records
meanwhile, and ``--expect-gpu metal|cuda|none`` fails unless the model ran there. Each
check that passes prints one ``selftest: … ok (…)`` line, which the workflow's first
run is read against (packaging/README.md). Window and sound are opt-in: the updater runs
the self-test of a staged version on the user's computer, where it must not play sound.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from autoglm.cli.selftest_gpu import EXPECTATIONS
from autoglm.core.errors import ModelError, UserFacingError
from autoglm.core.settings_cli import add_settings_arguments, overrides_from_args

_LOGGER = logging.getLogger(__name__)
SENTENCE = "The quick brown fox jumps over the lazy dog."
PROMPT = "Reply with one short greeting."
EXIT_FAILED = 1


class SelftestFailure(UserFacingError):
    """A check ran but its result was wrong (e.g. whisper heard something else)."""

    exit_code = EXIT_FAILED


def register(subparsers: Any) -> None:
    """Add ``selftest`` to the command line."""
    parser = subparsers.add_parser(
        "selftest",
        help="Check this installation headlessly: model, tokens, speech out and back in",
        description="Load the starter model, generate a few tokens, speak a sentence with piper and "
        "transcribe it back with whisper; print each step; exit 0 when all pass.",
    )
    parser.add_argument(
        "--model", help="Catalog id, imported id or .gguf path (default: the starter model)"
    )
    parser.add_argument("--max-tokens", type=int, default=8, help="Tokens to generate (default: 8)")
    parser.add_argument(
        "--window",
        action="store_true",
        help="Also open the main window (offscreen unless QT_QPA_PLATFORM says otherwise)",
    )
    parser.add_argument(
        "--audio",
        action="store_true",
        help="Also play the spoken sentence on the speaker while recording the microphone",
    )
    parser.add_argument(
        "--allow-no-audio",
        action="store_true",
        help="With --audio: pass, and say so, where no sound device can be opened at all "
        "(a build server without sound)",
    )
    parser.add_argument(
        "--expect-gpu",
        choices=EXPECTATIONS,
        default=None,
        help="Fail unless the model runs there (cuda without a CUDA device: the CPU fallback, "
        "said in words)",
    )
    add_settings_arguments(parser, ("voice",))
    parser.set_defaults(handler=run)


def word_overlap(expected: str, heard: str) -> float:
    """The share of ``expected``'s words found in ``heard`` (case and punctuation ignored)."""

    def words(text: str) -> list[str]:
        return re.findall(r"[a-z0-9']+", text.lower())

    wanted = words(expected)
    got = set(words(heard))
    return sum(word in got for word in wanted) / len(wanted) if wanted else 0.0


class _Steps:
    """Runs named steps, printing ``name  seconds  detail`` for each."""

    def __init__(self) -> None:
        self.started = time.perf_counter()

    def run(self, name: str, step: Callable[[], str]) -> None:
        began = time.perf_counter()
        try:
            detail = step()
        except UserFacingError as exc:
            raise type(exc)(f"selftest failed at '{name}': {exc}") from exc
        except Exception as exc:  # any failure becomes one line
            _LOGGER.exception("Selftest step %s failed", name)
            raise SelftestFailure(
                f"selftest failed at '{name}': {type(exc).__name__}: {exc}"
            ) from exc
        print(f"ok  {name:<20} {time.perf_counter() - began:6.2f} s  {detail}", flush=True)


def _llama_build() -> str:
    import llama_cpp

    from autoglm.core.llama.backends import load_cpu_backend
    from autoglm.core.llama.engine import backend_name

    cpu = load_cpu_backend()
    backend, _ = backend_name(-1)
    return f"llama-cpp-python {llama_cpp.__version__}, backend {backend}, CPU {cpu.describe()}"


def run(args: argparse.Namespace) -> int:
    """Run every step; raises ``UserFacingError`` (one line, its exit code) on the first failure."""
    from autoglm import __version__
    from autoglm.core.catalog import STARTER_MODEL_ID, ModelRepository
    from autoglm.core.paths import app_paths
    from autoglm.core.settings import load_settings

    paths = app_paths().ensure()
    settings = overrides_from_args(args, load_settings(paths))
    frozen = "bundle" if getattr(sys, "frozen", False) else "source"
    print(
        f"AutoGLM Desktop {__version__} selftest ({frozen}, Python {sys.version.split()[0]})",
        flush=True,
    )
    steps = _Steps()
    state: dict[str, Any] = {}

    def find_model() -> str:
        repository = ModelRepository(paths)
        state["model"] = repository.resolve(args.model or STARTER_MODEL_ID)
        path = state["model"].model_path
        if not path.is_file():
            raise ModelError(f"No model file at {path}.")
        return f"{state['model'].model_id}: {path} ({path.stat().st_size / 2**20:.0f} MiB)"

    def load_model() -> str:
        from autoglm.core.llama.client import WorkerEngine

        model_settings = settings.model.model_copy(update={"n_ctx": 1024})
        resolved = state["model"]
        engine = WorkerEngine(
            resolved.model_path, model_settings, model_id=resolved.model_id, log_dir=paths.log_dir
        )  # in its worker process, as the app runs it
        info = engine.load()
        state["engine"] = engine
        state["info"] = info
        return f"{info.architecture} {info.quantization}, n_ctx {info.n_ctx}, {info.backend}"

    def generate() -> str:
        from autoglm.core.types import ChatMessage, GenerationRequest, SamplingParams

        engine = state["engine"]
        request = GenerationRequest(
            [ChatMessage("user", PROMPT)],
            SamplingParams(temperature=0.0, max_tokens=args.max_tokens, seed=7),
            thinking=False,
        )
        try:
            completion = engine.generate(request, lambda _event: None, threading.Event())
        finally:
            engine.unload()
        text = (completion.content or completion.reasoning).strip()
        if completion.usage.completion_tokens == 0 or not text:
            raise SelftestFailure("the model generated no text")
        return (
            f"{completion.usage.completion_tokens} tokens at {completion.timings.decode_tok_s:.1f} tok/s: "
            f"{text[:60]!r}"
        )

    def synthesize() -> str:
        from autoglm.speech.tts import PiperSynthesizer

        audio = PiperSynthesizer(settings.voice.tts_voice, idle_unload_s=0).synthesize(SENTENCE)
        if audio.duration_s < 0.5 or float(abs(audio.samples).max(initial=0.0)) < 0.01:
            raise SelftestFailure(f"piper produced {audio.duration_s:.2f} s of near-silence")
        state["audio"] = audio
        return f"{audio.duration_s:.2f} s of audio at {audio.sample_rate} Hz"

    def detect_speech() -> str:
        from autoglm.speech.resample import resample
        from autoglm.speech.vad import FRAME_SAMPLES, SileroFrameVad

        audio = state["audio"]
        samples = resample(audio.samples, audio.sample_rate, 16_000)
        state["audio_16k"] = samples
        vad = SileroFrameVad()
        frames = [
            samples[i : i + FRAME_SAMPLES]
            for i in range(0, len(samples) - FRAME_SAMPLES + 1, FRAME_SAMPLES)
        ]
        speech = sum(vad.probability(frame) >= 0.5 for frame in frames)
        if speech == 0:
            raise SelftestFailure(
                "the voice activity detector found no speech in the synthesised sentence"
            )
        return f"speech in {speech} of {len(frames)} frames"

    def transcribe() -> str:
        from autoglm.speech.asr import WhisperTranscriber

        transcript = WhisperTranscriber(
            settings.voice.asr_model, language="en", idle_unload_s=0
        ).transcribe(state["audio_16k"])
        overlap = word_overlap(SENTENCE, transcript.text)
        if overlap < 0.6:
            raise SelftestFailure(f"whisper heard {transcript.text!r} instead of {SENTENCE!r}")
        return f"{transcript.text!r} ({overlap:.0%} of the words)"

    def gpu() -> str:
        import llama_cpp

        from autoglm.cli.selftest_gpu import Placement, check_placement, llama_libraries

        info = state["info"]
        placement = Placement(
            backend=info.backend,
            gpu_layers=info.gpu_layers,
            offload_supported=bool(llama_cpp.llama_supports_gpu_offload()),
            libraries=llama_libraries(),
            note=info.backend_note,
        )
        state["gpu"] = check_placement(args.expect_gpu or "none", placement)
        return f"{info.backend}, expected {args.expect_gpu}: gpu {state['gpu']}"

    def window() -> str:
        from autoglm.cli.selftest_window import open_window_offscreen

        detail = open_window_offscreen()
        print(f"selftest: window ok ({detail})", flush=True)
        return detail

    def audio() -> str:
        from autoglm.cli.selftest_audio import play_and_record

        spoken = state["audio"]
        result = play_and_record(
            spoken.samples,
            spoken.sample_rate,
            speaker=settings.voice.output_device,
            microphone=settings.voice.input_device,
            allow_missing=args.allow_no_audio,
        )
        if result.speaker and result.microphone:
            print(f"selftest: audio ok (device {result.summary()})", flush=True)
        elif not result.speaker and not result.microphone:
            print(
                "selftest: audio skipped (no speaker or microphone could be opened, allowed "
                f"by --allow-no-audio: {result.summary()})",
                flush=True,
            )
        else:
            missing = "microphone" if result.speaker else "speaker"
            print(
                f"selftest: audio incomplete (no {missing} could be opened, allowed by "
                f"--allow-no-audio; {result.summary()})",
                flush=True,
            )
        return result.summary()

    steps.run("llama.cpp", _llama_build)
    steps.run("find model", find_model)
    steps.run("load model", load_model)
    if args.expect_gpu:
        steps.run("gpu", gpu)
    steps.run("generate", generate)
    gpu_words = f" (gpu: {state['gpu']})" if args.expect_gpu else ""
    print(f"selftest: model ok{gpu_words}", flush=True)
    if args.window:
        steps.run("window", window)
    steps.run("speech synthesis", synthesize)
    if args.audio:
        steps.run("audio devices", audio)
    steps.run("voice activity", detect_speech)
    steps.run("speech recognition", transcribe)
    print(f"selftest passed in {time.perf_counter() - steps.started:.1f} s", flush=True)
    return 0
