"""The model picker at the top of the chat: the installed language models, load and eject.

The list is gathered off the GUI thread (catalog presence checks and imported files);
choosing a model loads it as the window's Model manager would, Eject frees it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSize, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QSizePolicy, QToolButton, QWidget

from autoglm.ui.icons import icon
from autoglm.ui.tasks import BackgroundTask

if TYPE_CHECKING:
    from autoglm.core.catalog import ModelRepository
    from autoglm.core.runtime import Runtime

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class PickableModel:
    """One model the picker offers: the spec the settings store and the name shown."""

    spec: str
    name: str
    path: str = ""


def installed_models(repository: ModelRepository, active: str) -> list[PickableModel]:
    """Language models present on disk, catalog first, then imported; ``active`` is always
    offered (a model given by path shows its file name). Reads the disk: call off the GUI thread."""
    models: list[PickableModel] = []
    for entry in repository.catalog.entries("llm"):
        status = repository.status(entry)
        if status.present:
            models.append(PickableModel(entry.id, entry.name, _real(status.paths.get("model"))))
    for model_id, record in sorted(repository.imported().items()):
        if repository.catalog.get(model_id) is None and Path(record["model"]).exists():
            models.append(
                PickableModel(model_id, str(record.get("name") or model_id), _real(record["model"]))
            )
    if active and all(model.spec != active and model.path != _real(active) for model in models):
        models.append(
            PickableModel(active, Path(active).name if active.endswith(".gguf") else active)
        )
    return models


def _real(path: str | Path | None) -> str:
    """``path`` resolved, so one file named two ways is listed once ('' for none)."""
    return str(Path(path).expanduser().resolve()) if path else ""


MANAGE_MODELS = "manage-models"
"""The picker's last entry: it opens the model manager (import, download) instead of loading."""


class ModelPickerWidget(QWidget):
    """A combo box of installed models and an Eject button; emits what the user chose.

    The list drops below the box (not over it, as the style would put it), and ends with
    "Manage models…", as a model picker does in other local-model apps: the way to get more.
    """

    modelChosen = Signal(str)
    ejectRequested = Signal()
    manageRequested = Signal()
    listed = Signal()

    def __init__(self, runtime: Runtime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelPicker")
        self.runtime = runtime
        self._filling = False
        self._paths: dict[str, str] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.combo = QComboBox(self)
        self.combo.setObjectName("modelPickerCombo")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.combo.setMinimumContentsLength(14)
        self.combo.activated.connect(self._chosen)
        # a list under the box, even with one model, with room around each entry
        self.combo.setStyleSheet(
            "QComboBox { combobox-popup: 0; } QComboBox QAbstractItemView::item { padding: 5px 10px; }"
        )
        layout.addWidget(self.combo)
        self.eject_button = QToolButton(self)
        self.eject_button.setObjectName("ejectModel")
        self.eject_button.setAutoRaise(True)
        self.eject_button.setIconSize(QSize(18, 18))
        self.eject_button.clicked.connect(self.ejectRequested.emit)
        layout.addWidget(self.eject_button)
        self.retranslate()
        self.set_loaded(False)

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.combo.setPlaceholderText(self.tr("No model loaded"))
        self.combo.setToolTip(self.tr("The model that answers: choose another to load it"))
        self.combo.setAccessibleName(self.tr("Model"))
        self.eject_button.setToolTip(self.tr("Eject the model (frees its memory)"))
        self.eject_button.setAccessibleName(self.tr("Eject the model"))
        manage = self.combo.findData(MANAGE_MODELS)
        if manage >= 0:
            self.combo.setItemText(manage, self.tr("Manage models…"))
            self.combo.setItemData(
                manage, self.tr("Import a GGUF, download one, or see every model"), 3
            )

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        """Follow language changes."""
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_icon_colour(self, colour: str) -> None:
        """Tint the Eject icon for the theme."""
        self.eject_button.setIcon(icon("eject", colour))

    def set_loaded(self, loaded: bool) -> None:
        """Whether a model is loaded now (Eject is offered only then)."""
        self.eject_button.setEnabled(loaded)
        if not loaded:
            self.combo.setCurrentIndex(-1)
            return
        info = self.runtime.model_info  # an API request may have loaded another than the saved one
        loaded_id = info.model_id if info is not None else ""
        self._select(
            loaded_id
            if loaded_id and self.combo.findData(loaded_id) >= 0
            else self.runtime.settings.model.active_model
        )

    def refresh(self) -> None:
        """List the installed models again (in the background)."""
        repository = self.runtime.repository
        active = self.runtime.settings.model.active_model
        BackgroundTask(
            lambda: installed_models(repository, active), name="list-models", owner=self
        ).on_success(self._fill).start()

    def models(self) -> list[str]:
        """The specs offered, in order."""
        return [spec for spec, _name in self.choices()]

    def choices(self) -> list[tuple[str, str]]:
        """(spec, name) of each model offered, in order (not the "Manage models…" entry)."""
        return [
            (str(self.combo.itemData(row)), self.combo.itemText(row))
            for row in range(self.combo.count())
            if self.combo.itemData(row) not in (MANAGE_MODELS, None)
        ]

    def _fill(self, models: list[PickableModel]) -> None:
        self._filling = True
        self.combo.clear()
        for model in models:
            self.combo.addItem(model.name, model.spec)
            self.combo.setItemData(
                self.combo.count() - 1, model.path or model.spec, 3
            )  # tooltip: the file
            self._paths[model.spec] = model.path
        self.combo.insertSeparator(self.combo.count())
        self.combo.addItem("", MANAGE_MODELS)
        self.retranslate()
        self._filling = False
        self.set_loaded(self.runtime.ready)
        self.listed.emit()

    def _select(self, spec: str) -> None:
        row = self.combo.findData(spec)
        if row < 0:  # the active model given by path: the entry for the same file
            real = _real(spec) if spec.endswith(".gguf") else ""
            row = next(
                (
                    self.combo.findData(s)
                    for s, path in self._paths.items()
                    if real and path == real
                ),
                -1,
            )
        self.combo.setCurrentIndex(row)

    def _chosen(self, row: int) -> None:
        if self._filling or row < 0:
            return
        spec = str(self.combo.itemData(row))
        if spec == MANAGE_MODELS:
            self.set_loaded(self.runtime.ready)  # the box goes on showing the model in use
            self.manageRequested.emit()
            return
        if spec != self.runtime.settings.model.active_model or not self.runtime.ready:
            self.modelChosen.emit(spec)
