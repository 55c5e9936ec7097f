"""Help → Check for updates: look at the signed release feed, then download and install on request.

Every step runs off the GUI thread (``BackgroundTask``); the dialog only shows where it
is — looking, what the new version brings, the download's progress (which can be
cancelled and resumes next time), installing, and the outcome in words. From a source
checkout it can look but not install, and says so.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from autoglm import __version__
from autoglm.core.download import format_bytes
from autoglm.core.settings import UpdateSettings
from autoglm.core.update_feed import Release
from autoglm.ui.icons import app_icon
from autoglm.ui.tasks import BackgroundTask


class _Progress(QObject):
    """Carries download progress from the pool thread to the dialog."""

    moved = Signal(int, int)


def find_update(settings: UpdateSettings) -> Release | None:
    """The newer release for this computer, or ``None`` (runs on a pool thread)."""
    from autoglm.core.update_install import check_for_update, resolve_source

    return check_for_update(resolve_source(settings.feed_url, settings.public_key))


class UpdateDialog(QDialog):
    """Checks at once when opened; installs only when the user presses Install."""

    def __init__(
        self,
        settings: UpdateSettings,
        cache_dir: Path,
        parent: QWidget | None = None,
        install_dir: Path | None = None,
    ) -> None:
        """``install_dir``: the installed app to update (default: the running one; ``None`` from source)."""
        super().__init__(parent)
        from autoglm.core.update_origin import install_root

        self.settings = settings
        self.cache_dir = cache_dir
        self.install_dir = install_dir if install_dir is not None else install_root()
        self.release: Release | None = None
        self._cancel = threading.Event()
        self._progress = _Progress(self)
        self._progress.moved.connect(self._show_progress)
        self.setWindowTitle(self.tr("Check for updates"))
        self.setWindowIcon(app_icon())
        self.resize(520, 340)
        self.status = QLabel(self)
        self.status.setObjectName("updateStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes = QTextBrowser(self)
        self.notes.setAccessibleName(self.tr("What is new"))
        self.notes.hide()
        self.bar = QProgressBar(self)
        self.bar.setAccessibleName(self.tr("Download progress"))
        self.bar.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Close"))
        self.buttons.rejected.connect(self.reject)
        self.install_button = QPushButton(self.tr("Download and install"), self)
        self.install_button.setObjectName("installUpdate")
        self.install_button.clicked.connect(self.install)
        self.buttons.addButton(self.install_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.install_button.hide()  # after addButton, which shows it
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.notes, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.buttons)
        self.check()

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setAccessibleName(text)

    def check(self) -> None:
        """Look for a newer version in the background."""
        from autoglm.core.update_install import release_defaults

        if not (self.settings.feed_url or release_defaults().feed_url):
            self._say(
                self.tr(
                    "No update feed is set: this copy was not built by the release workflow. Set one "
                    "in Settings → Updates."
                )
            )
            return
        self._say(self.tr("Looking for a new version…"))
        BackgroundTask(lambda: find_update(self.settings), "update check", owner=self).on_success(
            self._checked
        ).on_failure(self._failed).start()

    def _checked(self, release: Release | None) -> None:
        self.release = release
        if release is None:
            self._say(self.tr("AutoGLM Desktop {0} is up to date.").format(__version__))
            return
        self.notes.setPlainText(release.notes or self.tr("(No notes for this version.)"))
        self.notes.show()
        installer = release.asset.url.endswith(".exe")
        if self.install_dir is None and not installer:
            self._say(
                self.tr(
                    "Version {0} is available (this is {1}). This copy runs from source: update it "
                    "with git or pip."
                ).format(release.version, __version__)
            )
            return
        self._say(
            self.tr("Version {0} is available (this is {1}), {2} to download.").format(
                release.version, __version__, format_bytes(release.asset.size)
            )
        )
        self.install_button.show()
        self.install_button.setFocus()

    def _failed(self, error: BaseException) -> None:
        self.bar.hide()
        self.install_button.setEnabled(True)
        self.install_button.setText(self.tr("Try again"))
        self._say(str(error))

    def install(self) -> None:
        """Download, verify, prove and swap in the new version; Cancel pauses the download."""
        release = self.release
        if release is None:
            return
        self._cancel.clear()
        self.install_button.setEnabled(False)
        self.bar.setRange(0, 0)
        self.bar.show()
        self._say(self.tr("Downloading version {0}…").format(release.version))
        cache_dir, cancel, progress, root = (
            self.cache_dir,
            self._cancel,
            self._progress,
            self.install_dir,
        )

        def work() -> str:
            from autoglm.core.update_install import (
                apply_update,
                download_release,
                resolve_source,
                run_installer,
            )

            archive = download_release(
                release,
                cache_dir,
                lambda done, total, _rate: progress.moved.emit(done // 1024, (total or 0) // 1024),
                cancel,
            )
            if root is None or archive.suffix == ".exe":
                run_installer(archive)
                return "installer"
            apply_update(
                release,
                archive,
                root,
                resolve_source(self.settings.feed_url, self.settings.public_key),
            )
            return "installed"

        BackgroundTask(work, "update install", owner=self).on_success(self._installed).on_failure(
            self._failed
        ).start()

    def _show_progress(self, done_kib: int, total_kib: int) -> None:
        if total_kib:
            self.bar.setRange(0, total_kib)
            self.bar.setValue(done_kib)
            if done_kib >= total_kib and self.release is not None:
                self._say(
                    self.tr("Checking and trying out version {0}…").format(self.release.version)
                )

    def _installed(self, how: str) -> None:
        if self.release is None:
            return
        self.bar.hide()
        self.install_button.hide()
        if how == "installer":
            self._say(
                self.tr(
                    "The installer of version {0} has started; it replaces this version."
                ).format(self.release.version)
            )
        else:
            self._say(
                self.tr(
                    "Version {0} is installed; the previous one is kept. Restart AutoGLM Desktop to "
                    "use it."
                ).format(self.release.version)
            )

    def reject(self) -> None:
        """Close; a download in progress pauses (the next install resumes it)."""
        self._cancel.set()
        super().reject()
