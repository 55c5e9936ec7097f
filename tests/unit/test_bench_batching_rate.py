"""The batched rate counts only the steps in which every stream decodes, as raw llama.cpp's does."""

from __future__ import annotations

from autoglm.bench.batching import rate_while_all_decode
from autoglm.bench.text import Arrivals


def recorded(*times: float) -> Arrivals:
    arrivals = Arrivals()
    arrivals.times = list(times)
    return arrivals


def test_a_stream_that_ends_early_bounds_the_window() -> None:
    # Two streams, a delta every 0.1 s from 1.0; the second ends at 1.3, the first goes on.
    first = recorded(*(1.0 + 0.1 * i for i in range(10)))
    second = recorded(1.0, 1.1, 1.2, 1.3)
    # Within (1.0, 1.3]: three deltas each, in 0.3 s.
    assert abs(rate_while_all_decode([first, second]) - 6 / 0.3) < 1e-6


def test_a_late_start_bounds_the_window_too() -> None:
    first = recorded(1.0, 1.1, 1.2, 1.3, 1.4)
    second = recorded(1.2, 1.3, 1.4)
    assert abs(rate_while_all_decode([first, second]) - 4 / 0.2) < 1e-6


def test_streams_that_never_decoded_together_give_no_rate() -> None:
    assert rate_while_all_decode([recorded(1.0, 1.1), recorded(1.5, 1.6)]) == 0.0
    assert rate_while_all_decode([recorded(1.0, 1.1), recorded()]) == 0.0
