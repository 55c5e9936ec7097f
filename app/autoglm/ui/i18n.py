"""Interface language: English (the source strings) or Simplified Chinese, switchable live."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6 import QtCore
from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

from autoglm.ui.application import running_application
from autoglm.ui.translations import translation_file

_LOGGER = logging.getLogger(__name__)
SUPPORTED = ("en", "zh_CN")

QT_TRANSLATE_NOOP: Callable[[str, str], str] = QtCore.QT_TRANSLATE_NOOP  # type: ignore[assignment]
"""Qt's own marker for a text translated later in ``context``: it returns the text. Typed as it
behaves (PySide6's stubs say it returns ``object``); translation tools find it by its name."""


def resolve_language(choice: str) -> str:
    """``en`` or ``zh_CN`` for a setting of ``system``, ``en`` or ``zh_CN``."""
    if choice in SUPPORTED:
        return choice
    name = QLocale.system().name()
    return "zh_CN" if name.startswith("zh") else "en"


class LanguageSwitcher:
    """Installs the translators for one language and removes the previous ones."""

    def __init__(self) -> None:
        self._translators: list[QTranslator] = []
        self.language = "en"

    def apply(self, choice: str) -> str:
        """Switch to ``choice``; widgets get a LanguageChange event. Returns the language used."""
        app = running_application()
        language = resolve_language(choice)
        for translator in self._translators:
            app.removeTranslator(translator)
        self._translators = []
        if language != "en":
            own = QTranslator(app)
            path = translation_file(language)
            if path is not None and own.load(str(path)):
                self._translators.append(own)
            else:
                _LOGGER.warning("The %s translation could not be loaded (%s)", language, path)
            qt_own = QTranslator(app)
            if qt_own.load(
                QLocale(language),
                "qtbase",
                "_",
                QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
            ):
                self._translators.append(qt_own)
            for translator in self._translators:
                app.installTranslator(translator)
        self.language = language
        return language
