"""A long streaming reply lays out only the block being written, so each repaint costs the same."""

from __future__ import annotations

from typing import Any

from autoglm.bench.ui import ReplayEngine, reply_tokens
from autoglm.ui.message_delegate import is_block_laid


def test_each_batch_of_a_long_reply_lays_out_only_its_last_block(qtbot: Any, make_window: Any,
                                                                 gui_settings: Any) -> None:
    window = make_window(gui_settings, load=False)
    tokens = reply_tokens(3000)
    window.runtime.use_engine(ReplayEngine(tokens, rate=2000.0))
    delegate = window.chat_view.delegate
    per_batch: list[int] = []
    last = [0]

    def batch(*_args: Any) -> None:
        window.chat_view.viewport().repaint()  # paint now, as the screen would
        per_batch.append(delegate.block_layouts - last[0])
        last[0] = delegate.block_layouts

    window.controller.model.dataChanged.connect(batch)
    with qtbot.waitSignal(window.controller.replyFinished, timeout=120_000) as finished:
        window.send("Explain it step by step.", [])
    reply = window.controller.model.item(1)
    assert finished.args[0].finish_reason == "stop" and reply.content == "".join(tokens)
    blocks = reply.content.count("\n\n")
    assert blocks > 100 and len(per_batch) > 20
    assert max(per_batch) <= 4, f"a batch laid out {max(per_batch)} documents"  # header, old tail, new tail
    assert sum(per_batch) < 3 * blocks + len(per_batch)
    before = delegate.block_layouts
    window.chat_view.viewport().repaint()
    assert is_block_laid(reply) and delegate.block_layouts - before <= 2  # finished: no whole-reply layout
