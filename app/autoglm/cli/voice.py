"""``autoglm transcribe FILE``, ``autoglm say TEXT``, ``autoglm voice``: speech from the terminal."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path
from typing import Any

from autoglm.core.errors import InputError
from autoglm.core.settings import Settings, VoiceSettings
from autoglm.core.settings_cli import add_settings_arguments, overrides_from_args

"""Less speech than this (five VAD frames) in a file is taken for silence or noise."""


def register(subparsers: Any) -> None:
    """Add ``transcribe``, ``say`` and ``voice`` to the command line."""
    transcribe = subparsers.add_parser(
        "transcribe",
        help="Print the words spoken in an audio file",
        description="Recognise speech in an audio file (wav, mp3, ogg, …) offline.",
    )
    transcribe.add_argument("file", type=Path, help="The audio file")
    transcribe.add_argument(
        "--json", action="store_true", help="Print text, language and timings as JSON"
    )
    add_settings_arguments(transcribe, ("voice",))
    transcribe.set_defaults(handler=run_transcribe)

    say = subparsers.add_parser(
        "say",
        help="Speak a text aloud, or save it as a WAV file",
        description="Synthesise speech with the configured piper voice.",
    )
    say.add_argument("text", help="What to say ('-' reads standard input)")
    say.add_argument("--out", type=Path, help="Write a WAV file instead of playing it")
    add_settings_arguments(say, ("voice",))
    say.set_defaults(handler=run_say)

    voice = subparsers.add_parser(
        "voice",
        help="A spoken conversation in the terminal",
        description="Talk to the model: it listens, answers aloud, and listens again.",
    )
    voice.add_argument(
        "--push-to-talk",
        action="store_true",
        help="Press Enter to start speaking and Enter again to stop (default: hands-free)",
    )
    voice.add_argument(
        "--model", help="Catalog id, imported id or .gguf path (default: the active model)"
    )
    voice.add_argument(
        "--project",
        metavar="NAME",
        help='Answer from this project\'s documents; replies start "According to <file>"',
    )
    voice.add_argument(
        "--list-devices", action="store_true", help="List microphones and speakers, then exit"
    )
    add_settings_arguments(voice, ("voice",))
    voice.set_defaults(handler=run_voice)


def _voice_settings(args: argparse.Namespace) -> VoiceSettings:
    from autoglm.core.settings import load_settings

    try:
        settings = load_settings()
    except Exception:  # noqa: BLE001 - a broken settings file must not stop a one-off command
        settings = Settings()
    return overrides_from_args(args, settings).voice


def run_transcribe(args: argparse.Namespace) -> int:
    """Print the transcript of ``args.file``."""
    from autoglm.speech.asr import WhisperTranscriber, load_audio_file
    from autoglm.speech.vad import MIN_SPEECH_S, SileroFrameVad, speech_seconds

    settings = _voice_settings(args)
    audio = load_audio_file(args.file)
    if audio.size == 0:
        raise InputError(f"'{args.file.name}' holds no sound.")
    if speech_seconds(audio, SileroFrameVad(), settings.vad_threshold) < MIN_SPEECH_S:
        if args.json:
            print(
                json.dumps(
                    {
                        "text": "",
                        "language": "",
                        "audio_s": round(audio.size / 16_000, 3),
                        "elapsed_s": 0.0,
                    }
                )
            )
        print(f"autoglm: no speech was heard in '{args.file.name}'.", file=sys.stderr)
        return 0
    transcript = WhisperTranscriber(
        settings.asr_model, settings.language, idle_unload_s=0
    ).transcribe(audio)
    if args.json:
        print(
            json.dumps(
                {
                    "text": transcript.text,
                    "language": transcript.language,
                    "audio_s": round(transcript.audio_s, 3),
                    "elapsed_s": round(transcript.elapsed_s, 3),
                }
            )
        )
    else:
        print(transcript.text)
    return 0


def run_say(args: argparse.Namespace) -> int:
    """Speak ``args.text`` or write it to ``args.out``."""
    from autoglm.speech.chunker import SentenceChunker
    from autoglm.speech.tts import PiperSynthesizer, write_wav

    text = sys.stdin.read() if args.text == "-" else args.text
    spoken = " ".join(SentenceChunker().feed_all([text]))
    if not spoken:
        raise InputError("There is nothing to say: the text has no words.")
    if args.out is not None:
        if args.out.suffix.lower() != ".wav":
            raise InputError("--out must name a .wav file.")
        if not args.out.parent.is_dir():
            raise InputError(
                f"Could not write '{args.out}': the folder {args.out.parent} does not exist."
            )
    settings = _voice_settings(args)
    audio = PiperSynthesizer(settings.tts_voice, settings.speech_rate, idle_unload_s=0).synthesize(
        spoken
    )
    if args.out is not None:
        try:
            write_wav(args.out, audio)
        except OSError as exc:
            raise InputError(f"Could not write '{args.out}': {exc.strerror or exc}.") from exc
        print(f"Wrote {audio.duration_s:.1f} s of speech to {args.out}", file=sys.stderr)
        return 0
    from autoglm.speech.playback import AudioPlayer

    player = AudioPlayer(settings.output_device, audio.sample_rate).start()
    try:
        player.enqueue(audio.samples, audio.sample_rate, tag=spoken)
        player.drain(audio.duration_s + 10)
    finally:
        player.close()
    return 0


def _list_devices() -> int:
    from autoglm.speech.devices import list_input_devices, list_output_devices

    for title, found in (
        ("Microphones", list_input_devices()),
        ("Speakers", list_output_devices()),
    ):
        print(f"{title}:")
        for device in found:
            print(f"  {'*' if device.is_default else ' '} {device.label}")
        if not found:
            print("    (none)")
    return 0


def run_voice(args: argparse.Namespace) -> int:
    """A spoken conversation until Ctrl+C (or end of input in push-to-talk mode)."""
    if args.list_devices:
        return _list_devices()
    from autoglm.core.runtime import Runtime
    from autoglm.speech.conversation import VoiceCallbacks, VoiceConversation, VoiceState

    runtime = Runtime()
    runtime.settings = overrides_from_args(args, runtime.settings)
    library = None
    if args.project is not None:
        from autoglm.cli.chat import open_project

        library = open_project(runtime, args.project)
    print("Loading the model…", file=sys.stderr, flush=True)
    runtime.load_model(args.model)
    shown_state: list[VoiceState] = []

    def on_state(state: VoiceState) -> None:
        if state in (VoiceState.LISTENING, VoiceState.THINKING) and shown_state[-1:] != [state]:
            print(f"[{state.value}…]", file=sys.stderr, flush=True)
        shown_state.append(state)

    def on_turn_done(turn: Any) -> None:
        print(" [interrupted]" if turn.interrupted else "", flush=True)
        if turn.citations:
            from autoglm.core.conversation import sources_line

            print(sources_line(turn.citations), flush=True)

    callbacks = VoiceCallbacks(
        on_state=on_state,
        on_transcript=lambda text: print(f"You: {text}\nAssistant: ", end="", flush=True),
        on_reply_delta=lambda text: print(text, end="", flush=True),
        on_turn_done=on_turn_done,
        on_error=lambda message: print(f"autoglm: {message}", file=sys.stderr, flush=True),
        on_notice=lambda message: print(f"[{message}]", file=sys.stderr, flush=True),
    )
    passages = None
    if library is not None:
        project = args.project
        passages = lambda text: library.retrieve(project, text).citations  # noqa: E731 - one line
    conversation = VoiceConversation(
        runtime.scheduler, runtime.settings.voice, callbacks, passages=passages
    )
    try:
        conversation.start(hands_free=not args.push_to_talk)
        if args.push_to_talk:
            print("Press Enter to speak, Enter again when done; Ctrl+D to quit.", file=sys.stderr)
            for _ in sys.stdin:
                conversation.press()
                print("[speaking… press Enter when done]", file=sys.stderr, flush=True)
                if not sys.stdin.readline():
                    break
                conversation.release()
        else:
            print("Speak when ready; Ctrl+C to quit.", file=sys.stderr)
            threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        conversation.close()
        if library is not None:
            library.close()
        runtime.close()
    return 0
