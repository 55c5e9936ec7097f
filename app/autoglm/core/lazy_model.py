"""A model loaded on first use, unloaded when idle, and switched without a gap.

Whisper and piper are used the same way: nothing is loaded until the first turn (text-only
use never pays their memory), an idle model is freed, and choosing another one in Settings
takes effect on the next turn without a restart. A switch loads the new model beside the
old one and swaps only once it loaded, so a bad choice raises ``ModelError`` in words and
leaves the working model in place.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import ClassVar, Generic, TypeVar

from autoglm.core.idle import IdleUnloader

Model = TypeVar("Model")


class LazyModel(Generic[Model]):
    """The model ``spec`` names, opened by ``open_model(spec)`` when first needed."""

    # Loads in this process by ``what`` ("speech recognition model", "voice"): a model shared
    # by every front (voice loop, read-aloud, API) is loaded once, and tests check that here.
    loads: ClassVar[Counter[str]] = Counter()

    def __init__(
        self,
        spec: str,
        open_model: Callable[[str], Model],
        check_spec: Callable[[str], object],
        idle_unload_s: float,
        what: str,
    ):
        self.spec = spec
        self._open = open_model
        self._check = check_spec
        self._model: Model | None = None
        self._what = what
        self._lock = threading.Lock()
        self._idle = IdleUnloader(idle_unload_s, self.unload, what)

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory."""
        return self._model is not None

    def get(self) -> Model:
        """The model, loading it first if needed (under a lock: one load at a time)."""
        with self._lock:
            if self._model is None:
                self._model = self._open(self.spec)
                LazyModel.loads[self._what] += 1
            return self._model

    def load(self) -> None:
        """Load now (e.g. in the background when the mic opens) and start the idle countdown."""
        self.get()
        self._idle.touch()

    def unload(self) -> None:
        """Free the model; the next use loads it again."""
        with self._lock:
            self._model = None

    @contextlib.contextmanager
    def busy(self) -> Iterator[Model]:
        """The model, kept from being unloaded while in use."""
        model = self.get()
        with self._idle.busy():
            yield model

    def switch(self, spec: str) -> None:
        """Use the model ``spec`` names from now on (loaded now if the old one was loaded)."""
        if spec == self.spec:
            return
        if self._model is None:
            self._check(spec)  # a missing file is reported now, not at the next use
            self.spec = spec
            return
        replacement = self._open(spec)
        LazyModel.loads[self._what] += 1
        with self._lock:
            self._model, self.spec = replacement, spec
