"""The window's projects: new chats in a project, its settings, rename, delete, chats moved in and out.

The sidebar says what the user asked for; this presenter does it through the store and the
conversation controller (small writes on the GUI thread, as renaming a chat is), and
shows dialogs without blocking the window.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QPushButton

from autoglm.core.errors import UserFacingError
from autoglm.ui.project_dialog import ProjectSettingsDialog

_LOGGER = logging.getLogger(__name__)


class ProjectsPresenter(QObject):
    """Connects the sidebar's project actions to the store, the controller and dialogs."""

    projectsChanged = Signal()
    dialogShown = Signal(object)
    """A project dialog (settings, delete, documents) was opened (tests and screenshots use it)."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        sidebar = window.sidebar
        sidebar.newProjectRequested.connect(lambda: self.open_settings(0))
        sidebar.projectSettingsRequested.connect(self.open_settings)
        sidebar.newChatInProjectRequested.connect(self.new_chat_in)
        sidebar.projectRenamed.connect(self.rename)
        sidebar.projectDeleteRequested.connect(self.confirm_delete)
        sidebar.conversationMoved.connect(self.move)
        self.projectsChanged.connect(sidebar.refresh)

    @property
    def store(self) -> Any:
        """The conversation store the projects live in."""
        return self.window.runtime.store

    def _show(self, dialog: Any) -> None:
        self.window._show_dialog(dialog)  # noqa: SLF001 - the window keeps its open dialogs alive
        self.dialogShown.emit(dialog)

    def new_chat_in(self, project_id: int) -> None:
        """A new chat in the project, with the project's default model loaded if it has one."""
        project = self.store.get_project(project_id)
        if project is None:
            self.window.banner.show_message(self.tr("That project no longer exists."))
            self.projectsChanged.emit()
            return
        self.window.cancel_edit()
        self.window.controller.new_conversation(project)
        runtime = self.window.runtime
        if project.model_id and (project.model_id != runtime.settings.model.active_model or not runtime.ready):
            self.window.switch_model(project.model_id)
        self.window.focus_input()

    def open_settings(self, project_id: int) -> None:
        """The project's settings dialog (0: a dialog that creates a project)."""
        project = self.store.get_project(project_id) if project_id else None
        if project_id and project is None:
            self.projectsChanged.emit()
            return
        dialog = ProjectSettingsDialog(self.store, self.window.runtime, project, self.window)
        dialog.saved.connect(lambda _id: self._saved())
        self._show(dialog)

    def _saved(self) -> None:
        self.projectsChanged.emit()
        self.window._update_header()  # noqa: SLF001 - the open chat may be in the project renamed

    def move(self, conversation_id: int, project_id: int) -> None:
        """File a chat under a project (0: none), from the sidebar's menu or a drag."""
        self.window.controller.move_conversation(conversation_id, project_id)
        self.window._update_header()  # noqa: SLF001 - the open chat may be the one moved

    def rename(self, project_id: int, name: str) -> None:
        """Rename the project; a taken or blank name is said in the banner and the old one kept."""
        try:
            self.store.update_project(project_id, name=name)
        except (UserFacingError, KeyError) as error:
            self.window.banner.show_message(str(error) if isinstance(error, UserFacingError)
                                            else self.tr("That project no longer exists."))
        self._saved()

    def confirm_delete(self, project_id: int) -> None:
        """Ask whether to keep the project's chats (moved out of it) or delete them with it."""
        project = self.store.get_project(project_id)
        if project is None:
            self.projectsChanged.emit()
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Delete project"),
                          self.tr("Delete the project “{0}”? Its %n chat(s) can be kept outside any project, "
                                  "or deleted with it.", "", project.conversation_count).format(project.name),
                          QMessageBox.StandardButton.Cancel, self.window)
        box.setObjectName("confirmDeleteProject")
        keep = box.addButton(self.tr("Delete project, keep chats"), QMessageBox.ButtonRole.AcceptRole)
        keep.setObjectName("keepChats")
        drop: QPushButton = box.addButton(self.tr("Delete project and chats"), QMessageBox.ButtonRole.DestructiveRole)
        drop.setObjectName("deleteChats")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(lambda button: self._delete(project_id, button is drop)
                                  if button in (keep, drop) else None)
        self._show(box)

    def _delete(self, project_id: int, with_conversations: bool) -> None:
        controller = self.window.controller
        open_project = controller.conversation.project
        in_it = open_project is not None and open_project.id == project_id
        if with_conversations:
            doomed = [record.id for record in self.store.list_conversations() if record.project_id == project_id]
            for conversation_id in doomed:
                controller.stop(conversation_id)
        self.store.delete_project(project_id, with_conversations=with_conversations)
        if in_it and (with_conversations or not controller.conversation_id):
            controller.new_conversation()
        elif in_it:
            controller.conversation.set_project(None)
        self._saved()
