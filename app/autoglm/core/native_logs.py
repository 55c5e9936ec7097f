"""Routing the log lines of llama.cpp's native libraries into Python ``logging``.

llama.cpp, mtmd and clip print to the terminal by default, which would reach a desktop
user's console and garble the CLI's streamed replies; here they become debug records.
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Callable
from typing import Any

_CALLBACKS: dict[
    str, Any
] = {}  # keeps each ctypes callback alive as long as the library may call it


def forward_native_logs(logger_name: str, *setters: Callable[[Any, Any], None]) -> None:
    """Install one callback logging to ``logger_name`` with each native ``*_log_set`` function, once."""
    if logger_name in _CALLBACKS:
        return
    import llama_cpp

    native = logging.getLogger(logger_name)

    def forward(_level: int, text: bytes, _data: Any) -> None:
        line = text.decode("utf-8", errors="replace").rstrip()
        if line:
            native.debug(line)

    callback = llama_cpp.llama_log_callback(forward)
    _CALLBACKS[logger_name] = callback
    for setter in setters:
        setter(callback, ctypes.c_void_p(0))
