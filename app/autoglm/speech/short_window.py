"""Whisper on a window sized to the utterance instead of a fixed 30 seconds.

Whisper's encoder is trained on 30 s windows, so faster-whisper pads every utterance to
3,000 mel frames; for a two-second question nine tenths of the encoder's time goes into
silence (0.37 s of 0.46 s for tiny.en on two cores). CTranslate2's encoder accepts a
shorter window, as whisper.cpp's ``audio_ctx`` does: here the window is three times the
spoken frames (at least 10 s), which encodes about eight times faster.

A shortened window has one known failure: with little padding after the speech the decoder
sometimes never emits end-of-text and repeats the utterance. So every result is checked:
more tokens than the audio can hold, a repeated word triple, or a compression ratio past
whisper's own 2.4 threshold rejects it, and the caller falls back to the full window. On
75 spoken questions with noise (three espeak-ng voices and speeds), the word error rate was
no worse than the full window's (0.19 vs 0.21), recognition took 0.14 s instead of 0.37 s,
and 3 in 75 fell back; ``autoglm bench voice`` repeats the comparison on its own questions.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

FULL_WINDOW_FRAMES = 3000  # whisper's 30 s of 10 ms mel frames
WINDOW_TO_SPEECH = 3  # window = this many times the spoken frames…
MIN_WINDOW_FRAMES = 1000  # …but never under 10 s (shorter windows lose accuracy)
TOKENS_PER_SECOND_LIMIT = 6  # fast speech is about 4-5 tokens a second
COMPRESSION_RATIO_LIMIT = 2.4  # whisper's threshold for repetitive output
SAMPLE_RATE = 16_000
END_MARKS = ("?", ".", "!", "？", "。", "！")


@dataclass(frozen=True)
class WindowResult:
    """A short-window transcription that passed the checks."""

    text: str
    language: str
    window_frames: int
    end_confidence: float | None = (
        None  # whisper's probability for the mark that ends the text, if one does
    )


def window_frames(speech_frames: int) -> int:
    """The encoder window for an utterance of ``speech_frames`` mel frames (even, ≤ 3000)."""
    frames = min(FULL_WINDOW_FRAMES, max(MIN_WINDOW_FRAMES, WINDOW_TO_SPEECH * speech_frames))
    return frames + frames % 2  # the encoder's convolution halves the frames


def looks_degenerate(text: str, tokens: int, token_limit: int) -> bool:
    """Whether a decode ran away: hit its token limit, repeats itself or compresses too well."""
    if tokens >= token_limit:
        return True
    words = re.sub(r"[^\w\s]", "", text.lower()).split()
    triples = [tuple(words[index : index + 3]) for index in range(len(words) - 2)]
    if len(triples) != len(set(triples)):
        return True
    data = text.encode("utf-8")
    return len(data) > 20 and len(data) / len(zlib.compress(data)) > COMPRESSION_RATIO_LIMIT


def transcribe_short(
    model: Any,
    samples: np.ndarray,
    language: str | None,
    beam_size: int = 1,
    choose_language: Any = None,
) -> WindowResult | None:
    """Transcribe with a short encoder window, or ``None`` when the full window is needed.

    ``model`` is a loaded ``faster_whisper.WhisperModel``; ``language`` ``None`` means
    detect it (multilingual models only): ``choose_language`` picks one from whisper's
    ``[(code, probability), …]``, else the likeliest is used.
    """
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_suppressed_tokens

    features = model.feature_extractor(samples)
    speech_frames = features.shape[-1]
    if WINDOW_TO_SPEECH * speech_frames > FULL_WINDOW_FRAMES:
        return None  # longer than 10 s: the full window is the short one
    frames = window_frames(speech_frames)
    window = np.zeros((features.shape[0], frames), dtype=np.float32)
    window[:, :speech_frames] = features
    encoded = model.encode(window)
    if model.model.is_multilingual and language is None:
        ranked = [
            (token[2:-2], probability)
            for token, probability in model.model.detect_language(encoded)[0]
        ]
        language = choose_language(ranked) if choose_language is not None else ranked[0][0]
    tokenizer = Tokenizer(
        model.hf_tokenizer,
        model.model.is_multilingual,
        task="transcribe",
        language=language or "en",
    )
    prompt = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
    token_limit = int(len(samples) / SAMPLE_RATE * TOKENS_PER_SECOND_LIMIT) + 10
    result = model.model.generate(
        encoded,
        [prompt],
        beam_size=beam_size,
        max_length=len(prompt) + token_limit,
        suppress_blank=True,
        suppress_tokens=get_suppressed_tokens(tokenizer, [-1]),
        return_logits_vocab=beam_size == 1,
    )[0]
    tokens = result.sequences_ids[0]
    text = tokenizer.decode([token for token in tokens if token < tokenizer.eot]).strip()
    if looks_degenerate(text, len(tokens), token_limit):
        return None
    return WindowResult(text, language or "en", frames, _end_confidence(tokenizer, tokens, result))


def _end_confidence(tokenizer: Any, tokens: list[int], result: Any) -> float | None:
    """The probability whisper gave the punctuation mark that ends the text (``None``: no mark, or no logits).

    A trailing word whisper could not place ("What do bees make and") is often dropped and
    the fragment closed with a question mark anyway, but an unsure one: 0.2 against 0.55-0.9
    for whole questions (tiny.en, espeak-ng). The turn detector reads this.
    """
    words = [index for index, token in enumerate(tokens) if token < tokenizer.eot]
    logits = getattr(result, "logits", None)
    if not words or not logits or tokenizer.decode([tokens[words[-1]]]).strip() not in END_MARKS:
        return None
    last = words[-1]
    step = np.asarray(logits[0][last], dtype=np.float64).ravel() if len(logits[0]) > last else None
    if step is None or step.size <= tokens[last]:
        return None
    probabilities = np.exp(step - step.max())
    return float(probabilities[tokens[last]] / probabilities.sum())
