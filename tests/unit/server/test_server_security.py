"""Bind policy, host and origin checks, API keys and the per-key rate limit."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from autoglm.core.errors import InputError
from autoglm.core.settings import ServerSettings
from autoglm.server.errors import ApiError
from autoglm.server.security import (
    RateLimiter,
    RequestGuard,
    check_bind_allowed,
    check_serving_allowed,
    is_loopback,
    key_matches,
    presented_key,
)


@pytest.mark.parametrize(
    "host, loopback",
    [
        ("127.0.0.1", True),
        ("127.8.9.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("example.com", False),
    ],
)
def test_loopback_detection(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_other_addresses_need_a_key() -> None:
    check_bind_allowed("127.0.0.1", None)
    check_bind_allowed("0.0.0.0", "k")
    with pytest.raises(InputError, match="without an API key"):
        check_bind_allowed("0.0.0.0", None)
    with pytest.raises(InputError):
        check_bind_allowed("192.168.1.20", "")


def test_presented_key_sources() -> None:
    assert presented_key({"authorization": "Bearer abc"}) == "abc"
    assert presented_key({"authorization": "bearer  abc "}) == "abc"
    assert presented_key({"authorization": "Basic abc"}) is None
    assert presented_key({"x-api-key": "xyz"}) == "xyz"
    assert presented_key({}) is None


def test_key_comparison() -> None:
    assert key_matches("s3cret", "s3cret")
    assert not key_matches("s3cre", "s3cret")
    assert not key_matches(None, "s3cret")
    assert not key_matches("ünï", "s3cret")


def test_rate_limit_slides_over_a_minute() -> None:
    now = [1000.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    limiter.check("a")
    limiter.check("a")
    limiter.check("b")  # another key has its own window
    with pytest.raises(ApiError) as caught:
        limiter.check("a")
    assert caught.value.status == 429 and caught.value.headers["Retry-After"] == "61"
    now[0] += 60.0
    limiter.check("a")


def test_no_limit_when_zero() -> None:
    limiter = RateLimiter(0)
    for _ in range(1000):
        limiter.check("a")


def _guard(**fields: object) -> RequestGuard:
    return RequestGuard(ServerSettings(**fields))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "host", ["127.0.0.1:8000", "localhost:8000", "LOCALHOST:8000", "[::1]:8000"]
)
def test_loopback_names_with_the_bound_port_are_served(host: str) -> None:
    assert _guard().host_refusal(host, "http", ("127.0.0.1", 8000)) is None


@pytest.mark.parametrize(
    "host",
    [
        "attacker.example:8000",
        "attacker.example",
        "localhost:9999",
        "127.0.0.1",
        "127.0.0.2:8000",
        "localhost.:8000",
        "evil.localhost:8000",
        "127.0.0.1.nip.io:8000",
        "",
        None,
        "a b:8000",
        "[::1",
    ],
)
def test_other_host_headers_are_refused(host: str | None) -> None:
    assert _guard().host_refusal(host, "http", ("127.0.0.1", 8000)) is not None


def test_the_bound_and_added_names_are_served() -> None:
    guard = _guard(host="0.0.0.0", api_key="k", allowed_hosts=["MyBox.lan", "proxy.lan:443"])
    assert (
        guard.host_refusal("192.168.1.20:8000", "http", ("192.168.1.20", 8000)) is None
    )  # the arrival address
    assert guard.host_refusal("0.0.0.0:8000", "http", ("192.168.1.20", 8000)) is not None
    assert guard.host_refusal("mybox.lan:8000", "http", ("192.168.1.20", 8000)) is None
    assert (
        guard.host_refusal("mybox.lan", "http", ("192.168.1.20", 8000)) is None
    )  # any port for a bare name
    assert (
        guard.host_refusal("proxy.lan", "https", ("192.168.1.20", 8000)) is None
    )  # 443 is https's default
    assert guard.host_refusal("proxy.lan:8000", "http", ("192.168.1.20", 8000)) is not None
    named = _guard(host="studio.local", api_key="k")
    assert named.host_refusal("studio.local:8000", "http", ("10.0.0.5", 8000)) is None


def test_origins_on_the_list_or_the_server_itself_are_allowed() -> None:
    guard = _guard(allowed_origins=["http://localhost:3000"])
    assert guard.origin_allowed("http://localhost:3000", "http", "127.0.0.1:8000")
    assert guard.origin_allowed("HTTP://LOCALHOST:3000", "http", "127.0.0.1:8000")
    assert guard.origin_allowed("http://127.0.0.1:8000", "http", "127.0.0.1:8000")  # same origin
    for origin in (
        "http://localhost:3001",
        "https://localhost:3000",
        "http://127.0.0.2:3000",
        "null",
        "",
        "*",
    ):
        assert not guard.origin_allowed(origin, "http", "127.0.0.1:8000"), origin
    assert not _guard().origin_allowed("http://localhost:3000", "http", "127.0.0.1:8000")


def test_cross_site_requests_without_origin_are_recognised() -> None:
    assert RequestGuard.cross_site_without_origin({"sec-fetch-site": "cross-site"})
    assert not RequestGuard.cross_site_without_origin({"sec-fetch-site": "none"})
    assert not RequestGuard.cross_site_without_origin(
        {"sec-fetch-site": "cross-site", "origin": "http://a"}
    )
    assert not RequestGuard.cross_site_without_origin({})


@pytest.mark.parametrize(
    "entry, stored",
    [
        ("http://LocalHost:3000/", "http://localhost:3000"),
        ("https://ui.example:443", "https://ui.example"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("chrome-extension://abcdef", "chrome-extension://abcdef"),
    ],
)
def test_origins_are_stored_as_browsers_send_them(entry: str, stored: str) -> None:
    assert ServerSettings(allowed_origins=[entry]).allowed_origins == [stored]


@pytest.mark.parametrize(
    "entry",
    [
        "*",
        "null",
        "localhost:3000",
        "http://a.example/path",
        "http://*.example",
        "http://a.example:0",
        "http://",
        " ",
    ],
)
def test_garbage_origins_are_refused_in_words(entry: str) -> None:
    with pytest.raises(ValidationError, match="origin"):
        ServerSettings(allowed_origins=[entry])


@pytest.mark.parametrize(
    "entry", ["http://mybox.lan", "*.lan", "a_b", "mybox.lan:99999", "", "[zz]"]
)
def test_garbage_host_names_are_refused_in_words(entry: str) -> None:
    with pytest.raises(ValidationError):
        ServerSettings(allowed_hosts=[entry])


def test_old_cors_setting_is_read_as_allowed_origins() -> None:
    assert ServerSettings.model_validate(
        {"cors_origins": ["http://a.example"]}
    ).allowed_origins == ["http://a.example"]


def test_the_key_is_required_on_loopback_once_the_api_can_act() -> None:
    assert not ServerSettings().key_required_on_loopback
    assert ServerSettings(allow_desktop_control=True).key_required_on_loopback
    assert ServerSettings(allow_mcp_tools=True).key_required_on_loopback
    assert not ServerSettings(
        allow_mcp_tools=True, require_key_on_loopback=False
    ).key_required_on_loopback
    assert ServerSettings(require_key_on_loopback=True).key_required_on_loopback
    with pytest.raises(InputError, match="no API key is set"):
        check_serving_allowed(ServerSettings(allow_desktop_control=True))
    check_serving_allowed(ServerSettings(allow_desktop_control=True, api_key="k"))
    check_serving_allowed(ServerSettings())
