"""A frameless window with buttons at known places that records every click, key and edit.

Run under Xvfb with ``QT_QPA_PLATFORM=xcb``: ``click_target.py EVENTS.jsonl [full|shrink]`` (``full``:
the window covers the whole 1280×800 screen, so a click anywhere is recorded; ``shrink``: a
click on alpha shrinks the window to ``SHRUNK``, leaving beta and pay outside it). It prints
``READY`` once it is on screen and appends one JSON object per event to the file.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QWidget

WINDOW = (100, 80, 800, 500)  # x, y, width, height on the screen
FULL_SCREEN = (0, 0, 1280, 800)
SHRUNK = (260, 300)  # width, height after a click on alpha in ``shrink`` mode
BUTTONS = {
    "alpha": (50, 50, 160, 80),
    "beta": (300, 50, 160, 80),
    "pay": (550, 50, 160, 80),
    "gamma": (50, 200, 160, 80),
}  # inside the window
FIELD = (300, 200, 300, 40)

MOUSE_EVENTS = {
    QEvent.Type.MouseButtonPress: "press",
    QEvent.Type.MouseButtonRelease: "release",
    QEvent.Type.MouseButtonDblClick: "double",
}


class Recorder(QObject):
    """Writes what the window receives, one JSON line each."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.file = path.open("a", encoding="utf-8")

    def write(self, **event: object) -> None:
        self.file.write(json.dumps({**event, "t": time.monotonic()}, ensure_ascii=False) + "\n")
        self.file.flush()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched.isWidgetType() and event.type() in MOUSE_EVENTS:
            assert isinstance(event, QMouseEvent)
            point = event.globalPosition()
            self.write(
                event=MOUSE_EVENTS[event.type()],
                x=round(point.x()),
                y=round(point.y()),
                widget=watched.objectName(),
            )
        elif event.type() == QEvent.Type.KeyPress and watched is QApplication.focusWidget():
            assert isinstance(event, QKeyEvent)
            self.write(
                event="key",
                key=int(event.key()),
                modifiers=int(event.modifiers().value),
                widget=watched.objectName(),
            )
        return False


def main() -> None:
    app = QApplication(sys.argv[:1])
    recorder = Recorder(Path(sys.argv[1]))
    window = QWidget()
    window.setObjectName("window")
    window.setWindowTitle("Click target")
    window.setStyleSheet("QWidget#window { background: #2040c0; }")
    window.setGeometry(*(FULL_SCREEN if sys.argv[2:] == ["full"] else WINDOW))
    for name, rect in BUTTONS.items():
        button = QPushButton(name, window)
        button.setObjectName(name)
        button.setGeometry(*rect)
        button.setStyleSheet("background: #e03030; color: white;")
        button.clicked.connect(
            lambda _checked=False, n=name: recorder.write(event="clicked", name=n)
        )
        if name == "alpha" and sys.argv[2:] == ["shrink"]:
            button.clicked.connect(lambda _checked=False: window.resize(*SHRUNK))
    field = QLineEdit(window)
    field.setObjectName("field")
    field.setGeometry(*FIELD)
    field.textChanged.connect(lambda text: recorder.write(event="text", text=text))
    app.installEventFilter(recorder)
    window.show()
    QTimer.singleShot(500, lambda: print("READY", flush=True))
    app.exec()


if __name__ == "__main__":
    main()
