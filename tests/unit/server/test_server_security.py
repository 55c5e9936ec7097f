"""Bind policy, API keys and the per-key rate limit."""

from __future__ import annotations

import pytest

from autoglm.core.errors import InputError
from autoglm.server.errors import ApiError
from autoglm.server.security import (
    RateLimiter,
    check_bind_allowed,
    is_loopback,
    key_matches,
    presented_key,
)


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("127.8.9.1", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.20", False), ("example.com", False),
])
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
