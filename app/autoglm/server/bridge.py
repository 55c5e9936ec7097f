"""A scheduler ``ReplyStream`` read from asyncio without blocking the event loop.

A small thread iterates the stream (its iterator blocks) and hands each event to the
loop. Leaving the ``async for`` early — a client that disconnected — cancels the reply,
so the engine stops within one token (or never starts it, if it was still queued).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator

from autoglm.core.scheduler import ReplyStream
from autoglm.core.types import StreamEvent

_LOGGER = logging.getLogger(__name__)
_END = object()


async def stream_events(stream: ReplyStream) -> AsyncIterator[StreamEvent]:
    """Yield the stream's events as they come; cancel the stream if the consumer stops early."""
    loop = asyncio.get_running_loop()
    events: asyncio.Queue[object] = asyncio.Queue()

    def hand_over(item: object) -> None:
        try:
            loop.call_soon_threadsafe(events.put_nowait, item)
        except RuntimeError:  # the loop closed (server stopping): the reply is not wanted any more
            stream.cancel()

    def pump() -> None:
        try:
            for event in stream:
                hand_over(event)
        finally:
            hand_over(_END)

    threading.Thread(target=pump, name="autoglm-api-reply", daemon=True).start()
    finished = False
    try:
        while True:
            item = await events.get()
            if item is _END:
                finished = True
                return
            yield item  # type: ignore[misc]
    finally:
        if not finished:
            _LOGGER.debug("Reply abandoned by its client; cancelling it")
            stream.cancel()
