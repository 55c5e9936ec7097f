"""Stream resampling and cutting a reply to what was actually played."""

from __future__ import annotations

import numpy as np
import pytest

from autoglm.speech.capture import SILENCE_DBFS, level_dbfs
from autoglm.speech.playback import PlayedSegment
from autoglm.speech.reply_speaker import spoken_text
from autoglm.speech.resample import StreamResampler, resample


def tone(frequency: float, rate: int, seconds: float = 1.0) -> np.ndarray:
    return np.sin(2 * np.pi * frequency * np.arange(int(rate * seconds)) / rate).astype(np.float32)


@pytest.mark.parametrize(
    ("source", "target"), [(48_000, 16_000), (44_100, 16_000), (22_050, 48_000), (16_000, 16_000)]
)
def test_blockwise_resampling_equals_whole_signal_resampling(source: int, target: int) -> None:
    signal = tone(440, source)
    streamed = StreamResampler(source, target)
    starts = range(0, len(signal), 1234)
    blocks = [
        streamed.process(signal[start : start + 1234], last=start == starts[-1]) for start in starts
    ]
    whole = resample(signal, source, target)
    assert abs(sum(len(block) for block in blocks) - target) <= 2
    assert abs(len(whole) - target) <= 2
    count = min(len(whole), sum(len(block) for block in blocks))
    np.testing.assert_allclose(np.concatenate(blocks)[:count], whole[:count], atol=1e-3)


def test_downsampling_keeps_speech_band_and_removes_what_would_alias() -> None:
    kept = resample(tone(440, 48_000), 48_000, 16_000)[200:]
    removed = resample(tone(15_000, 48_000), 48_000, 16_000)[200:]
    assert np.sqrt(np.mean(kept**2)) > 0.6
    assert np.sqrt(np.mean(removed**2)) < 0.05


def test_level_meter_in_dbfs() -> None:
    assert level_dbfs(np.zeros(512, np.float32)) == SILENCE_DBFS
    assert level_dbfs(np.ones(512, np.float32)) == pytest.approx(0.0)
    assert level_dbfs(np.full(512, 0.1, np.float32)) == pytest.approx(-20.0)


def segment(text: str, played: float) -> PlayedSegment:
    samples = np.zeros(1000, np.float32)
    return PlayedSegment(text, samples, int(1000 * played))


def test_spoken_text_keeps_played_sentences_and_cuts_the_interrupted_one() -> None:
    segments = [
        segment("The capital is Paris.", 1.0),
        segment("It has many old museums and parks.", 0.5),
        segment("Never heard.", 0.0),
    ]
    assert spoken_text(segments) == "The capital is Paris. It has many…"


def test_nothing_played_means_nothing_stored() -> None:
    assert spoken_text([segment("Not yet.", 0.0)]) == ""


def test_an_interrupted_chinese_sentence_is_cut_by_characters() -> None:
    segments = [segment("北京是中国的首都。", 1.0), segment("它有很多古老的建筑。", 0.5)]
    assert spoken_text(segments) == "北京是中国的首都。 它有很多古…"  # half of ten characters
