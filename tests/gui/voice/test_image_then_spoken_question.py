"""A typed question with an image, then a spoken one, in the real window with the real models.

Both travel window → conversation → scheduler → engine → store. The engine is wrapped to
record each request, the thread it runs on, and any code above ``core`` that runs on the
engine thread while it generates (a lower layer calling back up). The spoken question is
real audio (espeak-ng) played into the virtual microphone and heard by whisper.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from test_voice_window_real import last_turn_done, wait_for_mic_sound

from autoglm.core.settings import updated
from autoglm.core.types import GenerationRequest
from fixtures.audio import espeak_wav
from fixtures.projector import projector_gguf  # noqa: F401 - the test projector, a fixture

pytestmark = [pytest.mark.audio, pytest.mark.slow]
SPOKEN = "What colour is the picture?"
REPLY_TIMEOUT_MS = 240_000
PACKAGE = str(Path(__file__).resolve().parents[3] / "app" / "autoglm")
CORE = str(Path(PACKAGE) / "core")


class RecordingEngine:
    """Wraps ``engine.generate``: each request, whether it ran off the GUI thread, and code from above ``core``
    that ran on the engine thread during it."""

    def __init__(self, engine: Any) -> None:
        self.requests: list[GenerationRequest] = []
        self.on_gui_thread: list[bool] = []
        self.upward_calls: list[str] = []
        self.watched_calls = 0
        """Calls into the package seen on the engine thread (proves the watch is on)."""
        self._generate = engine.generate
        engine.generate = self.generate

    def generate(self, request: GenerationRequest, emit: Any, cancel: Any) -> Any:
        """Record, then generate with the real engine while watching every Python call on this thread."""
        self.requests.append(request)
        self.on_gui_thread.append(threading.current_thread() is threading.main_thread())

        def watch(frame: FrameType, event: str, _arg: Any) -> None:
            name = frame.f_code.co_filename
            if event != "call" or not name.startswith(PACKAGE):
                return
            self.watched_calls += 1
            if not name.startswith(CORE):
                self.upward_calls.append(f"{name}:{frame.f_code.co_name}")

        sys.setprofile(watch)
        try:
            return self._generate(request, emit, cancel)
        finally:
            sys.setprofile(None)


def test_a_spoken_question_after_an_attached_image_carries_the_image_and_both_turns_are_stored(
    virtual_sound: Any,
    make_window: Any,
    gui_settings: Any,
    projector_gguf: Path,  # noqa: F811
    qtbot: Any,
    tmp_path: Path,
) -> None:
    settings = updated(
        updated(gui_settings, "model", mmproj_path=str(projector_gguf)), "generation", max_tokens=12
    )
    picture = tmp_path / "screen.png"
    image = Image.new("RGB", (96, 64), (255, 0, 0))
    image.paste((0, 0, 255), (48, 0, 96, 64))
    image.save(picture)
    _image_then_spoken_question(virtual_sound, make_window(settings), picture, qtbot, tmp_path)


def test_a_spoken_question_about_a_phone_screenshot_reaches_the_autoglm_standin(
    virtual_sound: Any,
    make_window: Any,
    gui_settings: Any,
    glm_standin: Any,
    qtbot: Any,
    tmp_path: Path,
) -> None:
    """The same with the generated AutoGLM-architecture model and a full-size phone screenshot."""
    settings = updated(
        gui_settings,
        "model",
        active_model=str(glm_standin.model),
        mmproj_path=str(glm_standin.mmproj),
        n_ctx=2048,
    )
    window = make_window(updated(settings, "generation", max_tokens=12))
    assert window.runtime.model_info.architecture == "glm4"
    picture = tmp_path / "phone-screenshot.png"
    screen = Image.new("RGB", (1080, 2400), (250, 250, 250))
    screen.paste((30, 120, 220), (60, 200, 1020, 420))  # a blue button across the top
    screen.save(picture)
    spoken = _image_then_spoken_question(virtual_sound, window, picture, qtbot, tmp_path)
    [image] = [
        i for m in spoken.messages for i in m.images
    ]  # the screenshot, once, in the spoken turn's request
    assert (
        abs(image.width / image.height - 1080 / 2400) < 0.02
    )  # the whole screen (scaled, not cut)


def _image_then_spoken_question(
    virtual_sound: Any, window: Any, picture: Path, qtbot: Any, tmp_path: Path
) -> GenerationRequest:
    """Ask about ``picture`` by typing, then by voice; check both turns end to end; the spoken request."""
    assert window.runtime.model_info.has_vision
    recorder = RecordingEngine(window.runtime.engine)
    window.composer.add_files([str(picture)])
    qtbot.waitUntil(lambda: len(window.composer.attachments()) == 1, timeout=30_000)
    window.composer.input.setPlainText("What is in this picture?")
    with qtbot.waitSignal(window.controller.replyFinished, timeout=REPLY_TIMEOUT_MS):
        qtbot.keyClick(window.composer.input, Qt.Key.Key_Return)

    question = espeak_wav(SPOKEN, tmp_path / "question.wav")
    voice = window.voice
    qtbot.waitUntil(lambda: bool(voice.input_devices), timeout=15_000)
    voice.mic_button.pressed.emit()
    qtbot.waitUntil(lambda: voice.state == "hearing", timeout=120_000)
    wait_for_mic_sound(qtbot, window)
    player = virtual_sound.play_into_mic(question)
    qtbot.waitUntil(lambda: player.poll() is not None, timeout=30_000)
    qtbot.wait(400)
    voice.mic_button.released.emit()
    qtbot.waitUntil(
        lambda: len(window.controller.model.items()) == 4 and last_turn_done(window),
        timeout=REPLY_TIMEOUT_MS,
    )

    # The store holds both turns with where they came from; the window shows the same. The
    # view marks the reply finished as soon as its last token is shown; the store's write follows.
    conversation_id = window.controller.conversation_id
    qtbot.waitUntil(
        lambda: all(m.finished for m in window.runtime.store.messages(conversation_id)),
        timeout=30_000,
    )
    stored = window.runtime.store.messages(conversation_id)
    [sha] = stored[0].attachments
    turns = window.runtime.open_conversation(conversation_id).turns()
    assert [(t.role, t.origin, t.finished) for t in turns] == [
        ("user", "typed", True),
        ("assistant", "typed", True),
        ("user", "spoken", True),
        ("assistant", "spoken", True),
    ]
    assert turns[2].content.strip() and turns[3].content.strip()
    shown = window.controller.model.items()
    assert [(item.role, item.content) for item in shown] == [(m.role, m.content) for m in stored]

    # The engine got both questions, off the GUI thread; the spoken one still holds the image.
    typed = [r for r in recorder.requests if r.label == "chat"]
    spoken = [r for r in recorder.requests if r.label == "voice"]
    assert typed and spoken, [r.label for r in recorder.requests]
    for request in (typed[0], spoken[-1]):
        assert [image.sha256 for m in request.messages for image in m.images] == [sha]
    assert (
        spoken[-1].messages[-1].role == "user"
        and spoken[-1].messages[-1].content == turns[2].content
    )
    assert not any(recorder.on_gui_thread)
    assert recorder.watched_calls > 0 and recorder.upward_calls == [], sorted(
        set(recorder.upward_calls)
    )[:20]
    return spoken[-1]
