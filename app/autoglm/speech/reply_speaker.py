"""Speaking a reply while it streams: sentence chunker → piper → speaker, stoppable at once.

Used by the voice conversation and by "read replies aloud" for typed chats: call
``begin()``, then ``feed()`` each content delta (never reasoning), then ``finish()``.
``stop()`` silences it immediately and returns the text actually spoken, so the stored
reply can be cut to it.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from autoglm.core.errors import UserFacingError
from autoglm.core.foreground import FOREGROUND
from autoglm.core.speech import Synthesizer
from autoglm.speech.chunker import SentenceChunker
from autoglm.speech.playback import AudioPlayer, PlayedSegment

_LOGGER = logging.getLogger(__name__)
_FINISH = object()
# A streamed reply starts speaking after this many words rather than a whole sentence: at
# 30-40 tokens a second that is ~0.1 s of generation instead of ~0.3 s, and piper makes the
# short piece twice as fast (``autoglm bench voice`` shows it in ``first_sentence_p50_s``).
# The chunker never cuts after a word leaning on the next, so three words is often a phrase
# ("The largest planet | in our solar system…") or four ("Paris is the capital | of France.");
# four words instead of three cost ~40 ms more before the first audio.
FIRST_PIECE_WORDS = 3


def spoken_text(segments: list[PlayedSegment]) -> str:
    """The sentences that were played, the last one cut at the word where playback stopped."""
    words: list[str] = []
    for segment in segments:
        sentence = str(segment.tag or "")
        if segment.fraction_played >= 0.999:
            words += sentence.split()
        elif segment.played > 0:
            # a sentence without spaces (Chinese) is cut by characters instead of words
            sentence_words = sentence.split() if " " in sentence.strip() else list(sentence)
            keep = int(len(sentence_words) * segment.fraction_played)
            if " " not in sentence.strip() and keep:
                sentence_words = ["".join(sentence_words[:keep])]
                keep = 1
            words += sentence_words[:keep]
            if keep:
                words[-1] += "…"
            break
        else:
            break
    return " ".join(words)


class ReplySpeaker:
    """Speaks one reply at a time from streaming text; callbacks run on its worker thread."""

    def __init__(
        self,
        synthesizer: Synthesizer,
        player: AudioPlayer,
        on_error: Callable[[str], None] | None = None,
        on_sentence: Callable[[str], None] | None = None,
    ):
        self.synthesizer = synthesizer
        self.player = player
        self.on_error = on_error
        self.on_sentence = on_sentence
        self.chunker = SentenceChunker(first_words=FIRST_PIECE_WORDS)
        self._sentences: queue.Queue[tuple[int, object]] = queue.Queue()
        self._generation = 0
        self._finished = threading.Event()
        self._finished.set()
        self._closed = threading.Event()
        self._worker = threading.Thread(target=self._run, name="autoglm-tts", daemon=True)
        self._worker.start()
        self.first_sentence_at: float | None = None
        self.first_synthesized_at: float | None = None
        self.synthesis_s = 0.0
        self.audio_s = 0.0
        self.stopped = False

    def begin(self) -> None:
        """Start a new reply (drops anything left of the previous one)."""
        self.stop()
        self._generation += 1
        self.chunker.reset()
        self.player.take_history()
        self.player.first_audio_at = None
        self.first_sentence_at = self.first_synthesized_at = None
        self.synthesis_s = self.audio_s = 0.0
        self.stopped = False
        self._finished.clear()

    def feed(self, text: str) -> None:
        """Add a piece of the reply's visible content."""
        for sentence in self.chunker.feed(text):
            self._queue_sentence(sentence)

    def speak(self, text: str) -> None:
        """Speak a whole text as one reply (``begin`` + ``feed`` + ``finish``)."""
        self.begin()
        self.feed(text)
        self.finish()

    def finish(self) -> None:
        """The reply is complete: speak what is left."""
        for sentence in self.chunker.flush():
            self._queue_sentence(sentence)
        self._sentences.put((self._generation, _FINISH))

    def _queue_sentence(self, sentence: str) -> None:
        if self.first_sentence_at is None:
            self.first_sentence_at = time.monotonic()
        self._sentences.put((self._generation, sentence))

    @property
    def first_audio_at(self) -> float | None:
        """When the first sample of this reply went to the speaker (monotonic clock)."""
        return self.player.first_audio_at

    def wait_done(self, timeout: float | None = None) -> bool:
        """Block until the reply was synthesised and played to the end (or stopped)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if not self._finished.wait(timeout):
            return False
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        return self.player.wait_until_idle(remaining)

    @property
    def speaking(self) -> bool:
        """Whether this reply is still being synthesised or played."""
        return not self._finished.is_set() or self.player.is_playing

    def stop(self) -> str:
        """Silence now and forget the rest; returns the text that was actually spoken."""
        self._generation += 1
        self.stopped = True
        segments = self.player.stop()
        self._finished.set()
        self.last_stopped_text = spoken_text(segments)
        return self.last_stopped_text

    def spoken(self) -> str:
        """The text played so far of the current reply (take it after ``wait_done``)."""
        return spoken_text(self.player.take_history())

    def close(self) -> None:
        """Stop speaking and end the worker thread."""
        self.stop()
        self._closed.set()
        self._sentences.put((-1, _FINISH))
        self._worker.join(timeout=5)

    def _run(self) -> None:
        while not self._closed.is_set():
            generation, item = self._sentences.get()
            if generation != self._generation:
                continue
            if item is _FINISH:
                self._finished.set()
                continue
            sentence = str(item)
            try:
                if self.player.is_playing:
                    audio = self.synthesizer.synthesize(sentence)
                else:  # nothing to play meanwhile: the user is waiting for these words
                    with FOREGROUND.running():
                        audio = self.synthesizer.synthesize(sentence)
                if generation != self._generation:
                    continue
                if self.first_synthesized_at is None:
                    self.first_synthesized_at = time.monotonic()
                self.synthesis_s += audio.synthesis_s
                self.audio_s += audio.duration_s
                self.player.enqueue(audio.samples, audio.sample_rate, tag=sentence)
                if self.on_sentence is not None:
                    self.on_sentence(sentence)
            except UserFacingError as exc:
                self._report(str(exc))
            except Exception as exc:  # reported in words, logged with the trace
                _LOGGER.exception("Speaking a sentence failed")
                self._report(f"The reply could not be spoken: {exc}")

    def _report(self, message: str) -> None:
        self._generation += 1
        self._finished.set()
        if self.on_error is not None:
            self.on_error(message)
