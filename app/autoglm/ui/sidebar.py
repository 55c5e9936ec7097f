"""The conversation list: projects (folders of chats) first, then chats by date, with search.

A chat is moved into a project by its context menu or by dragging it onto the project (and
out again by dragging it onto a date group or the empty space below).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import (
    QByteArray,
    QCoreApplication,
    QEvent,
    QMimeData,
    QPoint,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QIcon,
    QKeyEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from autoglm.core.projects import ProjectRecord
from autoglm.core.store import ConversationRecord, ConversationStore
from autoglm.ui.icons import icon
from autoglm.ui.search_hits import (
    HIT_HTML_ROLE,
    SearchHitDelegate,
    marked_html,
    one_per_chat,
    plain,
)
from autoglm.ui.tasks import BackgroundTask

_LOGGER = logging.getLogger(__name__)
CONVERSATION_ROLE = Qt.ItemDataRole.UserRole + 1
MESSAGE_ROLE = Qt.ItemDataRole.UserRole + 2
PINNED_ROLE = Qt.ItemDataRole.UserRole + 3
PROJECT_ROLE = Qt.ItemDataRole.UserRole + 4
"""On a project's row: its id."""
CONVERSATION_MIME = "application/x-autoglm-conversation"
"""What a dragged chat carries: its id as decimal text."""
GROUP_ORDER = ("pinned", "today", "yesterday", "week", "month", "older")


def date_group(timestamp: float, pinned: bool, now: float | None = None) -> str:
    """Which sidebar group a conversation updated at ``timestamp`` belongs to."""
    if pinned:
        return "pinned"
    today = dt.datetime.fromtimestamp(now if now is not None else time.time()).date()
    day = dt.datetime.fromtimestamp(timestamp).date()
    age = (today - day).days
    if age <= 0:
        return "today"
    if age == 1:
        return "yesterday"
    if age < 7:
        return "week"
    if age < 30:
        return "month"
    return "older"


def group_title(group: str) -> str:
    """The heading shown for a group."""
    translate = QCoreApplication.translate
    return {
        "pinned": translate("Sidebar", "Pinned"),
        "today": translate("Sidebar", "Today"),
        "yesterday": translate("Sidebar", "Yesterday"),
        "week": translate("Sidebar", "Previous 7 days"),
        "month": translate("Sidebar", "Previous 30 days"),
        "older": translate("Sidebar", "Older"),
        "results": translate("Sidebar", "Search results"),
    }[group]


class ConversationTreeWidget(QTreeWidget):
    """The tree of projects, groups and conversations; Delete and F2 act on the current one.

    A chat dragged onto a project (or onto one of its chats) is filed there; onto anything
    else, it leaves its project. The tree never moves rows itself: it reports the drop and
    the list is rebuilt from the store.
    """

    deletePressed = Signal()
    renamePressed = Signal()
    conversationDropped = Signal(int, int)
    """(conversation id, project id or 0 for none)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDropIndicatorShown(True)

    def mimeTypes(self) -> list[str]:  # noqa: N802
        """Only chats are dragged and dropped here."""
        return [CONVERSATION_MIME]

    def mimeData(self, items: Sequence[QTreeWidgetItem]) -> QMimeData:  # noqa: N802
        """The dragged chat's id (group headers, projects and search hits are not dragged)."""
        data = QMimeData()
        chats = [
            item
            for item in items
            if item.data(0, CONVERSATION_ROLE) and not item.data(0, MESSAGE_ROLE)
        ]
        if chats:
            data.setData(
                CONVERSATION_MIME,
                QByteArray(str(int(chats[0].data(0, CONVERSATION_ROLE))).encode()),
            )
        return data

    def project_at(self, pos: QPoint) -> int:
        """The project a drop at ``pos`` (viewport coordinates) files a chat under; 0 for none."""
        item = self.itemAt(pos)
        while item is not None:
            if item.data(0, PROJECT_ROLE):
                return int(item.data(0, PROJECT_ROLE))
            item = item.parent()
        return 0

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        """Accept dragged chats only."""
        if event.mimeData().hasFormat(CONVERSATION_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        """Follow the pointer over projects and groups."""
        if event.mimeData().hasFormat(CONVERSATION_MIME):
            target = self.itemAt(event.position().toPoint())
            self.setCurrentItem(target) if target is not None and target.data(
                0, PROJECT_ROLE
            ) else None
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        """Report where the chat was dropped; the rows themselves are not moved here."""
        raw = bytes(event.mimeData().data(CONVERSATION_MIME).data()).decode(errors="replace")
        if not raw.isdigit():
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)  # nothing for Qt to remove at the source
        event.accept()
        self.conversationDropped.emit(int(raw), self.project_at(event.position().toPoint()))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Delete removes, F2 renames."""
        if event.key() == Qt.Key.Key_Delete:
            self.deletePressed.emit()
            return
        if event.key() == Qt.Key.Key_F2:
            self.renamePressed.emit()
            return
        super().keyPressEvent(event)


class SidebarWidget(QFrame):
    """New chat, search, and the conversations; emits what the user picked."""

    conversationActivated = Signal(int, int)
    """(conversation id, message id to show or 0)."""
    newChatRequested = Signal()
    deleteRequested = Signal(int)
    renamed = Signal(int, str)
    pinToggled = Signal(int, bool)
    exportRequested = Signal(int)
    newProjectRequested = Signal()
    newChatInProjectRequested = Signal(int)
    projectSettingsRequested = Signal(int)
    projectDocumentsRequested = Signal(int)
    projectRenamed = Signal(int, str)
    projectDeleteRequested = Signal(int)
    conversationMoved = Signal(int, int)
    """(conversation id, project id or 0 for none)."""

    def __init__(
        self, store_provider: Callable[[], ConversationStore], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self._store = store_provider
        self._current_id = 0
        self._running: set[int] = set()
        self._search_generation = 0
        self._shown_generation = 0
        self._open_when_shown = False
        self._filling = False
        self._projects: list[ProjectRecord] = []
        self._collapsed: set[int] = set()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        top = QHBoxLayout()
        self.new_button = QToolButton(self)
        self.new_button.setObjectName("newChatButton")
        self.new_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.new_button.setIconSize(QSize(18, 18))
        self.new_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.new_button.clicked.connect(self.newChatRequested.emit)
        top.addWidget(self.new_button, 1)
        self.new_project_button = QToolButton(self)
        self.new_project_button.setObjectName("newProjectButton")
        self.new_project_button.setIconSize(QSize(18, 18))
        self.new_project_button.setAutoRaise(True)
        self.new_project_button.clicked.connect(self.newProjectRequested.emit)
        top.addWidget(self.new_project_button)
        layout.addLayout(top)
        self.search = QLineEdit(self)
        self.search.setObjectName("searchField")
        self.search.setClearButtonEnabled(True)
        self._search_icon = self.search.addAction(QIcon(), QLineEdit.ActionPosition.LeadingPosition)
        self.search.textChanged.connect(self._schedule_search)
        self.search.returnPressed.connect(self._open_first_result)
        layout.addWidget(self.search)
        self.tree = ConversationTreeWidget(self)
        self.tree.setObjectName("conversationList")
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(14)
        self.tree.setUniformRowHeights(False)
        self.tree.setItemDelegate(SearchHitDelegate(self.tree))
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemClicked.connect(self._activated)
        self.tree.itemChanged.connect(self._item_changed)
        self.tree.deletePressed.connect(lambda: self._act_on_current("delete"))
        self.tree.renamePressed.connect(lambda: self._act_on_current("rename"))
        self.tree.conversationDropped.connect(self.conversationMoved.emit)
        self.tree.itemExpanded.connect(lambda item: self._remember_expanded(item, True))
        self.tree.itemCollapsed.connect(lambda item: self._remember_expanded(item, False))
        layout.addWidget(self.tree, 1)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(180)
        self._search_timer.timeout.connect(self._run_search)
        self.icon_colour = "#1f2328"
        self.accent_colour = "#0969da"
        self.retranslate()

    # -- look ------------------------------------------------------------------------------
    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.new_button.setText(self.tr("New chat"))
        self.new_button.setToolTip(self.tr("New chat (Ctrl+N)"))
        self.new_button.setAccessibleName(self.tr("New chat"))
        self.new_project_button.setToolTip(
            self.tr("New project: a folder of chats with its own instructions")
        )
        self.new_project_button.setAccessibleName(self.tr("New project"))
        self.search.setPlaceholderText(self.tr("Search all chats (Ctrl+K)"))
        self.search.setAccessibleName(self.tr("Search conversations"))
        self._search_icon.setText(self.tr("Search conversations"))
        self.tree.setAccessibleName(self.tr("Conversations"))
        self.refresh()

    def set_icon_colour(self, colour: str) -> None:
        """Tint the icons for the theme."""
        self.icon_colour = colour
        self.new_button.setIcon(icon("new-chat", colour))
        self.new_project_button.setIcon(icon("new-folder", colour))
        self._search_icon.setIcon(icon("search", colour))
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        """Follow language changes."""
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- contents --------------------------------------------------------------------------
    def set_current(self, conversation_id: int) -> None:
        """Highlight the open conversation."""
        self._current_id = conversation_id
        for item in self._conversation_items():
            if item.data(0, CONVERSATION_ROLE) == conversation_id and not item.data(
                0, MESSAGE_ROLE
            ):
                self.tree.setCurrentItem(item)
                return
        self.tree.setCurrentItem(None)  # type: ignore[call-overload]  # a new chat is not listed yet; Qt takes null, the stubs do not
        self.tree.clearSelection()

    def set_running(self, conversation_ids: list[int]) -> None:
        """Mark the chats whose reply is being written (they go on in the background)."""
        self._running = set(conversation_ids)
        self._mark_running()

    def running_titles(self) -> list[str]:
        """Titles of the chats marked as writing a reply."""
        return [
            item.text(0)
            for item in self._conversation_items()
            if item.data(0, Qt.ItemDataRole.AccessibleDescriptionRole)
        ]

    def _mark_running(self) -> None:
        self._filling = True
        for item in self._conversation_items():
            if item.data(0, MESSAGE_ROLE):
                continue
            running = item.data(0, CONVERSATION_ROLE) in self._running
            pinned = bool(item.data(0, PINNED_ROLE))
            if running:
                item.setIcon(0, icon("generating", self.accent_colour))
            else:
                item.setIcon(0, icon("pin", self.icon_colour) if pinned else QIcon())
            note = self.tr("Writing a reply…") if running else ""
            item.setData(0, Qt.ItemDataRole.AccessibleDescriptionRole, note)
            item.setToolTip(0, f"{item.text(0)}\n{note}" if running else item.text(0))
        self._filling = False

    def _top_items(self) -> list[QTreeWidgetItem]:
        """The groups and projects, top to bottom."""
        items = [self.tree.topLevelItem(top) for top in range(self.tree.topLevelItemCount())]
        return [item for item in items if item is not None]

    @staticmethod
    def _children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
        children = [item.child(i) for i in range(item.childCount())]
        return [child for child in children if child is not None]

    def _conversation_items(self) -> list[QTreeWidgetItem]:
        return [child for group in self._top_items() for child in self._children(group)]

    def _group_item(self, title: str) -> QTreeWidgetItem:
        group = QTreeWidgetItem([title])
        group.setFlags(Qt.ItemFlag.ItemIsEnabled)
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
        group.setFont(0, font)
        group.setData(0, Qt.ItemDataRole.AccessibleTextRole, title)
        return group

    def refresh(self) -> None:
        """Reload the list (or re-run the search shown)."""
        if self.search.text().strip():
            self._run_search()
            return
        try:
            store = self._store()
            conversations = store.list_conversations()
            self._projects = store.list_projects()
        except Exception as exc:  # noqa: BLE001 - shown as an empty list; the funnel has the details
            _LOGGER.warning("Listing conversations failed: %s", exc)
            conversations, self._projects = [], []
        now = time.time()
        groups: dict[str, list] = {}
        filed: dict[int, list] = {}
        for record in conversations:
            if record.project_id is not None:
                filed.setdefault(record.project_id, []).append(record)
            else:
                groups.setdefault(date_group(record.updated_at, record.pinned, now), []).append(
                    record
                )
        self._filling = True
        self.tree.clear()
        for project in self._projects:
            row = self._project_item(project)
            self.tree.addTopLevelItem(row)
            for record in filed.get(project.id, []):
                row.addChild(self._chat_item(record))
            row.setExpanded(project.id not in self._collapsed)
        for name in GROUP_ORDER:
            if name not in groups:
                continue
            group = self._group_item(group_title(name))
            self.tree.addTopLevelItem(group)
            for record in groups[name]:
                group.addChild(self._chat_item(record))
            group.setExpanded(True)
        self._filling = False
        self._mark_running()
        if self._current_id:
            self.set_current(self._current_id)

    def _chat_item(self, record: ConversationRecord) -> QTreeWidgetItem:
        """A conversation's row: renamable, draggable."""
        title = record.title
        child = QTreeWidgetItem([title or self.tr("New chat")])
        child.setData(0, CONVERSATION_ROLE, record.id)
        child.setData(0, MESSAGE_ROLE, 0)
        child.setToolTip(0, title)
        child.setFlags(
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsEditable
            | Qt.ItemFlag.ItemIsDragEnabled
        )
        child.setData(0, PINNED_ROLE, record.pinned)
        return child

    def _project_item(self, project: ProjectRecord) -> QTreeWidgetItem:
        """A project's row: a folder holding its chats, a drop target for chats, renamable."""
        name, count = project.name, project.conversation_count
        row = QTreeWidgetItem([name])
        row.setData(0, PROJECT_ROLE, project.id)
        row.setIcon(0, icon("folder", self.icon_colour))
        row.setFlags(
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsEditable
            | Qt.ItemFlag.ItemIsDropEnabled
        )
        font = QFont(self.font())
        font.setBold(True)
        row.setFont(0, font)
        row.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
        row.setToolTip(0, self.tr("Project “{0}”: %n chat(s)", "", count).format(name))
        row.setData(0, Qt.ItemDataRole.AccessibleTextRole, self.tr("Project {0}").format(name))
        return row

    def _remember_expanded(self, item: QTreeWidgetItem, expanded: bool) -> None:
        project_id = item.data(0, PROJECT_ROLE)
        if project_id and not self._filling:
            (self._collapsed.discard if expanded else self._collapsed.add)(int(project_id))

    def project_rows(self) -> dict[str, list[str]]:
        """Each project's name and the titles of its chats, top to bottom (for tests and checks)."""
        return {
            item.text(0): [child.text(0) for child in self._children(item)]
            for item in self._top_items()
            if item.data(0, PROJECT_ROLE)
        }

    def project_item(self, project_id: int) -> QTreeWidgetItem | None:
        """The row of that project, if listed."""
        return next(
            (item for item in self._top_items() if item.data(0, PROJECT_ROLE) == project_id), None
        )

    def conversation_item(self, conversation_id: int) -> QTreeWidgetItem | None:
        """The row of that chat, if listed."""
        return next(
            (
                item
                for item in self._conversation_items()
                if item.data(0, CONVERSATION_ROLE) == conversation_id
                and not item.data(0, MESSAGE_ROLE)
            ),
            None,
        )

    def conversation_titles(self) -> list[str]:
        """Titles shown, top to bottom (for tests and accessibility checks)."""
        return [item.text(0) for item in self._conversation_items()]

    # -- search ----------------------------------------------------------------------------
    def focus_search(self) -> None:
        """Put the cursor in the search field."""
        self.search.setFocus()
        self.search.selectAll()

    def _schedule_search(self, _text: str) -> None:
        self._search_timer.start()

    def _run_search(self) -> None:
        query = self.search.text().strip()
        self._search_generation += 1
        generation = self._search_generation
        if not query:
            self.refresh()
            return
        store = self._store()
        BackgroundTask(lambda: store.search(query, limit=60), name="search", owner=self).on_success(
            lambda hits: self._show_hits(generation, hits)
        ).start()

    def _show_hits(self, generation: int, hits: list) -> None:
        if generation != self._search_generation:
            return
        self._filling = True
        self.tree.clear()
        chats = one_per_chat(hits)
        group = self._group_item(group_title("results") + f" ({len(chats)})")
        self.tree.addTopLevelItem(group)
        for chat in chats:
            title = chat.title or self.tr("New chat")
            text = f"{plain(title)}\n{plain(chat.snippet)}" if chat.snippet else plain(title)
            child = QTreeWidgetItem([text])
            child.setData(0, CONVERSATION_ROLE, chat.conversation_id)
            child.setData(0, MESSAGE_ROLE, chat.message_id)
            child.setData(
                0,
                HIT_HTML_ROLE,
                f"<b>{marked_html(title)}</b>"
                + (f"<br>{marked_html(chat.snippet)}" if chat.snippet else ""),
            )
            child.setToolTip(0, text)
            child.setData(0, Qt.ItemDataRole.AccessibleTextRole, text)
            child.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            group.addChild(child)
        group.setExpanded(True)
        self._filling = False
        self._shown_generation = generation
        if self._open_when_shown:
            self._open_when_shown = False
            self._open_first_result()

    def search_results(self) -> list[tuple[int, int]]:
        """(conversation id, message id) of each result shown."""
        if not self.search.text().strip():
            return []
        return [
            (item.data(0, CONVERSATION_ROLE), item.data(0, MESSAGE_ROLE))
            for item in self._conversation_items()
        ]

    def _open_first_result(self) -> None:
        if self.search.text().strip() and (
            self._search_timer.isActive() or self._shown_generation != self._search_generation
        ):
            self._open_when_shown = True  # Enter before the results arrived: open the first of them
            self._search_timer.stop()
            self._run_search()
            return
        items = self._conversation_items()
        if items:
            self._activated(items[0])

    # -- actions ---------------------------------------------------------------------------
    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        if item.data(0, PROJECT_ROLE):
            return  # a click opens and closes the folder; its menu has the rest
        conversation_id = item.data(0, CONVERSATION_ROLE)
        if conversation_id:
            self.conversationActivated.emit(
                int(conversation_id), int(item.data(0, MESSAGE_ROLE) or 0)
            )

    def _item_changed(self, item: QTreeWidgetItem, _column: int) -> None:
        if self._filling:
            return
        if item.data(0, PROJECT_ROLE):
            name = item.text(0).strip()
            if name:
                self.projectRenamed.emit(int(item.data(0, PROJECT_ROLE)), name)
            return
        conversation_id = item.data(0, CONVERSATION_ROLE)
        title = item.text(0).strip()
        if conversation_id and title:
            self.renamed.emit(int(conversation_id), title)

    def _act_on_current(self, action: str) -> None:
        item = self.tree.currentItem()
        if item is not None and item.data(0, PROJECT_ROLE):
            if action == "delete":
                self.projectDeleteRequested.emit(int(item.data(0, PROJECT_ROLE)))
            elif action == "rename":
                self.tree.editItem(item, 0)
            return
        if item is None or not item.data(0, CONVERSATION_ROLE) or item.data(0, MESSAGE_ROLE):
            return
        if action == "delete":
            self.deleteRequested.emit(int(item.data(0, CONVERSATION_ROLE)))
        elif action == "rename":
            self.tree.editItem(item, 0)

    def _context_menu(self, pos: QPoint) -> None:
        item = self.tree.itemAt(pos)
        menu = self.context_menu(item) if item is not None else None
        if menu is not None:
            menu.popup(self.tree.viewport().mapToGlobal(pos))

    def project_menu(self, item: QTreeWidgetItem) -> QMenu:
        """The menu a project row offers: a new chat in it, its documents and settings, rename, delete."""
        project_id = int(item.data(0, PROJECT_ROLE))
        menu = QMenu(self)
        menu.setObjectName("projectMenu")
        entries = [
            (
                "newChatInProject",
                icon("new-chat", self.icon_colour),
                self.tr("New chat in this project"),
                lambda: self.newChatInProjectRequested.emit(project_id),
            ),
            (
                "projectDocuments",
                icon("document", self.icon_colour),
                self.tr("Documents…"),
                lambda: self.projectDocumentsRequested.emit(project_id),
            ),
            (
                "projectSettings",
                icon("settings", self.icon_colour),
                self.tr("Project settings…"),
                lambda: self.projectSettingsRequested.emit(project_id),
            ),
            (
                "renameProject",
                icon("edit", self.icon_colour),
                self.tr("Rename"),
                lambda: self.tree.editItem(item, 0),
            ),
        ]
        for name, glyph, text, slot in entries:
            action = QAction(glyph, text, menu)
            action.setObjectName(name)
            action.triggered.connect(slot)
            menu.addAction(action)
        menu.addSeparator()
        delete = QAction(icon("delete", self.icon_colour), self.tr("Delete project…"), menu)
        delete.setObjectName("deleteProject")
        delete.triggered.connect(lambda: self.projectDeleteRequested.emit(project_id))
        menu.addAction(delete)
        return menu

    def _move_menu(self, conversation_id: int, current: int, parent: QMenu) -> QMenu:
        """'Move to project': every project but the chat's own, and out of any project."""
        menu = QMenu(self.tr("Move to project"), parent)
        menu.setObjectName("moveToProject")
        menu.setIcon(icon("folder", self.icon_colour))
        for project in self._projects:
            if project.id == current:
                continue
            action = QAction(project.name, menu)
            action.setObjectName(f"moveTo{project.id}")
            action.triggered.connect(
                lambda _checked=False, target=project.id: self.conversationMoved.emit(
                    conversation_id, target
                )
            )
            menu.addAction(action)
        if current:
            menu.addSeparator()
            out = QAction(self.tr("No project"), menu)
            out.setObjectName("moveTo0")
            out.triggered.connect(lambda: self.conversationMoved.emit(conversation_id, 0))
            menu.addAction(out)
        menu.setEnabled(bool(menu.actions()))
        return menu

    def context_menu(self, item: QTreeWidgetItem) -> QMenu | None:
        """The menu a conversation or project row offers (``None`` for group headers and search hits)."""
        if item.data(0, PROJECT_ROLE):
            return self.project_menu(item)
        if not item.data(0, CONVERSATION_ROLE) or item.data(0, MESSAGE_ROLE):
            return None
        conversation_id = int(item.data(0, CONVERSATION_ROLE))
        pinned = bool(item.data(0, PINNED_ROLE))
        parent = item.parent()
        current_project = int(parent.data(0, PROJECT_ROLE) or 0) if parent is not None else 0
        menu = QMenu(self)
        rename = QAction(icon("edit", self.icon_colour), self.tr("Rename"), menu)
        rename.triggered.connect(lambda: self.tree.editItem(item, 0))
        pin = QAction(
            icon("pin", self.icon_colour), self.tr("Unpin") if pinned else self.tr("Pin"), menu
        )
        pin.triggered.connect(lambda: self.pinToggled.emit(conversation_id, not pinned))
        export = QAction(self.tr("Export…"), menu)
        export.setObjectName("exportChat")
        export.triggered.connect(lambda: self.exportRequested.emit(conversation_id))
        delete = QAction(icon("delete", self.icon_colour), self.tr("Delete…"), menu)
        delete.triggered.connect(lambda: self.deleteRequested.emit(conversation_id))
        menu.addActions([rename, pin, export])
        menu.addMenu(self._move_menu(conversation_id, current_project, menu))
        menu.addSeparator()
        menu.addAction(delete)
        return menu
