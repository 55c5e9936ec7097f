"""The status bar: model, backend, speed of the last reply, conversation caches, memory, loading progress."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from autoglm.core.types import CacheStatus, Completion, ModelInfo

if TYPE_CHECKING:
    import psutil

_LOGGER = logging.getLogger(__name__)
_MEMORY_INTERVAL_MS = 2000


def format_bytes(count: float) -> str:
    """``1.4 GB`` style sizes."""
    for unit in ("B", "KB", "MB", "GB"):
        if abs(count) < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit in ("B", "KB") else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} GB"


class StatusBarWidget(QStatusBar):
    """Shows what runs and how fast; never blocks (memory is sampled on a timer)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.setSizeGripEnabled(False)
        self._info: ModelInfo | None = None
        self._speed: float | None = None
        self._cache: CacheStatus | None = None
        self._loading = False
        self.model_label = QLabel(self)
        self.backend_label = QLabel(self)
        self.speed_label = QLabel(self)
        self.cache_label = QLabel(self)
        self.memory_label = QLabel(self)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(180)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.progress_label = QLabel(self)
        self.progress_label.hide()
        for widget in (self.progress_label, self.progress, self.model_label, self.backend_label):
            self.addWidget(widget)
        self.addPermanentWidget(self.speed_label)
        self.addPermanentWidget(self.cache_label)
        self.addPermanentWidget(self.memory_label)
        self._process: psutil.Process | None = None  # made on the first sample: psutil loads late
        self._memory_timer = QTimer(self)
        self._memory_timer.setInterval(_MEMORY_INTERVAL_MS)
        self._memory_timer.timeout.connect(self.update_memory)
        self._memory_timer.start()
        self.retranslate()

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.model_label.setAccessibleName(self.tr("Model"))
        self.backend_label.setAccessibleName(self.tr("Backend"))
        self.speed_label.setAccessibleName(self.tr("Speed of the last reply"))
        self.memory_label.setAccessibleName(self.tr("Memory in use"))
        self.cache_label.setAccessibleName(self.tr("Conversation caches"))
        self.progress.setAccessibleName(self.tr("Model loading progress"))
        self._show_info()
        self._show_speed()
        self._show_cache()
        self.update_memory()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        """Follow language changes."""
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- model -----------------------------------------------------------------------------
    def set_model_info(self, info: ModelInfo | None) -> None:
        """Show the loaded model (``None``: no model)."""
        self._info = info
        self._show_info()

    def _show_info(self) -> None:
        info = self._info
        if info is None:
            self.model_label.setText(self.tr("No model loaded"))
            self.backend_label.setText("")
            return
        if info.backend == "Remote":
            self.model_label.setText(
                self.tr("Remote: {0} · {1}").format(
                    urlsplit(info.path).netloc or info.path, info.display_name or info.model_id
                )
            )
            self.model_label.setToolTip(info.path)
            self.backend_label.setText("")
            return
        name = info.display_name or info.model_id
        repeated = bool(info.quantization) and info.quantization.casefold() in name.casefold()
        quant = f" · {info.quantization}" if info.quantization and not repeated else ""
        self.model_label.setText(f"{name}{quant}")
        self.model_label.setToolTip(info.path)
        backend = info.backend or "CPU"
        if backend.upper() != "CPU":
            backend = self.tr("{0} · {1} GPU layers").format(backend, info.gpu_layers)
        context = self.tr("{0} ctx").format(f"{info.n_ctx:,}") if info.n_ctx else ""
        self.backend_label.setText(" · ".join(part for part in (backend, context) if part))

    def set_loading(self, fraction: float | None, message: str = "") -> None:
        """Show loading progress (``None``: hide it)."""
        self._loading = fraction is not None
        self.progress.setVisible(self._loading)
        self.progress_label.setVisible(self._loading)
        if fraction is None:
            return
        self.progress.setValue(int(max(0.0, min(1.0, fraction)) * 1000))
        self.progress_label.setText(message or self.tr("Loading the model…"))

    # -- speed and memory ------------------------------------------------------------------
    def set_last_speed(self, tokens_per_second: float | None) -> None:
        """Tokens per second of the last reply."""
        self._speed = tokens_per_second
        self._show_speed()

    def _show_speed(self) -> None:
        if self._speed is None:
            self.speed_label.setText("")
        else:
            self.speed_label.setText(self.tr("{0} tok/s").format(f"{self._speed:.1f}"))

    def set_cache(self, status: CacheStatus | None) -> None:
        """The local engine's conversation caches after the last reply (``None``: not known)."""
        self._cache = status
        self._show_cache()

    def show_cache_after(self, completion: Completion | None) -> None:
        """The caches a finished reply reports (a reply that ended without a completion changes nothing)."""
        if completion is not None:
            self.set_cache(completion.cache)

    def _show_cache(self) -> None:
        status = self._cache
        if status is None or not status.sequences:
            self.cache_label.setText("")
            self.cache_label.setToolTip("")
            return
        memory = format_bytes(status.memory_bytes)
        text = (
            self.tr("1 conversation cached · {0}").format(memory)
            if status.sequences == 1
            else self.tr("{0} conversations cached · {1}").format(status.sequences, memory)
        )
        if status.disk_bytes:
            text += self.tr(" · {0} on disk").format(format_bytes(status.disk_bytes))
        if status.restored:
            text += self.tr(" · restored from disk")
        self.cache_label.setText(text)
        self.cache_label.setToolTip(
            self.tr(
                "Each recent conversation keeps its evaluated prompt, so switching back answers at once; "
                "caches evicted or kept over a restart are saved on disk."
            )
        )

    def update_memory(self) -> None:
        """Sample this process's resident memory."""
        try:
            if self._process is None:
                import psutil

                self._process = psutil.Process()
            rss = self._process.memory_info().rss
        except Exception as exc:  # noqa: BLE001 - memory display is best effort
            _LOGGER.debug("Memory sampling failed: %s", exc)
            return
        self.memory_label.setText(self.tr("Memory {0}").format(format_bytes(rss)))
