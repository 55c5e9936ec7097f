"""What Act mode acts on, chosen in the window: the whole desktop, one open window, or a phone.

A button beside the Act button (shown in Act mode) names the current choice and opens the
list; Tools → Act on opens the same list. Each time the list opens it is read again on a
worker — the X server's windows (``agent.windows``) and the phones ADB sees, which may
start the ADB server — and the entries follow when the answer comes. Where windows cannot
be listed (Wayland, no X display) the list says why in words and offers the whole desktop.
The app's own windows are never offered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from autoglm.ui.tasks import BackgroundTask

if TYPE_CHECKING:
    from autoglm.agent.windows import DesktopWindow, WindowListing

TITLE_CHARS = 48
"""A window's title is cut to this many characters in the list and on the button."""


def _tr(text: str) -> str:
    return QCoreApplication.translate("ActTargetPicker", text)


@dataclass
class ActTargets:
    """What could be acted on when the list was last read; ``None``: not read (yet)."""

    windows: WindowListing | None = None
    phones: list[str] | None = None
    phone_problem: str = ""


def find_windows() -> WindowListing:
    """The open windows but the app's own (blocking: asks the X server)."""
    from autoglm.agent.windows import list_windows

    return list_windows()


def find_phones() -> tuple[list[str], str]:
    """The connected phones' serials, or none and why (blocking: may start the ADB server)."""
    from autoglm.agent.adb import list_phones
    from autoglm.core.errors import DeviceError

    try:
        return list_phones(), ""
    except DeviceError as exc:
        return [], str(exc)


def _short(title: str) -> str:
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"


class ActsOnTarget(Protocol):
    """What the picker reads and sets: the agent controller (a protocol, so the two modules do not
    import each other)."""

    device: str
    window_target: DesktopWindow | None

    def set_device(self, device: str, window: DesktopWindow | None = None) -> None: ...


class ActTargetPicker(QObject):
    """The list of things to act on, and the button that shows the choice."""

    listed = Signal()
    """The list was read again and its entries refilled."""

    def __init__(self, agent: ActsOnTarget, parent: QWidget) -> None:
        """Choices go to ``agent`` (``set_device`` / ``set_window``); the button lives in ``parent``."""
        super().__init__(parent)
        self.agent = agent
        self.targets = ActTargets()
        self._reading: set[str] = set()
        """What is being read now: "windows", "phones" (each on its own worker)."""
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
        """Read the windows and the phones again, each on a worker (windows come at once even
        when ADB is slow to start); the entries follow as each answer comes."""
        if self._reading:
            return
        self._reading = {"windows", "phones"}
        self._fill()
        BackgroundTask(find_windows, name="list-windows", owner=self).on_success(
            self._windows_listed
        ).on_failure(lambda error: self._windows_listed(self._failure(error))).start()
        BackgroundTask(find_phones, name="list-phones", owner=self).on_success(
            self._phones_listed
        ).on_failure(lambda error: self._phones_listed(([], self._failure(error).reason))).start(
            daemon=True  # starting the ADB server may take long: quitting never waits for it
        )

    @staticmethod
    def _failure(error: BaseException) -> WindowListing:
        from autoglm.agent.windows import WindowListing
        from autoglm.ui.error_funnel import describe_error

        return WindowListing(reason=describe_error(error))

    def _windows_listed(self, listing: WindowListing) -> None:
        self.targets.windows = listing
        self._answered("windows")

    def _phones_listed(self, found: tuple[list[str], str]) -> None:
        self.targets.phones, self.targets.phone_problem = found
        self._answered("phones")

    def _answered(self, part: str) -> None:
        self._reading.discard(part)
        self._fill()
        if not self._reading:
            self.listed.emit()

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
        targets, reading = self.targets, self._reading
        windows = None if "windows" in reading else targets.windows
        if windows is None:
            self._note(_tr("Looking for open windows…"))
        elif windows.reason:
            self._note(windows.reason)
        elif not windows.windows:
            self._note(_tr("No other window is open."))
        else:
            for window in windows.windows:
                self._choice(_short(window.title), "desktop", window, tip=window.title)
        self._header(_tr("Phones (ADB)"))
        phones = None if "phones" in reading else targets.phones
        if phones is None:
            self._note(_tr("Looking for phones…"))
        elif phones:
            for serial in phones:
                self._choice(_tr("Android phone {0}").format(serial), f"adb:{serial}", None)
        elif targets.phone_problem:
            self._note(targets.phone_problem)
        else:
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
