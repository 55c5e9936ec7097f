"""The catalog file and the model repository's bookkeeping (no model loading)."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoglm.core.catalog import (
    STARTER_MODEL_ID,
    Catalog,
    ModelRepository,
    check_memory,
    estimate_ram_bytes,
)
from autoglm.core.errors import ModelError
from autoglm.core.gguf_file import inspect_gguf
from autoglm.core.paths import app_paths


def test_catalog_names_the_four_models() -> None:
    catalog = Catalog.load()
    assert {e.id for e in catalog.entries()} >= {
        "autoglm-phone-9b",
        STARTER_MODEL_ID,
        "whisper-tiny.en",
        "piper-en_US-joe-medium",
    }
    starter = catalog.get(STARTER_MODEL_ID)
    assert starter is not None and starter.file("model").size == 491_400_064
    assert (
        starter.file("model").sha256
        == "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
    )
    autoglm = catalog.get("autoglm-phone-9b")
    assert (
        autoglm is not None and autoglm.file("mmproj") is not None and "image" in autoglm.modalities
    )


def test_packaged_speech_models_are_found() -> None:
    repo = ModelRepository(app_paths().ensure())
    for model_id in ("whisper-tiny.en", "piper-en_US-joe-medium"):
        status = repo.status(repo.catalog.get(model_id))
        assert status.present, model_id


def test_import_registers_by_reference_and_resolves(tmp_path: Path, tiny_gguf) -> None:
    repo = ModelRepository(app_paths().ensure())
    model = tiny_gguf(tmp_path / "mine.gguf")
    model_id = repo.import_model(model, model_id="mine")
    resolved = repo.resolve("mine")
    assert resolved.model_path == model.resolve() and resolved.model_id == model_id


def test_import_refuses_a_text_file(tmp_path: Path, tiny_gguf) -> None:
    fake = tmp_path / "fake.gguf"
    fake.write_text("hello")
    with pytest.raises(ModelError, match="not a GGUF"):
        ModelRepository(app_paths().ensure()).import_model(fake)


def test_unknown_id_is_explained() -> None:
    with pytest.raises(ModelError, match="Unknown model 'nope'"):
        ModelRepository(app_paths().ensure()).resolve("nope")


def test_missing_autoglm_says_how_to_get_it() -> None:
    with pytest.raises(ModelError, match="autoglm models import"):
        ModelRepository(app_paths().ensure()).resolve("autoglm-phone-9b")


def test_memory_check_refuses_clearly(tmp_path: Path, tiny_gguf) -> None:
    summary = inspect_gguf(tiny_gguf(tmp_path / "m.gguf"))
    need = estimate_ram_bytes(summary, 256)
    assert need > summary.file_size
    assert check_memory(summary, 256, available=need + 1) == need
    with pytest.raises(ModelError, match="needs about .* GB of memory"):
        check_memory(summary, 256, available=need - 1)


def test_gpu_layers_fit_the_free_vram(tmp_path: Path, tiny_gguf) -> None:
    from autoglm.core.catalog import fit_gpu_layers
    from autoglm.core.gguf_file import inspect_gguf

    summary = inspect_gguf(tiny_gguf(tmp_path / "m.gguf"))
    layers = summary.block_count + 1
    assert fit_gpu_layers(summary, 256, None) == -1  # unknown VRAM: all, as llama.cpp decides
    assert fit_gpu_layers(summary, 256, 8 * 2**30) == layers  # plenty: every layer
    assert fit_gpu_layers(summary, 256, 100 * 2**20) == 0  # less than the compute reserve: none
    assert fit_gpu_layers(summary, 256, 8 * 2**30, requested=1) == 1  # the user's number wins
    per_layer = summary.file_size / layers + summary.kv_cache_bytes(256) / summary.block_count
    some = fit_gpu_layers(summary, 256, 512 * 2**20 + int(per_layer * 1.5))
    assert some == 1


def test_import_links_by_default_and_a_moved_file_is_missing_in_words(
    tmp_path: Path, tiny_gguf
) -> None:
    repo = ModelRepository(app_paths().ensure())
    model = tiny_gguf(tmp_path / "linked.gguf")
    assert repo.import_model(model, model_id="linked") == "linked"
    record = repo.imported()["linked"]
    assert record["kept"] == "linked" and Path(record["model"]) == model.resolve()
    assert repo.import_state("linked") == f"linked from {model.resolve().parent}"
    model.rename(tmp_path / "moved.gguf")
    assert repo.import_state("linked") == f"file missing: {model.resolve()} is no longer there"
    with pytest.raises(ModelError, match="is missing: .*linked.gguf is no longer there"):
        repo.resolve("linked")


def test_import_by_copy_keeps_working_when_the_original_goes(tmp_path: Path, tiny_gguf) -> None:
    repo = ModelRepository(app_paths().ensure())
    original = tiny_gguf(tmp_path / "copied.gguf")
    fractions: list[float] = []
    assert (
        repo.import_model(
            original,
            model_id="copied",
            mode="copy",
            progress=lambda fraction, _what: fractions.append(fraction),
        )
        == "copied"
    )
    copy = repo.imported_folder("copied") / "copied.gguf"
    assert copy.read_bytes() == original.read_bytes() and fractions[-1] == 1.0
    assert not list(repo.imported_folder("copied").glob("*.part"))
    assert repo.imported()["copied"]["kept"] == "copied"
    assert repo.import_state("copied") == "copied into the models folder"
    with pytest.raises(ModelError, match="already imported as “copied”"):
        repo.import_model(original, model_id="again")  # the original of a copy is a duplicate too
    original.unlink()
    assert repo.resolve("copied").model_path == copy
    assert repo.forget_import("copied")["kept"] == "copied"
    assert not copy.exists() and not repo.imported_folder("copied").exists()


def test_an_unknown_import_mode_and_a_full_disk_are_refused_in_words(
    tmp_path: Path, tiny_gguf, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autoglm.core import file_copy

    repo = ModelRepository(app_paths().ensure())
    model = tiny_gguf(tmp_path / "m.gguf")
    with pytest.raises(ModelError, match="Unknown import mode 'move'"):
        repo.import_model(model, mode="move")
    monkeypatch.setattr(file_copy, "free_bytes", lambda _folder: 1000)
    with pytest.raises(
        ModelError, match="Not enough free space to copy .* use the file where it is instead"
    ):
        repo.import_model(model, mode="copy")
    assert repo.imported() == {}


def test_a_model_named_by_its_path_takes_the_name_its_import_gave_it(
    tmp_path: Path, tiny_gguf
) -> None:
    repo = ModelRepository(app_paths().ensure())
    model = tiny_gguf(tmp_path / "named.gguf")
    assert repo.resolve(str(model)).model_id == "named"  # not imported: the file's stem
    repo.import_model(model, model_id="my-model")
    resolved = repo.resolve(str(model))
    assert (resolved.model_id, resolved.display_name) == ("my-model", "tiny test model")
