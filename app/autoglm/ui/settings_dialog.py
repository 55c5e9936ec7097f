"""The Settings dialog, generated from the typed settings model.

Each settings group (Model, Remote engine, Generation, Voice, Vision, Server, Appearance) becomes a page;
each field becomes a widget chosen from its type and bounds — a check box for a flag, a
spin box limited by ``ge``/``le``, a combo box for a ``Literal``, a line edit for text —
with the field's description as tooltip and accessible description. A field added to
``core.settings`` shows up here without any change to this file.
"""

from __future__ import annotations

import logging
import math
import types
import typing
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal, Slot
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from autoglm.core.settings import SETTINGS_GROUPS, Settings, normalise_server_url, updated
from autoglm.server.security import is_loopback
from autoglm.ui.error_funnel import describe_error
from autoglm.ui.i18n import QT_TRANSLATE_NOOP
from autoglm.ui.notification import NotificationBannerWidget
from autoglm.ui.tasks import BackgroundTask

if TYPE_CHECKING:
    from autoglm.core.types import ModelInfo
    from autoglm.ui.tool_controller import ToolController
    from autoglm.ui.tools_settings import ToolsSettingsPageWidget

_LOGGER = logging.getLogger(__name__)
_INT_LIMIT = 2**31 - 1
_FLOAT_LIMIT = 1e9

# Short labels; the field descriptions in core.settings become tooltips. Unknown fields
# fall back to their humanised name, so a new field never goes missing from the dialog.
_FIELD_LABELS: dict[str, str] = {
    "updates.check_on_start": QT_TRANSLATE_NOOP(
        "SettingsDialog", "Look for a new version when the app starts"
    ),
    "updates.feed_url": QT_TRANSLATE_NOOP("SettingsDialog", "Update feed"),
    "updates.public_key": QT_TRANSLATE_NOOP("SettingsDialog", "Update signing key"),
    "model.active_model": QT_TRANSLATE_NOOP("SettingsDialog", "Active model"),
    "model.mmproj_path": QT_TRANSLATE_NOOP("SettingsDialog", "Vision projector file"),
    "model.n_ctx": QT_TRANSLATE_NOOP("SettingsDialog", "Context size (tokens)"),
    "model.n_gpu_layers": QT_TRANSLATE_NOOP("SettingsDialog", "GPU layers"),
    "model.n_threads": QT_TRANSLATE_NOOP("SettingsDialog", "CPU threads"),
    "model.n_batch": QT_TRANSLATE_NOOP("SettingsDialog", "Batch size"),
    "model.flash_attn": QT_TRANSLATE_NOOP("SettingsDialog", "Flash attention"),
    "model.projector_idle_unload_s": QT_TRANSLATE_NOOP(
        "SettingsDialog", "Unload projector after (s)"
    ),
    "model.hub_source": QT_TRANSLATE_NOOP("SettingsDialog", "Download models from"),
    "model.hub_endpoint": QT_TRANSLATE_NOOP("SettingsDialog", "Hub address"),
    "model.modelscope_endpoint": QT_TRANSLATE_NOOP("SettingsDialog", "ModelScope address"),
    "model.kv_cache_mb": QT_TRANSLATE_NOOP("SettingsDialog", "Memory for conversation caches (MB)"),
    "model.kv_sequences": QT_TRANSLATE_NOOP("SettingsDialog", "Conversations cached in memory"),
    "model.parallel_replies": QT_TRANSLATE_NOOP("SettingsDialog", "Replies decoded together"),
    "model.kv_disk_mb": QT_TRANSLATE_NOOP("SettingsDialog", "Disk for conversation caches (MB)"),
    "generation.temperature": QT_TRANSLATE_NOOP("SettingsDialog", "Temperature"),
    "generation.top_p": QT_TRANSLATE_NOOP("SettingsDialog", "Top-p"),
    "generation.top_k": QT_TRANSLATE_NOOP("SettingsDialog", "Top-k"),
    "generation.repeat_penalty": QT_TRANSLATE_NOOP("SettingsDialog", "Repeat penalty"),
    "generation.max_tokens": QT_TRANSLATE_NOOP("SettingsDialog", "Longest reply (tokens)"),
    "generation.seed": QT_TRANSLATE_NOOP("SettingsDialog", "Seed"),
    "generation.system_prompt": QT_TRANSLATE_NOOP("SettingsDialog", "System prompt"),
    "generation.thinking": QT_TRANSLATE_NOOP("SettingsDialog", "Think before answering"),
    "voice.input_device": QT_TRANSLATE_NOOP("SettingsDialog", "Microphone"),
    "voice.output_device": QT_TRANSLATE_NOOP("SettingsDialog", "Speaker"),
    "voice.asr_model": QT_TRANSLATE_NOOP("SettingsDialog", "Speech recognition model"),
    "voice.language": QT_TRANSLATE_NOOP("SettingsDialog", "Spoken language"),
    "voice.tts_voice": QT_TRANSLATE_NOOP("SettingsDialog", "English voice"),
    "voice.tts_voice_zh": QT_TRANSLATE_NOOP("SettingsDialog", "Chinese voice"),
    "voice.speech_rate": QT_TRANSLATE_NOOP("SettingsDialog", "Speaking speed"),
    "voice.end_silence_ms": QT_TRANSLATE_NOOP("SettingsDialog", "Silence ending a turn (ms)"),
    "voice.turn_detector": QT_TRANSLATE_NOOP("SettingsDialog", "Turn detector"),
    "voice.finished_silence_ms": QT_TRANSLATE_NOOP(
        "SettingsDialog", "Silence after a finished sentence (ms)"
    ),
    "voice.unfinished_silence_ms": QT_TRANSLATE_NOOP(
        "SettingsDialog", "Silence allowed mid-sentence (ms)"
    ),
    "voice.preroll_ms": QT_TRANSLATE_NOOP("SettingsDialog", "Audio kept before speech (ms)"),
    "voice.vad_threshold": QT_TRANSLATE_NOOP("SettingsDialog", "Speech detection threshold"),
    "voice.headset": QT_TRANSLATE_NOOP("SettingsDialog", "Using a headset"),
    "voice.barge_in": QT_TRANSLATE_NOOP("SettingsDialog", "Interrupt by speaking"),
    "voice.read_aloud": QT_TRANSLATE_NOOP("SettingsDialog", "Read replies aloud"),
    "voice.idle_unload_s": QT_TRANSLATE_NOOP("SettingsDialog", "Unload speech models after (s)"),
    "vision.max_image_pixels": QT_TRANSLATE_NOOP(
        "SettingsDialog", "Largest image given to the model (pixels)"
    ),
    "vision.image_tokens": QT_TRANSLATE_NOOP(
        "SettingsDialog", "Tokens per image (screenshots are scaled to fit)"
    ),
    "vision.max_source_pixels": QT_TRANSLATE_NOOP(
        "SettingsDialog", "Refuse images larger than (pixels)"
    ),
    "vision.hide_window_on_capture": QT_TRANSLATE_NOOP(
        "SettingsDialog", "Hide the window while capturing"
    ),
    "server.enabled": QT_TRANSLATE_NOOP("SettingsDialog", "Serve the API"),
    "server.host": QT_TRANSLATE_NOOP("SettingsDialog", "Address"),
    "server.port": QT_TRANSLATE_NOOP("SettingsDialog", "Port"),
    "server.api_key": QT_TRANSLATE_NOOP("SettingsDialog", "API key"),
    "server.rate_limit_per_minute": QT_TRANSLATE_NOOP("SettingsDialog", "Requests per minute"),
    "server.max_queued_requests": QT_TRANSLATE_NOOP("SettingsDialog", "Longest request queue"),
    "server.max_body_mb": QT_TRANSLATE_NOOP("SettingsDialog", "Largest request (MiB)"),
    "server.max_audio_seconds": QT_TRANSLATE_NOOP("SettingsDialog", "Longest audio (s)"),
    "server.allowed_image_dir": QT_TRANSLATE_NOOP("SettingsDialog", "Folder for file:// images"),
    "server.allowed_hosts": QT_TRANSLATE_NOOP(
        "SettingsDialog", "Allowed host names (comma-separated)"
    ),
    "server.allowed_origins": QT_TRANSLATE_NOOP(
        "SettingsDialog", "Allowed web origins (comma-separated)"
    ),
    "server.require_key_on_loopback": QT_TRANSLATE_NOOP(
        "SettingsDialog", "Require the key on this computer"
    ),
    "server.allow_desktop_control": QT_TRANSLATE_NOOP("SettingsDialog", "Allow desktop control"),
    "server.allow_mcp_tools": QT_TRANSLATE_NOOP("SettingsDialog", "Allow MCP tools"),
    "appearance.theme": QT_TRANSLATE_NOOP("SettingsDialog", "Theme"),
    "appearance.language": QT_TRANSLATE_NOOP("SettingsDialog", "Interface language"),
    "appearance.font_size": QT_TRANSLATE_NOOP("SettingsDialog", "Chat text size (pt)"),
    "remote.url": QT_TRANSLATE_NOOP("SettingsDialog", "Server address"),
    "remote.api_key": QT_TRANSLATE_NOOP("SettingsDialog", "API key"),
    "remote.model": QT_TRANSLATE_NOOP("SettingsDialog", "Model on the server"),
}
_UNSET_TEXT: dict[str, str] = {
    "model.n_threads": QT_TRANSLATE_NOOP("SettingsDialog", "Automatic"),
    "generation.seed": QT_TRANSLATE_NOOP("SettingsDialog", "Random"),
    "generation.max_tokens": QT_TRANSLATE_NOOP("SettingsDialog", "As long as the context allows"),
    "voice.input_device": QT_TRANSLATE_NOOP("SettingsDialog", "System default"),
    "voice.output_device": QT_TRANSLATE_NOOP("SettingsDialog", "System default"),
    "server.require_key_on_loopback": QT_TRANSLATE_NOOP(
        "SettingsDialog", "Automatic (when acting or tools are on)"
    ),
    "remote.url": QT_TRANSLATE_NOOP("SettingsDialog", "Empty: the local model answers"),
    "remote.model": QT_TRANSLATE_NOOP("SettingsDialog", "The first model the server lists"),
}
_CHOICE_TEXT: dict[str, str] = {
    "system": QT_TRANSLATE_NOOP("SettingsDialog", "Follow the system"),
    "light": QT_TRANSLATE_NOOP("SettingsDialog", "Light"),
    "dark": QT_TRANSLATE_NOOP("SettingsDialog", "Dark"),
    "en": "English",
    "hf": "Hugging Face",
    "modelscope": "ModelScope",
    "zh_CN": "简体中文",
    "zh": "中文",
    "auto": QT_TRANSLATE_NOOP("SettingsDialog", "Automatic"),
    "whisper-tiny.en": QT_TRANSLATE_NOOP("SettingsDialog", "Whisper tiny.en (English, fastest)"),
    "whisper-base": QT_TRANSLATE_NOOP("SettingsDialog", "Whisper base (Chinese, English and more)"),
    "whisper-small": QT_TRANSLATE_NOOP(
        "SettingsDialog", "Whisper small (Chinese, English and more; larger)"
    ),
    "piper-en_US-joe-medium": QT_TRANSLATE_NOOP("SettingsDialog", "Piper en_US joe"),
    "espeak-ng-cmn": QT_TRANSLATE_NOOP("SettingsDialog", "espeak-ng Mandarin"),
    "piper-zh_CN-huayan-medium": QT_TRANSLATE_NOOP("SettingsDialog", "Piper zh_CN huayan"),
}
_MULTILINE_FIELDS = {"generation.system_prompt"}
# Fields naming a file or a folder: a Browse button beside them (file filter, or None for a folder).
_PATH_FIELDS: dict[str, str | None] = {
    "model.mmproj_path": QT_TRANSLATE_NOOP("SettingsDialog", "GGUF projectors (*.gguf)"),
    "voice.asr_model": None,
    "voice.tts_voice": QT_TRANSLATE_NOOP("SettingsDialog", "Piper voices (*.onnx)"),
    "voice.tts_voice_zh": QT_TRANSLATE_NOOP("SettingsDialog", "Piper voices (*.onnx)"),
    "server.allowed_image_dir": None,
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("SettingsDialog", text)


def _humanise(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _split_optional(annotation: Any) -> tuple[Any, bool]:
    """``X | None`` → ``(X, True)``; anything else → ``(annotation, False)``."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(annotation)) == 2:
            return args[0], True
    return annotation, False


def _limit(bound: object) -> float:
    """A field constraint's number (the settings constrain numbers only)."""
    if not isinstance(bound, (int, float)):
        raise TypeError(f"A settings field's bound must be a number, not {bound!r}")
    return bound


def _bounds(info: FieldInfo) -> tuple[float | None, float | None, bool, bool]:
    """``(lower, upper, lower_exclusive, upper_exclusive)`` from the field's constraints."""
    lower: float | None = None
    upper: float | None = None
    lower_open = upper_open = False
    for item in info.metadata:
        if isinstance(item, annotated_types.Ge):
            lower = _limit(item.ge)
        elif isinstance(item, annotated_types.Gt):
            lower, lower_open = _limit(item.gt), True
        elif isinstance(item, annotated_types.Le):
            upper = _limit(item.le)
        elif isinstance(item, annotated_types.Lt):
            upper, upper_open = _limit(item.lt), True
    return lower, upper, lower_open, upper_open


class _FieldEditor:
    """One settings field's widget: shows a value and reads it back."""

    widget: QWidget

    def value(self) -> Any:
        """The value the widget holds, as the settings model expects it."""
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        """Show ``value`` in the widget."""
        raise NotImplementedError


class _BoolEditor(_FieldEditor):
    widget: QCheckBox

    def __init__(self, label: str) -> None:
        self.widget = QCheckBox(label)

    def value(self) -> bool:
        return self.widget.isChecked()

    def set_value(self, value: Any) -> None:
        self.widget.setChecked(bool(value))


def _typed_number(text: str) -> float | None:
    """The number typed in a spin box's text, or ``None``."""
    try:
        return float(text.strip().replace(",", "").replace("\u00a0", ""))
    except ValueError:
        return None


class _Clamping:
    """A spin box that lets a number beyond its range be typed, then sets the nearest bound
    and says so (``clamped``) instead of dropping keys until "3.5" reads "0.50"."""

    clamped: Signal

    def validate(self, text: str, pos: int) -> object:
        """A number out of range is "not yet valid" (kept as typed), not a key to drop."""
        state = super().validate(text, pos)  # type: ignore[misc]
        if state[0] == QValidator.State.Invalid and _typed_number(text) is not None:
            return (QValidator.State.Intermediate, text, pos)
        return state

    def settle(self) -> None:
        """Take the typed text as the value, clamped to the range (with ``clamped`` emitted)."""
        box: Any = self
        number = _typed_number(box.cleanText())
        if number is None:
            return
        bound = min(max(number, box.minimum()), box.maximum())
        if bound == number:
            box.interpretText()
            return
        typed = box.cleanText().strip()
        box.setValue(bound)
        box.clamped.emit(typed, box.textFromValue(box.value()))

    def fixup(self, text: str) -> str:
        """Enter or leaving the field: clamp what was typed and say so."""
        self.settle()
        return super().fixup(text)  # type: ignore[misc]

    def focusOutEvent(self, event: Any) -> None:  # noqa: N802
        """Leaving the field settles the typed value."""
        self.settle()
        super().focusOutEvent(event)  # type: ignore[misc]

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        """Enter settles the typed value before the dialog sees it."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.settle()
        super().keyPressEvent(event)  # type: ignore[misc]


# validate returns (state, text, pos), which PySide6 takes; its stubs know only the state
class ClampingSpinBox(_Clamping, QSpinBox):  # type: ignore[misc]
    """Whole numbers; see ``_Clamping``."""

    clamped = Signal(str, str)
    """(what was typed, the value set instead)."""


class ClampingDoubleSpinBox(_Clamping, QDoubleSpinBox):  # type: ignore[misc]  # as ClampingSpinBox
    """Decimals; see ``_Clamping``."""

    clamped = Signal(str, str)
    """(what was typed, the value set instead)."""


class _IntEditor(_FieldEditor):
    """A spin box; an optional field uses the value below its range as "unset"."""

    widget: ClampingSpinBox

    def __init__(self, info: FieldInfo, optional: bool, unset_text: str) -> None:
        lower, upper, lower_open, upper_open = _bounds(info)
        low = (
            int(lower) + (1 if lower_open else 0)
            if lower is not None
            else (0 if optional else -_INT_LIMIT)
        )
        high = int(upper) - (1 if upper_open else 0) if upper is not None else _INT_LIMIT
        self._optional = optional
        self.widget = ClampingSpinBox()
        self.widget.setRange(low - 1 if optional else low, min(high, _INT_LIMIT))
        self.widget.setGroupSeparatorShown(high >= 100_000)
        if optional:
            self.widget.setSpecialValueText(unset_text)

    def value(self) -> int | None:
        self.widget.settle()
        number = self.widget.value()
        return None if self._optional and number == self.widget.minimum() else number

    def set_value(self, value: Any) -> None:
        self.widget.setValue(self.widget.minimum() if value is None else int(value))


class _FloatEditor(_FieldEditor):
    widget: ClampingDoubleSpinBox

    def __init__(self, info: FieldInfo, optional: bool, unset_text: str) -> None:
        lower, upper, lower_open, upper_open = _bounds(info)
        span = (upper - lower) if lower is not None and upper is not None else 100.0
        decimals = 2 if span >= 1 else 3
        step = 10.0**-decimals
        low = (lower + (step if lower_open else 0)) if lower is not None else -_FLOAT_LIMIT
        high = (upper - (step if upper_open else 0)) if upper is not None else _FLOAT_LIMIT
        self._optional = optional
        self.widget = ClampingDoubleSpinBox()
        self.widget.setDecimals(decimals)
        self.widget.setRange(low - step if optional else low, high)
        self.widget.setSingleStep(
            max(step, 10 ** math.floor(math.log10(span)) / 20) if span else step
        )
        if optional:
            self.widget.setSpecialValueText(unset_text)

    def value(self) -> float | None:
        self.widget.settle()
        number = self.widget.value()
        return None if self._optional and number == self.widget.minimum() else number

    def set_value(self, value: Any) -> None:
        self.widget.setValue(self.widget.minimum() if value is None else float(value))


class _ChoiceEditor(_FieldEditor):
    widget: QComboBox

    def __init__(self, choices: tuple[Any, ...]) -> None:
        self.widget = QComboBox()
        for choice in choices:
            self.widget.addItem(
                _tr(_CHOICE_TEXT[choice]) if choice in _CHOICE_TEXT else str(choice), choice
            )

    def value(self) -> Any:
        return self.widget.currentData()

    def set_value(self, value: Any) -> None:
        self.widget.setCurrentIndex(max(0, self.widget.findData(value)))


class _PickEditor(_FieldEditor):
    """One of what is installed or connected (a list given by the window); a saved value not
    among them stays offered, marked, so opening Settings never changes it silently."""

    widget: QComboBox

    def __init__(self, choices: list[tuple[str | None, str]]) -> None:
        self.widget = QComboBox()
        self.not_found: set[Any] = set()  # saved values offered although nothing installed has them
        for value, text in choices:
            self.widget.addItem(text, value)

    def value(self) -> str | None:
        return self.widget.currentData()

    def set_value(self, value: Any) -> None:
        index = self.widget.findData(value)
        if index < 0:
            self.widget.addItem(_tr("{0} (not found)").format(value), value)
            self.not_found.add(value)
            index = self.widget.count() - 1
        self.widget.setCurrentIndex(index)

    def offer(self, value: str, text: str) -> None:
        """Add a choice the user brought (a file browsed to) and pick it."""
        if self.widget.findData(value) < 0:
            self.widget.addItem(text, value)
        self.not_found.discard(value)
        self.set_value(value)


# Picked fields that must name something installed: a model or voice that is not there
# cannot be saved (a microphone unplugged for now can: it may come back).
_MUST_BE_INSTALLED = ("voice.asr_model", "voice.language", "voice.tts_voice", "voice.tts_voice_zh")


def installed_speech_choices(current: Any) -> dict[str, list[tuple[str | None, str]]]:
    """Settings → Voice's pickers: the recognition models and the voices (per language) that
    are installed, and the spoken languages; a model or voice of the user's own files that
    the settings name (a folder, an ``.onnx``) is offered too while it is there."""
    from autoglm.speech.models import installed_recognizers, installed_voices

    def label(value: str, name: str) -> str:
        return _tr(_CHOICE_TEXT[value]) if value in _CHOICE_TEXT else name

    def own(value: str, known: list[tuple[str | None, str]]) -> list[tuple[str | None, str]]:
        path = Path(value).expanduser()
        listed = any(choice == value for choice, _ in known)
        return [] if listed or not value or not path.exists() else [(value, path.name)]

    recognizers: list[tuple[str | None, str]] = [("auto", label("auto", "auto"))]
    recognizers += [(value, label(value, name)) for value, name in installed_recognizers()]
    english: list[tuple[str | None, str]] = [
        (value, label(value, name)) for value, name in installed_voices("en")
    ]
    chinese: list[tuple[str | None, str]] = [
        (value, label(value, name)) for value, name in installed_voices("zh")
    ]
    return {
        "voice.asr_model": recognizers + own(current.asr_model, recognizers),
        "voice.language": [(code, label(code, code)) for code in ("auto", "en", "zh")],
        "voice.tts_voice": english + own(current.tts_voice, english),
        "voice.tts_voice_zh": chinese + own(current.tts_voice_zh, chinese),
    }


class _TextEditor(_FieldEditor):
    """A line edit (or a text box for long text); empty means unset for an optional field."""

    widget: QPlainTextEdit | QLineEdit

    def __init__(self, optional: bool, unset_text: str, secret: bool, multiline: bool) -> None:
        self._optional = optional
        if multiline:
            box = QPlainTextEdit()
            box.setTabChangesFocus(True)
            box.setFixedHeight(box.fontMetrics().lineSpacing() * 4 + 12)
            self.widget = box
        else:
            line = QLineEdit()
            line.setClearButtonEnabled(True)
            if secret:
                line.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
            self.widget = line
        if optional:
            self.widget.setPlaceholderText(unset_text)

    def _text(self) -> str:
        return (
            self.widget.toPlainText()
            if isinstance(self.widget, QPlainTextEdit)
            else self.widget.text()
        )

    def value(self) -> str | None:
        text = self._text()
        return None if self._optional and not text.strip() else text

    def set_value(self, value: Any) -> None:
        if isinstance(self.widget, QPlainTextEdit):
            self.widget.setPlainText(value or "")
        else:
            self.widget.setText(value or "")


class _OptionalBoolEditor(_FieldEditor):
    """Yes, no, or unset (the app decides), for a ``bool | None`` field."""

    widget: QComboBox

    def __init__(self, unset_text: str) -> None:
        self.widget = QComboBox()
        self._values: list[bool | None] = [None, True, False]
        for text in (unset_text, _tr("Yes"), _tr("No")):
            self.widget.addItem(text)

    def value(self) -> bool | None:
        return self._values[max(0, self.widget.currentIndex())]

    def set_value(self, value: Any) -> None:
        self.widget.setCurrentIndex(self._values.index(None if value is None else bool(value)))


class _ListEditor(_FieldEditor):
    widget: QLineEdit

    def __init__(self) -> None:
        self.widget = QLineEdit()
        self.widget.setClearButtonEnabled(True)

    def value(self) -> list[str]:
        return [part.strip() for part in self.widget.text().split(",") if part.strip()]

    def set_value(self, value: Any) -> None:
        self.widget.setText(", ".join(value or ()))


def gpu_offload_available() -> bool:
    """Whether this llama.cpp build can offload layers to a GPU (``False`` if it cannot be asked)."""
    try:
        import llama_cpp

        return bool(llama_cpp.llama_supports_gpu_offload())
    except Exception:  # an unloadable library is a CPU-only build for this purpose
        _LOGGER.debug("llama.cpp could not be asked about GPU offload", exc_info=True)
        return False


def _make_editor(
    key: str,
    info: FieldInfo,
    label: str,
    choices: dict[str, list[tuple[str | None, str]]] | None = None,
) -> _FieldEditor:
    """The widget for one field, chosen from its type and bounds (``choices``: what is installed
    or connected, for fields that must name one of those)."""
    if choices and key in choices:
        return _PickEditor(choices[key])
    kind, optional = _split_optional(info.annotation)
    unset = _tr(_UNSET_TEXT.get(key, QT_TRANSLATE_NOOP("SettingsDialog", "Not set")))
    if kind is bool:
        return _OptionalBoolEditor(unset) if optional else _BoolEditor(label)
    if typing.get_origin(kind) is Literal:
        return _ChoiceEditor(typing.get_args(kind))
    if kind is int:
        return _IntEditor(info, optional, unset)
    if kind is float:
        return _FloatEditor(info, optional, unset)
    if typing.get_origin(kind) is list:
        return _ListEditor()
    return _TextEditor(
        optional, unset, secret=key.endswith("api_key"), multiline=key in _MULTILINE_FIELDS
    )


class SettingsDialog(QDialog):
    """Every setting, a page per group; emits ``settingsApplied`` with validated new settings."""

    settingsApplied = Signal(object)
    testFinished = Signal(str)
    """The remote connection test's result, in words."""

    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        tools: ToolController | None = None,
        model_info: ModelInfo | None = None,
        gpu_offload: bool | None = None,
        choices: dict[str, list[tuple[str | None, str]]] | None = None,
    ) -> None:
        """``tools``: the window's ``ToolController``; with it the dialog has a Tools page.
        ``choices``: by ``group.field``, the (value, name) pairs a field picks from (installed
        models, connected microphones and speakers).
        ``model_info``: the loaded model (its trained context bounds the context size);
        ``gpu_offload``: whether this llama.cpp build can use a GPU (``None``: ask it)."""
        super().__init__(parent)
        self._settings = settings
        self._model_info = model_info
        self._gpu_offload = gpu_offload_available() if gpu_offload is None else gpu_offload
        self._clamp_notes: list[str] = []
        self._choices = {**installed_speech_choices(settings.voice), **(choices or {})}
        self.tools_page: ToolsSettingsPageWidget | None = None
        if tools is not None:
            from autoglm.ui.tools_settings import ToolsSettingsPageWidget

            self.tools_page = ToolsSettingsPageWidget(tools)
        self._editors: dict[str, dict[str, _FieldEditor]] = {}
        self.resize(760, 540)

        self._pages = QListWidget()
        self._pages.setFixedWidth(160)
        self._pages.setSpacing(2)
        self._stack = QStackedWidget()
        self._pages.currentRowChanged.connect(self._stack.setCurrentIndex)
        self._message = NotificationBannerWidget(self)
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Apply
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        self._buttons.clicked.connect(self._on_button)

        body = QHBoxLayout()
        body.addWidget(self._pages)
        body.addWidget(self._stack, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self._message)
        layout.addWidget(self._buttons)
        self._populate({group: getattr(settings, group).model_dump() for group in SETTINGS_GROUPS})
        self._pages.setCurrentRow(0)

    def _populate(self, values: dict[str, dict[str, Any]]) -> None:
        """(Re)build every page in the current language and show ``values`` in it."""
        self.setWindowTitle(self.tr("Settings"))
        self.setAccessibleName(self.tr("Settings"))
        self._pages.setAccessibleName(self.tr("Settings pages"))
        self._stack.setAccessibleName(self.tr("Settings page"))
        current = max(0, self._pages.currentRow())
        self._pages.clear()
        while self._stack.count():
            page = self._stack.widget(0)
            if page is None:
                break
            self._stack.removeWidget(page)
            if page is not self.tools_page:
                page.deleteLater()
        self._editors = {}
        for group in SETTINGS_GROUPS:
            self._pages.addItem(self._group_title(group))
            self._stack.addWidget(self._build_page(group))
        if self.tools_page is not None:
            self._pages.addItem(self.tr("Tools"))
            self._stack.addWidget(self.tools_page)
            self.tools_page.retranslate()
        for group, editors in self._editors.items():
            for name, editor in editors.items():
                if name in values.get(group, {}):
                    editor.set_value(values[group][name])
        for which, name in (
            (QDialogButtonBox.StandardButton.Ok, self.tr("OK")),
            (QDialogButtonBox.StandardButton.Apply, self.tr("Apply")),
            (QDialogButtonBox.StandardButton.Cancel, self.tr("Cancel")),
            (QDialogButtonBox.StandardButton.RestoreDefaults, self.tr("Restore defaults")),
        ):
            button = self._buttons.button(which)
            button.setText(name)
            button.setAccessibleName(name)
        self._buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).setToolTip(
            self.tr(
                "Put this page's settings back to their defaults (nothing changes until you apply)"
            )
        )
        self._pages.setCurrentRow(current)
        self._order_tabs()

    def _order_tabs(self) -> None:
        """Tab goes the way the dialog reads: the page list, the page's fields top to bottom, then the buttons."""
        standard = QDialogButtonBox.StandardButton
        chain: list[QWidget] = [self._pages]
        chain += [
            editor.widget for editors in self._editors.values() for editor in editors.values()
        ]
        chain += [
            self._buttons.button(which)
            for which in (standard.RestoreDefaults, standard.Ok, standard.Cancel, standard.Apply)
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's naming
        """Follow a language switch, keeping what the user has typed so far."""
        if event.type() == QEvent.Type.LanguageChange and self._editors:
            self._populate(
                {
                    group: {name: editor.value() for name, editor in editors.items()}
                    for group, editors in self._editors.items()
                }
            )
        super().changeEvent(event)

    # -- building --------------------------------------------------------------------
    def _group_title(self, group: str) -> str:
        titles = {
            "model": self.tr("Model"),
            "remote": self.tr("Remote engine"),
            "generation": self.tr("Generation"),
            "voice": self.tr("Voice"),
            "vision": self.tr("Vision"),
            "server": self.tr("Server"),
            "appearance": self.tr("Appearance"),
            "updates": self.tr("Updates"),
        }
        return titles.get(group, _humanise(group))

    def _field_label(self, group: str, name: str) -> str:
        key = f"{group}.{name}"
        return self.tr(_FIELD_LABELS[key]) if key in _FIELD_LABELS else _humanise(name)

    def _with_browse(self, key: str, editor: _FieldEditor) -> QWidget:
        """The field with a Browse button that puts a chosen file (or folder) in it."""
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(editor.widget, 1)
        button = QPushButton(self.tr("Browse…"))
        button.setObjectName(f"{key}.browse")
        button.setAccessibleName(self.tr("Browse for {0}").format(editor.widget.accessibleName()))
        button.clicked.connect(lambda: self._browse(key, editor))
        layout.addWidget(button)
        return row

    def _browse(self, key: str, editor: _FieldEditor) -> None:
        pattern = _PATH_FIELDS[key]
        current = str(editor.value() or "")
        start = current if current and Path(current).expanduser().exists() else str(Path.home())
        if pattern is None:
            chosen = QFileDialog.getExistingDirectory(
                self, self._field_label(*key.split(".", 1)), start
            )
        else:
            chosen, _filter = QFileDialog.getOpenFileName(
                self,
                self._field_label(*key.split(".", 1)),
                start,
                f"{_tr(pattern)};;{self.tr('All files (*)')}",
            )
        if chosen and isinstance(editor, _PickEditor):
            editor.offer(chosen, Path(chosen).name)
        elif chosen:
            editor.set_value(chosen)

    def _build_page(self, group: str) -> QWidget:
        model_class: type[BaseModel] = type(getattr(self._settings, group))
        form_host = QWidget()
        column = QVBoxLayout(form_host)
        form = QFormLayout()
        column.addLayout(form)
        column.addStretch(1)  # rows stay together at the top instead of spreading out
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        if group == "model":
            note = QLabel(
                self.tr(
                    "OK or Apply reloads the model at once when a change on this page concerns it; the download "
                    "source and hub addresses apply without a reload."
                )
            )
            note.setObjectName("modelReloadNote")
            note.setWordWrap(True)
            note.setAccessibleName(note.text())
            form.addRow(note)
        editors: dict[str, _FieldEditor] = {}
        for name, info in model_class.model_fields.items():
            label = self._field_label(group, name)
            editor = _make_editor(f"{group}.{name}", info, label, self._choices)
            description = QCoreApplication.translate("SettingsDescriptions", info.description or "")
            editor.widget.setObjectName(f"{group}.{name}")
            editor.widget.setAccessibleName(label)
            editor.widget.setAccessibleDescription(description)
            editor.widget.setToolTip(self._tooltip(description, info))
            if isinstance(editor.widget, _Clamping):
                editor.widget.clamped.connect(
                    lambda typed, value, g=group, n=name: self._note_clamp(g, n, typed, value)
                )
            if isinstance(editor, _BoolEditor):
                form.addRow("", editor.widget)
            else:
                caption = QLabel(label)
                caption.setBuddy(editor.widget)
                caption.setToolTip(editor.widget.toolTip())
                key = f"{group}.{name}"
                form.addRow(
                    caption,
                    self._with_browse(key, editor) if key in _PATH_FIELDS else editor.widget,
                )
            field_note = self._field_note(group, name, editor.widget)
            if field_note:
                hint = QLabel(field_note)
                hint.setObjectName(f"{group}.{name}.note")
                hint.setProperty("muted", True)
                hint.setWordWrap(True)
                hint.setAccessibleName(field_note)
                form.addRow("", hint)
            editors[name] = editor
        self._editors[group] = editors
        if group == "voice":
            self._follow_turn_detector(editors)
        if group == "remote":
            self._add_connection_test(form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_host)
        scroll.setAccessibleName(self.tr("{0} settings").format(self._group_title(group)))
        return scroll

    def _trained_context(self) -> int:
        """The loaded model's trained context in tokens (0: unknown)."""
        return int(getattr(self._model_info, "n_ctx_train", 0) or 0)

    def _field_note(self, group: str, name: str, widget: QWidget) -> str:
        """A line under a field whose range depends on this model or this build, or ''."""
        key = f"{group}.{name}"
        if key == "model.n_ctx" and self._trained_context() and isinstance(widget, QSpinBox):
            trained = self._trained_context()
            widget.setMaximum(min(widget.maximum(), trained))
            return self.tr(
                "{0} was trained on up to {1} tokens, so the context size goes up to that."
            ).format(
                getattr(self._model_info, "display_name", "") or self.tr("This model"),
                f"{trained:,}",
            )
        if key == "model.n_gpu_layers" and not self._gpu_offload:
            widget.setEnabled(False)
            return self.tr(
                "This build of llama.cpp has no GPU support, so every layer runs on the CPU "
                "whatever this says."
            )
        return ""

    def _note_clamp(self, group: str, name: str, typed: str, value: str) -> None:
        """Say that a typed number was out of range and what was set instead."""
        field = self._field_label(group, name)
        if f"{group}.{name}" == "model.n_ctx" and self._trained_context():
            note = self.tr(
                "{0}: {1} is more than this model was trained on, so it was set to {2}."
            ).format(field, typed, value)
        else:
            note = self.tr("{0}: {1} is outside what it accepts, so it was set to {2}.").format(
                field, typed, value
            )
        self._clamp_notes.append(note)
        self._message.show_message(note)

    def _add_connection_test(self, form: QFormLayout) -> None:
        """A note on what the page does, and "Test connection" with what it found, in words."""
        note = QLabel(
            self.tr(
                "With a server address, chats, voice and the API are answered by that "
                "OpenAI-compatible server (vLLM, SGLang, llama.cpp's server) instead of the "
                "local model. Choosing a local model in the model manager clears it."
            )
        )
        note.setWordWrap(True)
        note.setAccessibleName(note.text())
        form.insertRow(0, note)
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.setObjectName("remote.test")
        self.test_button.setToolTip(
            self.tr("Ask the server which models it serves (nothing is saved)")
        )
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel()
        self.test_result.setObjectName("remote.test_result")
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addStretch(1)
        form.addRow("", row)
        form.addRow("", self.test_result)

    @Slot()
    def test_connection(self) -> None:
        """Check the typed address off the GUI thread; the result shows under the button."""
        from autoglm.core.remote_engine import check_connection

        editors = self._editors["remote"]
        url, key, model = (editors[name].value() for name in ("url", "api_key", "model"))
        if not url:
            self._show_test_result(
                self.tr("Type the server's address first, for example http://gpu-box:8000/v1."),
                ok=False,
            )
            return
        try:
            address = normalise_server_url(url)
        except ValueError as exc:
            self._show_test_result(
                self.tr("This is not a server address: {0}.").format(exc), ok=False
            )
            return
        self.test_button.setEnabled(False)
        self._show_test_result(self.tr("Connecting to {0}…").format(address), ok=None)
        BackgroundTask(
            lambda: check_connection(address, key, model), name="test-remote", owner=self
        ).on_success(lambda found: self._show_test_result(str(found), ok=True)).on_failure(
            lambda error: self._show_test_result(describe_error(error), ok=False)
        ).start()

    def _show_test_result(self, text: str, ok: bool | None) -> None:
        """``ok`` None: still connecting."""
        self.test_result.setText(text)
        self.test_result.setAccessibleName(text)
        self.test_result.setProperty("state", {True: "ok", False: "failed", None: "busy"}[ok])
        if ok is not None:
            self.test_button.setEnabled(True)
            self.testFinished.emit(text)

    @staticmethod
    def _follow_turn_detector(editors: dict[str, _FieldEditor]) -> None:
        """The turn detector's two silences apply with it on, the fixed silence with it off."""
        switch = editors["turn_detector"].widget
        assert isinstance(switch, QCheckBox)  # a bool field's editor

        def follow(on: bool) -> None:
            editors["finished_silence_ms"].widget.setEnabled(on)
            editors["unfinished_silence_ms"].widget.setEnabled(on)
            editors["end_silence_ms"].widget.setEnabled(not on)

        switch.toggled.connect(follow)
        follow(switch.isChecked())

    def _tooltip(self, description: str, info: FieldInfo) -> str:
        lower, upper, lower_open, upper_open = _bounds(info)
        if lower is None and upper is None:
            return description
        low = "" if lower is None else f"{'>' if lower_open else '≥'} {lower:g}"
        high = "" if upper is None else f"{'<' if upper_open else '≤'} {upper:g}"
        return f"{description} ({', '.join(part for part in (low, high) if part)})"

    # -- values ----------------------------------------------------------------------
    def editor(self, group: str, name: str) -> QWidget:
        """The widget editing ``group.name`` (for tests and focus)."""
        return self._editors[group][name].widget

    def collect(self) -> Settings:
        """New settings from the widgets; raises ``ValueError`` with the problems in words."""
        problems: list[str] = []
        new = self._settings
        for group, editors in self._editors.items():
            values = {name: editor.value() for name, editor in editors.items()}
            try:
                new = updated(new, group, **values)
            except ValidationError as exc:
                for error in exc.errors():
                    name = str(error["loc"][0]) if error["loc"] else ""
                    message = str(error["msg"]).removeprefix("Value error, ")
                    problems.append(
                        f"{self._group_title(group)} → {self._field_label(group, name)}: {message}."
                    )
        problems += self._not_installed_problems()
        problems += self._cross_field_problems(new)
        if problems:
            raise ValueError("\n".join(problems))
        return new

    def _not_installed_problems(self) -> list[str]:
        """A model or voice picked that is not installed (a saved value no longer there)."""
        problems = []
        for key in _MUST_BE_INSTALLED:
            group, name = key.split(".", 1)
            editor = self._editors.get(group, {}).get(name)
            if isinstance(editor, _PickEditor) and editor.value() in editor.not_found:
                problems.append(
                    self.tr(
                        "{0} → {1}: '{2}' is not installed; pick one that is (the model manager "
                        "downloads more)."
                    ).format(
                        self._group_title(group), self._field_label(group, name), editor.value()
                    )
                )
        return problems

    def _cross_field_problems(self, settings: Settings) -> list[str]:
        """Combinations the model accepts field by field but the app cannot honour."""
        problems = []
        server = settings.server
        if not is_loopback(server.host) and not server.api_key:
            problems.append(
                self.tr(
                    "Server → Address: serving on {0} makes the model reachable from other "
                    "computers, so set an API key first (Server → API key)."
                ).format(server.host)
            )
        elif server.key_required_on_loopback and not server.api_key:
            problems.append(
                self.tr(
                    "Server → API key: while desktop control or MCP tools are allowed, or the key "
                    "is required on this computer, every client must send a key, so set one "
                    "(or turn those off)."
                )
            )
        voice = settings.voice
        if voice.turn_detector and voice.finished_silence_ms >= voice.unfinished_silence_ms:
            problems.append(
                self.tr(
                    "Voice → the silence after a finished sentence must be shorter than the "
                    "silence allowed mid-sentence."
                )
            )
        if settings.voice.barge_in and not settings.voice.headset:
            problems.append(
                self.tr(
                    "Voice → Interrupt by speaking needs a headset (tick “Using a headset”): "
                    "through speakers the assistant would interrupt itself."
                )
            )
        return problems

    def apply(self) -> bool:
        """Validate and emit ``settingsApplied``; show the problems and return False if invalid.

        A number typed out of range was set to its bound with a note; the first OK or Apply
        after that only shows the note again (the dialog stays open), the next one applies
        the values shown."""
        try:
            new = self.collect()
        except ValueError as exc:
            self._message.dismiss()
            self._message.show_message(
                self.tr("These settings cannot be used yet:") + "\n" + str(exc)
            )
            _LOGGER.info("Settings not applied: %s", exc)
            return False
        if self._clamp_notes:
            notes, self._clamp_notes = self._clamp_notes, []
            self._message.dismiss()
            for note in notes:
                self._message.show_message(note)
            return False
        self._message.dismiss()
        self._settings = new
        if self.tools_page is not None:
            self.tools_page.apply()
        self.settingsApplied.emit(new)
        return True

    @property
    def problem_text(self) -> str:
        """The problems shown, or an empty string."""
        return "" if self._message.isHidden() else self._message.text.text()

    @Slot(QAbstractButton)
    def _on_button(self, button: QAbstractButton) -> None:
        role = self._buttons.standardButton(button)
        if role == QDialogButtonBox.StandardButton.Apply:
            self.apply()
        elif role == QDialogButtonBox.StandardButton.Ok:
            if self.apply():
                self.accept()
        elif role == QDialogButtonBox.StandardButton.Cancel:
            self.reject()
        elif role == QDialogButtonBox.StandardButton.RestoreDefaults:
            self._restore_page_defaults()

    def _restore_page_defaults(self) -> None:
        if self._stack.currentIndex() >= len(SETTINGS_GROUPS):
            return  # the Tools page has no defaults to restore
        group = SETTINGS_GROUPS[self._stack.currentIndex()]
        defaults = type(getattr(self._settings, group))()
        for name, editor in self._editors[group].items():
            editor.set_value(getattr(defaults, name))

    def show_page(self, group: str) -> None:
        """Switch to the page of ``group``."""
        if group == "tools" and self.tools_page is not None:
            self._pages.setCurrentRow(len(SETTINGS_GROUPS))
            return
        self._pages.setCurrentRow(SETTINGS_GROUPS.index(group))
