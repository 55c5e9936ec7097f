"""Reply sources for ``VoiceConversation.read_aloud``: a typed chat's stream, or a message's text.

``read_aloud`` attaches a listener to the stream, but the voice may still be loading when
the reply starts streaming; ``BufferedReply`` listens from the moment of ``submit`` and
replays what came before the speaker was ready. ``detach()`` stops feeding the speaker
(another reply took its place), without touching the reply itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from autoglm.core.types import Completion, Delta, StreamEvent

Listener = Callable[[StreamEvent], None]


class BufferedReply:
    """A reply stream seen from its start by listeners added later (events replayed in order)."""

    def __init__(self, stream: Any) -> None:
        """Listen to ``stream`` (a ``ReplyStream``) right away; call right after ``submit``."""
        self._stream = stream
        self._lock = threading.Lock()
        self._events: list[StreamEvent] = []
        self._listeners: list[Listener] = []
        self.detached = False
        stream.add_listener(self._on_event)

    def _on_event(self, event: StreamEvent) -> None:
        with self._lock:  # delivered under the lock, so a replay and new events never interleave
            if self.detached or not isinstance(event, Delta) or not event.content:
                return
            self._events.append(event)
            for listener in self._listeners:
                listener(event)

    def add_listener(self, callback: Listener) -> None:
        """Call ``callback`` for every content event so far, then for each new one."""
        with self._lock:
            if self.detached:
                return
            for event in self._events:
                callback(event)
            self._listeners.append(callback)

    def detach(self) -> None:
        """Stop passing events on (the speaker moved on to another reply)."""
        with self._lock:
            self.detached = True
            self._listeners.clear()
            self._events.clear()

    def cancel(self) -> None:
        """Cancel the reply itself."""
        self._stream.cancel()

    def result(self, timeout: float | None = None) -> Completion:
        """The finished reply."""
        return self._stream.result(timeout)


class SpokenText:
    """A finished message's text as a reply source (the Speak action)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.detached = False

    def add_listener(self, callback: Listener) -> None:
        """Deliver the whole text at once."""
        if not self.detached:
            callback(Delta(content=self.text))

    def detach(self) -> None:
        """Nothing more to stop: the text was delivered whole."""
        self.detached = True

    def cancel(self) -> None:
        """Nothing is being generated."""

    def result(self, timeout: float | None = None) -> Completion:
        """The text, as a completion."""
        return Completion(content=self.text)
