"""Capture in the main window: buttons, menu actions, the "screenshot and ask" shortcut and the tray.

A screenshot hides the app first (``settings.vision.hide_window_on_capture``), waits for
the window system to take it off the screen, grabs, and brings the app back. "Screenshot
and ask" lets the user drag a region, attaches it and puts the cursor in the message box.

Qt has no global hotkey: its shortcut works while any window of the app is active
(``Qt.ApplicationShortcut``), and the tray icon's menu offers "Screenshot and ask" from
anywhere on desktops that have a tray. Images are refused, with the model's reason, when
the loaded model has no vision projector.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QImage, QKeySequence, QScreen
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMenu, QToolButton, QWidget

from autoglm.core.errors import DeviceError
from autoglm.ui.application import running_application
from autoglm.ui.capture.region_overlay import RegionOverlayWidget
from autoglm.ui.capture.screenshot import (
    available_screens,
    grab_screen,
    screen_label,
    screen_under_cursor,
)
from autoglm.ui.capture.tray import CaptureTrayIcon, tray_available
from autoglm.ui.composer import AttachmentDraft, ComposerWidget
from autoglm.ui.icons import icon

if TYPE_CHECKING:
    from autoglm.core.runtime import Runtime
    from autoglm.ui.capture.webcam import WebcamDialog
    from autoglm.ui.chat_view import ChatViewWidget
    from autoglm.ui.conversation_controller import ConversationController
    from autoglm.ui.notification import NotificationBannerWidget

_LOGGER = logging.getLogger(__name__)
HIDE_DELAY_MS = 300
"""How long the window system gets to take the hidden app off the screen before the grab."""
SCREENSHOT_AND_ASK_SHORTCUT = "Ctrl+Shift+S"


class CaptureController(QObject):
    """Screenshots, region selection, the webcam window and the tray, wired into a main window."""

    grabbed = Signal(QImage)
    """A screenshot was taken (the whole screen, before any cropping)."""
    overlayOpened = Signal(object)
    """The region overlay is showing (the ``RegionOverlayWidget``)."""
    captureFinished = Signal()
    """A capture ended (attached, cancelled or failed) and the app is back."""

    def __init__(
        self,
        window: QMainWindow,
        *,
        runtime: Runtime,
        conversation: ConversationController,
        composer: ComposerWidget,
        chat_view: ChatViewWidget,
        banner: NotificationBannerWidget,
        tools_menu: QMenu,
        quit_action: QAction,
        open_model_manager: Callable[[], None],
    ) -> None:
        """Wire into ``window``: buttons in ``composer``, actions at the top of ``tools_menu``, a
        tray icon whose menu ends with ``quit_action``; problems go to ``banner``; a camera
        question is sent through ``conversation`` and scrolls ``chat_view``. The window calls
        ``update_image_input`` when a model loads or fails and ``apply_look`` when the theme changes."""
        super().__init__(window)
        self.window = window
        self.runtime = runtime
        self.conversation = conversation
        self.composer = composer
        self.chat_view = chat_view
        self.banner = banner
        self.intake = composer.intake
        self.intake.settings_provider = lambda: runtime.settings.vision
        self.overlay: RegionOverlayWidget | None = None
        self.webcam_dialog: WebcamDialog | None = None
        self.tray: CaptureTrayIcon | None = None
        self.capturing = False
        self._images_reason = ""

        self.screenshot_button = self._button("screenshot", self.take_screenshot)
        self.screens_menu = QMenu(self.screenshot_button)
        self.screenshot_button.setMenu(self.screens_menu)
        self.region_button = self._button("region", self.select_region)
        self.camera_button = self._button("camera", self.open_camera)

        self.screenshot_ask_action = self._action(
            self.screenshot_and_ask, "region", SCREENSHOT_AND_ASK_SHORTCUT
        )
        self.screenshot_action = self._action(self.take_screenshot, "screenshot")
        self.region_action = self._action(self.select_region, "region")
        self.camera_action = self._action(self.open_camera, "camera")
        self.show_action = self._action(self.show_window)
        self.get_vision_action = self._action(open_model_manager)
        self.get_vision_action.setObjectName("getVisionModel")
        self.images_hint = QLabel(self.composer)
        self.images_hint.setObjectName("imagesHint")
        self.images_hint.setWordWrap(True)
        self.images_hint.setTextFormat(Qt.TextFormat.RichText)
        self.images_hint.linkActivated.connect(lambda _link: open_model_manager())
        self.images_hint.hide()
        composer.add_hint(self.images_hint)
        first = tools_menu.actions()[0] if tools_menu.actions() else None
        capture_actions = [
            self.screenshot_ask_action,
            self.screenshot_action,
            self.region_action,
            self.camera_action,
            self.get_vision_action,
        ]
        # Qt takes a null "before" as "at the end"; the stubs do not allow None
        tools_menu.insertActions(first, capture_actions)  # type: ignore[arg-type]
        tools_menu.insertSeparator(first)  # type: ignore[arg-type]
        if tray_available():
            self.tray = CaptureTrayIcon(
                window, self.screenshot_ask_action, self.show_action, quit_action
            )
            self.tray.show()

        app = running_application()
        app.screenAdded.connect(lambda _s: self._fill_screens_menu())
        app.screenRemoved.connect(lambda _s: self._fill_screens_menu())
        window.installEventFilter(self)
        self.retranslate()
        self.apply_look()
        self.update_image_input()

    # -- construction ----------------------------------------------------------------------
    def _button(self, icon_name: str, slot: Callable[[], None]) -> QToolButton:
        button = QToolButton(self.composer)
        button.setAutoRaise(True)
        button.setIconSize(self.composer.attach_button.iconSize())
        button.setProperty("iconName", icon_name)
        button.clicked.connect(lambda _checked=False: slot())
        self.composer.add_input_button(button)
        return button

    def _action(self, slot: Callable[[], None], icon_name: str = "", shortcut: str = "") -> QAction:
        action = QAction(self.window)
        action.triggered.connect(lambda _checked=False: slot())
        action.setData(icon_name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            self.window.addAction(action)
        return action

    def _fill_screens_menu(self) -> None:
        self.screens_menu.clear()
        screens = available_screens()
        for screen in screens:
            item = self.screens_menu.addAction(screen_label(screen))
            item.triggered.connect(lambda _checked=False, s=screen: self.take_screenshot(s))
        mode = (
            QToolButton.ToolButtonPopupMode.MenuButtonPopup
            if len(screens) > 1
            else QToolButton.ToolButtonPopupMode.DelayedPopup
        )
        self.screenshot_button.setPopupMode(mode)
        self.screenshot_button.setMenu(self.screens_menu if len(screens) > 1 else None)  # type: ignore[arg-type]

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.screenshot_ask_action.setText(self.tr("Screenshot and &ask…"))
        self.screenshot_action.setText(self.tr("Screens&hot of the screen"))
        self.region_action.setText(self.tr("Screenshot of a &region…"))
        self.camera_action.setText(self.tr("&Camera…"))
        self.show_action.setText(self.tr("&Show AutoGLM"))
        self.get_vision_action.setText(self.tr("Get a &vision model to use images…"))
        if self.tray is not None:
            self.tray.setToolTip(self.tr("AutoGLM Desktop"))
        self._fill_screens_menu()
        self.update_image_input()

    def apply_look(self) -> None:
        """Tint the capture icons like the composer's other buttons."""
        colour = self.composer.icon_colour
        for button in (self.screenshot_button, self.region_button, self.camera_button):
            button.setIcon(icon(button.property("iconName"), colour))
        for action in (
            self.screenshot_ask_action,
            self.screenshot_action,
            self.region_action,
            self.camera_action,
        ):
            action.setIcon(icon(action.data(), colour))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Follow the window's language changes."""
        if watched is self.window and event.type() == QEvent.Type.LanguageChange:
            QTimer.singleShot(0, self.retranslate)  # after the composer has reset its own texts
        return False

    # -- what the model can take -----------------------------------------------------------
    def update_image_input(self) -> None:
        """Enable image input only when the loaded model has a vision projector; else say why."""
        info = self.runtime.model_info
        allowed = info is None or bool(getattr(info, "has_vision", False))
        reason = (
            ""
            if allowed
            else self.tr("The loaded model reads text only: images need a vision model.")
        )
        self._images_reason = reason
        self.intake.set_disabled(reason)
        tips = {
            self.composer.attach_button: self.tr("Attach images"),
            self.screenshot_button: self.tr("Screenshot of the screen"),
            self.region_button: self.tr("Screenshot of a region"),
            self.camera_button: self.tr("Camera"),
        }
        for widget, tip in tips.items():
            widget.setEnabled(allowed)
            widget.setToolTip(reason or tip)
            widget.setAccessibleName(tip)
            widget.setAccessibleDescription(reason)
        for action in (
            self.screenshot_ask_action,
            self.screenshot_action,
            self.region_action,
            self.camera_action,
        ):
            action.setEnabled(allowed)
            action.setStatusTip(reason)
        self.get_vision_action.setVisible(not allowed)
        self.images_hint.setVisible(not allowed)
        if not allowed:
            link = self.tr("Get a vision model…")
            self.images_hint.setText(
                f'{html.escape(reason)} <a href="models">{html.escape(link)}</a>'
            )
        if self.webcam_dialog is not None:
            self.webcam_dialog.webcam.set_images_allowed(allowed, reason)

    @property
    def images_reason(self) -> str:
        """Why images cannot be sent now, in words ("" when they can)."""
        return self._images_reason

    @property
    def images_allowed(self) -> bool:
        """Whether images can be sent to the loaded model."""
        return not self._images_reason

    # -- screenshots -----------------------------------------------------------------------
    def take_screenshot(self, screen: QScreen | None = None) -> None:
        """Attach a screenshot of ``screen`` (default: the one the window is on)."""
        target = screen or self.window.screen()
        self._capture(lambda: target, self._attach_whole_screen)

    def select_region(self) -> None:
        """Let the user drag a region of the screen under the pointer, then attach it."""
        self._capture(
            screen_under_cursor,
            lambda image, screen, hidden: self._open_overlay(image, screen, hidden),
        )

    def screenshot_and_ask(self) -> None:
        """Drag a region, attach it, and bring the app back with the cursor in the message box."""
        self._capture(
            screen_under_cursor,
            lambda image, screen, hidden: self._open_overlay(image, screen, hidden, ask=True),
        )

    def _capture(
        self,
        pick_screen: Callable[[], QScreen | None],
        then: Callable[[QImage, QScreen, list[QWidget]], None],
    ) -> None:
        if self.capturing:
            return
        if not self.images_allowed:
            self.banner.show_message(self._images_reason)
            return
        self.capturing = True
        hidden = self._hide_app() if self.runtime.settings.vision.hide_window_on_capture else []
        QTimer.singleShot(
            HIDE_DELAY_MS if hidden else 0, lambda: self._grab(pick_screen, then, hidden)
        )

    def _hide_app(self) -> list[QWidget]:
        """Hide the window and its own visible windows; returns them, to show again later."""
        shown = [
            widget
            for widget in QApplication.topLevelWidgets()
            if widget.isVisible()
            and (widget is self.window or widget.parentWidget() is self.window)
            and not isinstance(widget, QMenu)
        ]
        for widget in shown:
            widget.hide()
        QApplication.processEvents()
        QApplication.sync()
        return shown

    def _grab(
        self,
        pick_screen: Callable[[], QScreen | None],
        then: Callable[[QImage, QScreen, list[QWidget]], None],
        hidden: list[QWidget],
    ) -> None:
        screen = pick_screen() or QGuiApplication.primaryScreen()
        try:
            image = grab_screen(screen)
        except DeviceError as exc:
            self._come_back(hidden)
            self.banner.show_message(str(exc))
            return
        self.grabbed.emit(image)
        then(image, screen, hidden)

    def _attach_whole_screen(self, image: QImage, _screen: QScreen, hidden: list[QWidget]) -> None:
        self._come_back(hidden)
        self.intake.add_image(image, self.tr("Screenshot"))

    def _open_overlay(
        self, image: QImage, screen: QScreen, hidden: list[QWidget], ask: bool = False
    ) -> None:
        overlay = RegionOverlayWidget(image, screen)
        self.overlay = overlay

        def selected(region: QImage) -> None:
            self.overlay = None
            self._come_back(hidden, focus_input=ask)
            self.intake.add_image(region, self.tr("Screenshot region"))

        def cancelled() -> None:
            self.overlay = None
            self._come_back(hidden)

        overlay.regionSelected.connect(selected)
        overlay.cancelled.connect(cancelled)
        overlay.open()
        self.overlayOpened.emit(overlay)

    def _come_back(self, hidden: list[QWidget], focus_input: bool = False) -> None:
        for widget in hidden:
            widget.show()
        if focus_input or hidden:
            self.show_window()
        if focus_input:
            self.composer.input.setFocus()
        self.capturing = False
        self.captureFinished.emit()

    def show_window(self) -> None:
        """Bring the main window to the front (from the tray, or after a capture)."""
        window = self.window
        if window.isMinimized():
            window.showNormal()
        else:
            window.show()
        window.raise_()
        window.activateWindow()

    # -- camera ----------------------------------------------------------------------------
    def open_camera(self) -> None:
        """Open (or raise) the webcam window."""
        if self.webcam_dialog is None:
            from autoglm.ui.capture.webcam import WebcamDialog

            dialog = WebcamDialog(self.window)
            dialog.webcam.snapshotTaken.connect(
                lambda image: self.intake.add_image(image, self.tr("Camera snapshot"))
            )
            dialog.webcam.askRequested.connect(self.ask_about_frame)
            self.webcam_dialog = dialog
            self.update_image_input()
        self.webcam_dialog.show()
        self.webcam_dialog.raise_()
        self.webcam_dialog.activateWindow()

    def ask_about_frame(self, frame: QImage, question: str) -> None:
        """Send ``question`` with ``frame`` as a new message right away."""

        def send(name: str, data: bytes, suffix: str) -> None:
            if self.conversation.busy:
                self.banner.show_message(
                    self.tr(
                        "A reply is still being written: wait for it, or stop it, "
                        "then ask about the camera picture again."
                    )
                )
                return
            if self.conversation.send(question, [AttachmentDraft(name, data, suffix)]):
                self.chat_view.scroll_to_end()

        self.intake.add_image(frame, self.tr("Camera picture"), deliver=send)

    # -- shutdown --------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Close the overlay and the camera, and take the tray icon away."""
        if self.overlay is not None:
            self.overlay.cancel()
        if self.webcam_dialog is not None:
            self.webcam_dialog.webcam.stop()
            self.webcam_dialog.close()
        if self.tray is not None:
            self.tray.hide()
