"""The window's projects: new chats in a project, its settings, rename, delete, chats moved in and out.

The sidebar says what the user asked for; this presenter does it through the store and the
conversation controller (small writes on the GUI thread, as renaming a chat is), and
shows dialogs without blocking the window.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QMainWindow, QMessageBox, QPushButton

from autoglm.core.errors import UserFacingError
from autoglm.core.projects import ProjectRecord
from autoglm.ui.citation_viewer import CitationViewerDialog
from autoglm.ui.documents_panel import DocumentsPanelDialog, IndexRun
from autoglm.ui.project_dialog import ProjectSettingsDialog
from autoglm.ui.tasks import BackgroundTask

if TYPE_CHECKING:
    from autoglm.core.runtime import Runtime
    from autoglm.core.settings import Settings
    from autoglm.core.store import ConversationStore
    from autoglm.knowledge.library import DocumentLibrary
    from autoglm.ui.conversation_controller import ConversationController
    from autoglm.ui.notification import NotificationBannerWidget
    from autoglm.ui.sidebar import SidebarWidget

_LOGGER = logging.getLogger(__name__)


class ProjectsPresenter(QObject):
    """Connects the sidebar's project actions to the store, the controller and dialogs."""

    projectsChanged = Signal()
    dialogShown = Signal(object)
    """A project dialog (settings, delete, documents) was opened (tests and screenshots use it)."""
    documentsChanged = Signal(str)
    """A watched folder's files were indexed again or forgotten (the project's key; arrives queued)."""

    def __init__(
        self,
        window: QMainWindow,
        *,
        runtime: Runtime,
        sidebar: SidebarWidget,
        conversation: ConversationController,
        banner: NotificationBannerWidget,
        show_dialog: Callable[[QDialog], None],
        chat_changed: Callable[[], None],
        cancel_edit: Callable[[], None],
        focus_input: Callable[[], None],
        switch_model: Callable[[str], None],
        apply_settings: Callable[[Settings], None],
    ) -> None:
        """Answer ``sidebar``'s project actions; dialogs open over ``window`` through
        ``show_dialog`` (which keeps them alive); ``chat_changed`` retitles the open chat after
        a rename or move; a new chat in a project leaves editing (``cancel_edit``), may load
        its model (``switch_model``) and puts the cursor in the message box (``focus_input``); the documents
        panel saves the passages setting through ``apply_settings``."""
        super().__init__(window)
        self.window = window
        self.runtime = runtime
        self.controller = conversation
        self.banner = banner
        self._show_dialog = show_dialog
        self._chat_changed = chat_changed
        self._cancel_edit = cancel_edit
        self._focus_input = focus_input
        self._switch_model = switch_model
        self.apply_settings = apply_settings
        sidebar.newProjectRequested.connect(lambda: self.open_settings(0))
        sidebar.projectSettingsRequested.connect(self.open_settings)
        sidebar.newChatInProjectRequested.connect(self.new_chat_in)
        sidebar.projectRenamed.connect(self.rename)
        sidebar.projectDeleteRequested.connect(self.confirm_delete)
        sidebar.conversationMoved.connect(self.move)
        sidebar.projectDocumentsRequested.connect(self.open_documents)
        self.projectsChanged.connect(sidebar.refresh)
        self._library: DocumentLibrary | None = None
        self._library_lock = threading.Lock()
        self._runs: dict[int, IndexRun] = {}
        conversation.retrieve = self.retrieve
        if Path(runtime.paths.documents_path).exists():  # folders added before are watched again
            BackgroundTask(self.library, name="watch-folders", owner=self).on_failure(
                lambda error: _LOGGER.warning("The projects' folders are not watched: %s", error)
            ).start()

    @property
    def store(self) -> ConversationStore:
        """The conversation store the projects live in."""
        return self.runtime.store

    def _show(self, dialog: QDialog) -> None:
        self._show_dialog(dialog)
        self.dialogShown.emit(dialog)

    # -- documents -----------------------------------------------------------------------------
    def library(self) -> DocumentLibrary:
        """The projects' documents (``knowledge.library.DocumentLibrary``); blocking on first use:
        it opens the index and the embedding model, so call it off the GUI thread. While the window
        runs, the folders added to projects are watched and their changed files indexed again."""
        with self._library_lock:
            if self._library is None:
                from autoglm.knowledge.library import DocumentLibrary

                self._library = DocumentLibrary(self.runtime, apart=True)
                self._library.keep_watching(lambda key, _report: self.documentsChanged.emit(key))
            return self._library

    def retrieve(self, project: ProjectRecord, question: str) -> list[Any]:
        """The project's passages for ``question`` (worker thread: it may load the embedding model)."""
        return list(self.library().retrieve(project, question).citations)

    def open_citation(self, item: Any, number: int) -> None:
        """A reply's ``number``-th source, at its passage (the page of a PDF)."""
        if 0 <= number < len(item.citations):
            self._show(CitationViewerDialog(item.citations[number], self.window))

    def index_run(self, project_id: int) -> IndexRun | None:
        """The indexing under way in that project, if any."""
        run = self._runs.get(project_id)
        return run if run is not None and run.running else None

    def start_indexing(self, project: ProjectRecord, paths: list[Path] | None) -> IndexRun:
        """Index ``paths`` into the project (``None``: re-index its changed files) in the background."""

        def start(**callbacks: Any) -> Any:
            library = self.library()
            if paths is None:
                return library.reindex_in_background(project, **callbacks)
            return library.add_in_background(project, paths, **callbacks)

        run = IndexRun(start, self)
        self._runs[project.id] = run
        return run

    def open_documents(self, project_id: int) -> None:
        """The project's documents panel."""
        project = self.store.get_project(project_id)
        if project is None:
            self.projectsChanged.emit()
            return
        self._show(DocumentsPanelDialog(self, project, self.window))

    def close(self, timeout: float = 2.0) -> None:
        """Cancel indexing, wait for it briefly, close the index (window shutdown)."""
        runs = [run for run in self._runs.values() if run.running]
        for run in runs:
            run.cancel()
        for run in runs:
            if run.job is not None:
                run.job.wait(timeout)
        with self._library_lock:
            library, self._library = self._library, None
        if library is not None:
            library.close()

    # -- chats and projects ----------------------------------------------------------------------
    def new_chat_in(self, project_id: int) -> None:
        """A new chat in the project, with the project's default model loaded if it has one."""
        project = self.store.get_project(project_id)
        if project is None:
            self.banner.show_message(self.tr("That project no longer exists."))
            self.projectsChanged.emit()
            return
        self._cancel_edit()
        self.controller.new_conversation(project)
        runtime = self.runtime
        if project.model_id and (
            project.model_id != runtime.settings.model.active_model or not runtime.ready
        ):
            self._switch_model(project.model_id)
        self._focus_input()

    def open_settings(self, project_id: int) -> None:
        """The project's settings dialog (0: a dialog that creates a project)."""
        project = self.store.get_project(project_id) if project_id else None
        if project_id and project is None:
            self.projectsChanged.emit()
            return
        dialog = ProjectSettingsDialog(self.store, self.runtime, project, self.window)
        dialog.saved.connect(lambda _id: self._saved())
        self._show(dialog)

    def _saved(self) -> None:
        self.projectsChanged.emit()
        self._chat_changed()  # the open chat may be in the project renamed

    def move(self, conversation_id: int, project_id: int) -> None:
        """File a chat under a project (0: none), from the sidebar's menu or a drag."""
        self.controller.move_conversation(conversation_id, project_id)
        self._chat_changed()  # the open chat may be the one moved

    def rename(self, project_id: int, name: str) -> None:
        """Rename the project; a taken or blank name is said in the banner and the old one kept."""
        try:
            self.store.update_project(project_id, name=name)
        except (UserFacingError, KeyError) as error:
            self.banner.show_message(
                str(error)
                if isinstance(error, UserFacingError)
                else self.tr("That project no longer exists.")
            )
        self._saved()

    def confirm_delete(self, project_id: int) -> None:
        """Ask whether to keep the project's chats (moved out of it) or delete them with it."""
        project = self.store.get_project(project_id)
        if project is None:
            self.projectsChanged.emit()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Delete project"),
            self.tr(
                "Delete the project “{0}”? Its %n chat(s) can be kept outside any project, "
                "or deleted with it.",
                "",
                project.conversation_count,
            ).format(project.name),
            QMessageBox.StandardButton.Cancel,
            self.window,
        )
        box.setObjectName("confirmDeleteProject")
        keep = box.addButton(
            self.tr("Delete project, keep chats"), QMessageBox.ButtonRole.AcceptRole
        )
        keep.setObjectName("keepChats")
        drop: QPushButton = box.addButton(
            self.tr("Delete project and chats"), QMessageBox.ButtonRole.DestructiveRole
        )
        drop.setObjectName("deleteChats")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(
            lambda button: (
                self._delete(project_id, button is drop) if button in (keep, drop) else None
            )
        )
        self._show(box)

    def _forget_documents(self, project: ProjectRecord) -> None:
        """Stop watching a deleted project's folders and drop its documents from the index (the files stay),
        in the background."""
        run = self._runs.pop(project.id, None)
        if run is not None:
            run.cancel()
        BackgroundTask(
            lambda: self.library().forget_project(project), name="forget-documents", owner=self
        ).on_failure(
            lambda error: _LOGGER.warning("Forgetting documents failed: %s", error)
        ).start()

    def _delete(self, project_id: int, with_conversations: bool) -> None:
        controller = self.controller
        open_project = controller.conversation.project
        in_it = open_project is not None and open_project.id == project_id
        if with_conversations:
            doomed = [
                record.id
                for record in self.store.list_conversations()
                if record.project_id == project_id
            ]
            for conversation_id in doomed:
                controller.stop(conversation_id)
        project = self.store.get_project(project_id)
        self.store.delete_project(project_id, with_conversations=with_conversations)
        if project is not None:
            self._forget_documents(project)
        if in_it and (with_conversations or not controller.conversation_id):
            controller.new_conversation()
        elif in_it:
            controller.conversation.set_project(None)
        self._saved()
