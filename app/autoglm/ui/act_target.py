"""What Act mode acts on, chosen in the window: the whole desktop, one open window, or a phone.

A button beside the Act button (shown in Act mode) names the current choice and opens the
list; Tools → Act on opens the same list. Each time the list opens it is read again on a
worker — the X server's windows (``agent.windows``) and the phones ADB sees, which may
start the ADB server — and the entries follow when the answer comes. Where windows cannot
be listed (Wayland, no X display) the list says why in words and offers the whole desktop.
The app's own windows are never offered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from autoglm.ui.tasks import BackgroundTask

if TYPE_CHECKING:
    from autoglm.agent.windows import DesktopWindow, WindowListing
    from autoglm.ui.agent_controller import AgentController

TITLE_CHARS = 48
"""A window's title is cut to this many characters in the list and on the button."""


def _tr(text: str) -> str:
    return QCoreApplication.translate("ActTargetPicker", text)


@dataclass
class ActTargets:
    """What could be acted on when the list was last read."""

    windows: WindowListing
    phones: list[str] = field(default_factory=list)
    phone_problem: str = ""


def find_targets() -> ActTargets:
    """Read the open windows and the connected phones (blocking: X server and ADB)."""
    from autoglm.agent.adb import list_phones
    from autoglm.agent.windows import list_windows
    from autoglm.core.errors import DeviceError

    targets = ActTargets(list_windows())
    try:
        targets.phones = list_phones()
    except DeviceError as exc:
        targets.phone_problem = str(exc)
    return targets


def _short(title: str) -> str:
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"


class ActTargetPicker(QObject):
    """The list of things to act on, and the button that shows the choice."""

    listed = Signal()
    """The list was read again and its entries refilled."""

    def __init__(self, agent: AgentController, parent: QWidget) -> None:
        """Choices go to ``agent`` (``set_device`` / ``set_window``); the button lives in ``parent``."""
        super().__init__(parent)
        self.agent = agent
        self.targets: ActTargets | None = None
        self._reading = False
        self.menu = QMenu(parent)
        self.menu.setObjectName("actTargetMenu")
        self.menu.aboutToShow.connect(self.refresh)
        self.button = QToolButton(parent)
        self.button.setObjectName("actTargetButton")
        self.button.setAutoRaise(True)
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.button.setMenu(self.menu)
        self.button.setStyleSheet("QToolButton#actTargetButton::menu-indicator { image: none; }")
        self.button.setVisible(False)
        self._group = QActionGroup(self)
        self._fill()

    # -- texts -------------------------------------------------------------------------------
    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.menu.setTitle(_tr("Act on"))
        self.button.setAccessibleName(_tr("What the agent acts on"))
        self.button.setToolTip(
            _tr("What the next task acts on: the whole desktop, one open window, or a phone")
        )
        self._fill()

    def choice_text(self) -> str:
        """The current choice in a few words, as the button shows it."""
        agent = self.agent
        if agent.window_target is not None:
            return _short(agent.window_target.title)
        kind, _, serial = agent.device.partition(":")
        if kind == "adb":
            return _tr("Phone {0}").format(serial) if serial else _tr("Android phone")
        return _tr("Whole desktop")

    # -- the list ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the windows and phones again on a worker; the entries follow when they come."""
        if self._reading:
            return
        self._reading = True
        self._fill()
        BackgroundTask(find_targets, name="list-act-targets", owner=self).on_success(
            self._listed
        ).on_failure(self._failed).start()

    def _listed(self, targets: ActTargets) -> None:
        self._reading = False
        self.targets = targets
        self._fill()
        self.listed.emit()

    def _failed(self, error: BaseException) -> None:
        from autoglm.agent.windows import WindowListing
        from autoglm.ui.error_funnel import describe_error

        self._listed(ActTargets(WindowListing(reason=describe_error(error))))

    def entries(self) -> list[QAction]:
        """The list's choosable entries, in order (the whole desktop first)."""
        return [action for action in self.menu.actions() if action.isCheckable()]

    def _fill(self) -> None:
        """Rebuild the entries: the new ones first, then the old ones go (an open menu left
        empty for a moment closes itself)."""
        menu, agent = self.menu, self.agent
        old = menu.actions()
        for action in self._group.actions():
            self._group.removeAction(action)
        self._choice(_tr("Whole desktop"), "desktop", None)
        self._header(_tr("Open windows"))
        targets = self.targets
        if targets is None or (self._reading and not targets.windows.windows):
            self._note(_tr("Looking for open windows…") if self._reading else _tr("Open to list"))
        elif targets.windows.reason:
            self._note(targets.windows.reason)
        elif not targets.windows.windows:
            self._note(_tr("No other window is open."))
        else:
            for window in targets.windows.windows:
                self._choice(_short(window.title), "desktop", window, tip=window.title)
        self._header(_tr("Phones (ADB)"))
        if targets is not None and targets.phones:
            for serial in targets.phones:
                self._choice(_tr("Android phone {0}").format(serial), f"adb:{serial}", None)
        elif targets is not None and targets.phone_problem:
            self._note(targets.phone_problem)
        elif targets is not None:
            self._note(_tr("No phone is connected."))
        if agent.device.startswith("adb") and not self._tick():
            self._choice(self.choice_text(), agent.device, None)
        for action in old:
            menu.removeAction(action)
            action.deleteLater()
        self._tick()
        if menu.isVisible():
            self._keep_on_screen()

    def _keep_on_screen(self) -> None:
        """An open list that grew with the answer stays on the screen, above the button if need be."""
        menu = self.menu
        size = menu.sizeHint()
        menu.resize(size)
        screen = menu.screen().availableGeometry()
        x, y = menu.x(), menu.y()
        if y + size.height() > screen.bottom():
            y = self.button.mapToGlobal(self.button.rect().topLeft()).y() - size.height()
        menu.move(min(x, screen.right() - size.width()), max(screen.top(), y))

    def _chosen_key(self) -> tuple[str, int | None]:
        chosen = self.agent.window_target
        return self.agent.device, chosen.id if chosen is not None else None

    def _tick(self) -> bool:
        """Tick the entry of the current choice and name it on the button; whether one was found."""
        key = self._chosen_key()
        found = False
        for action in self._group.actions():
            ticked = action.data() == key
            action.setChecked(ticked)
            found = found or ticked
        self.button.setText(_tr("On: {0}").format(self.choice_text()) + " ▾")
        return found

    def _choice(
        self, text: str, device: str, window: DesktopWindow | None, tip: str = ""
    ) -> QAction:
        action = self.menu.addAction(text)
        action.setCheckable(True)
        action.setToolTip(tip)
        action.setData((device, window.id if window is not None else None))
        self._group.addAction(action)
        action.triggered.connect(lambda _checked=False: self.choose(device, window))
        return action

    def _header(self, text: str) -> None:
        self.menu.addSeparator()
        header = self.menu.addAction(text)
        header.setEnabled(False)
        font = header.font()
        font.setBold(True)
        header.setFont(font)

    def _note(self, text: str) -> None:
        note = self.menu.addAction(text)
        note.setEnabled(False)

    def choose(self, device: str, window: DesktopWindow | None) -> None:
        """Act on ``device`` (within ``window``, on the desktop) from the next task."""
        self.agent.set_device(device, window)

    def choose_shown(self) -> None:
        """The agent's choice changed: the button and the ticks follow (the list is rebuilt
        later when the choice is not in it, never under the entry being triggered)."""
        if not self._tick():
            QTimer.singleShot(0, self, self._fill)
