"""A project's documents: add files or folders (picker or drag and drop), see each one's state, cancel indexing.

Indexing runs in a child process (``DocumentLibrary(apart=True).add_in_background``);
its progress reaches the GUI thread as queued signals of an ``IndexRun``, at most about
twenty a second, and the list is read from the index in background jobs. The run belongs
to the window's projects presenter, so closing this dialog does not stop it, and opening
it again shows the run still going.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from autoglm.core.projects import ProjectRecord
from autoglm.core.settings import DocumentSettings, Settings, updated
from autoglm.ui.error_funnel import describe_error
from autoglm.ui.icons import icon
from autoglm.ui.tasks import BackgroundTask

if TYPE_CHECKING:
    from autoglm.core.runtime import Runtime
    from autoglm.knowledge.library import DocumentLibrary

_LOGGER = logging.getLogger(__name__)
PROGRESS_INTERVAL_S = 0.05
"""Progress reaches the window at most this often (the last update of each file always does)."""
PROGRESS_STEPS = 1000
LIST_INTERVAL_S = 1.0
"""While indexing, the list is read again at most this often (and once more at the end)."""
PATH_ROLE = Qt.ItemDataRole.UserRole + 1
FAILED_COLOUR = "#cf222e"


class IndexRun(QObject):
    """One indexing job as the GUI thread sees it: ``progressed`` and ``ended`` arrive queued."""

    progressed = Signal(object)
    """An ``IndexProgress`` (a copy: the worker keeps changing its own)."""
    ended = Signal(object, str)
    """The ``IndexReport`` (``None`` if the run failed) and the failure in words ('' when none)."""

    def __init__(self, start: Callable[..., Any], parent: QObject | None = None) -> None:
        """``start(on_progress=, on_done=)`` returns the running job; it is called off the GUI thread
        (the first run opens the index and loads the embedding model)."""
        super().__init__(parent)
        self._last = 0.0
        self._files_done = -1
        self._cancelled = False
        self.job: Any = None
        self.progress: Any = None
        self.report: Any = None
        self.error = ""
        self.running = True
        self.progressed.connect(self._keep_progress)
        self.ended.connect(self._keep_end)
        BackgroundTask(
            lambda: start(on_progress=self._on_progress, on_done=self._on_done),
            name="start-indexing",
            owner=self,
        ).on_success(self._started).on_failure(
            lambda error: self.ended.emit(None, describe_error(error))
        ).start()

    def _started(self, job: Any) -> None:
        self.job = job
        if self._cancelled:
            job.cancel()

    def _on_progress(self, state: Any) -> None:
        """Worker thread: pass the state on, throttled (a file finished always passes)."""
        now = time.monotonic()
        if now - self._last < PROGRESS_INTERVAL_S and state.files_done == self._files_done:
            return
        self._last, self._files_done = now, state.files_done
        self.progressed.emit(replace(state))

    def _on_done(self, report: Any, error: BaseException | None) -> None:
        """Worker thread: the run is over."""
        self.ended.emit(report, describe_error(error) if error is not None else "")

    def _keep_progress(self, state: Any) -> None:
        self.progress = state

    def _keep_end(self, report: Any, error: str) -> None:
        self.running, self.report, self.error = False, report, error

    def cancel(self) -> None:
        """Stop after the batch being written; what was indexed so far stays."""
        self._cancelled = True
        if self.job is not None:
            self.job.cancel()


def report_summary(report: Any, error: str = "") -> str:
    """One line saying what a run did: indexed, unchanged, failed, and whether it was cancelled."""
    from PySide6.QtCore import QCoreApplication

    translate = QCoreApplication.translate
    if report is None:
        return translate("DocumentsPanelDialog", "Indexing failed: {0}").format(error)
    parts = [translate("DocumentsPanelDialog", "%n indexed", "", len(report.indexed))]
    if report.unchanged:
        parts.append(translate("DocumentsPanelDialog", "%n unchanged", "", len(report.unchanged)))
    if report.failed:
        parts.append(
            translate("DocumentsPanelDialog", "%n could not be read", "", len(report.failed))
        )
    if report.waiting:
        parts.append(
            translate(
                "DocumentsPanelDialog",
                "%n image(s) wait for a vision model",
                "",
                len(report.waiting),
            )
        )
    text = ", ".join(parts)
    if report.cancelled:
        text = translate("DocumentsPanelDialog", "Cancelled: {0} before it stopped").format(text)
    return text


class ProjectDocuments(Protocol):
    """What the panel asks of the window's projects (``ProjectsPresenter``): the library, the
    indexing under way, and a way to save the passages setting."""

    runtime: Runtime
    apply_settings: Callable[[Settings], None]

    @property
    def documentsChanged(self) -> SignalInstance:  # noqa: N802 - a Qt signal's name
        """A watched folder's files were indexed again or forgotten (the project's key)."""

    def library(self) -> DocumentLibrary:
        """The projects' document library (blocking on first use: call it off the GUI thread)."""

    def index_run(self, project_id: int) -> IndexRun | None:
        """The indexing under way in that project, if any."""

    def start_indexing(self, project: ProjectRecord, paths: list[Path] | None) -> IndexRun:
        """Index ``paths`` into the project (``None``: its changed files) in the background."""


class DocumentsPanelDialog(QDialog):
    """The documents of one project, with add, remove, re-index and a cancellable progress bar."""

    listed = Signal()
    """The list was filled from the index (tests wait for it)."""
    costShown = Signal()
    """The passages' cost in tokens was counted and shown (tests wait for it)."""

    def __init__(
        self, presenter: ProjectDocuments, project: ProjectRecord, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("documentsPanel")
        self.presenter = presenter
        self.project = project
        self.run: IndexRun | None = None
        self._listing = 0
        """Which reading of the list is the latest (an older one that ends later is dropped)."""
        self._shown_listing = -1
        self._listed_done = -1
        self._listed_at = 0.0
        self.setAcceptDrops(True)
        self.setWindowTitle(self.tr("Documents of “{0}”").format(project.name))
        self.resize(640, 440)
        layout = QVBoxLayout(self)
        self.hint = QLabel(
            self.tr(
                "Drop files or folders here, or add them. The assistant answers this "
                "project's chats from them and names its sources. Folders are watched "
                "while the app runs: files added, changed or deleted there are read again."
            ),
            self,
        )
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        buttons = QHBoxLayout()
        self.add_files_button = QPushButton(icon("document"), self.tr("Add &files…"), self)
        self.add_files_button.setObjectName("addFiles")
        self.add_files_button.clicked.connect(lambda: self.open_picker(folder=False))
        self.add_folder_button = QPushButton(icon("folder"), self.tr("Add f&older…"), self)
        self.add_folder_button.setObjectName("addFolder")
        self.add_folder_button.clicked.connect(lambda: self.open_picker(folder=True))
        self.reindex_button = QPushButton(icon("regenerate"), self.tr("&Re-index"), self)
        self.reindex_button.setObjectName("reindex")
        self.reindex_button.setToolTip(self.tr("Read changed files again"))
        self.reindex_button.clicked.connect(self.reindex)
        self.remove_button = QPushButton(icon("delete"), self.tr("Re&move"), self)
        self.remove_button.setObjectName("removeDocuments")
        self.remove_button.clicked.connect(self.remove_selected)
        for button in (self.add_files_button, self.add_folder_button, self.reindex_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        layout.addLayout(buttons)

        self.list = QTreeWidget(self)
        self.list.setObjectName("documentList")
        self.list.setHeaderLabels(
            [self.tr("Document"), self.tr("State"), self.tr("Pages"), self.tr("Passages")]
        )
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setAccessibleName(self.tr("Documents"))
        header = self.list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in (2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(0, 200)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.list, 1)

        cost_row = QHBoxLayout()
        self.passages = QSpinBox(self)
        self.passages.setObjectName("passagesPerQuestion")
        low, high = 1, 20
        for bound in DocumentSettings.model_fields["passages"].metadata:  # the setting's own bounds
            low, high = getattr(bound, "ge", low), getattr(bound, "le", high)
        self.passages.setRange(low, high)
        self.passages.setValue(presenter.runtime.settings.documents.passages)
        self.passages.setAccessibleName(self.tr("Passages put into each question"))
        self.passages.valueChanged.connect(self._passages_changed)
        passages_label = QLabel(self.tr("&Passages in each question:"), self)
        passages_label.setBuddy(self.passages)
        self.cost = QLabel(self)
        self.cost.setObjectName("passagesCost")
        self.cost.setToolTip(self.tr("What the passages found for a question add to the prompt"))
        cost_row.addWidget(passages_label)
        cost_row.addWidget(self.passages)
        cost_row.addWidget(self.cost, 1)
        layout.addLayout(cost_row)
        self._costing = 0

        progress_row = QHBoxLayout()
        self.progress = QProgressBar(self)
        self.progress.setObjectName("indexProgress")
        self.progress.setRange(0, PROGRESS_STEPS)
        self.progress.setAccessibleName(self.tr("Indexing progress"))
        self.cancel_button = QPushButton(icon("stop"), self.tr("&Cancel"), self)
        self.cancel_button.setObjectName("cancelIndexing")
        self.cancel_button.clicked.connect(self.cancel)
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        layout.addLayout(progress_row)
        self.status = QLabel(self)
        self.status.setObjectName("indexStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Close"))
        close.rejected.connect(self.reject)
        layout.addWidget(close)

        self._show_progress(False)
        presenter.documentsChanged.connect(self._folder_changed)
        running = presenter.index_run(project.id)
        if running is not None:
            self._follow(running)
        self.refresh()

    # -- the list --------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the project's documents from the index (in the background) and show them."""
        presenter, project = self.presenter, self.project
        self._listing += 1
        listing = self._listing
        BackgroundTask(
            lambda: presenter.library().documents(project), name="list-documents", owner=self
        ).on_success(
            lambda documents: self._fill(documents, listing) if listing == self._listing else None
        ).on_failure(
            lambda error: self._say(
                self.tr("The documents could not be listed: {0}").format(describe_error(error))
            )
        ).start()

    def _folder_changed(self, key: str) -> None:
        """A watched folder of some project changed on disk: read the list again if it is this one's."""
        if key == str(self.project.id):
            self.refresh()

    def list_current(self) -> bool:
        """Whether the list shows the latest reading of the index (none is still under way)."""
        return self._shown_listing == self._listing

    def _fill(self, documents: list[Any], listing: int) -> None:
        """Show ``documents`` (sorted by name), touching only the rows that changed: while a
        large folder indexes the list is read again every second, and rebuilding hundreds of
        rows each time kept the GUI thread busy for tens of milliseconds."""
        self._shown_listing = listing
        wanted = {document.path for document in documents}
        for gone in self._items():
            if gone.data(0, PATH_ROLE) not in wanted:
                self.list.takeTopLevelItem(self.list.indexOfTopLevelItem(gone))
        rows = {kept.data(0, PATH_ROLE): kept for kept in self._items()}
        for position, document in enumerate(documents):
            row = rows.get(document.path)
            if row is None:
                row = QTreeWidgetItem()
                row.setData(0, PATH_ROLE, document.path)
                row.setToolTip(0, document.path)
                for column in (2, 3):
                    row.setTextAlignment(
                        column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.list.insertTopLevelItem(position, row)
            elif (
                self.list.topLevelItem(position) is not row
            ):  # renamed: its place in the order moved
                self.list.takeTopLevelItem(self.list.indexOfTopLevelItem(row))
                self.list.insertTopLevelItem(position, row)
            self._show_document(row, document)
        self._update_buttons()
        self.update_cost()
        self.listed.emit()

    # -- what the passages cost ------------------------------------------------------------------
    def _passages_changed(self, count: int) -> None:
        presenter = self.presenter
        presenter.apply_settings(updated(presenter.runtime.settings, "documents", passages=count))
        self.update_cost()

    def update_cost(self) -> None:
        """Count what the set number of the project's passages adds to a question (off the GUI thread: the
        model's tokenizer counts them where one is loaded)."""
        presenter, project, count = self.presenter, self.project, self.passages.value()
        self._costing += 1
        costing = self._costing
        BackgroundTask(
            lambda: presenter.library().typical_cost(project, count),
            name="count-passages",
            owner=self,
        ).on_success(
            lambda cost: self._show_cost(cost) if costing == self._costing else None
        ).on_failure(
            lambda error: _LOGGER.warning("Counting the passages' tokens failed: %s", error)
        ).start()

    def _show_cost(self, cost: Any) -> None:
        if not cost.passages:
            self.cost.setText(self.tr("Nothing indexed yet"))
        elif cost.counted:
            self.cost.setText(
                self.tr("%n passage(s) · about {0} tokens a question", "", cost.passages).format(
                    cost.tokens
                )
            )
        else:
            self.cost.setText(
                self.tr(
                    "%n passage(s) · about {0} tokens a question (estimated; no model "
                    "loaded to count them)",
                    "",
                    cost.passages,
                ).format(cost.tokens)
            )
        self.costShown.emit()

    def _show_document(self, row: QTreeWidgetItem, document: Any) -> None:
        """Fill one row from its document, unless it shows that very state already."""
        shown = (document.name, document.status, document.reason, document.pages, document.chunks)
        if row.data(1, PATH_ROLE) == shown:
            return
        row.setData(1, PATH_ROLE, shown)
        state, tip = self._state_text(document)
        for column, text in enumerate(
            (document.name, state, str(document.pages or ""), str(document.chunks or ""))
        ):
            row.setText(column, text)
        row.setToolTip(1, tip)
        failed = document.status == "failed"
        row.setIcon(0, icon("warning", FAILED_COLOUR) if failed else icon("document"))
        row.setForeground(1, QColor(FAILED_COLOUR) if failed else self.list.palette().text())

    def _state_text(self, document: Any) -> tuple[str, str]:
        """What the State column says of a document, and its tooltip."""
        if document.status == "indexed":
            return self.tr("Indexed"), self.tr(
                "Indexed: %n passage(s) can be cited", "", document.chunks
            )
        if document.status == "failed":
            reason = document.reason or self.tr("it could not be read")
            return self.tr("Failed: {0}").format(reason), reason
        if document.status == "waiting":
            return self.tr("Needs a vision model"), self.tr(
                "An image: it is described and indexed when a model that reads images is loaded"
            )
        if document.status == "cancelled":
            return self.tr("Cancelled (partly indexed)"), self.tr(
                "Indexing was cancelled; Re-index finishes it"
            )
        return self.tr("Indexing…"), ""

    def rows(self) -> list[tuple[str, str]]:
        """(name, state) of each document listed, top to bottom (for tests and checks)."""
        return [(item.text(0), item.text(1)) for item in self._items()]

    def _items(self) -> list[QTreeWidgetItem]:
        """The list's rows, top to bottom."""
        items = [self.list.topLevelItem(i) for i in range(self.list.topLevelItemCount())]
        return [item for item in items if item is not None]

    # -- adding ----------------------------------------------------------------------------------
    def open_picker(self, folder: bool) -> QFileDialog:
        """A file or folder picker (not blocking the window); what is chosen is added."""
        picker = QFileDialog(self, self.tr("Add a folder") if folder else self.tr("Add files"))
        picker.setObjectName("documentPicker")
        picker.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        picker.setFileMode(
            QFileDialog.FileMode.Directory if folder else QFileDialog.FileMode.ExistingFiles
        )
        picker.filesSelected.connect(self.add_paths)
        picker.finished.connect(picker.deleteLater)
        picker.open()
        return picker

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        """Accept files and folders dragged from the desktop or a file manager."""
        if event.mimeData().hasUrls() and any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        """Index what was dropped."""
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)

    def add_paths(self, paths: Iterable[str | Path]) -> None:
        """Index these files and folders into the project, in the background."""
        chosen = [Path(p) for p in paths if str(p)]
        if not chosen:
            return
        if self.run is not None and self.run.running:
            self._say(
                self.tr("Indexing is still running: add more when it has finished, or cancel it.")
            )
            return
        self._follow(self.presenter.start_indexing(self.project, chosen))

    def reindex(self) -> None:
        """Read the project's changed files again, in the background."""
        if self.run is None or not self.run.running:
            self._follow(self.presenter.start_indexing(self.project, None))

    def remove_selected(self) -> None:
        """Forget the selected documents (the files themselves are left alone)."""
        paths = [item.data(0, PATH_ROLE) for item in self.list.selectedItems()]
        if not paths or (self.run is not None and self.run.running):
            return
        presenter, project = self.presenter, self.project

        def removed(forgotten: list[str]) -> None:
            self._say(self.tr("%n document(s) removed.", "", len(forgotten)))
            self.refresh()

        BackgroundTask(
            lambda: presenter.library().remove(project, paths), name="remove-documents", owner=self
        ).on_success(removed).on_failure(lambda error: self._say(describe_error(error))).start()

    def cancel(self) -> None:
        """Cancel the indexing under way."""
        if self.run is not None and self.run.running:
            self.run.cancel()
            self.cancel_button.setEnabled(False)
            self._say(self.tr("Cancelling…"))

    # -- following a run -------------------------------------------------------------------------
    def _follow(self, run: IndexRun) -> None:
        self.run = run
        run.progressed.connect(self._progressed)
        run.ended.connect(self._ended)
        self._show_progress(True)
        self.cancel_button.setEnabled(True)
        self._say(self.tr("Reading the documents…"))
        if run.progress is not None:
            self._progressed(run.progress)
        if not run.running:
            self._ended(run.report, run.error)
        self._update_buttons()

    def _progressed(self, state: Any) -> None:
        if self.run is None or not self.run.running:
            return
        self.progress.setValue(int(state.fraction * PROGRESS_STEPS))
        name = Path(state.current).name if state.current else ""
        self._say(
            self.tr("Indexing {0} ({1} of {2})").format(
                name, min(state.files_done + 1, state.files_total), state.files_total
            )
            if name
            else self.tr("Indexing: {0} of {1} files").format(state.files_done, state.files_total)
        )
        now = time.monotonic()
        if state.files_done != self._listed_done and now - self._listed_at >= LIST_INTERVAL_S:
            self._listed_done, self._listed_at = state.files_done, now
            self.refresh()  # files finished meanwhile show their state; at most once a second

    def _ended(self, report: Any, error: str) -> None:
        self._show_progress(False)
        self._say(report_summary(report, error))
        self._update_buttons()
        self.refresh()

    def _show_progress(self, visible: bool) -> None:
        self.progress.setVisible(visible)
        self.cancel_button.setVisible(visible)
        if not visible:
            self.progress.setValue(0)

    def _update_buttons(self) -> None:
        idle = self.run is None or not self.run.running
        for button in (self.add_files_button, self.add_folder_button, self.reindex_button):
            button.setEnabled(idle)
        self.remove_button.setEnabled(idle and bool(self.list.selectedItems()))

    def _say(self, text: str) -> None:
        self.status.setText(text)
