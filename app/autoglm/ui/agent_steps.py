"""The chat rows of an agent run's steps: the action and its result, the thinking folded,
the screenshot marked where it acted. The live run (``agent_controller``) and a reopened
chat (``conversation_controller``) both show steps this way."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from autoglm.core.conversation import AgentStep, Turn
from autoglm.ui.chat_model import MessageItem
from autoglm.ui.pointed_answers import pointed_reply


def _tr(text: str) -> str:
    return QCoreApplication.translate("AgentController", text)  # the context the translations know


def step_item(step: AgentStep, number: int, message_id: int = 0) -> MessageItem:
    """The chat row of one step: the action and its result, the thinking folded, the screenshot marked."""
    outcome = step.outcome or (_tr("done") if step.ok else "")
    action = step.action.replace("`", "'") or _tr("(no action)")
    content = f"**{_tr('Step {0}').format(number)}** · `{action}` → {outcome}"
    item = MessageItem(
        role="assistant", content=content, reasoning=step.thought, message_id=message_id
    )
    item.agent_step = True
    item.pointed = pointed_reply(step.action, step.screenshot) if step.screenshot else None
    if item.pointed is None and step.screenshot:
        item.attachments = [step.screenshot]
    return item


def steps_before(turn: Turn, item: MessageItem) -> list[MessageItem]:
    """A run's step rows, shown above its last message (which can replay them)."""
    item.agent_steps = list(turn.agent_steps)
    return [
        step_item(step, number, turn.message_id)
        for number, step in enumerate(turn.agent_steps, start=1)
    ]
