"""Discover: search the model hub for GGUF models, see which quantisation fits, download one.

A search lists repositories; choosing one lists its GGUF files grouped by quantisation,
smallest first, each with whether it fits this machine ("Fits / May be slow / Won't fit":
weights, the KV cache at the context from Settings and the projector, against free RAM
and, on a GPU build, free VRAM). Download fetches the chosen file and its projector with
progress, speed and Cancel; pressing Download again — also after a restart — resumes.
The source is Hugging Face (or its mirror) or ModelScope, chosen here or in Settings;
the choice is kept. Every hub call runs off the GUI thread; every failure is a sentence
in the banner.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from autoglm.core.download import DownloadCancelled, format_bytes
from autoglm.core.download_journal import DownloadJournal, PendingDownload
from autoglm.core.hub import (
    FITS,
    MAY_BE_SLOW,
    HubFile,
    HubModel,
    download_repository,
    estimate_fit,
    group_by_quantization,
    machine_memory,
    pick,
)
from autoglm.core.hub_sources import hub_from_settings, resume_download
from autoglm.core.settings import updated
from autoglm.ui.i18n import QT_TRANSLATE_NOOP
from autoglm.ui.notification import NotificationBannerWidget
from autoglm.ui.tasks import BackgroundTask

if TYPE_CHECKING:
    from autoglm.core.runtime import Runtime

_LOGGER = logging.getLogger(__name__)
_FIT_COLOURS = {FITS: "#1a7f37", MAY_BE_SLOW: "#9a6700"}
_WONT_FIT_COLOUR = "#cf222e"
_FIT_TEXT = {
    FITS: QT_TRANSLATE_NOOP("DiscoverDialog", "Fits"),
    MAY_BE_SLOW: QT_TRANSLATE_NOOP("DiscoverDialog", "May be slow"),
    "Won't fit": QT_TRANSLATE_NOOP("DiscoverDialog", "Won't fit"),
}


class _TransferRelay(QObject):
    """Carries download progress from the worker thread to the GUI thread."""

    transferred = Signal(object, object, float)


class DiscoverDialog(QDialog):
    """Search the hub, compare quantisations by fit, download."""

    downloaded = Signal(str)
    resultsShown = Signal()
    filesShown = Signal()
    jobFinished = Signal()

    def __init__(
        self,
        runtime: Runtime,
        parent: QWidget | None = None,
        memory: tuple[int, int, int | None] | None = None,
    ) -> None:
        """``memory``: (free RAM, total RAM, free VRAM) to judge fit against; default: this machine's."""
        super().__init__(parent)
        self._runtime = runtime
        self._hub = hub_from_settings(runtime.settings.model)
        self._files: list[HubFile] = []
        self._groups: list[tuple[str, list[HubFile]]] = []
        self._memory = memory
        self._cancel = threading.Event()
        self.busy = ""
        self.setWindowTitle(self.tr("Discover models"))
        self.setAccessibleName(self.tr("Discover models"))
        self.resize(1000, 560)

        self.banner = NotificationBannerWidget(self)
        self.query = QLineEdit(self)
        self.query.setPlaceholderText(self.tr("Search GGUF models, e.g. AutoGLM, Qwen2.5 7B"))
        self.query.setAccessibleName(self.tr("Search the model hub"))
        self.query.returnPressed.connect(self.search)
        self.search_button = QPushButton(self.tr("Search"), self)
        self.search_button.clicked.connect(self.search)
        self.source = QComboBox(self)
        self.source.addItem("Hugging Face", "hf")
        self.source.addItem("ModelScope", "modelscope")
        self.source.setCurrentIndex(max(0, self.source.findData(self._hub.source)))
        self.source.setAccessibleName(self.tr("Model hub"))
        self.source.setToolTip(
            self.tr(
                "Where to search and download: Hugging Face (or the mirror set in "
                "Settings) or ModelScope"
            )
        )
        self.source.currentIndexChanged.connect(self._source_chosen)
        self.hub_label = QLabel(self.tr("Hub: {0}").format(self._hub.endpoint), self)
        self.hub_label.setAccessibleName(self.tr("Model hub address"))

        self.results = QListWidget(self)
        self.results.setAccessibleName(self.tr("Models found"))
        self.results.currentItemChanged.connect(lambda item, _old: self._repo_chosen(item))
        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Quantisation"),
                self.tr("Size"),
                self.tr("On this computer"),
                self.tr("Files"),
            ]
        )
        self.table.setAccessibleName(self.tr("Quantisations"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_actions)
        self.fit_note = QLabel(self)
        self.fit_note.setWordWrap(True)
        self.fit_note.setMinimumHeight(self.fit_note.fontMetrics().lineSpacing() * 2 + 6)

        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.progress_label = QLabel(self)
        self.progress_label.setAccessibleName(self.tr("Download progress"))
        self.download_button = QPushButton(self.tr("Download"), self)
        self.download_button.setAccessibleName(self.tr("Download the selected quantisation"))
        self.download_button.clicked.connect(self.start_download)
        self._downloading: PendingDownload | None = None
        self._paused = [
            p for p in DownloadJournal(runtime.repository.paths.data_dir).pending() if p.paused
        ]
        self.resume_button = QPushButton(self)
        self.resume_button.clicked.connect(self.resume_paused)
        self._show_paused()
        self.cancel_button = QPushButton(self.tr("Cancel download"), self)
        self.cancel_button.clicked.connect(self.cancel_download)
        self.cancel_button.hide()
        close = QPushButton(self.tr("Close"), self)
        close.clicked.connect(self.close)

        top = QHBoxLayout()
        top.addWidget(self.source)
        top.addWidget(self.query, 1)
        top.addWidget(self.search_button)
        middle = QHBoxLayout()
        middle.addWidget(self.results, 2)
        right = QVBoxLayout()
        right.addWidget(self.table, 1)
        right.addWidget(self.fit_note)
        middle.addLayout(right, 3)
        actions = QHBoxLayout()
        actions.addWidget(self.download_button)
        actions.addWidget(self.resume_button)
        actions.addWidget(self.cancel_button)
        actions.addStretch(1)
        actions.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(top)
        layout.addWidget(self.hub_label)
        layout.addLayout(middle, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.progress_label)
        layout.addLayout(actions)
        self._update_actions()

    # -- the source ------------------------------------------------------------------------
    def _source_chosen(self, _index: int) -> None:
        """Search the other hub from now on, and keep the choice for next time."""
        source = str(self.source.currentData())
        if source == self._hub.source:
            return
        settings = updated(self._runtime.settings, "model", hub_source=source)
        self._hub = hub_from_settings(settings.model)
        self.hub_label.setText(self.tr("Hub: {0}").format(self._hub.endpoint))
        self.results.clear()
        self.table.setRowCount(0)
        self._files, self._groups = [], []
        self.fit_note.clear()
        try:
            self._runtime.apply_settings(settings)
        except (OSError, ValueError) as exc:  # the choice still holds for this window
            self.banner.show_message(self.tr("The hub choice could not be saved: {0}").format(exc))
        self._update_actions()
        if self.query.text().strip():
            self.search()

    # -- searching -----------------------------------------------------------------------
    def search(self) -> None:
        """Search the hub for the typed words (off the GUI thread)."""
        words = self.query.text().strip()
        if not words or self.busy:
            return
        hub = self._hub
        self._set_busy("search", self.tr("Searching {0}…").format(self._hub.endpoint))
        BackgroundTask(lambda: hub.search(words), "hub search", owner=self).on_success(
            self._show_results
        ).on_failure(self._failed).start()

    @Slot(object)
    def _show_results(self, models: list[HubModel]) -> None:
        self._set_busy("", "")
        self.results.clear()
        for model in models:
            item = QListWidgetItem(
                self.tr("{0}  ·  {1} downloads").format(model.repo, f"{model.downloads:,}")
            )
            item.setData(Qt.ItemDataRole.UserRole, model.repo)
            self.results.addItem(item)
        if not models:
            self.banner.show_message(
                self.tr("No GGUF models match “{0}”.").format(self.query.text().strip())
            )
        self.resultsShown.emit()

    def _repo_chosen(self, item: QListWidgetItem | None) -> None:
        if item is None or self.busy:
            return
        repo = str(item.data(Qt.ItemDataRole.UserRole))
        hub, memory = self._hub, self._memory

        def work() -> tuple[list[HubFile], tuple[int, int, int | None]]:
            return hub.gguf_files(repo), memory or machine_memory()

        self._set_busy("files", self.tr("Reading the files of {0}…").format(repo))
        BackgroundTask(work, "hub files", owner=self).on_success(self._show_files).on_failure(
            self._failed
        ).start()

    @Slot(object)
    def _show_files(self, result: tuple[list[HubFile], tuple[int, int, int | None]]) -> None:
        self._set_busy("", "")
        self._files, self._memory = result
        self._groups = group_by_quantization(self._files)
        _, projector = pick(self._files)
        extra = projector.size if projector else 0
        n_ctx = self._runtime.settings.model.n_ctx
        self.table.setRowCount(len(self._groups))
        for row, (quant, group) in enumerate(self._groups):
            fit = estimate_fit(group[0], n_ctx, extra, self._memory)
            cells = [
                quant,
                format_bytes(sum(f.size for f in group)),
                self.tr(_FIT_TEXT.get(fit.label, fit.label)),
                ", ".join(f.filename for f in group),
            ]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if column == 2:
                    cell.setForeground(QColor(_FIT_COLOURS.get(fit.label, _WONT_FIT_COLOUR)))
                    cell.setToolTip(
                        self.tr(
                            "Needs about {0} (weights, KV cache at {1} tokens, projector); "
                            "{2} of memory is free"
                        ).format(
                            format_bytes(fit.need_bytes), f"{n_ctx:,}", format_bytes(fit.ram_bytes)
                        )
                    )
                self.table.setItem(row, column, cell)
        available, _total, vram = self._memory
        note = self.tr("Judged at a {0}-token context against {1} of free memory").format(
            f"{n_ctx:,}", format_bytes(available)
        )
        if vram is not None:
            note += self.tr(" and {0} of free GPU memory").format(format_bytes(vram))
        note += (
            self.tr("; the vision projector ({0}) is downloaded with the model.").format(
                projector.filename
            )
            if projector
            else "."
        )
        self.fit_note.setText(note)
        if self._groups:
            self.table.selectRow(
                next((i for i, (q, _g) in enumerate(self._groups) if q == "Q4_K_M"), 0)
            )
        self.filesShown.emit()

    def row_texts(self, row: int) -> list[str]:
        """The cells of one quantisation row (for tests and screenshots)."""
        cells = [self.table.item(row, column) for column in range(self.table.columnCount())]
        return [cell.text() if cell is not None else "" for cell in cells]

    # -- downloading ---------------------------------------------------------------------
    def _selected_file(self) -> HubFile | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self._groups):
            return None
        return self._groups[rows[0].row()][1][0]

    def start_download(self) -> None:
        """Download the selected quantisation (and the projector), resuming what an earlier try fetched."""
        file = self._selected_file()
        if file is None or self.busy:
            return
        hub, repository = self._hub, self._runtime.repository
        self._run_download(
            PendingDownload(hub.source, hub.endpoint, file.repo, file.filename, file.quantization),
            lambda progress, cancel: download_repository(
                hub, repository, file.repo, file.filename, file.quantization, progress, cancel
            ),
        )

    def resume_paused(self) -> None:
        """Carry on with the download paused earlier (in this window or before a restart), from its own hub."""
        if not self._paused or self.busy:
            return
        item, repository = self._paused[0], self._runtime.repository
        self._run_download(
            item, lambda progress, cancel: resume_download(item, repository, progress, cancel)
        )

    def _run_download(self, item: PendingDownload, fetch: Any) -> None:
        self._cancel = threading.Event()
        self._downloading = item
        cancel = self._cancel
        relay = _TransferRelay()
        relay.transferred.connect(self._progress)
        self._set_busy("download", self.tr("Connecting…"))
        self.progress.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        BackgroundTask(
            lambda: fetch(relay.transferred.emit, cancel), f"download {item.label}", owner=self
        ).on_success(self._downloaded).on_failure(self._failed).start()

    def cancel_download(self) -> None:
        """Stop the download; the next Download resumes it (a restart of the app does not, unasked)."""
        self._cancel.set()
        if self._downloading is not None:
            journal = DownloadJournal(self._runtime.repository.paths.data_dir)
            journal.pause(self._downloading.model, self._downloading.filename)
        self.cancel_button.setEnabled(False)
        self.progress_label.setText(self.tr("Stopping…"))

    @Slot(object, object, float)
    def _progress(self, done: int, total: int | None, rate: float) -> None:
        if self.busy != "download":
            return
        if total:
            self.progress.setValue(int(1000 * min(done / total, 1.0)))
        text = self.tr("Downloaded {0} of {1}").format(
            format_bytes(done), format_bytes(total or done)
        )
        if rate > 0:
            text += " · " + self.tr("{0}/s").format(format_bytes(rate))
        self.progress_label.setText(text)

    def _show_paused(self) -> None:
        """The Resume button names the first paused download, and is there only while one is."""
        if self._paused:
            self.resume_button.setText(self.tr("Resume {0}").format(self._paused[0].label))
            self.resume_button.setAccessibleName(
                self.tr("Resume the paused download of {0}").format(self._paused[0].label)
            )
        self.resume_button.setVisible(bool(self._paused))

    @Slot(object)
    def _downloaded(self, model_id: str) -> None:
        if self._downloading is not None:
            self._paused = [p for p in self._paused if p.key != self._downloading.key]
            self._show_paused()
        self._set_busy("", self.tr("Downloaded and verified as {0}.").format(model_id))
        self.banner.show_message(
            self.tr(
                "Downloaded and verified: choose {0} in the model manager to chat with it."
            ).format(model_id)
        )
        self.downloaded.emit(model_id)
        self.jobFinished.emit()

    @Slot(object)
    def _failed(self, error: BaseException) -> None:
        if isinstance(error, DownloadCancelled):
            self._set_busy("", self.tr("Download paused; press Download to resume."))
        else:
            self._set_busy("", "")
            self.banner.show_message(str(error))
        self.jobFinished.emit()

    def _set_busy(self, job: str, message: str) -> None:
        self.busy = job
        self.progress_label.setText(message)
        if not job:
            self.cancel_button.hide()
        self._update_actions()

    def _update_actions(self) -> None:
        idle = not self.busy
        self.search_button.setEnabled(idle)
        self.source.setEnabled(idle)
        self.resume_button.setEnabled(idle)
        self.download_button.setEnabled(idle and self._selected_file() is not None)

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's naming
        """Closing stops a running download (it resumes next time)."""
        self._cancel.set()
        super().closeEvent(event)
