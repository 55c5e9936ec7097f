"""A long streaming reply lays out only the block being written, so each repaint costs the same."""

from __future__ import annotations

from typing import Any

from autoglm.bench.ui import ReplayEngine, reply_tokens
from autoglm.ui.message_delegate import is_block_laid


def test_each_batch_of_a_long_reply_lays_out_only_its_last_block(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(gui_settings, load=False)
    tokens = reply_tokens(3000)
    window.runtime.use_engine(
        ReplayEngine(tokens, rate=600.0)
    )  # batches of a few blocks, even on a busy computer
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
    # header, the block being written, the notes, and the few blocks finished since the last batch
    assert max(per_batch) <= 8, f"a batch laid out {max(per_batch)} documents"
    assert sum(per_batch) < 3 * blocks + len(per_batch)
    before = delegate.block_layouts
    window.chat_view.viewport().repaint()
    assert (
        is_block_laid(reply) and delegate.block_layouts - before <= 2
    )  # finished: no whole-reply layout


def _batch_cpu(delegate: Any, item: Any, tokens: list[str], start: int, width: int = 800) -> float:
    """GUI-thread CPU seconds of one batch (20 tokens more) at ``start`` tokens, the median of 15."""
    import statistics
    import time

    costs = []
    for upto in range(start, start + 300, 20):
        item.content = "".join(tokens[:upto])
        item.revision += 1
        began = time.thread_time()
        delegate.stream_blocks(item, width)
        costs.append(time.thread_time() - began)
    return statistics.median(costs)


def test_a_batch_costs_the_same_at_8000_tokens_as_at_1000(qapp: Any) -> None:
    from autoglm.ui.chat_model import MessageItem
    from autoglm.ui.message_delegate import MessageDelegate

    tokens = reply_tokens(8400)
    delegate = MessageDelegate()
    item = MessageItem(role="assistant", content="", streaming=True)
    for upto in range(0, 1000, 200):  # as the stream reaches 1,000 tokens
        item.content, item.revision = "".join(tokens[:upto]), item.revision + 1
        delegate.stream_blocks(item, 800)
    early = _batch_cpu(delegate, item, tokens, 1000)
    for upto in range(1300, 8000, 200):
        item.content, item.revision = "".join(tokens[:upto]), item.revision + 1
        delegate.stream_blocks(item, 800)
    late = _batch_cpu(delegate, item, tokens, 8000)
    assert late < 2.5 * early + 0.001, (
        f"{late * 1000:.2f} ms a batch at 8,000 tokens, {early * 1000:.2f} at 1,000"
    )
    fresh = MessageDelegate()  # the same reply laid out at once agrees on every block and height
    blocks, again = delegate.stream_blocks(item, 800), fresh.stream_blocks(item, 800)
    assert [b.part for b in blocks] == [b.part for b in again]
    assert sum(b.height for b in blocks) == sum(b.height for b in again)


def test_a_finished_block_shown_plain_is_highlighted_once_its_lexer_is_ready(
    qapp: Any, monkeypatch: Any
) -> None:
    import threading

    from autoglm.ui import deferred_render, markdown_html
    from autoglm.ui.chat_model import MessageItem
    from autoglm.ui.message_delegate import MessageDelegate

    monkeypatch.delitem(markdown_html._lexers, "haskell", raising=False)
    ready = threading.Event()
    deferred_render.add_listener(ready.set)
    delegate = MessageDelegate()
    item = MessageItem(
        role="assistant",
        content='```haskell\nmain = putStrLn "hi"\n```\n\nMore text',
        streaming=True,
    )
    try:
        first = delegate.stream_blocks(item, 800)[0]
        assert "<span" not in first.part.split("Copy</a>", 1)[1]  # plain while the lexer is built
        assert ready.wait(30)
    finally:
        deferred_render.remove_listener(ready.set)
    item.content += " and more"
    item.revision += 1
    assert "<span" in delegate.stream_blocks(item, 800)[0].part.split("Copy</a>", 1)[1]
