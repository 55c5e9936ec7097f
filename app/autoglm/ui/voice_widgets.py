"""The composer's voice controls: the mic button (hold to talk, click for hands-free) and the level meter."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QToolButton, QWidget

from autoglm.ui.icons import icon

_LOGGER = logging.getLogger(__name__)
HOLD_MS = 300
"""A press held this long is push-to-talk; a shorter one is a click that toggles hands-free."""
METER_INTERVAL_MS = 33
"""The level meter repaints at most ~30 times a second, however fast levels arrive."""
METER_FLOOR_DBFS = -60.0

STATE_COLOURS = {
    "idle": "",
    "loading": "#9a6700",
    "listening": "#1a7f37",
    "hearing": "#2f6feb",
    "transcribing": "#8250df",
    "thinking": "#8250df",
    "speaking": "#bf3989",
    "error": "#d1242f",
}


def meter_fraction(dbfs: float, floor: float = METER_FLOOR_DBFS) -> float:
    """How full the meter is for a level in dBFS: 0 at ``floor`` and below, 1 at 0 dBFS."""
    return max(0.0, min(1.0, (dbfs - floor) / -floor))


class LevelMeterWidget(QWidget):
    """A small horizontal bar showing the microphone level, polled on a ~30/s timer."""

    def __init__(self, level: Callable[[], float], parent: QWidget | None = None) -> None:
        """``level`` returns the latest level in dBFS (read on the GUI thread; any thread may set it)."""
        super().__init__(parent)
        self.setObjectName("levelMeter")
        self._level_source = level
        self._shown = METER_FLOOR_DBFS
        self.repaints = 0
        self.colour = QColor("#1a7f37")
        self.track = QColor(128, 128, 128, 60)
        self.setFixedSize(QSize(64, 8))
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._timer = QTimer(self)
        self._timer.setInterval(METER_INTERVAL_MS)
        self._timer.timeout.connect(self._poll)

    def set_running(self, running: bool) -> None:
        """Follow the microphone (running) or show an empty, still meter."""
        self.setVisible(running)
        if running:
            self._timer.start()
        else:
            self._timer.stop()
            self._shown = METER_FLOOR_DBFS

    @property
    def level(self) -> float:
        """The level shown now (dBFS)."""
        return self._shown

    def _poll(self) -> None:
        level = self._level_source()
        if abs(meter_fraction(level) - meter_fraction(self._shown)) >= 0.01:
            self._shown = level
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        """The track and the filled part."""
        self.repaints += 1
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        rect = QRectF(self.rect())
        radius = rect.height() / 2
        painter.setBrush(self.track)
        painter.drawRoundedRect(rect, radius, radius)
        width = rect.width() * meter_fraction(self._shown)
        if width > 0.5:
            painter.setBrush(self.colour)
            painter.drawRoundedRect(
                QRectF(rect.left(), rect.top(), max(width, rect.height()), rect.height()),
                radius,
                radius,
            )
        painter.end()


class MicButtonWidget(QToolButton):
    """The mic: hold (≥ 300 ms) to talk, click to switch hands-free conversation on or off."""

    talkPressed = Signal()
    talkReleased = Signal()
    handsFreeToggled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("micButton")
        self.setAutoRaise(True)
        self.setIconSize(QSize(20, 20))
        self.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.icon_colour = "#1f2328"
        self.voice_state = "idle"
        self._holding = False
        self._down = False
        self._hold_timer = QTimer(self)
        self._hold_timer.setSingleShot(True)
        self._hold_timer.setInterval(HOLD_MS)
        self._hold_timer.timeout.connect(self._start_holding)
        self.pressed.connect(self._on_pressed)
        self.released.connect(self._on_released)
        self.set_voice_state("idle")

    @property
    def holding(self) -> bool:
        """Whether push-to-talk is held down now."""
        return self._holding

    def _on_pressed(self) -> None:
        self._down = True
        self._hold_timer.start()

    def _start_holding(self) -> None:
        if self._down:
            self._holding = True
            self.talkPressed.emit()

    def _on_released(self) -> None:
        self._down = False
        if self._holding:
            self._holding = False
            self.talkReleased.emit()
        elif self._hold_timer.isActive():
            self._hold_timer.stop()
            self.handsFreeToggled.emit()

    def release_hold(self) -> None:
        """Forget a press in progress (the microphone failed): the next press starts afresh."""
        self._hold_timer.stop()
        self._holding = False
        self._down = False
        self.setDown(False)

    def set_icon_colour(self, colour: str) -> None:
        """Tint for the theme (the state colour wins while voice is active)."""
        self.icon_colour = colour
        self.set_voice_state(self.voice_state)

    def set_voice_state(self, state: str) -> None:
        """Show ``state`` (a ``STATE_COLOURS`` key) in the icon colour and the style sheet."""
        self.voice_state = state
        self.setIcon(icon("mic", STATE_COLOURS.get(state) or self.icon_colour))
        self.setProperty("voiceState", state)
        self.style().unpolish(self)
        self.style().polish(self)
