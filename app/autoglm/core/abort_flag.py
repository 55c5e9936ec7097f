"""A cancel flag that llama.cpp checks during ``llama_decode`` without entering Python.

llama.cpp calls its abort callback for every node of the compute graph — hundreds of
times per batch. A Python callback would have to take the GIL each time, and while any
other Python thread runs (the UI, an HTTP server, audio) every call can wait a whole
GIL switch interval, slowing prompt evaluation many times over. So the callback is the C
library's own ``strlen`` over a two-byte buffer: it returns 0 while the first byte is 0
and 1 once ``set()`` writes a 1 there. (On every ABI the app ships for, a ``bool``
return is read from the low byte of the integer return register, where ``strlen``'s
result 0 or 1 lies.) Where no C library can be found, a Python callback reads the
same buffer.

The buffer may also be one the caller owns, such as two bytes of shared memory another
process writes (``NativeAbortFlag(buffer)``): the engine worker's decode steps are then
stopped by the app without a message, which the worker's one thread could not read
while it is inside llama.cpp.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from typing import Any

_LOGGER = logging.getLogger(__name__)


def _native_strlen() -> Any | None:
    """The C library's ``strlen`` as a raw function address, or ``None``."""
    try:
        libc = ctypes.cdll.msvcrt if sys.platform == "win32" else ctypes.CDLL(None)
        return ctypes.cast(libc.strlen, ctypes.c_void_p).value
    except (OSError, AttributeError):
        return None


class NativeAbortFlag:
    """One llama.cpp context's abort flag: ``set()`` aborts the running decode, ``clear()`` re-arms."""

    def __init__(self, buffer: Any | None = None) -> None:
        """A flag over ``buffer`` (at least two bytes, the second 0; default: a private one)."""
        import llama_cpp.llama_cpp as lib

        self._buffer = buffer if buffer is not None else ctypes.create_string_buffer(2)
        address = _native_strlen()
        if address is not None:
            self._callback = lib.ggml_abort_callback(address)
        else:  # pragma: no cover - every supported platform has a C library
            _LOGGER.info("No C strlen found; llama.cpp aborts through a Python callback")
            self._callback = lib.ggml_abort_callback(lambda _data: self.is_set)
        self._setter = lib.llama_set_abort_callback

    def install(self, context: Any) -> None:
        """Make ``context`` (a ``llama_context *``) check this flag."""
        self._setter(context, self._callback, ctypes.cast(self._buffer, ctypes.c_void_p))

    def set(self) -> None:
        """Abort the decode that is running (or the next one)."""
        ctypes.memset(self._buffer, 1, 1)

    def clear(self) -> None:
        """Let decodes run again."""
        ctypes.memset(self._buffer, 0, 1)

    @property
    def is_set(self) -> bool:
        """Whether an abort is requested."""
        return ctypes.string_at(self._buffer, 1) != b"\x00"
