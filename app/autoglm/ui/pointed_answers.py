"""A reply that points at places on an image the user sent is shown with them marked on it.

When a question comes with a screenshot ("where is the Wi-Fi setting?") and the answer
names points in the action protocol, the reply shows that image with the points drawn
(``agent.marks``) and a line saying what was marked; clicking it opens the marked image
at full size. Nothing is stored for it: the points are read again from the reply and the
image is the question's own attachment, so a reopened chat shows the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QImage

from autoglm.agent.marks import Pointing, describe, draw_marks, pointing_in_reply

POINTED_SCHEME = "pointed"
"""``pointed:`` is the marked image in a reply (a link that opens it large, and its picture)."""
SHOWN_SIDE = 420
"""The marked image in the chat fits this many pixels on its longer side."""


@dataclass(frozen=True)
class PointedImage:
    """A reply's points and the attachment they are on."""

    pointing: Pointing
    image_sha: str


def find_pointed(items: list[Any]) -> None:
    """Give each finished reply that points the image it points on: the latest one sent before it."""
    latest = ""
    for item in items:
        if item.role == "user" and item.attachments:
            latest = item.attachments[-1]
        elif item.role == "assistant":
            item.pointed = pointed_reply(item.content, latest) if not item.streaming else None


def pointed_for(items: list[Any], reply: Any) -> PointedImage | None:
    """The points ``reply`` (one of ``items``) names on the latest image sent before it."""
    index = next((n for n in range(len(items) - 1, -1, -1) if items[n] is reply), -1)
    for earlier in reversed(items[: max(index, 0)]):
        if earlier.role == "user" and earlier.attachments:
            return pointed_reply(reply.content, earlier.attachments[-1])
    return None


def pointed_reply(content: str, image_sha: str) -> PointedImage | None:
    """The points ``content`` names on the image ``image_sha`` ('' : no image, so none)."""
    if not image_sha:
        return None
    pointing = pointing_in_reply(content)
    return PointedImage(pointing, image_sha) if pointing is not None else None


def marked_image(
    path: Path, pointing: Pointing, max_side: int | None = SHOWN_SIDE
) -> tuple[QImage, tuple[int, int]]:
    """The image at ``path`` (fitted into ``max_side``; ``None``: full size) with the points drawn,
    and the original's size; a null image when it cannot be read."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as opened:
            image = ImageOps.exif_transpose(opened).convert("RGB")
    except (OSError, UnidentifiedImageError, ValueError):
        return QImage(), (0, 0)
    size = image.size
    if max_side is not None:
        image.thumbnail((max_side, max_side))
    marked = draw_marks(image, pointing)
    data = marked.tobytes()
    qimage = QImage(
        data, marked.width, marked.height, marked.width * 3, QImage.Format.Format_RGB888
    )
    return qimage.copy(), size  # the copy owns its pixels (``data`` goes away)


def caption(pointing: Pointing, size: tuple[int, int]) -> str:
    """The line under the marked image: what it points at, in the image's own pixels."""
    if size[0] <= 0 or size[1] <= 0:
        return QCoreApplication.translate(
            "PointedAnswer", "The image this answer points on cannot be read."
        )
    return QCoreApplication.translate("PointedAnswer", "Marked on the image: {0}").format(
        describe(pointing, size)
    )
