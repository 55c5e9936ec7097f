"""The API server's state in words: the status-bar label (click to copy the address) and menu text.

``install_api_status`` puts the label and the Tools menu action into the window; the
controller knows nothing of either, so this module depends on it and not the other way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QGuiApplication, QMouseEvent
from PySide6.QtWidgets import QLabel, QMenu, QStatusBar, QWidget

from autoglm.core.settings import Settings
from autoglm.ui.api_server_controller import BANNER_TOPIC, ApiServerController, ApiServerState
from autoglm.ui.notification import NotificationBannerWidget

_LOGGER = logging.getLogger(__name__)


class ApiStatusLabel(QLabel):
    """ "API: http://127.0.0.1:8000", "API off" or why it failed; also names the Tools menu action."""

    problem = Signal(str)
    """A failure to start, as a sentence for the notification banner."""

    def __init__(self, controller: ApiServerController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("apiStatus")
        self._controller = controller
        controller.stateChanged.connect(self._state_changed)
        self._render()

    def _state_changed(self, state: ApiServerState) -> None:
        self._render()
        if state.phase == "failed":
            self.problem.emit(self.failure_message(state))

    def failure_message(self, state: ApiServerState) -> str:
        """Why the server did not start, in a sentence that says what to do."""
        if state.failure == "port_in_use":
            return self.tr(
                "The API server could not start: port {0} is already in use by another program. "
                "Choose another port in Settings → Server (0 picks a free one)."
            ).format(state.port)
        if state.failure == "needs_key":
            return self.tr(
                "The API server was not started: serving on {0} without an API key would let other "
                "computers use the model. Set an API key in Settings → Server, or use 127.0.0.1."
            ).format(state.host)
        return self.tr("The API server could not start: {0}").format(state.detail)

    def _render(self) -> None:
        state = self._controller.state
        self.setCursor(
            Qt.CursorShape.PointingHandCursor if state.running else Qt.CursorShape.ArrowCursor
        )
        if state.phase == "running":
            text = self.tr("API: {0}").format(state.url)
            tip = self.tr(
                "The OpenAI-compatible API is serving this model at {0}. Click to copy the address."
            ).format(state.api_url)
        elif state.phase == "starting":
            text, tip = self.tr("API starting…"), ""
        elif state.phase == "stopping":
            text, tip = self.tr("API stopping…"), ""
        elif state.phase == "failed":
            text = (
                self.tr("API: port {0} in use").format(state.port)
                if state.failure == "port_in_use"
                else self.tr("API: not started")
            )
            tip = self.failure_message(state)
        else:
            text = self.tr("API off")
            tip = self.tr(
                "The OpenAI-compatible API is off. Start it from Tools or Settings → Server."
            )
        self.setText(text)
        self.setToolTip(tip)
        self.setAccessibleName(self.tr("API server"))
        self.setAccessibleDescription(tip or text)
        action = self._controller.toggle_action
        action.setText(
            self.tr("Stop the &API server")
            if state.phase in ("running", "starting")
            else self.tr("Start the &API server")
        )

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        """Follow language changes."""
        if event.type() == QEvent.Type.LanguageChange:
            self._render()
        super().changeEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """A click copies the API's base URL while it runs."""
        state = self._controller.state
        if state.running and event.button() == Qt.MouseButton.LeftButton:
            QGuiApplication.clipboard().setText(state.api_url)
            bar = self.parent()
            if isinstance(bar, QStatusBar):
                bar.showMessage(self.tr("Copied {0}").format(state.api_url), 2000)
        super().mousePressEvent(event)


def install_api_status(
    controller: ApiServerController,
    status: QStatusBar,
    tools_menu: QMenu,
    banner: NotificationBannerWidget,
    apply_settings: Callable[[Settings], None],
) -> ApiStatusLabel:
    """Show ``controller``'s state in ``status`` (a permanent label), add its Start/Stop action
    to ``tools_menu``, report failures in ``banner`` and clear them once the server runs or is
    off; the action switches the server through ``apply_settings``. Returns the label."""
    label = ApiStatusLabel(controller, status)
    status.addPermanentWidget(label)
    tools_menu.addAction(controller.toggle_action)
    controller.toggle_action.triggered.connect(lambda: controller.toggle(apply_settings))
    label.problem.connect(lambda message: banner.show_message(message, BANNER_TOPIC))
    controller.stateChanged.connect(
        lambda state: banner.resolve(BANNER_TOPIC) if state.phase in ("running", "off") else None
    )
    controller.capabilityUsed.connect(
        lambda use: status.showMessage(controller.describe_capability_use(use), 15_000)
    )
    return label
