"""A project's settings: its name, persona, default model and sampling, and presets to save or apply.

Every sampling field can be left at "Settings default" (its spin box at the bottom of its
range), so a project keeps only what the user chose. Saving writes to the store on the GUI
thread (one small row); a name that is taken or blank is said in the dialog, which stays open.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from autoglm.core.errors import UserFacingError
from autoglm.core.projects import ProjectRecord
from autoglm.ui.model_picker import PickableModel, installed_models
from autoglm.ui.tasks import BackgroundTask

if TYPE_CHECKING:
    from autoglm.core.runtime import Runtime
    from autoglm.core.store import ConversationStore

_LOGGER = logging.getLogger(__name__)

_FLOAT_FIELDS = {  # key: (lowest real value, highest, step, decimals)
    "temperature": (0.0, 2.0, 0.05, 2),
    "top_p": (0.01, 1.0, 0.01, 2),
    "repeat_penalty": (1.0, 2.0, 0.01, 2),
}
_INT_FIELDS = {  # key: (lowest real value, highest)
    "top_k": (0, 1000),
    "max_tokens": (1, 32768),
    "seed": (0, 2**31 - 1),
}


def _spin_for(key: str, parent: QWidget) -> QDoubleSpinBox | QSpinBox:
    """A spin box whose lowest position means "the settings' value" for ``key``."""
    spin: QDoubleSpinBox | QSpinBox
    if key in _FLOAT_FIELDS:
        low, high, step, decimals = _FLOAT_FIELDS[key]
        spin = QDoubleSpinBox(parent)
        spin.setDecimals(decimals)
        spin.setSingleStep(step)
        spin.setRange(low - step, high)
        spin.setValue(spin.minimum())
    else:
        low_int, high_int = _INT_FIELDS[key]
        spin = QSpinBox(parent)
        spin.setRange(low_int - 1, high_int)
        spin.setValue(spin.minimum())
    spin.setObjectName(f"sampling_{key}")
    return spin


class ProjectSettingsDialog(QDialog):
    """Edit or create a project; ``saved`` gives the project's id once it is in the store."""

    saved = Signal(int)

    def __init__(
        self,
        store: ConversationStore,
        runtime: Runtime,
        project: ProjectRecord | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("projectSettingsDialog")
        self.store = store
        self.project = project
        self.setWindowTitle(self.tr("Project settings") if project else self.tr("New project"))
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit(self)
        self.name.setObjectName("projectName")
        self.name.setPlaceholderText(self.tr("For example: Taxes 2026"))
        form.addRow(self.tr("&Name"), self.name)
        self.persona = QPlainTextEdit(self)
        self.persona.setObjectName("projectPersona")
        self.persona.setPlaceholderText(
            self.tr(
                "How the assistant should behave in this project's chats "
                "(empty: the system prompt from Settings)"
            )
        )
        self.persona.setMinimumHeight(96)
        form.addRow(self.tr("&Instructions"), self.persona)
        self.model = QComboBox(self)
        self.model.setObjectName("projectModel")
        self.model.addItem(self.tr("Whichever model is loaded"), "")
        form.addRow(self.tr("Default &model"), self.model)
        layout.addLayout(form)

        sampling_box = QGroupBox(self.tr("Sampling"), self)
        sampling_box.setToolTip(
            self.tr(
                "A field at its lowest value shows “Settings default”: the value from Settings is used"
            )
        )
        sampling_form = QFormLayout(sampling_box)
        self.sampling_fields: dict[str, QDoubleSpinBox | QSpinBox] = {}
        labels = {
            "temperature": self.tr("Temperature"),
            "top_p": self.tr("Top p"),
            "top_k": self.tr("Top k"),
            "repeat_penalty": self.tr("Repeat penalty"),
            "max_tokens": self.tr("Longest reply (tokens)"),
            "seed": self.tr("Seed"),
        }
        for key, label in labels.items():
            spin = _spin_for(key, sampling_box)
            spin.setSpecialValueText(self.tr("Settings default"))
            spin.setAccessibleName(label)
            self.sampling_fields[key] = spin
            sampling_form.addRow(label, spin)
        layout.addWidget(sampling_box)

        presets_box = QGroupBox(self.tr("Presets"), self)
        presets_layout = QVBoxLayout(presets_box)
        apply_row = QHBoxLayout()
        self.presets = QComboBox(presets_box)
        self.presets.setObjectName("presetChoice")
        self.presets.setAccessibleName(self.tr("Preset"))
        self.apply_preset_button = QPushButton(self.tr("&Apply preset"), presets_box)
        self.apply_preset_button.setObjectName("applyPreset")
        self.apply_preset_button.clicked.connect(self.apply_preset)
        apply_row.addWidget(self.presets, 1)
        apply_row.addWidget(self.apply_preset_button)
        presets_layout.addLayout(apply_row)
        save_row = QHBoxLayout()
        self.preset_name = QLineEdit(presets_box)
        self.preset_name.setObjectName("presetName")
        self.preset_name.setPlaceholderText(self.tr("Preset name"))
        self.preset_name.setAccessibleName(self.tr("Preset name"))
        self.save_preset_button = QPushButton(self.tr("Save as &preset"), presets_box)
        self.save_preset_button.setObjectName("savePreset")
        self.save_preset_button.clicked.connect(self.save_preset)
        self.preset_name.textChanged.connect(
            lambda text: self.save_preset_button.setEnabled(bool(text.strip()))
        )
        save_row.addWidget(self.preset_name, 1)
        save_row.addWidget(self.save_preset_button)
        presets_layout.addLayout(save_row)
        layout.addWidget(presets_box)

        self.message = QLabel(self)
        self.message.setObjectName("projectMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(
            self.tr("&Save") if project else self.tr("&Create")
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        if project is not None:
            self.name.setText(project.name)
            self.persona.setPlainText(project.system_prompt)
            self.set_sampling(project.sampling)
        self.save_preset_button.setEnabled(False)
        self._fill_presets()
        self._list_models(runtime)

    # -- values ------------------------------------------------------------------------------
    def sampling(self) -> dict[str, Any]:
        """The sampling chosen (fields left at "Settings default" are left out)."""
        values: dict[str, Any] = {}
        for key, spin in self.sampling_fields.items():
            if spin.value() > spin.minimum():
                values[key] = (
                    round(spin.value(), 4)
                    if isinstance(spin, QDoubleSpinBox)
                    else int(spin.value())
                )
        return values

    def set_sampling(self, values: dict[str, Any]) -> None:
        """Show ``values``; a key not given goes back to "Settings default"."""
        for key, spin in self.sampling_fields.items():
            value = values.get(key)
            spin.setValue(spin.minimum() if value is None else value)  # type: ignore[arg-type]

    def model_id(self) -> str:
        """The default model chosen ('' for whichever is loaded)."""
        return str(self.model.currentData() or "")

    def _list_models(self, runtime: Runtime) -> None:
        repository = getattr(runtime, "repository", None)
        if repository is None:
            return
        active = runtime.settings.model.active_model
        BackgroundTask(
            lambda: installed_models(repository, active), name="list-models", owner=self
        ).on_success(self._fill_models).start()

    def _fill_models(self, models: list[PickableModel]) -> None:
        wanted = self.project.model_id if self.project is not None else ""
        for model in models:
            self.model.addItem(model.name, model.spec)
            self.model.setItemData(self.model.count() - 1, model.path or model.spec, 3)
        if wanted and self.model.findData(wanted) < 0:
            self.model.addItem(self.tr("{0} (not installed)").format(wanted), wanted)
        self.model.setCurrentIndex(max(0, self.model.findData(wanted)))

    def _fill_presets(self, select: int = 0) -> None:
        self.presets.clear()
        for preset in self.store.list_presets():
            self.presets.addItem(preset.name, preset.id)
        if select:
            self.presets.setCurrentIndex(max(0, self.presets.findData(select)))
        self.presets.setEnabled(self.presets.count() > 0)
        self.apply_preset_button.setEnabled(self.presets.count() > 0)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- actions -----------------------------------------------------------------------------
    def apply_preset(self) -> None:
        """Put the chosen preset's instructions and sampling into the form (saved with Save)."""
        preset = self.store.get_preset(int(self.presets.currentData() or 0))
        if preset is None:
            self._say(self.tr("That preset no longer exists."))
            self._fill_presets()
            return
        self.persona.setPlainText(preset.system_prompt)
        self.set_sampling(preset.sampling)
        self._say(self.tr("Preset “{0}” applied: Save to keep it.").format(preset.name))

    def save_preset(self) -> None:
        """Save the form's instructions and sampling as a preset (one of the same name is replaced)."""
        try:
            preset_id = self.store.save_preset(
                self.preset_name.text(), self.persona.toPlainText(), self.sampling()
            )
        except UserFacingError as error:
            self._say(str(error))
            return
        self._fill_presets(preset_id)
        self._say(self.tr("Saved as preset “{0}”.").format(self.presets.currentText()))
        self.preset_name.clear()

    def save(self) -> None:
        """Write the project to the store and close; a problem is said here and the dialog stays."""
        try:
            if self.project is None:
                project_id = self.store.create_project(
                    self.name.text(), self.persona.toPlainText(), self.model_id(), self.sampling()
                )
            else:
                project_id = self.project.id
                self.store.update_project(
                    project_id,
                    name=self.name.text(),
                    system_prompt=self.persona.toPlainText(),
                    model_id=self.model_id(),
                    sampling=self.sampling(),
                )
        except UserFacingError as error:
            self._say(str(error))
            return
        except KeyError:
            self._say(self.tr("This project was deleted meanwhile."))
            return
        self.saved.emit(project_id)
        self.accept()
