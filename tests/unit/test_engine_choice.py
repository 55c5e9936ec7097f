"""Local or remote engine, decided in one place; the remote server's own settings group and its old keys."""

from __future__ import annotations

import argparse
import json

import pytest
from pydantic import ValidationError

from autoglm.cli.engine_flags import add_engine_arguments, apply_engine_arguments
from autoglm.core.engine_choice import (
    choose_engine,
    engine_settings_changed,
    remote_url,
    with_remote,
    without_remote,
)
from autoglm.core.errors import InputError
from autoglm.core.paths import app_paths
from autoglm.core.settings import (
    Settings,
    load_settings,
    normalise_server_url,
    save_settings,
    updated,
)


def _remote(url: str | None, key: str | None = None, model: str | None = None) -> Settings:
    return updated(Settings(), "remote", url=url, api_key=key, model=model)


def test_remote_url_ignores_blank_addresses() -> None:
    assert remote_url(_remote(None)) is None
    assert remote_url(_remote("   ")) is None
    assert remote_url(_remote(" http://gpu-box:8000/v1 ")) == "http://gpu-box:8000/v1"


@pytest.mark.parametrize(
    "typed, saved",
    [
        ("gpu-box:8000", "http://gpu-box:8000/v1"),
        ("HTTP://GPU-Box:8000/", "http://gpu-box:8000/v1"),
        ("https://example.org/openai/v1/", "https://example.org/openai/v1"),
        ("[::1]:8080", "http://[::1]:8080/v1"),
        ("10.0.0.5", "http://10.0.0.5/v1"),
    ],
)
def test_a_typed_address_is_saved_in_the_form_the_engine_uses(typed: str, saved: str) -> None:
    assert normalise_server_url(typed) == saved
    assert _remote(typed).remote.url == saved


@pytest.mark.parametrize(
    "typed, words",
    [
        ("ftp://gpu-box", "is not an http:// or https:// address"),
        ("gpu box:8000", "no spaces"),
        ("http://gpu-box:99999", "no valid port"),
        ("http://gpu-box:0", "no valid port"),
        ("http://user@gpu-box", "no spaces, user"),
        ("http://gpu-box/v1?x=1", "query"),
        ("http://*/v1", "is not a host name"),
        ("http://", "is not a host name"),
    ],
)
def test_an_address_that_is_not_one_is_refused_in_words(typed: str, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _remote(typed)
    assert words in str(caught.value)


def test_the_choice_follows_the_remote_group() -> None:
    local = choose_engine(Settings())
    assert not local.is_remote and local.local_model == Settings().model.active_model
    assert choose_engine(Settings(), "other.gguf").local_model == "other.gguf"
    remote = choose_engine(_remote("gpu-box:8000", "k", "glm"))
    assert remote.is_remote and (remote.remote_url, remote.remote_api_key, remote.remote_model) == (
        "http://gpu-box:8000/v1",
        "k",
        "glm",
    )
    assert (
        choose_engine(_remote("gpu-box:8000", model="glm"), "served-b").remote_model == "served-b"
    )


def test_engine_restarts_only_when_what_it_depends_on_changes() -> None:
    local = Settings()
    assert not engine_settings_changed(local, updated(local, "appearance", theme="dark"))
    assert engine_settings_changed(local, updated(local, "model", n_ctx=2048))
    assert not engine_settings_changed(
        local,
        updated(
            local,
            "model",
            hub_source="modelscope",
            hub_endpoint="https://hf-mirror.com",
            modelscope_endpoint="https://modelscope.cn",
        ),
    )
    assert engine_settings_changed(local, _remote("http://a:1"))
    assert engine_settings_changed(_remote("http://a:1"), local)
    assert engine_settings_changed(_remote("http://a:1", "k1"), _remote("http://a:1", "k2"))
    assert engine_settings_changed(
        _remote("http://a:1", model="x"), _remote("http://a:1", model="y")
    )
    assert not engine_settings_changed(_remote(None, "k1"), _remote(None, "k2"))
    remote = _remote("http://a:1")
    assert not engine_settings_changed(
        remote, updated(remote, "model", n_ctx=2048)
    )  # the local model is idle


def test_going_local_clears_the_address_and_keeps_the_key() -> None:
    settings = without_remote(_remote("http://a:1", "secret", "glm"))
    assert settings.remote.url is None and (settings.remote.api_key, settings.remote.model) == (
        "secret",
        "glm",
    )
    local = Settings()
    assert without_remote(local) is local
    assert with_remote(settings, "a:1").remote.api_key == "secret"


def test_a_settings_file_with_the_old_keys_loads_without_loss() -> None:
    paths = app_paths().ensure()
    old = Settings().model_dump(mode="json")
    old["appearance"] = {
        "theme": "dark",
        "language": "zh_CN",
        "font_size": 14,
        "remote_url": "gpu-box:8000",
        "remote_api_key": "secret",
    }
    old["generation"]["temperature"] = 0.3
    old.pop("remote")
    paths.settings_path.write_text(json.dumps(old), encoding="utf-8")

    settings = load_settings(paths)
    assert (settings.remote.url, settings.remote.api_key) == ("http://gpu-box:8000/v1", "secret")
    assert (
        settings.appearance.theme,
        settings.appearance.language,
        settings.appearance.font_size,
    ) == ("dark", "zh_CN", 14)
    assert settings.generation.temperature == 0.3
    assert choose_engine(settings).is_remote

    save_settings(settings, paths)
    saved = json.loads(paths.settings_path.read_text(encoding="utf-8"))
    assert (
        "remote_url" not in saved["appearance"]
        and saved["remote"]["url"] == "http://gpu-box:8000/v1"
    )
    assert load_settings(paths) == settings


def test_an_unusable_old_address_is_dropped_alone() -> None:
    paths = app_paths().ensure()
    paths.settings_path.write_text(
        json.dumps(
            {
                "appearance": {"theme": "dark", "remote_url": "ftp://x", "remote_api_key": "k"},
                "model": {"n_ctx": 2048},
            }
        ),
        encoding="utf-8",
    )
    settings = load_settings(paths)
    assert settings.remote.url is None and settings.remote.api_key == "k"
    assert settings.appearance.theme == "dark" and settings.model.n_ctx == 2048


def _flags(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_engine_arguments(parser, ("--api-key", "--remote-api-key"))
    return parser.parse_args(argv)


def test_cli_flags_change_the_settings_the_one_choice_reads() -> None:
    assert choose_engine(apply_engine_arguments(_flags(), Settings())) == choose_engine(Settings())
    remote = apply_engine_arguments(
        _flags("--remote", "gpu-box:8000", "--api-key", "k"), Settings()
    )
    assert (
        choose_engine(remote).remote_url == "http://gpu-box:8000/v1"
        and remote.remote.api_key == "k"
    )
    assert not choose_engine(apply_engine_arguments(_flags("--local"), remote)).is_remote
    with pytest.raises(
        InputError, match="--remote: 'ftp://x' is not an http:// or https:// address"
    ):
        apply_engine_arguments(_flags("--remote", "ftp://x"), Settings())
