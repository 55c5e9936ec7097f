"""Splitting a streamed reply into reasoning and answer while it streams.

AutoGLM-Phone-9B answers as ``<think>…</think><answer>…</answer>``; other models use
``<think>`` alone or nothing. Tags can be cut anywhere between two tokens, so the
splitter holds back a tail that could still become a tag and releases it once it cannot.
"""

from __future__ import annotations

from autoglm.core.types import Delta

THINK_OPEN, THINK_CLOSE = "<think>", "</think>"
ANSWER_OPEN, ANSWER_CLOSE = "<answer>", "</answer>"
REASONING_TAGS = (THINK_OPEN, THINK_CLOSE, ANSWER_OPEN, ANSWER_CLOSE)
_TAGS = REASONING_TAGS


def _partial_tag_suffix(text: str) -> int:
    """Length of the longest tail of ``text`` that is a proper prefix of some tag."""
    best = 0
    for tag in _TAGS:
        for length in range(min(len(tag) - 1, len(text)), best, -1):
            if text.endswith(tag[:length]):
                best = length
                break
    return best


class ReasoningSplitter:
    """Feed raw model text with ``feed``; get ``Delta``s of reasoning and content.

    ``start_in_reasoning`` is for templates that open ``<think>`` themselves in the
    generation prompt, so the model's first words are already reasoning.
    """

    def __init__(self, start_in_reasoning: bool = False):
        self._in_reasoning = start_in_reasoning
        self._pending = ""
        self._content_started = False

    def feed(self, text: str) -> Delta:
        """Consume more raw text; return what can be shown now."""
        self._pending += text
        reasoning: list[str] = []
        content: list[str] = []
        while True:
            positions = [(self._pending.find(tag), tag) for tag in _TAGS]
            found = [(pos, tag) for pos, tag in positions if pos >= 0]
            if not found:
                break
            pos, tag = min(found)
            self._route(self._pending[:pos], reasoning, content)
            self._pending = self._pending[pos + len(tag) :]
            if tag == THINK_OPEN:
                self._in_reasoning = True
            elif tag == THINK_CLOSE:
                self._in_reasoning = False
            # <answer> and </answer> only wrap content: drop them.
        keep = _partial_tag_suffix(self._pending)
        ready, self._pending = (
            self._pending[: len(self._pending) - keep],
            self._pending[len(self._pending) - keep :],
        )
        self._route(ready, reasoning, content)
        return Delta(content="".join(content), reasoning="".join(reasoning))

    def flush(self) -> Delta:
        """Release whatever is held back at the end of the stream."""
        reasoning: list[str] = []
        content: list[str] = []
        self._route(self._pending, reasoning, content)
        self._pending = ""
        return Delta(content="".join(content), reasoning="".join(reasoning))

    def _route(self, text: str, reasoning: list[str], content: list[str]) -> None:
        if not text:
            return
        if self._in_reasoning:
            reasoning.append(text)
            return
        if not self._content_started:
            text = text.lstrip()
            if not text:
                return
            self._content_started = True
        content.append(text)


def split_reasoning(text: str) -> tuple[str, str]:
    """``(reasoning, content)`` of a whole reply; the same rules as streaming."""
    splitter = ReasoningSplitter()
    first, last = splitter.feed(text), splitter.flush()
    return (first.reasoning + last.reasoning).strip(), (first.content + last.content).rstrip()
