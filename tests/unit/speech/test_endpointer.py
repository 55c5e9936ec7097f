"""Endpointer decisions from plain probabilities, and the turn detector's buffering."""

from __future__ import annotations

import numpy as np

from autoglm.speech.vad import (
    FRAME_SAMPLES,
    EndpointConfig,
    Endpointer,
    TurnDetector,
    TurnEventKind,
)

FRAME_MS = EndpointConfig().frame_ms


def run(probabilities: list[float], **config: int) -> list[tuple[int, TurnEventKind]]:
    endpointer = Endpointer(EndpointConfig(**config))
    events = []
    for index, probability in enumerate(probabilities):
        kind = endpointer.update(probability)
        if kind is not None:
            events.append((index, kind))
    return events


def frames(ms: float) -> int:
    return round(ms / FRAME_MS)


def test_silence_never_makes_a_turn() -> None:
    assert run([0.05] * 1000) == []


def test_speech_then_silence_gives_start_likely_end_and_end() -> None:
    speech, silence = frames(500), frames(1000)
    events = run([0.9] * speech + [0.02] * silence, end_silence_ms=600, likely_end_ms=250)
    kinds = [kind for _, kind in events]
    assert kinds == [
        TurnEventKind.SPEECH_STARTED,
        TurnEventKind.LIKELY_END,
        TurnEventKind.TURN_ENDED,
    ]
    likely_at, ended_at = events[1][0], events[2][0]
    assert (likely_at - speech + 1) * FRAME_MS >= 250
    assert (ended_at - speech + 1) * FRAME_MS >= 600
    assert (ended_at - speech) * FRAME_MS < 600 + FRAME_MS * 2


def test_end_silence_setting_moves_the_end() -> None:
    probabilities = [0.9] * frames(400) + [0.0] * frames(3000)
    short = run(probabilities, end_silence_ms=300, likely_end_ms=150)[-1][0]
    long = run(probabilities, end_silence_ms=1500, likely_end_ms=150)[-1][0]
    assert (long - short) * FRAME_MS >= 1100


def test_a_pause_shorter_than_end_silence_resumes_the_turn() -> None:
    probabilities = (
        [0.9] * frames(400) + [0.0] * frames(350) + [0.9] * frames(400) + [0.0] * frames(800)
    )
    kinds = [kind for _, kind in run(probabilities, end_silence_ms=600, likely_end_ms=250)]
    assert kinds == [
        TurnEventKind.SPEECH_STARTED,
        TurnEventKind.LIKELY_END,
        TurnEventKind.SPEECH_RESUMED,
        TurnEventKind.LIKELY_END,
        TurnEventKind.TURN_ENDED,
    ]


def test_a_click_shorter_than_min_speech_is_discarded() -> None:
    kinds = [kind for _, kind in run([0.9] * 2 + [0.0] * frames(800), min_speech_ms=150)]
    assert kinds == [TurnEventKind.SPEECH_STARTED, TurnEventKind.TURN_DISCARDED]


def test_hysteresis_keeps_speech_between_the_thresholds() -> None:
    # 0.4 is below the 0.5 threshold but above 0.35 (the negative threshold): still speech
    probabilities = [0.9] * frames(300) + [0.4] * frames(1000) + [0.0] * frames(700)
    events = run(probabilities, end_silence_ms=600)
    assert events[-1][1] is TurnEventKind.TURN_ENDED
    assert events[-1][0] >= frames(1300)


def test_endless_speech_is_cut_at_max_turn() -> None:
    events = run([0.9] * frames(5000), max_turn_ms=2000)
    ends = [index for index, kind in events if kind is TurnEventKind.TURN_ENDED]
    assert len(ends) == 2  # cut at 2 s and 4 s; the speech goes on as a new turn
    assert abs(ends[0] * FRAME_MS - 2000) <= FRAME_MS * 2


class ScriptedVad:
    """Speech probability read from the frame itself: loud frames are speech (pure logic test)."""

    def probability(self, frame: np.ndarray) -> float:
        return 0.95 if float(np.abs(frame).max()) > 0.1 else 0.01

    def reset(self) -> None:
        pass


def test_turn_audio_includes_the_preroll_and_ends_after_the_silence() -> None:
    quiet = np.full(FRAME_SAMPLES * 20, 0.01, dtype=np.float32)
    loud = np.full(FRAME_SAMPLES * 10, 0.5, dtype=np.float32)
    silence = np.zeros(FRAME_SAMPLES * 40, dtype=np.float32)
    detector = TurnDetector(
        ScriptedVad(), EndpointConfig(end_silence_ms=320, likely_end_ms=128), preroll_ms=160
    )
    stream = np.concatenate([quiet, loud, silence])
    events = []
    for start in range(0, len(stream), 700):  # odd block size: frames straddle blocks
        events += detector.feed(stream[start : start + 700])
    kinds = [event.kind for event in events]
    assert kinds == [
        TurnEventKind.SPEECH_STARTED,
        TurnEventKind.LIKELY_END,
        TurnEventKind.TURN_ENDED,
    ]
    turn = events[-1].audio
    assert turn is not None
    preroll_frames = 5
    assert len(turn) == FRAME_SAMPLES * (preroll_frames + 10 + 10)
    assert np.all(turn[: preroll_frames * FRAME_SAMPLES] == np.float32(0.01))
    assert len(events[1].audio) < len(turn)


def test_push_to_talk_takes_everything_between_press_and_release() -> None:
    detector = TurnDetector(ScriptedVad(), preroll_ms=64)
    detector.hold(np.full(FRAME_SAMPLES * 4, 0.02, dtype=np.float32))
    detector.start_turn_now()
    assert (
        detector.feed(np.zeros(FRAME_SAMPLES * 30, dtype=np.float32)) == []
    )  # silence: no auto end
    event = detector.end_turn_now()
    assert event is not None and event.kind is TurnEventKind.TURN_ENDED
    assert len(event.audio) == FRAME_SAMPLES * (2 + 30)


def test_new_timings_and_preroll_apply_from_the_next_frame() -> None:
    detector = TurnDetector(
        ScriptedVad(), EndpointConfig(end_silence_ms=320, likely_end_ms=128), preroll_ms=160
    )
    detector.feed(np.full(FRAME_SAMPLES * 20, 0.01, dtype=np.float32))
    detector.configure(EndpointConfig(end_silence_ms=960, likely_end_ms=160), preroll_ms=64)
    events = detector.feed(
        np.concatenate(
            [
                np.full(FRAME_SAMPLES * 10, 0.5, dtype=np.float32),
                np.zeros(FRAME_SAMPLES * 40, dtype=np.float32),
            ]
        )
    )
    ended = [event for event in events if event.kind is TurnEventKind.TURN_ENDED]
    assert len(ended) == 1
    # 2 frames of pre-roll (64 ms), 10 of speech, 30 of silence (960 ms)
    assert len(ended[0].audio) == FRAME_SAMPLES * (2 + 10 + 30)
