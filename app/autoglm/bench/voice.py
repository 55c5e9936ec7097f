"""``autoglm bench voice``: from the end of the user's speech to the first sample played.

Spoken questions are made with espeak-ng (a voice independent of piper) and fed to the
voice loop in real time, as a microphone would deliver them; the reply plays through the
real output device, and a sample counts as played once it has passed the device's output
latency. The peer, in the same run on the same models, is the naive pipeline:
wait for the end of the turn, transcribe, wait for the whole reply, synthesise all of it,
then play. Questions alternate between the two (and which goes first, since the engine reuses the
KV cache of the previous prompt) so a noisy neighbour hits both alike.

Then the same in Chinese (espeak-ng's Mandarin asks, whisper base hears, the Chinese voice
answers: ``first_audio_p50_s_zh``), and ``cut_off_rate``: questions made of two spoken
halves joined by a 700 ms pause mid-sentence, answered too early when the turn was
confirmed before the second half began. Whisper base's memory and real-time factor are
measured next to tiny.en's on the same English questions.
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
CHINESE_QUESTIONS = [
    "中国的首都是哪里？",
    "一个星期有几天？",
    "今天天气怎么样？",
    "请给我讲一个笑话。",
    "太阳从哪边升起？",
    "一加一等于几？",
    "你叫什么名字？",
    "现在几点了？",
    "猫有几条腿？",
    "天空是什么颜色？",
]
# Two halves of one question; the app must not answer the first half alone. No first half
# is a sentence on its own ("Who wrote the play" is a whole question, rightly answered soon).
SPLIT_QUESTIONS = [
    ("What is the capital of", "France?"),
    ("How many days are there in", "a week?"),
    ("Who is the author of", "Romeo and Juliet?"),
    ("What is the largest planet in", "our solar system?"),
    ("How many legs does", "a spider have?"),
    ("What language is spoken in", "Brazil?"),
    ("At what temperature does water boil in", "Celsius?"),
    ("Can you name a fruit that is", "yellow?"),
    ("What do bees make and", "why do they make it?"),
    ("Tell me the opposite of", "hot."),
]
MID_SENTENCE_PAUSE_S = 0.7
GOAL_FIRST_AUDIO_P50_S = 0.7
GOAL_FIRST_AUDIO_P50_S_ZH = 0.9
GOAL_CUT_OFF_RATE = 0.05
SPEECH_FLOOR = 0.01  # |sample| above this counts as speech when finding where a question ends


def register(subparsers: Any) -> None:
    """Add ``bench voice``."""
    parser = subparsers.add_parser(
        "voice", help="Speech end to first audio: streamed pipeline vs naive, RTFs, RSS"
    )
    parser.add_argument("--json", type=Path, help="Write the figures to this JSON file")
    parser.add_argument(
        "--questions", type=int, default=10, help="Spoken questions per side (at least 10)"
    )
    parser.add_argument(
        "--model", default=None, help="Catalog id or .gguf path (default: the starter model)"
    )
    parser.add_argument("--threads", type=int, default=None, help="CPU threads for the model")
    parser.set_defaults(handler=run)


def _percentile(values: list[float], fraction: float) -> float:
    return float(np.percentile(np.asarray(values), fraction * 100)) if values else float("nan")


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _edit_rate(references: list[str], hypotheses: list[str], units: Any) -> float:
    """Edits (substitutions, insertions, deletions) of ``units(text)`` over the references' units."""
    edits = total = 0
    for reference, hypothesis in zip(references, hypotheses, strict=True):
        ref, hyp = units(reference), units(hypothesis)
        row = list(range(len(hyp) + 1))
        for i, ref_unit in enumerate(ref, 1):
            previous, row[0] = row[:], i
            for j, hyp_unit in enumerate(hyp, 1):
                row[j] = min(
                    previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ref_unit != hyp_unit)
                )
        edits += row[-1]
        total += len(ref)
    return edits / total if total else 0.0


def word_error_rate(references: list[str], hypotheses: list[str]) -> float:
    """Word edits over reference words, case and punctuation aside."""
    return _edit_rate(
        references, hypotheses, lambda text: re.sub(r"[^\w\s]", " ", text.lower()).split()
    )


def character_error_rate(references: list[str], hypotheses: list[str]) -> float:
    """Character edits over reference characters (for Chinese), punctuation and spaces aside."""
    return _edit_rate(references, hypotheses, lambda text: re.sub(r"[\W_]", "", text.lower()))


def _rtf(transcriber: Any, questions: list[tuple[str, np.ndarray, float]]) -> float:
    """Recognition time over audio time on the questions (the app's own short-window path)."""
    transcripts = [transcriber.transcribe(audio) for _, audio, _ in questions]
    return sum(t.elapsed_s for t in transcripts) / max(1e-9, sum(t.audio_s for t in transcripts))


def _asr_windows(
    transcriber: Any, questions: list[tuple[str, np.ndarray, float]]
) -> dict[str, float]:
    """The utterance-sized encoder window against whisper's full 30 s one, on the same audio."""
    texts = [text for text, _, _ in questions]
    figures: dict[str, float] = {}
    for name, short in (("short_window", True), ("full_window", False)):
        transcripts = [
            transcriber.transcribe(audio, short_window=short) for _, audio, _ in questions
        ]
        figures[f"asr_{name}_p50_s"] = _median([transcript.elapsed_s for transcript in transcripts])
        figures[f"asr_wer_{name}"] = word_error_rate(
            texts, [transcript.text for transcript in transcripts]
        )
    figures["asr_window_speedup"] = (
        figures["asr_full_window_p50_s"] / figures["asr_short_window_p50_s"]
    )
    return figures


def _speak(text: str, wav: Path, voice: str = "en") -> tuple[np.ndarray, float]:
    """``text`` spoken by espeak-ng as 16 kHz audio, with how much silence follows its last spoken sample."""
    from autoglm.speech.asr import load_audio_file

    if shutil.which("espeak-ng") is None:
        raise InputError(
            "`autoglm bench voice` needs espeak-ng to speak its questions; install it first."
        )
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", "160", "-w", str(wav), text], check=True, timeout=60
    )
    audio = load_audio_file(wav)
    loud = np.flatnonzero(np.abs(audio) > SPEECH_FLOOR)
    trailing = (len(audio) - 1 - loud[-1]) / 16_000 if loud.size else 0.0
    return audio, trailing


def _speak_questions(
    count: int, folder: Path, questions: list[str] = QUESTIONS, voice: str = "en"
) -> list[tuple[str, np.ndarray, float]]:
    """Each question as 16 kHz audio, with how much silence follows its last spoken sample."""
    spoken = []
    for index in range(count):
        text = questions[index % len(questions)]
        spoken.append((text, *_speak(text, folder / f"{voice}-q{index}.wav", voice)))
    return spoken


def _split_questions(folder: Path) -> list[tuple[str, np.ndarray, float, float]]:
    """Two spoken halves joined by a 700 ms pause; the last value is where the second half starts (s)."""
    joined = []
    for index, (first, second) in enumerate(SPLIT_QUESTIONS):
        head, _ = _speak(first, folder / f"split{index}a.wav")
        tail, trailing = _speak(second, folder / f"split{index}b.wav")
        end = np.flatnonzero(np.abs(head) > SPEECH_FLOOR)
        head = head[: end[-1] + 1] if end.size else head
        gap = np.zeros(int(MID_SENTENCE_PAUSE_S * 16_000), np.float32)
        lead = np.flatnonzero(np.abs(tail) > SPEECH_FLOOR)
        tail = tail[lead[0] :] if lead.size else tail
        audio = np.concatenate([head.astype(np.float32), gap, tail]).astype(np.float32)
        joined.append((f"{first} {second}", audio, trailing, (len(head) + len(gap)) / 16_000))
    return joined


def _cut_off(
    conversation: Any, source: Any, audio: np.ndarray, trailing_s: float, second_half_s: float
) -> bool:
    """Play a split question; whether the turn was confirmed before its second half began."""
    conversation.start_over()
    if not _wait(lambda: conversation.hearing_user, 30):
        raise RuntimeError("the voice loop did not return to listening")
    done = len(conversation.turns)
    source.play(audio)
    if not _wait(lambda: source.finished_at is not None, 60):
        raise RuntimeError("the question was not consumed by the voice loop")
    second_half_at = source.finished_at - (len(audio) / 16_000 - second_half_s)
    if not _wait(
        lambda: len(conversation.turns) > done or conversation.player.first_audio_at is not None,
        120,
    ):
        raise RuntimeError("the voice loop did not answer within two minutes")
    time.sleep(0.2)
    conversation.interrupt()
    _wait(lambda: len(conversation.turns) > done, 60)
    _wait(lambda: conversation.hearing_user, 30)
    turns = conversation.turns[done:]
    return bool(turns) and turns[0].endpointed_at < second_half_at


def _engine_scheduler(args: argparse.Namespace) -> tuple[Any, Any]:
    from autoglm.core.catalog import STARTER_MODEL_ID, ModelRepository
    from autoglm.core.llama.client import WorkerEngine
    from autoglm.core.paths import app_paths
    from autoglm.core.scheduler import Scheduler
    from autoglm.core.settings import load_settings

    settings = load_settings()
    model_settings = settings.model.model_copy(update={"n_ctx": 4096, "n_threads": args.threads})
    paths = app_paths().ensure()
    resolved = ModelRepository(paths).resolve(args.model or STARTER_MODEL_ID)
    engine = WorkerEngine(
        resolved.model_path, model_settings, model_id=resolved.model_id, log_dir=paths.log_dir
    )
    engine.load()
    return engine, Scheduler(engine).start()


def _wait(condition: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return bool(condition())


def _streamed_turn(
    conversation: Any, source: Any, audio: np.ndarray, trailing_s: float
) -> dict[str, float]:
    """One question through the voice loop; stops the reply once its first sample played."""
    conversation.start_over()
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


def _naive_turn(
    scheduler: Any,
    transcriber: Any,
    synthesizer: Any,
    player: Any,
    settings: Any,
    sampling: SamplingParams,
    system_prompt: str,
    audio: np.ndarray,
    trailing_s: float,
) -> float:
    """The peer: endpoint, transcribe, whole reply, whole synthesis, then play."""
    from autoglm.speech.file_source import FileAudioSource
    from autoglm.speech.vad import EndpointConfig, SileroFrameVad, TurnDetector, TurnEventKind

    detector = TurnDetector(
        SileroFrameVad(),
        EndpointConfig(threshold=settings.vad_threshold, end_silence_ms=settings.end_silence_ms),
        settings.preroll_ms,
    )
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
    request = GenerationRequest(
        [ChatMessage("system", system_prompt), ChatMessage("user", text)],
        sampling,
        thinking=False,
        priority=Priority.VOICE,
    )
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
    started = time.monotonic()
    if args.questions < 10:
        raise InputError("--questions must be at least 10.")
    from autoglm.core.settings import load_settings

    engine, scheduler = _engine_scheduler(args)
    sampling = SamplingParams(temperature=0.0, max_tokens=60, seed=1)
    warm = GenerationRequest(
        [ChatMessage("user", "Say hello.")], SamplingParams(max_tokens=8), thinking=False
    )
    scheduler.submit(warm).result()
    rss_text_only = current_rss_mb()
    print(f"Text-only RSS: {rss_text_only:.0f} MiB; loading speech models…", flush=True)

    from autoglm.speech.conversation import DEFAULT_SYSTEM_PROMPT, VoiceConversation
    from autoglm.speech.factory import SpeechModelFactory
    from autoglm.speech.file_source import FileAudioSource

    voice_settings = load_settings().voice.model_copy(update={"idle_unload_s": 0})
    factory = SpeechModelFactory()
    transcriber = factory.recognizer(voice_settings, "en")
    synthesizer = factory.synthesizer(voice_settings)
    source = FileAudioSource()
    conversation = VoiceConversation(
        scheduler,
        voice_settings,
        source=source,
        transcriber=transcriber,
        synthesizer=synthesizer,
        sampling=sampling,
    ).start()
    ours: list[dict[str, Any]] = []
    naive: list[float] = []
    cut_offs: list[bool] = []
    chinese: list[dict[str, Any]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="autoglm-bench-voice-") as folder:
            questions = _speak_questions(args.questions, Path(folder))
            # one warm-up turn each (first-call allocations), not counted
            _streamed_turn(conversation, source, *questions[0][1:])
            _naive_turn(
                scheduler,
                transcriber,
                synthesizer,
                conversation.player,
                voice_settings,
                sampling,
                DEFAULT_SYSTEM_PROMPT,
                *questions[0][1:],
            )
            for index, (text, audio, trailing) in enumerate(questions):
                # The engine keeps the KV cache of the last prompt, so whichever side goes second
                # finds the question already evaluated: alternate who goes first.
                def naive_turn(audio: np.ndarray = audio, trailing: float = trailing) -> None:
                    naive.append(
                        _naive_turn(
                            scheduler,
                            transcriber,
                            synthesizer,
                            conversation.player,
                            voice_settings,
                            sampling,
                            DEFAULT_SYSTEM_PROMPT,
                            audio,
                            trailing,
                        )
                    )

                if index % 2:
                    naive_turn()
                ours.append(_streamed_turn(conversation, source, audio, trailing))
                if not index % 2:
                    naive_turn()
                print(
                    f"  {index + 1:2d}. {text!r} heard as {ours[-1]['heard']!r}: "
                    f"first audio {ours[-1]['first_audio_s']:.2f} s (naive {naive[-1]:.2f} s)",
                    flush=True,
                )
            for text, audio, trailing, second_half in _split_questions(Path(folder)):
                cut_offs.append(_cut_off(conversation, source, audio, trailing, second_half))
                print(
                    f"  {text!r} with a {MID_SENTENCE_PAUSE_S:.1f} s pause: heard as "
                    f"{conversation.turns[-1].user_text!r}{' — CUT OFF' if cut_offs[-1] else ''}",
                    flush=True,
                )
            rss_voice = current_rss_mb()
            asr_windows = _asr_windows(transcriber, questions)
            player = conversation.player
            assert player is not None, "the conversation plays its replies"
            underflows, output_latency = player.underflows, player.output_latency_s
            speculations, dropped = conversation.speculations, conversation.speculations_abandoned
            conversation.close()

            # Chinese: whisper base (the Chinese interface's default) and the Chinese voice
            chinese_settings = voice_settings.model_copy(update={"asr_model": "auto"})
            multilingual = factory.recognizer(chinese_settings, "zh_CN")
            multilingual.load()
            chinese_model = getattr(multilingual, "model_spec", "")
            rss_multilingual = current_rss_mb()
            rtf = {
                name: _rtf(model, questions)
                for name, model in (("tiny_en", transcriber), ("multilingual", multilingual))
            }
            spoken_zh = _speak_questions(
                args.questions, Path(folder), CHINESE_QUESTIONS, "cmn-latn-pinyin"
            )
            source = FileAudioSource()
            conversation = VoiceConversation(
                scheduler,
                chinese_settings,
                source=source,
                transcriber=multilingual,
                synthesizer=synthesizer,
                sampling=sampling,
            ).start()
            _streamed_turn(conversation, source, *spoken_zh[0][1:])
            for text, audio, trailing in spoken_zh:
                chinese.append(_streamed_turn(conversation, source, audio, trailing))
                print(
                    f"  {text} heard as {chinese[-1]['heard']!r}: first audio "
                    f"{chinese[-1]['first_audio_s']:.2f} s",
                    flush=True,
                )
            chinese_cer = character_error_rate(
                [text for text, _, _ in spoken_zh], [turn["heard"] for turn in chinese]
            )
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
        "asr_rtf": sum(turn["asr_s"] for turn in ours)
        / max(1e-9, sum(turn["asr_audio_s"] for turn in ours)),
        "tts_rtf": sum(turn["tts_s"] for turn in ours)
        / max(1e-9, sum(turn["tts_audio_s"] for turn in ours)),
        **asr_windows,
        "output_latency_s": output_latency,
        "playback_underflows": underflows,
        "speculative_answers": speculations,
        "speculative_answers_dropped": dropped,
        "cut_off_rate": sum(cut_offs) / len(cut_offs),
        "cut_off_utterances": len(cut_offs),
        "first_audio_p50_s_zh": _percentile([turn["first_audio_s"] for turn in chinese], 0.5),
        "first_audio_p95_s_zh": _percentile([turn["first_audio_s"] for turn in chinese], 0.95),
        "endpointing_p50_s_zh": _median([turn["endpointing_s"] for turn in chinese]),
        "asr_p50_s_zh": _median([turn["asr_s"] for turn in chinese]),
        "asr_cer_zh": chinese_cer,
        "asr_model_zh": chinese_model,
        "asr_rtf_tiny_en": rtf["tiny_en"],
        "asr_rtf_multilingual": rtf["multilingual"],
        "asr_rtf_multilingual_over_tiny_en": rtf["multilingual"] / rtf["tiny_en"],
        "rss_text_only_mb": rss_text_only,
        "rss_voice_mb": rss_voice,
        "rss_multilingual_loaded_mb": rss_multilingual,
        "turn_detector": voice_settings.turn_detector,
        "finished_silence_ms": voice_settings.finished_silence_ms,
        "unfinished_silence_ms": voice_settings.unfinished_silence_ms,
        "end_silence_ms": voice_settings.end_silence_ms,
        "goal_first_audio_p50_s": GOAL_FIRST_AUDIO_P50_S,
        "goal_first_audio_p50_s_zh": GOAL_FIRST_AUDIO_P50_S_ZH,
        "goal_cut_off_rate": GOAL_CUT_OFF_RATE,
        "cpu_count": os.cpu_count(),
        "load_average_1m": os.getloadavg()[0],
        "bench_wall_s": time.monotonic() - started,
    }
    figures["meets_goal"] = (
        figures["first_audio_p50_s"] <= GOAL_FIRST_AUDIO_P50_S
        and figures["first_audio_p50_s_zh"] <= GOAL_FIRST_AUDIO_P50_S_ZH
        and figures["cut_off_rate"] <= GOAL_CUT_OFF_RATE
    )
    print_table("Voice: end of speech → first audio (streamed vs naive)", list(figures.items()))
    write_json(args.json, figures)
    return 0
