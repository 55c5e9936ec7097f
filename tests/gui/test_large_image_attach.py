"""A 12-megapixel photo is attached and shown in the chat without the GUI thread decoding it.

Bounds are GUI-thread CPU time (``time.thread_time``), not wall time, so a busy computer
does not make them flaky: decoding the photo at full size costs the GUI thread well over
100 ms, the bounds below are a fraction of that.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from autoglm.bench.ui import write_photo
from autoglm.ui import deferred_render
from autoglm.ui.chat_model import MessageItem
from autoglm.ui.composer import AttachmentDraft, ComposerWidget
from autoglm.ui.message_delegate import THUMB_SIZE, MessageDelegate

GUI_CPU_BOUND_S = 0.04


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_photo(tmp_path_factory.mktemp("photo") / "photo-12mp.jpg")


def test_attaching_a_12_megapixel_photo_returns_to_the_event_loop_at_once(
    qtbot: Any, photo: Path
) -> None:
    composer = ComposerWidget()
    qtbot.addWidget(composer)
    draft = AttachmentDraft(photo.name, photo.read_bytes(), ".jpg")
    started = time.thread_time()
    composer.add_attachment(draft)
    spent = time.thread_time() - started
    assert spent < GUI_CPU_BOUND_S, f"attaching took {spent * 1000:.0f} ms of GUI-thread CPU"
    qtbot.waitUntil(composer.attachments_ready, timeout=30_000)
    chip = composer._attachments[0]
    assert chip.pixels == (4000, 3000)
    assert chip.cost_label.text().startswith("≈") and chip.cost > 0
    assert 0 < chip.preview.pixmap().width() <= 56


def test_the_sent_photo_is_drawn_as_a_placeholder_until_its_thumbnail_is_read_in_the_background(
    qapp: Any, photo: Path
) -> None:
    delegate = MessageDelegate()
    sha = "a" * 64
    delegate.attachment_resolver = lambda wanted: photo if wanted == sha else None
    item = MessageItem(role="user", content="What is in this photo?", attachments=[sha])
    done = threading.Event()
    deferred_render.add_listener(done.set)
    try:
        started = time.thread_time()
        delegate.factory.measure(item, 700)
        spent = time.thread_time() - started
        assert spent < GUI_CPU_BOUND_S, (
            f"laying out the message took {spent * 1000:.0f} ms of GUI-thread CPU"
        )
        assert sha in delegate.factory.placeholders
        assert done.wait(30)
    finally:
        deferred_render.remove_listener(done.set)
    thumbnail = delegate.factory._thumbnail(sha)
    assert (thumbnail.width(), thumbnail.height()) == (THUMB_SIZE, THUMB_SIZE * 3 // 4)
