"""Which CPU code llama.cpp runs: a build for one machine, or a variant picked at run time.

A developer's llama-cpp-python is compiled for the machine it was built on (``GGML_NATIVE``),
its CPU code linked into ``libggml-cpu``. The packaged app must run on any x86-64 CPU, so
its llama.cpp is built the way llama.cpp's own releases are (``GGML_BACKEND_DL`` with
``GGML_CPU_ALL_VARIANTS``): one ``libggml-cpu-<variant>`` per instruction-set level, the
best one this CPU can run chosen when the backends are loaded. llama.cpp looks for those
libraries only beside the executable and in the current folder — in a bundle that is
neither ``llama_cpp/lib`` — so this module points it at the folder the libraries really
came from, once per process, before the first model. A native build needs nothing and
is left alone.
"""

from __future__ import annotations

import ctypes
import logging
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_LOGGER = logging.getLogger(__name__)
_SUFFIX = {"win32": ".dll", "darwin": ".so"}.get(sys.platform, ".so")
_PREFIX = "" if sys.platform == "win32" else "lib"
_lock = threading.Lock()
_loaded: CpuBackend | None = None


@dataclass(frozen=True)
class CpuBackend:
    """How this process's llama.cpp runs on the CPU.

    ``variant`` is the chosen ``ggml-cpu-<variant>`` of a run-time build (``None`` for a
    native build); ``choices`` how many variants it had; ``problem`` a sentence when the
    variants could not be loaded (the model load then fails with llama.cpp's own words).
    """

    dynamic: bool
    lib_dir: Path
    variant: str | None = None
    choices: int = 0
    problem: str | None = None

    def describe(self) -> str:
        """One line for ``autoglm doctor`` and the logs."""
        if not self.dynamic:
            return "built for the machine it was compiled on only (native)"
        if self.problem:
            return self.problem
        return f"{self.variant} (run-time choice among {self.choices})"


def library_dir() -> Path:
    """The folder llama-cpp-python loaded ``libllama`` from (``LLAMA_CPP_LIB_PATH`` honoured)."""
    import llama_cpp.llama_cpp as lib

    # llama-cpp-python keeps where it loaded from only in these two private names.
    name = getattr(lib._lib, "_name", None)  # noqa: SLF001
    return Path(name).resolve().parent if name else Path(lib._base_path)  # noqa: SLF001


def variant_files(lib_dir: Path) -> list[Path]:
    """The ``ggml-cpu-<variant>`` libraries in ``lib_dir``: none for a native build."""
    return sorted(lib_dir.glob(f"{_PREFIX}ggml-cpu-*{_SUFFIX}"))


def variant_name(path: Path) -> str:
    """``libggml-cpu-haswell.so`` → ``haswell``."""
    return path.name.removeprefix(f"{_PREFIX}ggml-cpu-").removesuffix(_SUFFIX)


def _best_variant(files: list[Path]) -> str | None:
    """The variant llama.cpp picks: the highest ``ggml_backend_score`` (0: this CPU cannot run it).

    The same test ``ggml_backend_load_best`` makes; opening a variant runs none of its
    vector code, so asking one the CPU cannot run is safe.
    """
    best, best_score = None, 0
    for path in files:
        try:
            score = int(ctypes.CDLL(str(path)).ggml_backend_score())
        except (OSError, AttributeError):
            continue
        if score > best_score:
            best, best_score = variant_name(path), score
    return best


def _ggml(lib_dir: Path) -> Any:
    """The ggml that ``libllama`` itself uses, whose registry ``llama_backend_init`` reads.

    A symbol looked up through libllama's handle is found in its dependencies too, so on
    Linux and macOS this is libggml exactly as libllama resolved it — a bundle may hold a
    second copy of the file elsewhere (``LD_LIBRARY_PATH``), and backends loaded into that
    copy would be invisible to llama.cpp. Windows looks no further than the DLL itself,
    but loads a DLL of a given name once per process, so there ``ggml.dll`` is that copy.
    """
    import llama_cpp.llama_cpp as lib

    handle = lib._lib  # noqa: SLF001 - the loaded libllama; llama-cpp-python exposes no other
    if hasattr(handle, "ggml_backend_load_all_from_path"):
        return handle
    from llama_cpp._ctypes_extensions import load_shared_library

    return load_shared_library("ggml", lib_dir)


def load_cpu_backend() -> CpuBackend:
    """Load the best CPU variant for a run-time build (once per process); describe the build.

    Never raises: a failure is returned as ``problem`` in words (and logged), and llama.cpp
    is left to its own search, so loading a model fails with a message instead of a crash.
    """
    global _loaded
    with _lock:
        if _loaded is not None:
            return _loaded
        lib_dir = library_dir()
        files = variant_files(lib_dir)
        if not files:
            _loaded = CpuBackend(dynamic=False, lib_dir=lib_dir)
            return _loaded
        import llama_cpp

        from autoglm.core.native_logs import forward_native_logs

        # llama.cpp names each library it loads on stderr; that goes to the log instead.
        forward_native_logs("llama_cpp.native", llama_cpp.llama_log_set)
        try:
            ggml = _ggml(lib_dir)
            load_all = ggml.ggml_backend_load_all_from_path
            load_all.argtypes = [ctypes.c_char_p]
            load_all.restype = None
            ggml.ggml_backend_reg_count.restype = ctypes.c_size_t
            if not ggml.ggml_backend_reg_count():
                load_all(str(lib_dir).encode())
            variant = _best_variant(files)
            problem = None
            if variant is None or not ggml.ggml_backend_reg_count():
                problem = f"no CPU variant in {lib_dir} runs on this processor"
        except (OSError, AttributeError) as exc:
            variant, problem = (
                None,
                f"could not load llama.cpp's CPU variants from {lib_dir}: {exc}",
            )
        if problem:
            _LOGGER.warning("llama.cpp CPU backend: %s", problem)
        else:
            _LOGGER.info("llama.cpp CPU backend: %s of %d variants", variant, len(files))
        _loaded = CpuBackend(True, lib_dir, variant, len(files), problem)
        return _loaded
