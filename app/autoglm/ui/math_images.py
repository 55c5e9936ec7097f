"""TeX formulas in replies drawn as images by matplotlib's mathtext.

``QTextDocument`` understands neither MathML nor MathJax, so a formula becomes a PNG
(drawn at twice the size for sharp HiDPI text) embedded as a ``data:`` URL. matplotlib
takes seconds to import and tens of milliseconds per formula, so the GUI thread never
draws one: where a formula is not cached yet it shows the TeX source for a moment and a
background thread (``deferred_render``) draws it; its listeners (the chat views) are told
to lay messages out again. Worker threads (which measure opened conversations) draw formulas themselves.
"""

from __future__ import annotations

import base64
import html
import io
import logging
import struct
import threading
from collections import OrderedDict

from autoglm.ui import deferred_render

_LOGGER = logging.getLogger(__name__)
_SCALE = 2
_CACHE_SIZE = 512
_lock = threading.Lock()  # matplotlib's mathtext is not thread-safe
_cache: OrderedDict[tuple[str, bool, str, float], str | None] = OrderedDict()


def _png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def draw(tex: str, display: bool, colour: str, points: float) -> str | None:
    """``<img>`` HTML for ``tex`` (``None`` when mathtext cannot parse it); blocks, any thread."""
    key = (tex, display, colour, points)
    with _lock:
        if key in _cache:
            return _cache[key]
        try:
            from matplotlib import mathtext, rc_context
            from matplotlib.font_manager import FontProperties

            buffer = io.BytesIO()
            size = points * (1.2 if display else 1.0)
            with rc_context({"savefig.transparent": True}):  # on the dark theme's background too
                mathtext.math_to_image(
                    f"${tex}$",
                    buffer,
                    prop=FontProperties(size=size),
                    dpi=96 * _SCALE,
                    format="png",
                    color=colour,
                )
            png = buffer.getvalue()
            width, height = _png_size(png)
            data = base64.b64encode(png).decode("ascii")
            result: str | None = (
                f'<img src="data:image/png;base64,{data}" width="{width // _SCALE}" '
                f'height="{height // _SCALE}" style="vertical-align: middle;"/>'
            )
        except Exception as exc:  # noqa: BLE001 - TeX mathtext does not know is shown as written
            _LOGGER.debug("Formula %r not drawn: %s", tex, exc)
            result = None
        _cache[key] = result
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
        return result


def cached(tex: str, display: bool, colour: str, points: float) -> tuple[bool, str | None]:
    """(known, html): whether the formula was drawn already, and its HTML if it could be."""
    key = (tex, display, colour, points)
    with _lock:
        if key in _cache:
            return True, _cache[key]
    return False, None


def request(tex: str, display: bool, colour: str, points: float) -> None:
    """Draw ``tex`` on the background thread; ``deferred_render``'s listeners are told when it is ready."""
    deferred_render.request(
        ("formula", tex, display, colour, points), lambda: draw(tex, display, colour, points)
    )


def formula_html(
    tex: str, display: bool, colour: str, points: float, on_gui_thread: bool
) -> tuple[str, bool]:
    """(HTML, final) for a formula: its image, or its source while it is being drawn (``final`` False)."""
    known, image = cached(tex, display, colour, points)
    if not known and not on_gui_thread:
        image, known = draw(tex, display, colour, points), True
    if not known:
        request(tex, display, colour, points)
    if image is not None:
        return (f'<p align="center">{image}</p>' if display else image), known
    source = html.escape(tex)
    shown = f'<span style="font-family:monospace; font-style:italic;">{source}</span>'
    return (f'<p align="center">{shown}</p>' if display else shown), known
