"""Settings: defaults, saved file, environment overrides, generated CLI flags."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from autoglm.core.paths import app_paths
from autoglm.core.settings import Settings, load_settings, save_settings, updated
from autoglm.core.settings_cli import add_settings_arguments, overrides_from_args


def test_autoglm_home_puts_every_folder_under_one_root(autoglm_home: Path) -> None:
    paths = app_paths().ensure()
    for folder in (
        paths.config_dir,
        paths.data_dir,
        paths.cache_dir,
        paths.log_dir,
        paths.models_dir,
    ):
        assert folder.is_dir() and autoglm_home in folder.parents


def test_saved_settings_come_back() -> None:
    settings = updated(load_settings(), "generation", temperature=0.2, system_prompt="Be brief.")
    save_settings(settings)
    again = load_settings()
    assert again.generation.temperature == 0.2
    assert again.generation.system_prompt == "Be brief."


def test_environment_beats_the_saved_file(monkeypatch: pytest.MonkeyPatch) -> None:
    save_settings(updated(load_settings(), "model", n_ctx=2048))
    monkeypatch.setenv("AUTOGLM_MODEL__N_CTX", "1024")
    assert load_settings().model.n_ctx == 1024


def test_damaged_settings_file_falls_back_to_defaults() -> None:
    paths = app_paths().ensure()
    paths.settings_path.write_text("{not json")
    assert load_settings().model.n_ctx == Settings().model.n_ctx
    paths.settings_path.write_text(json.dumps({"model": {"n_ctx": -5}}))
    assert load_settings().model.n_ctx == Settings().model.n_ctx


def test_updated_validates_bounds() -> None:
    with pytest.raises(ValueError):
        updated(Settings(), "generation", temperature=9.0)


def test_cli_flags_are_generated_from_fields() -> None:
    parser = argparse.ArgumentParser()
    add_settings_arguments(parser, ("generation", "model"))
    args = parser.parse_args(["--temperature", "0.1", "--no-thinking", "--n-ctx", "2048"])
    settings = overrides_from_args(args, Settings())
    assert settings.generation.temperature == 0.1
    assert settings.generation.thinking is False
    assert settings.model.n_ctx == 2048
    assert (
        settings.generation.top_p == Settings().generation.top_p
    )  # untouched flags keep their values


def test_a_hub_address_must_be_a_web_address() -> None:
    from pydantic import ValidationError

    from autoglm.core.settings import ModelSettings

    assert (
        ModelSettings(hub_endpoint="https://hf-mirror.com/").hub_endpoint == "https://hf-mirror.com"
    )
    assert ModelSettings(hub_endpoint="").hub_endpoint == ""
    for bad in ("hf-mirror", "ftp://mirror.example", "https:// bad host"):
        with pytest.raises(ValidationError, match="not a hub address"):
            ModelSettings(hub_endpoint=bad)
