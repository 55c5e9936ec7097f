"""Ten minutes of noise through the real Silero endpointing, faster than real time: memory stays flat."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import psutil

from autoglm.speech.vad import (
    SAMPLE_RATE,
    EndpointConfig,
    SileroFrameVad,
    TurnDetector,
    TurnEventKind,
)


def test_ten_minutes_of_noise_keep_memory_flat(tmp_path) -> None:
    from speech_audio import spoken_question_16k

    rng = np.random.default_rng(7)
    question = spoken_question_16k(
        tmp_path
    )  # some speech mixed in, so turns are buffered and freed
    detector = TurnDetector(SileroFrameVad(), EndpointConfig(max_turn_ms=10_000), preroll_ms=300)
    process = psutil.Process()
    block = SAMPLE_RATE  # one second at a time
    ended = 0

    def feed_minute(minute: int) -> None:
        nonlocal ended
        noise = (rng.standard_normal(SAMPLE_RATE * 60) * 0.02).astype(np.float32)
        noise[SAMPLE_RATE * 20 : SAMPLE_RATE * 20 + len(question)] += question
        for start in range(0, len(noise), block):
            for event in detector.feed(noise[start : start + block]):
                ended += event.kind is TurnEventKind.TURN_ENDED

    feed_minute(0)  # warm-up: allocator pools, onnxruntime buffers
    gc.collect()
    tracemalloc.start()
    rss_before = process.memory_info().rss
    traced_before, _ = tracemalloc.get_traced_memory()
    for minute in range(1, 10):
        feed_minute(minute)
    gc.collect()
    traced_after, _ = tracemalloc.get_traced_memory()
    rss_after = process.memory_info().rss
    tracemalloc.stop()

    assert detector.frames_seen == 10 * 60 * SAMPLE_RATE // 512
    assert ended >= 9, "the spoken questions within the noise were not found"
    assert traced_after - traced_before < 1_000_000, "Python memory grew while listening"
    assert rss_after - rss_before < 20 * 1024 * 1024, "process memory grew while listening"
