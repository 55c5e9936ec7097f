"""Pure logic of reading the API server's start failures."""

from __future__ import annotations

import errno

from autoglm.core.errors import InputError
from autoglm.core.settings import ServerSettings
from autoglm.ui.api_server_controller import classify_start_failure


def test_port_in_use_is_recognised_from_the_underlying_os_error() -> None:
    server = ServerSettings(port=8123)
    try:
        try:
            raise OSError(errno.EADDRINUSE, "Address already in use")
        except OSError as exc:
            raise InputError(
                "Port 8123 on 127.0.0.1 is already in use: choose another with --port."
            ) from exc
    except InputError as error:
        state = classify_start_failure(error, server)
    assert (state.phase, state.failure, state.port) == ("failed", "port_in_use", 8123)
    other = classify_start_failure(InputError("'nowhere' is not an address."), server)
    assert (other.failure, other.detail) == ("other", "'nowhere' is not an address.")
