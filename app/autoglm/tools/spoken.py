"""Tools for a spoken request: offered with it, asked for aloud, answered by voice or by a click.

The voice loop (``speech.conversation.VoiceConversation``) cannot import this package (they
are siblings), so it takes a ``SpokenTools`` as a plain object and calls the four methods
below. A round is the one ``answer_with_tools`` runs for the CLI: the model's reply is read
for calls; a call that needs approval is put to the user as a question ("May I run
get_weather?") and runs only after a yes; a no, or no answer at all, leaves it unrun and
the model is told; the last reply answers in words from the results.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from autoglm.core.conversation import Conversation
from autoglm.core.types import ChatMessage, Completion, GenerationRequest, ToolSpec
from autoglm.tools.approval import Decision, PendingCall, spoken_decision
from autoglm.tools.calls import ParsedReply, ToolCallStream
from autoglm.tools.tool_turns import (
    ToolExchange,
    ToolSession,
    ToolTurn,
    answer_with_tools,
    record_tool_rounds,
)

_LOGGER = logging.getLogger(__name__)
QUESTIONS = {
    "en": "May I run {tool}?",
    "zh": "可以运行 {tool} 吗？",
}
REPEATS = {
    "en": "Please say yes or no.",
    "zh": "请说是或者不。",
}
Generate = Callable[[GenerationRequest, ToolCallStream | None], Completion]
"""Stream one request; the reader, when given, keeps the calls out of what is shown and spoken."""


def _language(language: str) -> str:
    code = (language or "en").split("-")[0].lower()
    return code if code in QUESTIONS else "en"


def spoken_tool_name(name: str) -> str:
    """A tool's name as it is read out: ``get_weather`` is said "get weather"."""
    return " ".join(name.replace("_", " ").replace("-", " ").split()) or name


class SpokenTools:
    """The tools of one front's ``ToolSession`` as the voice loop uses them."""

    def __init__(self, session: ToolSession, template_source: Callable[[], str]) -> None:
        self.session = session
        self.template_source = template_source
        """The chat template of the model now loaded (it says how tools are offered and how calls look)."""

    def reply(
        self,
        request: GenerationRequest,
        generate: Generate,
        ask: Callable[[PendingCall], Decision],
        *,
        on_calls: Callable[[Completion, ParsedReply], None] | None = None,
        on_exchange: Callable[[ToolExchange], None] | None = None,
    ) -> ToolTurn:
        """Answer ``request``, offering the tools; ``ask`` decides each call that needs approval (blocking)."""
        template = self.template_source()

        def one_round(history: list[ChatMessage], specs: list[ToolSpec]) -> Completion:
            offered = self.session.request_with_tools(
                replace(request, messages=history), template, specs
            )
            reader = self.session.stream_reader(template, specs) if specs else None
            return generate(offered, reader)

        return answer_with_tools(
            self.session,
            list(request.messages),
            one_round,
            ask,
            template,
            on_calls=on_calls,
            on_exchange=on_exchange,
        )

    def record(self, conversation: Conversation, turn: ToolTurn) -> None:
        """Keep the turn's calls and results in a conversation the voice loop owns (the terminal's)."""
        record_tool_rounds(
            conversation, turn, origin="spoken", image_reader=self.session.image_reader
        )

    @staticmethod
    def question(call: PendingCall, language: str = "en") -> str:
        """What the voice asks before ``call`` runs, in the language the request was heard in."""
        return QUESTIONS[_language(language)].format(tool=spoken_tool_name(call.function_name))

    @staticmethod
    def ask_again(language: str = "en") -> str:
        """What the voice says when the answer was neither yes nor no."""
        return REPEATS[_language(language)]

    @staticmethod
    def heard(text: str) -> Decision | None:
        """The decision in a spoken answer ("yes", "no", 是, 不 …), or ``None``."""
        return spoken_decision(text)

    @staticmethod
    def unanswered() -> Decision:
        """No answer came (silence, the loop closing): the call is not run."""
        return Decision.DENY
