"""LazyModel: loads on first use, switches only to a model that loads (pure logic, scripted opener)."""

from __future__ import annotations

import pytest

from autoglm.core.errors import ModelError
from autoglm.core.lazy_model import LazyModel


class Opener:
    """Opens 'models' by name; names starting with 'bad' fail to load, 'missing' fail the check."""

    def __init__(self) -> None:
        self.opened: list[str] = []

    def open(self, spec: str) -> str:
        if spec.startswith("bad"):
            raise ModelError(f"{spec} could not be loaded")
        self.opened.append(spec)
        return f"model:{spec}"

    @staticmethod
    def check(spec: str) -> None:
        if spec.startswith("missing"):
            raise ModelError(f"no model at {spec}")


def lazy(opener: Opener, spec: str = "tiny") -> LazyModel[str]:
    return LazyModel(spec, opener.open, opener.check, idle_unload_s=0, what="test model")


def test_nothing_loads_until_first_use_and_then_once() -> None:
    opener = Opener()
    model = lazy(opener)
    assert not model.loaded and opener.opened == []
    with model.busy() as first:
        assert first == "model:tiny"
    assert model.get() == "model:tiny" and opener.opened == ["tiny"]


def test_switching_an_unloaded_model_only_checks_the_new_one() -> None:
    opener = Opener()
    model = lazy(opener)
    model.switch("small")
    assert model.spec == "small" and opener.opened == []
    with pytest.raises(ModelError, match="no model at missing"):
        model.switch("missing-folder")
    assert model.spec == "small"


def test_switching_a_loaded_model_loads_the_new_one_at_once() -> None:
    opener = Opener()
    model = lazy(opener)
    model.load()
    model.switch("small")
    assert model.get() == "model:small" and opener.opened == ["tiny", "small"]


def test_a_model_that_fails_to_load_leaves_the_old_one_working() -> None:
    opener = Opener()
    model = lazy(opener)
    model.load()
    with pytest.raises(ModelError, match="bad-voice could not be loaded"):
        model.switch("bad-voice")
    assert model.spec == "tiny" and model.get() == "model:tiny"


def test_unload_frees_and_the_next_use_loads_again() -> None:
    opener = Opener()
    model = lazy(opener)
    model.load()
    model.unload()
    assert not model.loaded
    assert model.get() == "model:tiny" and opener.opened == ["tiny", "tiny"]
