"""Help → About: the version, the llama.cpp build and its backends, and every licence.

Three tabs: *About* (app version, whether this is a packaged bundle, Python and Qt,
llama-cpp-python's version, the backend models run on and llama.cpp's feature line, the
loaded model), *Licences* (the app's GPL-3.0-or-later and why, then each catalog model's
own licence) and *Third-party software* (``THIRD_PARTY.md`` as shipped with the app).
Everything shown is read from memory or small local files, so opening it never blocks.
"""

from __future__ import annotations

import html
import logging
import platform
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from autoglm import __version__
from autoglm.core.paths import resource_root
from autoglm.ui.icons import app_icon

if TYPE_CHECKING:
    from autoglm.core.runtime import Runtime

_LOGGER = logging.getLogger(__name__)
APP_LICENCE = "GPL-3.0-or-later"


def third_party_path() -> Path:
    """``THIRD_PARTY.md``: beside ``resources/`` in a checkout, in ``autoglm/data`` in a bundle."""
    return resource_root().parent / "THIRD_PARTY.md"


def llama_build() -> dict[str, str]:
    """llama-cpp-python's version, the backend, GPU offload and llama.cpp's feature line."""
    try:
        import llama_cpp
    except (ImportError, OSError) as exc:
        return {
            "version": "not available",
            "backend": "none",
            "offload": "no",
            "features": str(exc),
        }
    from autoglm.core.llama.engine import backend_name

    backend, _ = backend_name(-1)
    return {
        "version": llama_cpp.__version__,
        "backend": backend,
        "offload": "yes" if llama_cpp.llama_supports_gpu_offload() else "no",
        "features": llama_cpp.llama_print_system_info().decode(errors="replace").strip(),
    }


class AboutDialog(QDialog):
    """The About box: version, llama.cpp build and backends, licences."""

    def __init__(self, runtime: Runtime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runtime = runtime
        self.setWindowTitle(self.tr("About AutoGLM Desktop"))
        self.setWindowIcon(app_icon())
        self.resize(640, 520)
        self.tabs = QTabWidget(self)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.summary.setMargin(12)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.summary.setText(self._summary_html())
        self.licences = QTextBrowser(self)
        self.licences.setOpenExternalLinks(False)
        self.licences.setHtml(self._licences_html())
        self.third_party = QTextBrowser(self)
        self.third_party.setOpenExternalLinks(False)
        self._show_third_party()
        self.tabs.addTab(self.summary, self.tr("About"))
        self.tabs.addTab(self.licences, self.tr("Licences"))
        self.tabs.addTab(self.third_party, self.tr("Third-party software"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)

    def _summary_html(self) -> str:
        build = llama_build()
        kind = (
            self.tr("packaged app")
            if getattr(sys, "frozen", False)
            else self.tr("running from source")
        )
        info = getattr(self.runtime, "model_info", None)
        model = (
            f"{info.display_name} ({info.quantization or '?'}, {info.backend or 'CPU'})"
            if info
            else self.tr("none loaded")
        )
        from autoglm.core.update_origin import read_origin

        origin = read_origin()
        updates = (
            self.tr("updated from {0} on {1}").format(
                origin.get("feed_url", "?"), origin.get("applied", "?")[:10]
            )
            if origin
            else self.tr("this version was installed as downloaded")
        )
        rows = [
            (self.tr("Version"), f"{__version__} ({kind})"),
            (self.tr("Updates"), updates),
            (self.tr("llama-cpp-python"), build["version"]),
            (self.tr("Backend"), build["backend"]),
            (self.tr("GPU offload"), build["offload"]),
            (self.tr("llama.cpp features"), build["features"]),
            (self.tr("Model"), model),
            (
                self.tr("Python / Qt"),
                f"{platform.python_version()} / Qt {qVersion()}, PySide6 {pyside_version}",
            ),
            (self.tr("Licence"), APP_LICENCE),
        ]
        table = "".join(
            f"<tr><td><b>{html.escape(label)}</b>&nbsp;&nbsp;</td><td>{html.escape(value)}</td></tr>"
            for label, value in rows
        )
        tagline = self.tr("A private assistant that runs on this computer.")
        return (
            f"<h2>{html.escape(self.tr('AutoGLM Desktop'))} {html.escape(__version__)}</h2>"
            f"<p>{html.escape(tagline)}</p>"
            f"<table>{table}</table>"
        )

    def _licences_html(self) -> str:
        why = self.tr(
            "AutoGLM Desktop is free software under the GNU General Public License, version 3 or "
            "later ({0}), because it uses piper-tts and espeak-ng, which are GPL-3.0-or-later. "
            "Models are not part of the app: each keeps its own licence."
        ).format(APP_LICENCE)
        rows = "".join(
            f"<tr><td>{html.escape(entry.name)}</td><td><code>{html.escape(entry.id)}</code></td>"
            f"<td>{html.escape(entry.licence or self.tr('not stated'))}</td></tr>"
            for entry in self.runtime.repository.catalog.entries()
        )
        header = "".join(
            f"<th align='left'>{html.escape(h)}</th>"
            for h in (self.tr("Model"), self.tr("Id"), self.tr("Licence"))
        )
        return (
            f"<h3>{html.escape(self.tr('The app'))}</h3><p>{html.escape(why)}</p>"
            f"<h3>{html.escape(self.tr('Models'))}</h3>"
            f"<table cellpadding='3'><tr>{header}</tr>{rows}</table>"
        )

    def _show_third_party(self) -> None:
        path = third_party_path()
        try:
            self.third_party.setMarkdown(path.read_text(encoding="utf-8"))
        except OSError as exc:
            _LOGGER.warning("THIRD_PARTY.md unreadable: %s", exc)
            self.third_party.setPlainText(
                self.tr(
                    "The list of third-party licences is missing from this installation ({0})."
                ).format(path)
            )
