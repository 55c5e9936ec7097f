"""The main window: sidebar, chat, composer, status bar, menus and shortcuts.

The window shows before any model is loaded; loading runs in a background job with its
progress in the status bar. Everything slow (store reads, search, token counts, image
decoding, generation) runs off the GUI thread.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QSettings,
    QSize,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QFont,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from autoglm.core.download import stop_all_downloads
from autoglm.core.engine_choice import engine_settings_changed, remote_url, without_remote
from autoglm.core.errors import UserFacingError
from autoglm.core.settings import Settings, updated
from autoglm.ui.agent_controller import AgentController
from autoglm.ui.api_server_controller import ApiServerController
from autoglm.ui.api_status import install_api_status
from autoglm.ui.application import running_application
from autoglm.ui.capture.controller import CaptureController
from autoglm.ui.chat_model import MessageItem
from autoglm.ui.chat_view import ChatViewWidget
from autoglm.ui.composer import ComposerWidget
from autoglm.ui.conversation_controller import ConversationController
from autoglm.ui.download_resumer import DownloadResumer
from autoglm.ui.error_funnel import ErrorFunnel, describe_error
from autoglm.ui.gc_pauses import freeze_survivors
from autoglm.ui.i18n import QT_TRANSLATE_NOOP, LanguageSwitcher
from autoglm.ui.icons import app_icon, icon
from autoglm.ui.image_viewer import ImageViewerDialog
from autoglm.ui.keyboard import KeyboardContextMenus
from autoglm.ui.main_thread import run_on_main
from autoglm.ui.markdown_html import COPY_CODE_SCHEME
from autoglm.ui.message_delegate import (
    CITE_SCHEME,
    IMAGE_SCHEME,
    NEXT_VERSION,
    PREVIOUS_VERSION,
    REPLAY_SCHEME,
    TOGGLE_REASONING,
)
from autoglm.ui.model_picker import ModelPickerWidget
from autoglm.ui.notification import NotificationBannerWidget
from autoglm.ui.pointed_answers import POINTED_SCHEME
from autoglm.ui.projects_presenter import ProjectsPresenter
from autoglm.ui.sidebar import SidebarWidget
from autoglm.ui.speech_hook import SpeechHook
from autoglm.ui.status_bar import StatusBarWidget
from autoglm.ui.tasks import BackgroundTask
from autoglm.ui.theme import ThemeColours, ThemeManager
from autoglm.ui.token_counter import TokenCounter
from autoglm.ui.tool_cards import ToolCardsPresenter
from autoglm.ui.tool_controller import ToolController
from autoglm.ui.voice_controller import VoiceController
from autoglm.ui.window_state import WindowState

if TYPE_CHECKING:
    from autoglm.core.runtime import Runtime
    from autoglm.core.store import MessageRecord
    from autoglm.core.types import ModelInfo

_LOGGER = logging.getLogger(__name__)
MODEL_TOPIC = "model-load"
"""Banner messages about a model that failed to load: they go once a model loads."""
SETTINGS_TOPIC = "settings"
"""Banner messages about settings that were refused: they go once settings apply cleanly."""
_PROGRESS_INTERVAL_S = 0.1
SUGGESTIONS = (
    QT_TRANSLATE_NOOP(
        "EmptyStateWidget", "Explain what a Python generator is, with a short example."
    ),
    QT_TRANSLATE_NOOP(
        "EmptyStateWidget", "Write a shell one-liner that finds the 10 largest files in a folder."
    ),
    QT_TRANSLATE_NOOP("EmptyStateWidget", "Summarise the trade-offs of SQLite's WAL mode."),
)


def unique_shortcuts(
    shortcuts: list[QKeySequence | str | QKeySequence.StandardKey],
) -> list[QKeySequence]:
    """Key sequences without repeats or empties: a key given twice to one action makes Qt
    call it ambiguous and fire nothing (a platform's standard key often equals our own)."""
    result: list[QKeySequence] = []
    for shortcut in shortcuts:
        sequences = (
            QKeySequence.keyBindings(shortcut)
            if isinstance(shortcut, QKeySequence.StandardKey)
            else [QKeySequence(shortcut)]
        )
        for sequence in sequences:
            if not sequence.isEmpty() and sequence not in result:
                result.append(sequence)
    return result


class EmptyStateWidget(QWidget):
    """What a new chat shows: a greeting and a few example questions."""

    suggestionChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        self.logo = QLabel(self)
        self.logo.setPixmap(app_icon().pixmap(64, 64))
        self.logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.logo)
        self.title = QLabel(self)
        self.title.setObjectName("emptyTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.title)
        self.subtitle = QLabel(self)
        self.subtitle.setObjectName("emptySubtitle")
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subtitle.setWordWrap(True)
        layout.addWidget(self.subtitle)
        layout.addSpacing(12)
        self.buttons: list[QPushButton] = []
        for _text in SUGGESTIONS:
            button = QPushButton(self)
            button.setObjectName("suggestion")
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(
                lambda _checked=False, b=button: self.suggestionChosen.emit(b.text())
            )
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(button)
            row.addStretch(1)
            layout.addLayout(row)
            self.buttons.append(button)
        layout.addStretch(3)
        self.retranslate()

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.title.setText(self.tr("How can I help?"))
        self.subtitle.setText(
            self.tr(
                "Everything stays on this computer. Attach images, paste screenshots, "
                "or ask about code."
            )
        )
        for button, text in zip(self.buttons, SUGGESTIONS, strict=True):
            translated = self.tr(text)
            button.setText(translated)
            button.setAccessibleName(self.tr("Ask: {0}").format(translated))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        """Follow language changes."""
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class MainWindow(QMainWindow):
    """AutoGLM Desktop's window."""

    modelLoaded = Signal(object)
    modelLoadFailed = Signal(str)
    firstPaint = Signal()
    modelEjected = Signal()
    chatsExported = Signal(list)
    """The files an export wrote."""

    def __init__(
        self,
        runtime: Runtime,
        theme: ThemeManager | None = None,
        languages: LanguageSwitcher | None = None,
        funnel: ErrorFunnel | None = None,
    ) -> None:
        super().__init__()
        self.runtime = runtime
        app = running_application()
        self.theme = theme or ThemeManager(app, runtime.settings.appearance.theme)
        self.languages = languages or LanguageSwitcher()
        self.funnel = funnel or ErrorFunnel(self)
        self.speech = SpeechHook(self)
        self._painted = False
        self.warmed_up = False
        """Whether the start-up warm-up (Pygments' lexers, built in the background) has finished."""
        self._loading_model = False
        self._last_progress = 0.0
        self._editing_item: MessageItem | None = None
        self._dialogs: list[QDialog] = []
        self._shutting_down = False
        self._load_done = threading.Event()
        self._load_done.set()
        self.setObjectName("mainWindow")
        self.setWindowIcon(app_icon())
        self.setMinimumSize(QSize(720, 480))

        self.context_menu_keys = KeyboardContextMenus(self)
        self.context_menu_keys.install(app)  # Shift+F10 and Menu open context menus
        self.controller = ConversationController(runtime, self)
        self.tools = ToolController(runtime.paths, self)
        self.controller.tools = self.tools
        self.sidebar = SidebarWidget(lambda: self.runtime.store, self)
        self.banner = NotificationBannerWidget(self)
        self.chat_view = ChatViewWidget(self.controller.model, self)
        self.chat_view.delegate.attachment_resolver = lambda sha: (
            self.runtime.store.attachment_path(sha)
        )
        self.controller.make_measurer = self.chat_view.make_measurer
        self.tool_cards = ToolCardsPresenter(self.chat_view, self.controller)
        self.controller.apply_measured = self.chat_view.prime
        self.empty_state = EmptyStateWidget(self)
        self.composer = ComposerWidget(self)
        self.composer.set_image_tokens(self.runtime.settings.vision.image_tokens)
        self.status = StatusBarWidget(self)
        self.setStatusBar(self.status)

        self.header_title = QLabel(self)
        self.header_title.setObjectName("headerTitle")
        self.models_button = QToolButton(self)
        self.settings_button = QToolButton(self)
        for button in (self.models_button, self.settings_button):
            button.setAutoRaise(True)
            button.setIconSize(QSize(20, 20))
        header = QFrame(self)
        header.setObjectName("header")
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(12, 6, 8, 6)
        header_layout.addWidget(self.header_title, 1)
        self.model_picker = ModelPickerWidget(runtime, self)
        header_layout.addWidget(self.model_picker)
        header_layout.addWidget(self.models_button)
        header_layout.addWidget(self.settings_button)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty_state)
        self.stack.addWidget(self.chat_view)
        right = QWidget(self)
        right.setObjectName("chatPane")
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(0)
        right_layout.addWidget(header)
        right_layout.addWidget(self.banner)
        right_layout.addWidget(self.stack, 1)
        right_layout.addWidget(self.composer)
        self.splitter = QSplitter(self)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([260, 900])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self.token_counter = TokenCounter(
            runtime, lambda: self.controller.engine_messages(self.composer.text()), self
        )
        self.token_counter.counted.connect(self.composer.set_token_count)
        self._build_actions()
        self._connect()
        self.projects = ProjectsPresenter(
            self,
            runtime=runtime,
            sidebar=self.sidebar,
            conversation=self.controller,
            banner=self.banner,
            show_dialog=self._show_dialog,
            chat_changed=self._update_header,
            cancel_edit=self.cancel_edit,
            focus_input=self.focus_input,
            switch_model=self.switch_model,
            apply_settings=self.apply_settings,
        )
        self.capture = CaptureController(
            self,
            runtime=runtime,
            conversation=self.controller,
            composer=self.composer,
            chat_view=self.chat_view,
            banner=self.banner,
            tools_menu=self.tools_menu,
            quit_action=self.quit_action,
            open_model_manager=self.open_model_manager,
        )
        self.modelLoaded.connect(lambda _info: self.capture.update_image_input())
        self.modelLoadFailed.connect(lambda _message: self.capture.update_image_input())
        self.voice = VoiceController(
            self,
            runtime=runtime,
            conversation=self.controller,
            composer=self.composer,
            chat_view=self.chat_view,
            banner=self.banner,
            speech=self.speech,
            stop_action=self.stop_action,
            tools_menu=self.tools_menu,
            tools=self.tools,
            apply_settings=self.apply_settings,
        )
        self.agent = AgentController(
            self,
            runtime=runtime,
            conversation=self.controller,
            composer=self.composer,
            chat_view=self.chat_view,
            banner=self.banner,
            tools_menu=self.tools_menu,
            speak=lambda words, last: self.voice.speak_progress(words, last),
        )
        self.voice.agent = self.agent
        self.agent.install()
        self.api_server = ApiServerController(runtime, self)
        self.downloads = DownloadResumer(
            runtime, self.statusBar().showMessage, self.banner.show_message, self
        )
        self.downloads.downloaded.connect(lambda _model_id: self.model_picker.refresh())
        self.api_status = install_api_status(
            self.api_server, self.status, self.tools_menu, self.banner, self.apply_settings
        )
        self.apply_look()
        self._window_state = WindowState(runtime.paths.config_dir / "window.ini")
        self._restore_window_state()
        self._update_stack()
        self.retranslate()

    # -- construction ----------------------------------------------------------------------
    def _build_actions(self) -> None:
        def action(
            shortcuts: list[QKeySequence | str | QKeySequence.StandardKey],
            slot: Any,
            icon_name: str = "",
        ) -> QAction:
            item = QAction(self)
            item.setShortcuts(unique_shortcuts(shortcuts))
            item.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            item.triggered.connect(slot)
            item.setData(icon_name)
            self.addAction(item)
            return item

        self.new_chat_action = action(
            ["Ctrl+N", QKeySequence.StandardKey.New], self.new_chat, "new-chat"
        )
        self.search_action = action(
            ["Ctrl+K", QKeySequence.StandardKey.Find], self.sidebar.focus_search, "search"
        )
        self.focus_input_action = action(["Ctrl+L"], self.focus_input)
        self.stop_action = action(["Esc"], self.escape)
        self.settings_action = action(
            ["Ctrl+,", QKeySequence.StandardKey.Preferences], self.open_settings, "settings"
        )
        self.models_action = action(["Ctrl+M"], self.open_model_manager, "models")
        self.import_action = action(["Ctrl+O"], self.import_model)
        self.export_action = action(
            ["Ctrl+E"], lambda: self.export_chats([self.controller.conversation_id])
        )
        self.export_all_action = action(["Ctrl+Shift+E"], lambda: self.export_chats(None))
        self.quit_action = action(["Ctrl+Q", QKeySequence.StandardKey.Quit], self.close)
        self.toggle_sidebar_action = action(["Ctrl+B"], self.toggle_sidebar, "sidebar")
        self.zoom_in_action = action(
            [QKeySequence.StandardKey.ZoomIn, "Ctrl+=", "Ctrl++"], lambda: self.zoom(1)
        )
        self.zoom_out_action = action(
            [QKeySequence.StandardKey.ZoomOut, "Ctrl+-"], lambda: self.zoom(-1)
        )
        self.zoom_reset_action = action(["Ctrl+0"], lambda: self.zoom(0))
        self.about_action = action([], self.show_about)
        self.update_action = action([], self.check_for_updates)
        self.shortcuts_action = action(["Ctrl+/"], self.show_shortcuts, "keyboard")
        self.export_action.setEnabled(False)  # until a stored chat is open
        self.models_button.clicked.connect(self.open_model_manager)
        self.settings_button.clicked.connect(self.open_settings)
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.file_menu.addActions([self.new_chat_action, self.import_action])
        self.file_menu.addSeparator()
        self.file_menu.addActions([self.export_action, self.export_all_action])
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.edit_menu = bar.addMenu("")
        self.edit_menu.addActions([self.search_action, self.focus_input_action, self.stop_action])
        self.view_menu = bar.addMenu("")
        self.view_menu.addAction(self.toggle_sidebar_action)
        self.view_menu.addSeparator()
        self.view_menu.addActions(
            [self.zoom_in_action, self.zoom_out_action, self.zoom_reset_action]
        )
        self.model_menu = bar.addMenu("")
        self.model_menu.addActions([self.models_action])
        self.tools_menu = bar.addMenu("")
        self.tools_menu.addAction(self.settings_action)
        self.help_menu = bar.addMenu("")
        self.help_menu.addActions([self.shortcuts_action, self.update_action, self.about_action])

    def _connect(self) -> None:
        self.runtime.engine_listeners.append(self._engine_replaced)
        self.funnel.errorReported.connect(self.banner.show_message)
        BackgroundTask.default_failure = self.funnel.report
        self.controller.problem.connect(self.banner.show_message)
        self.speech.problem.connect(self.banner.show_message)
        self.composer.problem.connect(self.banner.show_message)
        self.controller.busyChanged.connect(self.composer.set_busy)
        self.controller.busyChanged.connect(lambda _busy: self.token_counter.schedule())
        self.controller.conversationChanged.connect(self._conversation_changed)
        self.controller.conversationsChanged.connect(self.sidebar.refresh)
        self.controller.runningChanged.connect(self.sidebar.set_running)
        self.controller.speedMeasured.connect(self.status.set_last_speed)
        self.controller.replyFinished.connect(
            lambda _completion: freeze_survivors()
        )  # its layout stays
        self.controller.replyFinished.connect(self.status.show_cache_after)
        self.controller.focusMessage.connect(self._focus_message)
        self.controller.model.modelReset.connect(self._update_stack)
        self.controller.model.rowsInserted.connect(self._update_stack)
        self.controller.model.rowsRemoved.connect(self._update_stack)
        self.controller.loaded.connect(lambda _n: self.token_counter.schedule())
        self.sidebar.newChatRequested.connect(self.new_chat)
        self.sidebar.conversationActivated.connect(self.open_conversation)
        self.sidebar.deleteRequested.connect(self.confirm_delete)
        self.sidebar.renamed.connect(self.controller.rename_conversation)
        self.sidebar.pinToggled.connect(self.controller.set_pinned)
        self.model_picker.modelChosen.connect(self.switch_model)
        self.model_picker.ejectRequested.connect(self.eject_model)
        self.model_picker.manageRequested.connect(self.open_model_manager)
        self.sidebar.exportRequested.connect(
            lambda conversation_id: self.export_chats([conversation_id])
        )
        self.controller.conversationChanged.connect(
            lambda conversation_id: self.export_action.setEnabled(bool(conversation_id))
        )
        self.composer.sendRequested.connect(self.send)
        self.composer.attachmentAdded.connect(self.controller.stage_attachment)
        self.composer.stopRequested.connect(self.stop)
        self.composer.cancelEditRequested.connect(self.cancel_edit)
        self.composer.draftChanged.connect(self.token_counter.schedule)
        self.chat_view.actionTriggered.connect(self.message_action)
        self.chat_view.anchorActivated.connect(self.message_anchor)
        self.empty_state.suggestionChosen.connect(lambda text: self.send(text, []))
        self.theme.themeChanged.connect(lambda _colours: self.apply_look())

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.setWindowTitle(self.tr("AutoGLM Desktop"))
        texts = {
            self.new_chat_action: self.tr("&New chat"),
            self.search_action: self.tr("&Search chats…"),
            self.focus_input_action: self.tr("Focus the message &input"),
            self.stop_action: self.tr("S&top generating"),
            self.settings_action: self.tr("&Settings…"),
            self.models_action: self.tr("&Model manager…"),
            self.import_action: self.tr("&Import a model file…"),
            self.quit_action: self.tr("&Quit"),
            self.export_action: self.tr("&Export this chat…"),
            self.export_all_action: self.tr("Export &all chats…"),
            self.toggle_sidebar_action: self.tr("Show or hide the &sidebar"),
            self.about_action: self.tr("&About AutoGLM Desktop"),
            self.update_action: self.tr("Check for &updates…"),
            self.shortcuts_action: self.tr("&Keyboard shortcuts"),
            self.zoom_in_action: self.tr("Zoom &in"),
            self.zoom_out_action: self.tr("Zoom &out"),
            self.zoom_reset_action: self.tr("&Actual size"),
        }
        for item, text in texts.items():
            item.setText(text)
        self.file_menu.setTitle(self.tr("&File"))
        self.edit_menu.setTitle(self.tr("&Edit"))
        self.view_menu.setTitle(self.tr("&View"))
        self.model_menu.setTitle(self.tr("&Model"))
        self.tools_menu.setTitle(self.tr("&Tools"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.models_button.setToolTip(self.tr("Model manager (Ctrl+M)"))
        self.models_button.setAccessibleName(self.tr("Model manager"))
        self.settings_button.setToolTip(self.tr("Settings (Ctrl+,)"))
        self.settings_button.setAccessibleName(self.tr("Settings"))
        self.chat_view.setAccessibleName(self.tr("Conversation"))
        self.chat_view.retranslate_jump()
        self.chat_view.delegate.set_look(
            self.theme.colours, self._chat_font(), self.languages.language
        )
        self.chat_view.doItemsLayout()
        self._update_header()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        """Follow language changes."""
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _chat_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSize(self.runtime.settings.appearance.font_size)
        return font

    def apply_look(self) -> None:
        """Re-tint icons and re-render messages for the current theme and font."""
        colours: ThemeColours = self.theme.colours
        bar = (
            self.menuBar()
        )  # the menu bar keeps its old look after a live switch unless re-polished
        bar.style().unpolish(bar)
        bar.style().polish(bar)
        bar.update()
        self.sidebar.accent_colour = colours.accent
        self.sidebar.set_icon_colour(colours.text)
        self.composer.set_icon_colour(colours.text)
        self.agent.set_icon_colour(colours.text)
        self.capture.apply_look()  # built before the first look was applied (a dark start left them dark)
        self.voice.mic_button.set_icon_colour(colours.text)
        self.models_button.setIcon(icon("models", colours.text))
        self.model_picker.set_icon_colour(colours.text)
        self.settings_button.setIcon(icon("settings", colours.text))
        for item in self.actions():
            name = item.data()
            if name:
                item.setIcon(icon(name, colours.text))
        self.chat_view.delegate.set_look(colours, self._chat_font(), self.languages.language)
        self.composer.set_text_font(self._chat_font())
        self.chat_view.doItemsLayout()
        self.chat_view.viewport().update()

    # -- window state ----------------------------------------------------------------------
    def _window_settings(self) -> QSettings:
        return self._window_state.settings()

    def _restore_window_state(self) -> None:
        state = self._window_settings()
        geometry = state.value("geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1180, 780)
        splitter = state.value("splitter")
        if isinstance(splitter, QByteArray) and not splitter.isEmpty():
            self.splitter.restoreState(splitter)
        self._last_conversation = int(str(state.value("last_conversation", 0) or 0))

    def save_window_state(self) -> None:
        """Remember size, splitter and the open conversation for next time."""
        state = self._window_settings()
        state.setValue("geometry", self.saveGeometry())
        state.setValue("splitter", self.splitter.saveState())
        state.setValue("last_conversation", self.controller.conversation_id)
        state.sync()

    # -- start-up --------------------------------------------------------------------------
    def showEvent(self, event: Any) -> None:  # noqa: N802
        """Watch the window's keys for Shift+F10 and Menu (it has a native window now)."""
        super().showEvent(event)
        self.context_menu_keys.watch(self)

    def paintEvent(self, event: Any) -> None:  # noqa: N802
        """Announce the first paint (cold-start measurement)."""
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.firstPaint.emit()

    def warm_up(self) -> None:
        """Prepare what the first reply would otherwise wait for on the GUI thread: Pygments'
        import, formatters and common lexers in the background (building Python's takes
        ~100 ms), and the fonts' first layout and paint in an idle moment of the GUI thread."""
        from autoglm.ui.markdown_html import warm_up

        BackgroundTask(warm_up, name="warm-up-highlighting", owner=self).on_success(
            lambda _result: self._warmed_up()
        ).start()
        QTimer.singleShot(0, self.chat_view.warm_up)

    def _warmed_up(self) -> None:
        self.warmed_up = True
        freeze_survivors()  # its lexers live as long as the app

    def start(self) -> None:
        """After the window shows: list conversations, reopen the last one, load the model."""
        self.warm_up()
        self.focus_input()  # typing goes to the message box at once, not to the first button
        self.api_server.apply(self.runtime.settings)
        self.sidebar.refresh()
        self.model_picker.refresh()
        self.downloads.resume_pending()
        interrupted = self._interrupted_reply()
        if interrupted is not None:
            self.open_conversation(interrupted.conversation_id, interrupted.id)
            self.statusBar().showMessage(
                self.tr(
                    "AutoGLM closed while this reply was being written; "
                    "what it had written is kept."
                ),
                15_000,
            )
        elif self._last_conversation and self.runtime.store.get_conversation(
            self._last_conversation
        ):
            self.open_conversation(self._last_conversation, 0)
        if remote_url(self.runtime.settings) is None and not self._model_known(
            self.runtime.settings.model.active_model
        ):
            self._fall_back_to_starter(self.runtime.settings.model.active_model)
        if self._model_missing() and remote_url(self.runtime.settings) is None:
            self.show_welcome()
        else:
            self.load_model()

    def _setting_choices(self) -> dict[str, list[tuple[str | None, str]]]:
        """What Settings offers to pick from: the installed models (as the model picker lists
        them) and the microphones and speakers found (as the voice menus list them)."""
        choices: dict[str, list[tuple[str | None, str]]] = {
            "model.active_model": [(spec, name) for spec, name in self.model_picker.choices()]
        }
        default = self.tr("System default")
        for key, devices in (
            ("voice.input_device", self.voice.input_devices),
            ("voice.output_device", self.voice.output_devices),
        ):
            choices[key] = [(None, default)] + [
                (device.name, device.display_name) for device in devices
            ]
        return {key: values for key, values in choices.items() if values}

    def _interrupted_reply(self) -> MessageRecord | None:
        """The newest reply left unfinished when the app last stopped (a crash, a kill), if any."""
        try:
            unfinished = self.runtime.store.unfinished_messages()
        except Exception as exc:  # noqa: BLE001 - start-up goes on; the chat list shows the problem
            _LOGGER.warning("Looking for interrupted replies failed: %s", exc)
            return None
        return unfinished[-1] if unfinished else None

    def _model_known(self, spec: str) -> bool:
        """Whether ``spec`` names a catalog model, an imported one or a GGUF file that exists."""
        repository = self.runtime.repository
        return (
            repository.catalog.get(spec) is not None
            or spec in repository.imported()
            or (spec.endswith(".gguf") and Path(spec).expanduser().is_file())
        )

    def _fall_back_to_starter(self, spec: str) -> None:
        """A saved model that is not installed: use the starter model and say so."""
        from autoglm.core.catalog import STARTER_MODEL_ID

        _LOGGER.warning(
            "The saved model %r is not installed; falling back to the starter model", spec
        )
        self.runtime.apply_settings(
            updated(self.runtime.settings, "model", active_model=STARTER_MODEL_ID)
        )
        self.banner.show_message(
            self.tr(
                "The model “{0}” is not installed, so the starter model is used "
                "instead. Choose another in the model picker."
            ).format(spec)
        )

    def _model_missing(self) -> bool:
        spec = self.runtime.settings.model.active_model
        repository = self.runtime.repository
        entry = repository.catalog.get(spec)
        if entry is not None:
            return not repository.status(entry).present
        if spec in repository.imported():
            return not Path(repository.imported()[spec]["model"]).exists()
        return not Path(spec).expanduser().exists()

    def show_welcome(self) -> None:
        """The first-run dialog that prepares the starter model."""
        from autoglm.ui.welcome import WelcomeDialog

        dialog = WelcomeDialog(self.runtime, self)
        self._dialogs.append(dialog)
        dialog.finished.connect(lambda _result: self._after_welcome(dialog))
        dialog.modelManagerRequested.connect(self.open_model_manager)
        dialog.open()

    def _after_welcome(self, dialog: QDialog) -> None:
        if dialog in self._dialogs:
            self._dialogs.remove(dialog)
        if not self.runtime.ready and not self._loading_model:
            self.load_model()

    # -- models ----------------------------------------------------------------------------
    def load_model(self, spec: str | None = None) -> None:
        """Load ``spec`` (default: the active model) in the background, with progress."""
        if self._loading_model or self._shutting_down:
            return
        self._loading_model = True
        self._load_done.clear()
        self.status.set_loading(0.0, self.tr("Loading the model…"))
        runtime = self.runtime

        def progress(fraction: float, message: str) -> None:
            now = time.monotonic()
            if now - self._last_progress < _PROGRESS_INTERVAL_S and fraction < 1.0:
                return
            self._last_progress = now
            run_on_main(
                lambda: None if self._shutting_down else self.status.set_loading(fraction, message)
            )

        def load() -> Any:
            try:
                return runtime.start_engine(spec, progress=progress)
            finally:
                self._load_done.set()

        BackgroundTask(load, name="load-model", owner=self).on_success(
            self._model_loaded
        ).on_failure(lambda error: self._model_load_failed(describe_error(error))).start(
            daemon=True
        )

    def _model_loaded(self, info: ModelInfo) -> None:
        if self._shutting_down:
            return
        self._loading_model = False
        self.status.set_loading(None)
        self.status.set_model_info(info)
        self._update_header()
        self.token_counter.schedule()
        self.model_picker.refresh()
        self.banner.resolve(MODEL_TOPIC)
        self.modelLoaded.emit(info)

    def _engine_replaced(self, info: ModelInfo | None) -> None:
        """Any thread: the runtime's engine changed (an API request loaded another model, say)."""
        if self._loading_model:
            return  # the window's own load (this runs inside it): it reports itself
        run_on_main(lambda: self._show_engine(info))

    def _show_engine(self, info: ModelInfo | None) -> None:
        if self._shutting_down:
            return
        self.status.set_model_info(info)
        self._update_header()
        self.token_counter.schedule()
        self.model_picker.refresh()
        if info is not None:
            self.statusBar().showMessage(
                self.tr("{0} was loaded for an API request.").format(info.display_name), 10_000
            )

    def _model_load_failed(self, message: str) -> None:
        if self._shutting_down:
            return
        self._loading_model = False
        self.status.set_loading(None)
        self.status.set_model_info(self.runtime.model_info)
        self.banner.show_message(message, MODEL_TOPIC)
        self.model_picker.refresh()
        self.modelLoadFailed.emit(message)

    def switch_model(self, spec: str) -> None:
        """Make ``spec`` the active model, save that, and load it."""
        settings = updated(without_remote(self.runtime.settings), "model", active_model=spec)
        self.runtime.apply_settings(settings)
        self.load_model(spec)

    def eject_model(self) -> None:
        """Free the loaded model (Eject in the model picker); a reply being written is stopped."""
        for conversation_id in self.controller.running_conversations:
            self.controller.stop(conversation_id)
        runtime = self.runtime

        def ejected(_result: object) -> None:
            self.status.set_model_info(None)
            self.model_picker.set_loaded(False)
            self.capture.update_image_input()
            self.modelEjected.emit()

        BackgroundTask(runtime.eject_model, name="eject-model", owner=self).on_success(
            ejected
        ).start()

    def import_model(self) -> None:
        """Pick a GGUF file, import it and switch to it."""
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Import a model file"), "", self.tr("GGUF models (*.gguf)")
        )
        if not path:
            return
        repository = self.runtime.repository

        def imported(model_id: str) -> None:
            self.statusBar().showMessage(
                self.tr(
                    "Imported {0}: linked, the file is used where it is (nothing "
                    "was copied), so keep it there."
                ).format(Path(path).name),
                8000,
            )
            self.switch_model(model_id)

        BackgroundTask(
            lambda: repository.import_model(Path(path)), name="import-model", owner=self
        ).on_success(imported).start()

    def open_model_manager(self) -> None:
        """The catalog, imports and downloads."""
        from autoglm.ui.model_manager import ModelManagerDialog

        dialog = ModelManagerDialog(self.runtime, self)
        dialog.activeModelChosen.connect(lambda spec: self.switch_model(str(spec)))
        self._show_dialog(dialog)

    def open_settings(self) -> None:
        """The settings dialog (Ctrl+,)."""
        from autoglm.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(
            self.runtime.settings,
            self,
            tools=self.tools,
            model_info=self.runtime.model_info,
            choices=self._setting_choices(),
        )
        dialog.settingsApplied.connect(self.apply_settings)
        self._show_dialog(dialog)

    def _show_dialog(self, dialog: QDialog) -> None:
        self._dialogs.append(dialog)
        dialog.finished.connect(
            lambda _r: self._dialogs.remove(dialog) if dialog in self._dialogs else None
        )
        dialog.open()

    def apply_settings(self, settings: Settings) -> None:
        """Save ``settings`` and apply what can change live (theme, language, font, model)."""
        old = self.runtime.settings
        spec = settings.model.active_model
        self.banner.resolve(SETTINGS_TOPIC)
        if (
            spec != old.model.active_model
            and remote_url(settings) is None
            and not self._model_known(spec)
        ):
            self.banner.show_message(
                self.tr(
                    "“{0}” is not an installed model, so the model was not changed: "
                    "choose one in the model picker or import a GGUF file."
                ).format(spec),
                SETTINGS_TOPIC,
            )
            settings = updated(settings, "model", active_model=old.model.active_model)
        try:
            self.runtime.apply_settings(settings)
        except (OSError, UserFacingError) as exc:
            self.banner.show_message(
                self.tr("Settings could not be saved: {0}").format(exc), SETTINGS_TOPIC
            )
            return
        appearance = settings.appearance
        if settings.vision.image_tokens != old.vision.image_tokens:
            self.composer.set_image_tokens(settings.vision.image_tokens)
        if appearance.theme != old.appearance.theme:
            self.theme.set_choice(appearance.theme)
        if appearance.language != old.appearance.language:
            self.languages.apply(appearance.language)
        if appearance.font_size != old.appearance.font_size:
            self.apply_look()
        if engine_settings_changed(old, settings):
            self.load_model()
        self.api_server.apply(settings)
        self.voice.apply_settings(old, settings)
        self.token_counter.schedule()

    # -- conversations ---------------------------------------------------------------------
    def new_chat(self) -> None:
        """Start a new chat (Ctrl+N)."""
        self.cancel_edit()
        self.controller.new_conversation()
        self.focus_input()

    def open_conversation(self, conversation_id: int, message_id: int = 0) -> None:
        """Show a stored conversation (and scroll to ``message_id`` if given)."""
        self.cancel_edit()
        self.controller.open_conversation(conversation_id, message_id)

    def _conversation_changed(self, conversation_id: int) -> None:
        self._window_state.remember("last_conversation", conversation_id)  # kept if the app dies
        self.sidebar.set_current(conversation_id)
        self._update_header()
        self.token_counter.schedule()

    def _update_header(self) -> None:
        title = ""
        if self.controller.conversation_id:
            record = self.runtime.store.get_conversation(self.controller.conversation_id)
            title = record.title if record else ""
        title = title or self.tr("New chat")
        project = self.controller.conversation.project
        self.header_title.setText(f"{project.name} › {title}" if project is not None else title)

    def _update_stack(self, *_args: Any) -> None:
        self.stack.setCurrentIndex(1 if self.controller.model.rowCount() else 0)

    def _focus_message(self, message_id: int) -> None:
        for row, item in enumerate(self.controller.model.items()):
            if item.message_id == message_id:
                index = self.controller.model.index(row)
                self.chat_view.follow = False
                self.chat_view.setCurrentIndex(index)
                query = self.sidebar.search.text().split()
                if query:
                    self.chat_view.select_words(row, query[0])  # the search match, highlighted
                QTimer.singleShot(
                    0,
                    lambda target=index: self.chat_view.scrollTo(
                        target, ChatViewWidget.ScrollHint.PositionAtCenter
                    ),
                )
                return

    def export_chats(self, conversation_ids: list[int] | None) -> None:
        """Ask for a format and folder, then export these chats (``None``: every chat)."""
        from autoglm.ui.export_dialog import ExportDialog

        store = self.runtime.store
        if conversation_ids is None:
            conversation_ids = [record.id for record in store.list_conversations()]
            description = self.tr("Export all %n chat(s).", "", len(conversation_ids))
        else:
            conversation_ids = [number for number in conversation_ids if number]
            record = store.get_conversation(conversation_ids[0]) if conversation_ids else None
            description = self.tr("Export “{0}”.").format(record.title if record else "")
        if not conversation_ids:
            self.banner.show_message(self.tr("There is no chat to export yet."))
            return
        dialog = ExportDialog(conversation_ids, description, self)
        dialog.exportChosen.connect(self._export_to)
        self._show_dialog(dialog)

    def _export_to(self, conversation_ids: list[int], fmt: str, folder: Path) -> None:
        from autoglm.core.export import export_conversations

        store = self.runtime.store

        def done(paths: list[Path]) -> None:
            self.statusBar().showMessage(
                self.tr("Exported %n chat(s) to {0}", "", len(paths)).format(folder), 6000
            )
            self.chatsExported.emit(paths)

        BackgroundTask(
            lambda: export_conversations(store, conversation_ids, fmt, folder),  # type: ignore[arg-type]
            name="export-chats",
            owner=self,
        ).on_success(done).on_failure(
            lambda error: self.banner.show_message(
                self.tr("The chats could not be exported: {0}").format(describe_error(error))
            )
        ).start()

    def confirm_delete(self, conversation_id: int) -> None:
        """Ask, then delete a conversation."""
        record = self.runtime.store.get_conversation(conversation_id)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Delete chat"),
            self.tr("Delete “{0}” and all its messages? This cannot be undone.").format(
                record.title if record else ""
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setObjectName("confirmDelete")
        box.finished.connect(
            lambda result: (
                self.controller.delete_conversation(conversation_id)
                if result == QMessageBox.StandardButton.Yes
                else None
            )
        )
        self._show_dialog(box)

    # -- composing -------------------------------------------------------------------------
    def focus_input(self) -> None:
        """Put the cursor in the message input (Ctrl+L)."""
        self.composer.input.setFocus()

    def send(self, text: str, drafts: list) -> None:
        """Send the composer's draft (or resend an edited message)."""
        if self._editing_item is not None:
            item, self._editing_item = self._editing_item, None
            self.composer.set_editing(None)
            self.composer.clear()
            self.controller.edit_and_resend(item, text, drafts)
            return
        if self.agent.enabled:
            if self.agent.start(text):
                self.composer.clear()
            return
        if self.controller.send(text, drafts):
            self.composer.clear()
            self.chat_view.scroll_to_end()

    def stop(self) -> None:
        """The Stop button: end the agent's run, else the reply being written."""
        if self.agent.running:
            self.agent.stop()
        else:
            self.controller.stop()

    def escape(self) -> None:
        """Esc: stop the agent's run, else cancel editing, else stop the reply."""
        if self.agent.running:
            self.agent.stop()
        elif self._editing_item is not None:
            self.cancel_edit()
        elif self.controller.busy:
            self.controller.stop()
        elif self.banner.isVisible():
            self.banner.dismiss()

    def cancel_edit(self) -> None:
        """Leave edit mode without sending."""
        if self._editing_item is not None:
            self._editing_item = None
            self.composer.set_editing(None)
            self.composer.clear()

    def zoom(self, step: int) -> None:
        """Chat text a point larger (1), smaller (-1) or back to the default size (0); saved."""
        from autoglm.core.settings import AppearanceSettings

        field = AppearanceSettings.model_fields["font_size"]
        low, high = 8, 24
        for bound in field.metadata:
            low = getattr(bound, "ge", low)
            high = getattr(bound, "le", high)
        current = self.runtime.settings.appearance.font_size
        size = field.default if step == 0 else min(high, max(low, current + step))
        if size != current:
            self.apply_settings(updated(self.runtime.settings, "appearance", font_size=size))
        self.statusBar().showMessage(self.tr("Chat text size: {0} pt").format(size), 1500)

    def toggle_sidebar(self) -> None:
        """Show or hide the conversation list (Ctrl+B)."""
        self.sidebar.setVisible(not self.sidebar.isVisible())

    # -- message actions -------------------------------------------------------------------
    def message_action(self, name: str, item: MessageItem) -> None:
        """Copy, regenerate, speak or edit a message."""
        if name == "copy":
            QGuiApplication.clipboard().setText(item.content)
            self.chat_view.show_copied(item, "copy")
        elif name == "regenerate":
            self.controller.regenerate(item)
        elif name == "continue":
            self.controller.continue_reply(item)
        elif name == "delete":
            if not self.controller.delete_message(item):
                self.banner.show_message(
                    self.tr(
                        "A message cannot be deleted while a reply is being written: "
                        "stop it first (Esc)."
                    )
                )
        elif name in (PREVIOUS_VERSION, NEXT_VERSION):
            self.controller.show_version(item, -1 if name == PREVIOUS_VERSION else 1)
        elif name == "speak":
            self.speech.speak(item.content)
        elif name == "edit":
            if self.controller.busy:
                self.controller.stop()
            self._editing_item = item
            self.composer.set_editing(item.content)

    def message_anchor(self, href: str, item: MessageItem) -> None:
        """Links inside a message: code copy, reasoning toggle, images, cited sources, web links."""
        if href.startswith(f"{COPY_CODE_SCHEME}:"):
            number = int(href.split(":", 1)[1])
            self.chat_view.delegate.factory.rendered(
                item, keep=True
            )  # long replies are laid out in blocks
            if item.rendered is not None and number < len(item.rendered.code_blocks):
                QGuiApplication.clipboard().setText(item.rendered.code_blocks[number])
                self.chat_view.show_copied(item, href)
        elif href == TOGGLE_REASONING:
            item.reasoning_expanded = not item.reasoning_expanded
            self.controller.model.changed(item)
        elif href.startswith(f"{IMAGE_SCHEME}:"):
            number = int(href.split(":", 1)[1])
            if number < len(item.attachments):
                path = self.runtime.store.attachment_path(item.attachments[number])
                if path is not None:
                    viewer = ImageViewerDialog(path, self)
                    viewer.show()
        elif href.startswith(f"{REPLAY_SCHEME}:"):
            self.agent.replay(item)
        elif href.startswith(f"{POINTED_SCHEME}:") and item.pointed is not None:
            self.show_pointed(item)
        elif href.startswith(f"{CITE_SCHEME}:") and href.split(":", 1)[1].isdigit():
            self.projects.open_citation(item, int(href.split(":", 1)[1]))
        elif href.startswith(("http://", "https://", "mailto:")):
            QDesktopServices.openUrl(QUrl(href))

    def show_pointed(self, item: MessageItem) -> ImageViewerDialog | None:
        """The image a reply points on, at full size with its points marked."""
        from autoglm.ui.pointed_answers import marked_image

        path = self.runtime.store.attachment_path(item.pointed.image_sha)
        if path is None:
            return None
        image, _size = marked_image(path, item.pointed.pointing, max_side=None)
        viewer = ImageViewerDialog(path, self, image=image)
        viewer.show()
        return viewer

    def show_shortcuts(self) -> None:
        """Help → Keyboard shortcuts (Ctrl+/)."""
        from autoglm.ui.keyboard import ShortcutsDialog

        self._show_dialog(ShortcutsDialog(self))

    def check_for_updates(self) -> None:
        """Help → Check for updates: the signed feed is read only now, on request."""
        from autoglm.ui.update_dialog import UpdateDialog

        self._show_dialog(
            UpdateDialog(self.runtime.settings.updates, self.runtime.paths.cache_dir, self)
        )

    def announce_update(self) -> None:
        """At start, when the user allowed it: a banner if a newer version exists; silence when offline."""
        from autoglm.ui.tasks import BackgroundTask
        from autoglm.ui.update_dialog import find_update

        def found(release: object) -> None:
            if release is not None:
                self.banner.show_message(
                    self.tr(
                        "Version {0} of AutoGLM Desktop is available: Help → Check for updates."
                    ).format(getattr(release, "version", "")),
                    "update",
                )

        BackgroundTask(
            lambda: find_update(self.runtime.settings.updates), "update check", owner=self
        ).on_success(found).on_failure(
            lambda error: _LOGGER.info("Update check at start: %s", error)
        ).start()

    def show_about(self) -> None:
        """Help → About: version, llama.cpp build and backends, licences."""
        from autoglm.ui.about_dialog import AboutDialog

        self._show_dialog(AboutDialog(self.runtime, self))

    # -- shutdown --------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """Remember the window, then let the app quit (shutdown runs on aboutToQuit)."""
        self.save_window_state()
        super().closeEvent(event)

    def shutdown(self, timeout: float = 3.0) -> None:
        """Phased shutdown: stop input, cancel generation, close the runtime and store."""
        if self._shutting_down:
            return
        self._shutting_down = True
        self.composer.setEnabled(False)
        self.downloads.shutdown()
        stop_all_downloads()  # Discover's and the model manager's too: they resume at the next start
        self.capture.shutdown()
        self.voice.shutdown()
        self.agent.shutdown()
        self.api_server.shutdown(timeout)
        self.controller.shutdown(timeout=min(1.0, timeout))
        self.tools.shutdown()
        self.projects.close(min(2.0, timeout))
        try:
            self.runtime.close(timeout)
        except Exception:  # quitting regardless
            _LOGGER.exception("Closing the runtime failed")
        BackgroundTask.default_failure = None
