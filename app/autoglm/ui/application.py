"""``running_application``: the process's QApplication, typed as one.

PySide6 types ``QApplication.instance()`` as the base ``QCoreApplication`` or ``None``;
every widget of this app lives inside the ``QApplication`` that ``ui.app`` creates, so
asking for it any other time is a programming error, said at once rather than later as a
missing attribute.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication


def running_application() -> QApplication:
    """The running QApplication; raises ``RuntimeError`` when there is none."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError(
            "No QApplication is running: create one first (ui.app.ensure_application)."
        )
    return app
