"""AutoGLM's action protocol: what the model writes, read into typed actions.

The model answers ``<think>…</think><answer>do(action="Tap", element=[x,y])</answer>`` or
``finish(message="…")`` (Open-AutoGLM's ``phone_agent`` is the reference). The reader
accepts what the model really writes — single or double quotes, Chinese text, newlines
inside strings, stray text after the closing parenthesis, a missing ``<answer>`` — and
returns every other reply as a value with the reason, never an exception. The call is read
with ``ast`` (never evaluated).
"""

from __future__ import annotations

import ast
import re
from dataclasses import asdict, dataclass, field
from typing import Any

GRID_MAX = 1000  # the model's coordinates run 0–999 (Open-AutoGLM divides by 1000)


@dataclass(frozen=True)
class GridPoint:
    """A point on the model's 0–1000 grid (x to the right, y down, from the top-left)."""

    x: int
    y: int


@dataclass(frozen=True)
class Action:
    """One action of the protocol; ``name`` is the protocol's own name for it."""

    name = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for a step record saved as JSON)."""
        data = asdict(self)
        data["action"] = self.name
        return data


@dataclass(frozen=True)
class Launch(Action):
    """Start an app by its name (or an Android package name)."""

    name = "Launch"
    app: str = ""


@dataclass(frozen=True)
class Tap(Action):
    """Tap a point; a ``message`` marks a sensitive tap (payment, privacy) the user confirms."""

    name = "Tap"
    element: GridPoint = GridPoint(0, 0)
    message: str | None = None


@dataclass(frozen=True)
class Type(Action):
    """Type text into the focused field (replacing what is there)."""

    name = "Type"
    text: str = ""


@dataclass(frozen=True)
class TypeName(Action):
    """Type a person's name; otherwise the same as Type."""

    name = "Type_Name"
    text: str = ""


@dataclass(frozen=True)
class Interact(Action):
    """Several options fit: the model asks the user which."""

    name = "Interact"


@dataclass(frozen=True)
class Swipe(Action):
    """Drag from ``start`` to ``end``."""

    name = "Swipe"
    start: GridPoint = GridPoint(0, 0)
    end: GridPoint = GridPoint(0, 0)


@dataclass(frozen=True)
class Note(Action):
    """Record the current page for a later summary."""

    name = "Note"
    message: str = ""


@dataclass(frozen=True)
class CallApi(Action):
    """Summarise or comment on the page or what was noted."""

    name = "Call_API"
    instruction: str = ""


@dataclass(frozen=True)
class LongPress(Action):
    """Press and hold a point."""

    name = "Long Press"
    element: GridPoint = GridPoint(0, 0)


@dataclass(frozen=True)
class DoubleTap(Action):
    """Tap a point twice quickly."""

    name = "Double Tap"
    element: GridPoint = GridPoint(0, 0)


@dataclass(frozen=True)
class TakeOver(Action):
    """The user must act (a login, a captcha) before the agent goes on."""

    name = "Take_over"
    message: str = ""


@dataclass(frozen=True)
class Back(Action):
    """Go back (Android's Back button)."""

    name = "Back"


@dataclass(frozen=True)
class Home(Action):
    """Go to the home screen."""

    name = "Home"


@dataclass(frozen=True)
class Wait(Action):
    """Wait for the page to load."""

    name = "Wait"
    seconds: float = 1.0


@dataclass(frozen=True)
class Finish(Action):
    """The task is done (or cannot be); ``message`` says how it ended."""

    name = "finish"
    message: str = ""


POINT_ACTIONS = (Tap, LongPress, DoubleTap)
DO_ACTIONS: dict[str, type[Action]] = {
    cls.name: cls
    for cls in (
        Launch,
        Tap,
        Type,
        TypeName,
        Interact,
        Swipe,
        Note,
        CallApi,
        LongPress,
        DoubleTap,
        TakeOver,
        Back,
        Home,
        Wait,
    )
}


@dataclass(frozen=True)
class ParsedReply:
    """A model reply read: its thinking, the action (or ``None``) and, when refused, why."""

    raw: str
    thinking: str = ""
    action: Action | None = None
    action_text: str = ""  # the call as the model wrote it, without stray text
    error: str = ""
    notes: list[str] = field(default_factory=list)  # what was tolerated (stray text, no <answer>)

    @property
    def ok(self) -> bool:
        """Whether an action was read."""
        return self.action is not None

    def history_text(self) -> str:
        """The reply as it goes back into the conversation (Open-AutoGLM's form)."""
        return f"<think>{self.thinking}</think><answer>{self.action_text}</answer>"


class ProtocolError(ValueError):
    """Internal: a reply that is not a protocol action, with the reason in words."""


_THINK = re.compile(r"<think>(.*?)(?:</think>|$)", re.DOTALL)
_MARKER = re.compile(r"\b(do|finish)\s*\(")
_LOOSE_TEXT = ("Type", "Type_Name")


def _canonical_name(name: str) -> str | None:
    """The protocol's name for ``name``, tolerating case, spaces and underscores."""
    if name in DO_ACTIONS:
        return name
    squashed = re.sub(r"[\s_]+", "", name).lower()
    for known in DO_ACTIONS:
        if re.sub(r"[\s_]+", "", known).lower() == squashed:
            return known
    return None


def _call_span(text: str, start: int) -> int:
    """Index just past the parenthesis closing the call opened at ``text[start]``; -1 if cut off."""
    depth, quote, index = 0, "", start
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return -1


def _escape_controls_in_strings(call: str) -> str:
    """Newlines and tabs written raw inside a string, escaped so ``ast`` reads them as text."""
    out, quote, index = [], "", 0
    while index < len(call):
        char = call[index]
        if quote:
            if char == "\\" and index + 1 < len(call):
                out.append(call[index : index + 2])
                index += 2
                continue
            if char == quote:
                quote = ""
            char = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char, char)
        elif char in "\"'":
            quote = char
        out.append(char)
        index += 1
    return "".join(out)


def _loose_string(region: str, key: str) -> str | None:
    """``key="…"`` read as Open-AutoGLM does: up to the last quote before the closing ``)``.

    The model does not escape quotes inside text it types (``text="say "hi""``), so the
    string runs to the last matching quote followed by ``)``.
    """
    match = re.search(rf"\b{key}\s*=\s*([\"'])", region)
    if match is None:
        return None
    quote = match.group(1)
    body = region[match.end() :]
    closing = [m.start() for m in re.finditer(rf"{re.escape(quote)}\s*\)", body)]
    if not closing:
        return None
    return body[: closing[-1]]


def _point(value: Any, key: str) -> GridPoint:
    if (
        not isinstance(value, (list, tuple))
        or len(value) != 2
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    ):
        raise ProtocolError(f"{key} must be two numbers [x, y], not {value!r}")
    x, y = (round(v) for v in value)
    if not (0 <= x <= GRID_MAX and 0 <= y <= GRID_MAX):
        raise ProtocolError(f"{key} {[x, y]} is off the 0–{GRID_MAX} grid")
    return GridPoint(int(x), int(y))


def _text(value: Any, key: str) -> str:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ProtocolError(f"{key} must be text, not {value!r}")
    return str(value)


def _seconds(value: Any) -> float:
    """``"3 seconds"``, ``"3s"``, ``3`` → 3.0."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:s|sec|secs|seconds?|秒)?\s*", str(value))
        if match is None:
            raise ProtocolError(f'duration must be like "3 seconds", not {value!r}')
        seconds = float(match.group(1))
    return seconds


def _build(function: str, kwargs: dict[str, Any]) -> Action:
    if function == "finish":
        return Finish(message=_text(kwargs.get("message", ""), "message"))
    raw_name = kwargs.pop("action", None)
    if not isinstance(raw_name, str):
        raise ProtocolError('do() needs action="…"')
    name = _canonical_name(raw_name)
    if name is None:
        raise ProtocolError(
            f"unknown action {raw_name!r}; the protocol knows "
            + ", ".join(DO_ACTIONS)
            + " and finish"
        )

    def need(key: str) -> Any:
        if key not in kwargs:
            raise ProtocolError(f"{name} needs {key}=")
        return kwargs[key]

    if name == "Launch":
        return Launch(app=_text(need("app"), "app"))
    if name == "Tap":
        message = kwargs.get("message")
        return Tap(
            element=_point(need("element"), "element"),
            message=None if message is None else _text(message, "message"),
        )
    if name in ("Type", "Type_Name"):
        text = _text(need("text"), "text")
        return Type(text=text) if name == "Type" else TypeName(text=text)
    if name == "Swipe":
        return Swipe(start=_point(need("start"), "start"), end=_point(need("end"), "end"))
    if name == "Note":
        return Note(message=_text(kwargs.get("message", ""), "message"))
    if name == "Call_API":
        return CallApi(instruction=_text(kwargs.get("instruction", ""), "instruction"))
    if name == "Long Press":
        return LongPress(element=_point(need("element"), "element"))
    if name == "Double Tap":
        return DoubleTap(element=_point(need("element"), "element"))
    if name == "Take_over":
        return TakeOver(message=_text(kwargs.get("message", ""), "message"))
    if name == "Wait":
        return Wait(seconds=_seconds(kwargs.get("duration", "1 seconds")))
    return {"Interact": Interact, "Back": Back, "Home": Home}[name]()


def _literal_call(call: str) -> tuple[str, dict[str, Any]]:
    """The function name and keyword values of ``call``, read with ``ast`` (never run)."""
    try:
        tree = ast.parse(_escape_controls_in_strings(call), mode="eval")
    except SyntaxError as exc:
        raise ProtocolError(f"the action is not a well-formed call ({exc.msg})") from None
    node = tree.body
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise ProtocolError("the action is not a do(…) or finish(…) call")
    if node.args:
        raise ProtocolError("the action's arguments must be named (action=…, element=…)")
    kwargs: dict[str, Any] = {}
    for keyword in node.keywords:
        if keyword.arg is None:
            raise ProtocolError("the action's arguments must be named")
        try:
            kwargs[keyword.arg] = ast.literal_eval(keyword.value)
        except (ValueError, SyntaxError, TypeError, RecursionError):
            raise ProtocolError(f"{keyword.arg}= is not a plain value") from None
    return node.func.id, kwargs


def _answer_region(reply: str, notes: list[str]) -> tuple[str, str]:
    """``(thinking, where the action is)`` of a reply."""
    think = _THINK.search(reply)
    thinking = think.group(1).strip() if think else ""
    rest = reply[think.end() :] if think else reply
    if "<answer>" in rest:
        rest = rest.split("<answer>", 1)[1]
    else:
        notes.append("no <answer> tag")
        if think is None:
            marker = _MARKER.search(rest)
            if marker is not None:
                thinking = rest[: marker.start()].strip()
                rest = rest[marker.start() :]
    return thinking, rest


def parse_reply(reply: str) -> ParsedReply:
    """Read a model reply into its thinking and action; a refusal carries the reason."""
    notes: list[str] = []
    thinking, region = _answer_region(reply, notes)
    marker = _MARKER.search(region)
    if marker is None:
        shown = region.strip()[:80] or "nothing"
        return ParsedReply(
            reply,
            thinking,
            error=f"no do(…) or finish(…) action in the reply (got {shown!r})",
            notes=notes,
        )
    function = marker.group(1)
    open_paren = marker.end() - 1
    end = _call_span(region, open_paren)
    call = region[marker.start() : end] if end != -1 else ""
    try:
        if end == -1:
            raise ProtocolError("the action is cut off (no closing parenthesis)")
        name, kwargs = _literal_call(call)
    except ProtocolError as exc:
        loose = _loose_action(function, region[marker.start() :])
        if loose is None:
            return ParsedReply(reply, thinking, error=str(exc), notes=notes)
        action, call = loose
        notes.append("unescaped quotes read as Open-AutoGLM does")
        return ParsedReply(reply, thinking, action, call.strip(), notes=notes)
    stray = region[end:].replace("</answer>", "").strip()
    if stray:
        notes.append(f"ignored text after the action: {stray[:40]!r}")
    try:
        action = _build(name, kwargs)
    except ProtocolError as exc:
        return ParsedReply(reply, thinking, error=str(exc), action_text=call, notes=notes)
    return ParsedReply(reply, thinking, action, call, notes=notes)


def _loose_action(function: str, region: str) -> tuple[Action, str] | None:
    """Type / Type_Name / finish whose text holds unescaped quotes, read like Open-AutoGLM."""
    region = region.split("</answer>", 1)[0]
    if function == "finish":
        message = _loose_string(region, "message")
        if message is None:
            return None
        call_end = region.index(message) + len(message) + 2
        return Finish(message=message), region[:call_end]
    name = re.match(r"do\s*\(\s*action\s*=\s*([\"'])(.*?)\1", region)
    if name is None or name.group(2) not in _LOOSE_TEXT:
        return None
    text = _loose_string(region, "text")
    if text is None:
        return None
    call_end = region.index(text, name.end()) + len(text) + 2
    action: Action = Type(text=text) if name.group(2) == "Type" else TypeName(text=text)
    return action, region[:call_end]


def points_in_reply(reply: str) -> list[GridPoint]:
    """Every grid point the reply's answer names, in order (for "show me where")."""
    parsed = parse_reply(reply)
    if isinstance(parsed.action, POINT_ACTIONS):
        return [parsed.action.element]
    if isinstance(parsed.action, Swipe):
        return [parsed.action.start, parsed.action.end]
    _, region = _answer_region(reply, [])
    points = []
    for match in re.finditer(r"\[\s*(\d{1,4})\s*,\s*(\d{1,4})\s*\]", region):
        x, y = int(match.group(1)), int(match.group(2))
        if x <= GRID_MAX and y <= GRID_MAX:
            points.append(GridPoint(x, y))
    return points
