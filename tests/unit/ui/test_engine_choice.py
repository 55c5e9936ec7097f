"""Pure logic of the window's engine choice and of reading API start failures."""

from __future__ import annotations

import errno

from autoglm.core.errors import InputError
from autoglm.core.settings import ServerSettings, Settings, updated
from autoglm.ui.api_server_controller import classify_start_failure
from autoglm.ui.engine_switcher import engine_settings_changed, remote_url, without_remote


def _remote(url: str | None, key: str | None = None) -> Settings:
    return updated(Settings(), "appearance", remote_url=url, remote_api_key=key)


def test_remote_url_ignores_blank_addresses() -> None:
    assert remote_url(_remote(None)) is None
    assert remote_url(_remote("   ")) is None
    assert remote_url(_remote(" http://gpu-box:8000/v1 ")) == "http://gpu-box:8000/v1"


def test_engine_reloads_only_when_what_it_depends_on_changes() -> None:
    local = Settings()
    assert not engine_settings_changed(local, updated(local, "appearance", theme="dark"))
    assert engine_settings_changed(local, updated(local, "model", n_ctx=2048))
    assert engine_settings_changed(local, _remote("http://a:1"))
    assert engine_settings_changed(_remote("http://a:1"), local)
    assert engine_settings_changed(_remote("http://a:1", "k1"), _remote("http://a:1", "k2"))
    assert not engine_settings_changed(_remote(None, "k1"), _remote(None, "k2"))


def test_without_remote_clears_the_address_and_keeps_the_key() -> None:
    settings = without_remote(_remote("http://a:1", "secret"))
    assert settings.appearance.remote_url is None and settings.appearance.remote_api_key == "secret"
    local = Settings()
    assert without_remote(local) is local


def test_port_in_use_is_recognised_from_the_underlying_os_error() -> None:
    server = ServerSettings(port=8123)
    try:
        try:
            raise OSError(errno.EADDRINUSE, "Address already in use")
        except OSError as exc:
            raise InputError("Port 8123 on 127.0.0.1 is already in use: choose another with --port.") from exc
    except InputError as error:
        state = classify_start_failure(error, server)
    assert (state.phase, state.failure, state.port) == ("failed", "port_in_use", 8123)
    other = classify_start_failure(InputError("'nowhere' is not an address."), server)
    assert (other.failure, other.detail) == ("other", "'nowhere' is not an address.")
