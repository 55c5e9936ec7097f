"""Where the app keeps its files.

Everything lives in the platform's usual folders (platformdirs), or under one root when
``AUTOGLM_HOME`` is set: tests set it to a temporary folder so they never touch the
user's real settings, conversations or models.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "AutoGLM Desktop"
APP_SLUG = "autoglm"


@dataclass(frozen=True)
class AppPaths:
    """The app's folders; ``ensure()`` creates them."""

    config_dir: Path
    data_dir: Path
    cache_dir: Path
    log_dir: Path

    @property
    def models_dir(self) -> Path:
        """Downloaded, imported and assembled model files."""
        return self.data_dir / "models"

    @property
    def attachments_dir(self) -> Path:
        """Content-addressed attachment files (images, audio) referenced by messages."""
        return self.data_dir / "attachments"

    @property
    def database_path(self) -> Path:
        """The conversation store."""
        return self.data_dir / "conversations.sqlite3"

    @property
    def documents_path(self) -> Path:
        """The projects' document index (passages, vectors, keyword index).

        A file of its own, not the conversation store's: the index needs SQLite extensions
        (sqlite-vec), which this Python's ``sqlite3`` may not load, so it may be opened by a second
        SQLite library (``sqlean``); two SQLite libraries in one process on the same file break
        each other's locks and shared-memory map (a crash with SIGBUS, or a damaged database).
        """
        return self.data_dir / "documents.sqlite3"

    @property
    def settings_path(self) -> Path:
        """The saved settings file."""
        return self.config_dir / "settings.json"

    def ensure(self) -> AppPaths:
        """Create every folder that does not exist yet and return ``self``."""
        for folder in (
            self.config_dir,
            self.data_dir,
            self.cache_dir,
            self.log_dir,
            self.models_dir,
            self.attachments_dir,
        ):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def app_paths() -> AppPaths:
    """The folders for this process: under ``$AUTOGLM_HOME`` if set, else platformdirs."""
    home = os.environ.get("AUTOGLM_HOME")
    if home:
        root = Path(home).expanduser().resolve()
        return AppPaths(root / "config", root / "data", root / "cache", root / "logs")
    dirs = platformdirs.PlatformDirs(APP_SLUG, appauthor=False)
    return AppPaths(
        Path(dirs.user_config_dir),
        Path(dirs.user_data_dir),
        Path(dirs.user_cache_dir),
        Path(dirs.user_log_dir),
    )


def resource_root() -> Path:
    """The ``resources/`` folder: in a checkout, an installed wheel or a frozen bundle."""
    candidates = []
    if getattr(sys, "frozen", False):
        candidates.append(
            Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
            / "autoglm"
            / "data"
            / "resources"
        )
    package_dir = Path(__file__).resolve().parent.parent
    candidates += [package_dir / "data" / "resources", package_dir.parent.parent / "resources"]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[-1]


def catalog_path() -> Path:
    """``models/catalog.toml``: in a checkout, an installed wheel or a frozen bundle."""
    package_dir = Path(__file__).resolve().parent.parent
    candidates = []
    if getattr(sys, "frozen", False):
        candidates.append(
            Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
            / "autoglm"
            / "data"
            / "catalog.toml"
        )
    candidates += [
        package_dir / "data" / "catalog.toml",
        package_dir.parent.parent / "models" / "catalog.toml",
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return candidates[-1]
