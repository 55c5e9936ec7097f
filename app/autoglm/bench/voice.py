"""``autoglm bench voice``: from the end of the user's speech to the first sample played.

Spoken questions are made with espeak-ng (a voice independent of piper) and fed to the
voice loop in real time, as a microphone would deliver them; the reply plays through the
real output device, and a sample counts as played once it has passed the device's output
latency. The peer, in the same run on the same models, is the naive pipeline:
wait for the end of the turn, transcribe, wait for the whole reply, synthesise all of it,
then play. Questions alternate between the two (and which goes first, since the engine reuses the
KV cache of the previous prompt) so a noisy neighbour hits both alike.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from autoglm.bench.report import current_rss_mb, print_table, write_json
from autoglm.core.errors import InputError
from autoglm.core.types import ChatMessage, GenerationRequest, Priority, SamplingParams

QUESTIONS = [
    "What is the capital of France?",
    "How many days are in a week?",
    "What color is the sky on a clear day?",
    "What is two plus three?",
    "Who wrote Romeo and Juliet?",
    "What is the largest planet in our solar system?",
    "How many legs does a spider have?",
    "What do bees make?",
    "What language is spoken in Brazil?",
    "What is the opposite of hot?",
    "Name a fruit that is yellow.",
    "At what temperature does water boil in Celsius?",
]
GOAL_FIRST_AUDIO_P50_S = 0.8
SPEECH_FLOOR = 0.01  # |sample| above this counts as speech when finding where a question ends


def register(subparsers: Any) -> None:
    """Add ``bench voice``."""
    parser = subparsers.add_parser("voice", help="Speech end to first audio: streamed pipeline vs naive, RTFs, RSS")
    parser.add_argument("--json", type=Path, help="Write the figures to this JSON file")
    parser.add_argument("--questions", type=int, default=10, help="Spoken questions per side (at least 10)")
    parser.add_argument("--model", default=None, help="Catalog id or .gguf path (default: the starter model)")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads for the model")
    parser.set_defaults(handler=run)


def _percentile(values: list[float], fraction: float) -> float:
    return float(np.percentile(np.asarray(values), fraction * 100)) if values else float("nan")


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def word_error_rate(references: list[str], hypotheses: list[str]) -> float:
    """Word edits (substitutions, insertions, deletions) over reference words, case and punctuation aside."""
    def words(text: str) -> list[str]:
        return re.sub(r"[^\w\s]", " ", text.lower()).split()

    edits = total = 0
    for reference, hypothesis in zip(references, hypotheses, strict=True):
        ref, hyp = words(reference), words(hypothesis)
        row = list(range(len(hyp) + 1))
        for i, ref_word in enumerate(ref, 1):
            previous, row[0] = row[:], i
            for j, hyp_word in enumerate(hyp, 1):
                row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ref_word != hyp_word))
        edits += row[-1]
        total += len(ref)
    return edits / total if total else 0.0


def _asr_windows(transcriber: Any, questions: list[tuple[str, np.ndarray, float]]) -> dict[str, float]:
    """The utterance-sized encoder window against whisper's full 30 s one, on the same audio."""
    texts = [text for text, _, _ in questions]
    figures: dict[str, float] = {}
    for name, short in (("short_window", True), ("full_window", False)):
        transcripts = [transcriber.transcribe(audio, short_window=short) for _, audio, _ in questions]
        figures[f"asr_{name}_p50_s"] = _median([transcript.elapsed_s for transcript in transcripts])
        figures[f"asr_wer_{name}"] = word_error_rate(texts, [transcript.text for transcript in transcripts])
    figures["asr_window_speedup"] = figures["asr_full_window_p50_s"] / figures["asr_short_window_p50_s"]
    return figures


def _speak_questions(count: int, folder: Path) -> list[tuple[str, np.ndarray, float]]:
    """Each question as 16 kHz audio, with how much silence follows its last spoken sample."""
    from autoglm.speech.asr import load_audio_file

    if shutil.which("espeak-ng") is None:
        raise InputError("`autoglm bench voice` needs espeak-ng to speak its questions; install it first.")
    spoken = []
    for index in range(count):
        text = QUESTIONS[index % len(QUESTIONS)]
        wav = folder / f"q{index}.wav"
        subprocess.run(["espeak-ng", "-s", "160", "-w", str(wav), text], check=True, timeout=60)
        audio = load_audio_file(wav)
        loud = np.flatnonzero(np.abs(audio) > SPEECH_FLOOR)
        trailing = (len(audio) - 1 - loud[-1]) / 16_000 if loud.size else 0.0
        spoken.append((text, audio, trailing))
    return spoken


def _engine_scheduler(args: argparse.Namespace) -> tuple[Any, Any]:
    from autoglm.core.catalog import STARTER_MODEL_ID, ModelRepository
    from autoglm.core.engine import LlamaEngine
    from autoglm.core.paths import app_paths
    from autoglm.core.scheduler import Scheduler
    from autoglm.core.settings import load_settings

    settings = load_settings()
    model_settings = settings.model.model_copy(update={"n_ctx": 4096, "n_threads": args.threads})
    resolved = ModelRepository(app_paths().ensure()).resolve(args.model or STARTER_MODEL_ID)
    engine = LlamaEngine(resolved.model_path, model_settings, model_id=resolved.model_id)
    engine.load()
    return engine, Scheduler(engine).start()


def _wait(condition: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return bool(condition())


def _streamed_turn(conversation: Any, source: Any, audio: np.ndarray, trailing_s: float) -> dict[str, float]:
    """One question through the voice loop; stops the reply once its first sample played."""
    conversation.messages.clear()
    if not _wait(lambda: conversation.hearing_user, 30):
        raise RuntimeError("the voice loop did not return to listening")
    done = len(conversation.turns)
    player = conversation.player
    player.first_audio_at = None
    source.play(audio)
    if not _wait(lambda: source.finished_at is not None, 60):
        raise RuntimeError("the question was not consumed by the voice loop")
    speech_end = source.finished_at - trailing_s
    if not _wait(lambda: player.first_audio_at is not None or len(conversation.turns) > done, 120):
        raise RuntimeError("the voice loop did not answer within two minutes")
    time.sleep(0.2)
    conversation.interrupt()
    if not _wait(lambda: len(conversation.turns) > done, 60):
        raise RuntimeError("the voice turn did not finish")
    turn = conversation.turns[-1]
    if turn.first_audio_at is None:
        raise RuntimeError(f"no reply was spoken to {turn.user_text!r}")
    return {
        "first_audio_s": turn.first_audio_at + player.output_latency_s - speech_end,
        "endpointing_s": turn.endpointed_at - speech_end,
        "asr_s": turn.asr_s,
        "ttft_s": (turn.first_token_at or turn.transcribed_at) - turn.transcribed_at,
        "first_sentence_s": (turn.first_sentence_at or 0.0) - (turn.first_token_at or 0.0),
        "tts_first_s": (turn.first_synthesized_at or 0.0) - (turn.first_sentence_at or 0.0),
        "after_endpoint_s": turn.first_audio_at - turn.endpointed_at,
        "asr_audio_s": turn.asr_audio_s,
        "tts_s": turn.tts_s,
        "tts_audio_s": turn.tts_audio_s,
        "heard": turn.user_text,
    }


def _naive_turn(scheduler: Any, transcriber: Any, synthesizer: Any, player: Any, settings: Any,
                sampling: SamplingParams, system_prompt: str, audio: np.ndarray, trailing_s: float) -> float:
    """The peer: endpoint, transcribe, whole reply, whole synthesis, then play."""
    from autoglm.speech.file_source import FileAudioSource
    from autoglm.speech.vad import EndpointConfig, SileroFrameVad, TurnDetector, TurnEventKind

    detector = TurnDetector(SileroFrameVad(), EndpointConfig(threshold=settings.vad_threshold,
                                                             end_silence_ms=settings.end_silence_ms),
                            settings.preroll_ms)
    source = FileAudioSource()
    source.play(audio)
    turn_audio = None
    deadline = time.monotonic() + 60
    while turn_audio is None and time.monotonic() < deadline:
        block = source.read(0.1)
        if block is None:
            continue
        for event in detector.feed(block):
            if event.kind is TurnEventKind.TURN_ENDED:
                turn_audio = event.audio
    if turn_audio is None or source.finished_at is None:
        raise RuntimeError("the naive pipeline heard no turn")
    speech_end = source.finished_at - trailing_s
    text = transcriber.transcribe(turn_audio).text
    request = GenerationRequest([ChatMessage("system", system_prompt), ChatMessage("user", text)],
                                sampling, thinking=False, priority=Priority.VOICE)
    reply = scheduler.submit(request).result().content
    speech = synthesizer.synthesize(reply or "Sorry.")
    player.first_audio_at = None
    player.enqueue(speech.samples, speech.sample_rate)
    _wait(lambda: player.first_audio_at is not None, 30)
    first_audio = (player.first_audio_at or time.monotonic()) + player.output_latency_s - speech_end
    time.sleep(0.2)
    player.stop()
    return first_audio


def run(args: argparse.Namespace) -> int:
    """Measure both pipelines and print the table."""
    if args.questions < 10:
        raise InputError("--questions must be at least 10.")
    from autoglm.core.settings import load_settings

    engine, scheduler = _engine_scheduler(args)
    sampling = SamplingParams(temperature=0.0, max_tokens=60, seed=1)
    warm = GenerationRequest([ChatMessage("user", "Say hello.")], SamplingParams(max_tokens=8), thinking=False)
    scheduler.submit(warm).result()
    rss_text_only = current_rss_mb()
    print(f"Text-only RSS: {rss_text_only:.0f} MiB; loading speech models…", flush=True)

    from autoglm.speech.asr import WhisperTranscriber
    from autoglm.speech.conversation import DEFAULT_SYSTEM_PROMPT, VoiceConversation
    from autoglm.speech.file_source import FileAudioSource
    from autoglm.speech.tts import PiperSynthesizer

    voice_settings = load_settings().voice
    transcriber = WhisperTranscriber(voice_settings.asr_model, voice_settings.language, idle_unload_s=0)
    synthesizer = PiperSynthesizer(voice_settings.tts_voice, voice_settings.speech_rate, idle_unload_s=0)
    source = FileAudioSource()
    conversation = VoiceConversation(scheduler, voice_settings, source=source, transcriber=transcriber,
                                     synthesizer=synthesizer, sampling=sampling).start()
    ours: list[dict[str, Any]] = []
    naive: list[float] = []
    try:
        with tempfile.TemporaryDirectory(prefix="autoglm-bench-voice-") as folder:
            questions = _speak_questions(args.questions, Path(folder))
            # one warm-up turn each (first-call allocations), not counted
            _streamed_turn(conversation, source, *questions[0][1:])
            _naive_turn(scheduler, transcriber, synthesizer, conversation.player, voice_settings, sampling,
                        DEFAULT_SYSTEM_PROMPT, *questions[0][1:])
            for index, (text, audio, trailing) in enumerate(questions):
                # The engine keeps the KV cache of the last prompt, so whichever side goes second
                # finds the question already evaluated: alternate who goes first.
                if index % 2:
                    naive.append(_naive_turn(scheduler, transcriber, synthesizer, conversation.player,
                                             voice_settings, sampling, DEFAULT_SYSTEM_PROMPT, audio, trailing))
                ours.append(_streamed_turn(conversation, source, audio, trailing))
                if not index % 2:
                    naive.append(_naive_turn(scheduler, transcriber, synthesizer, conversation.player,
                                             voice_settings, sampling, DEFAULT_SYSTEM_PROMPT, audio, trailing))
                print(f"  {index + 1:2d}. {text!r} heard as {ours[-1]['heard']!r}: "
                      f"first audio {ours[-1]['first_audio_s']:.2f} s (naive {naive[-1]:.2f} s)", flush=True)
        rss_voice = current_rss_mb()
        asr_windows = _asr_windows(transcriber, questions)
        player = conversation.player
        assert player is not None, "the conversation plays its replies"
        underflows, output_latency = player.underflows, player.output_latency_s
    finally:
        conversation.close()
        scheduler.shutdown()
        engine.unload()

    first_audio = [turn["first_audio_s"] for turn in ours]
    figures: dict[str, Any] = {
        "questions": len(ours),
        "first_audio_p50_s": _percentile(first_audio, 0.5),
        "first_audio_p95_s": _percentile(first_audio, 0.95),
        "naive_first_audio_p50_s": _percentile(naive, 0.5),
        "naive_first_audio_p95_s": _percentile(naive, 0.95),
        "speedup_vs_naive_p50": _percentile(naive, 0.5) / _percentile(first_audio, 0.5),
        "endpointing_p50_s": _median([turn["endpointing_s"] for turn in ours]),
        "asr_p50_s": _median([turn["asr_s"] for turn in ours]),
        "ttft_p50_s": _median([turn["ttft_s"] for turn in ours]),
        "first_sentence_p50_s": _median([turn["first_sentence_s"] for turn in ours]),
        "tts_first_sentence_p50_s": _median([turn["tts_first_s"] for turn in ours]),
        "after_endpoint_p50_s": _median([turn["after_endpoint_s"] for turn in ours]),
        "asr_rtf": sum(turn["asr_s"] for turn in ours) / max(1e-9, sum(turn["asr_audio_s"] for turn in ours)),
        "tts_rtf": sum(turn["tts_s"] for turn in ours) / max(1e-9, sum(turn["tts_audio_s"] for turn in ours)),
        **asr_windows,
        "output_latency_s": output_latency,
        "playback_underflows": underflows,
        "speculative_answers": conversation.speculations,
        "speculative_answers_dropped": conversation.speculations_abandoned,
        "rss_text_only_mb": rss_text_only,
        "rss_voice_mb": rss_voice,
        "end_silence_ms": voice_settings.end_silence_ms,
        "goal_first_audio_p50_s": GOAL_FIRST_AUDIO_P50_S,
        "cpu_count": os.cpu_count(),
        "load_average_1m": os.getloadavg()[0],
    }
    figures["meets_goal"] = figures["first_audio_p50_s"] <= GOAL_FIRST_AUDIO_P50_S
    print_table("Voice: end of speech → first audio (streamed vs naive)", list(figures.items()))
    write_json(args.json, figures)
    return 0
