"""Web pages cannot reach the API: forged Host (DNS rebinding), foreign Origin, cross-site
requests and their preflights are refused on every route of a real server on loopback;
the loopback names and an allowed origin are served."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi import Depends
from fastapi.routing import APIRoute
from starlette.routing import Route

from autoglm.core.errors import InputError

ALLOWED = "http://localhost:3000"
FOREIGN = "http://attacker.example"
CHAT = "/v1/chat/completions"
HELLO = {"messages": [{"role": "user", "content": "Say hi"}], "max_tokens": 2, "temperature": 0}


def _serve(scheduler: object, **server_fields: object):
    from autoglm.core.settings import ServerSettings, Settings
    from autoglm.server import ApiServer

    settings = Settings(server=ServerSettings(port=0, **server_fields))  # type: ignore[arg-type]
    return ApiServer(scheduler, settings).start()


@pytest.fixture(scope="module")
def guarded(scheduler: object, llama_engine: object) -> Iterator[object]:
    """The API over the real starter model, with one trusted web UI."""
    server = _serve(scheduler, allowed_origins=[ALLOWED])
    yield server
    server.stop()


@pytest.fixture
def http(guarded) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=guarded.url, timeout=120) as client:
        yield client


def assert_refused(response: httpx.Response, code: str) -> dict:
    """403 in OpenAI's error shape with ``code``, and nothing a browser would let a page read."""
    assert response.status_code == 403, (response.status_code, response.text)
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "permission_error" and error["code"] == code, error
    assert "access-control-allow-origin" not in response.headers
    return error


@pytest.mark.parametrize(
    "host",
    [
        "attacker.example:{port}",
        "attacker.example",
        "localhost:1",
        "127.0.0.2:{port}",
        "{port}.rebind.example:{port}",
    ],
)
def test_forged_host_is_refused_before_any_work(
    http: httpx.Client, guarded, host: str, scheduler, monkeypatch: pytest.MonkeyPatch
) -> None:
    submitted: list = []
    monkeypatch.setattr(scheduler, "submit", lambda request: submitted.append(request))
    headers = {"Host": host.format(port=guarded.port)}
    assert_refused(http.get("/v1/models", headers=headers), "host_not_allowed")
    assert_refused(http.get("/health", headers=headers), "host_not_allowed")
    error = assert_refused(http.post(CHAT, json=HELLO, headers=headers), "host_not_allowed")
    assert "Allowed host names" in error["message"]
    assert submitted == []  # the model never saw it


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "LocalHost", "[::1]"])
def test_loopback_names_are_served(http: httpx.Client, guarded, name: str) -> None:
    response = http.get("/v1/models", headers={"Host": f"{name}:{guarded.port}"})
    assert response.status_code == 200 and response.json()["data"]


def test_foreign_origin_is_refused(http: httpx.Client) -> None:
    error = assert_refused(
        http.get("/v1/models", headers={"Origin": FOREIGN}), "origin_not_allowed"
    )
    assert (
        "Allowed web origins" in error["message"]
        and "AUTOGLM_SERVER__ALLOWED_ORIGINS" in error["message"]
    )
    assert_refused(http.post(CHAT, json=HELLO, headers={"Origin": FOREIGN}), "origin_not_allowed")
    assert_refused(http.post(CHAT, json=HELLO, headers={"Origin": "null"}), "origin_not_allowed")
    # the "simple" request a page can send without a preflight: refused for its origin, not its body
    plain = http.post(
        CHAT,
        content=b'{"messages": []}',
        headers={"Origin": "http://127.0.0.2:8080", "Content-Type": "text/plain"},
    )
    assert_refused(plain, "origin_not_allowed")
    assert_refused(
        http.post(
            "/v1/audio/transcriptions",
            files={"file": ("a.wav", b"RIFF")},
            headers={"Origin": FOREIGN},
        ),
        "origin_not_allowed",
    )


def test_cross_site_request_without_origin_is_refused(http: httpx.Client) -> None:
    assert_refused(
        http.get("/v1/models", headers={"Sec-Fetch-Site": "cross-site"}), "cross_site_request"
    )
    assert (
        http.get("/v1/models", headers={"Sec-Fetch-Site": "none"}).status_code == 200
    )  # typed in the address bar


def test_preflight_from_a_foreign_origin_gets_no_cors_answer(http: httpx.Client) -> None:
    response = http.options(
        CHAT,
        headers={
            "Origin": FOREIGN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, authorization",
        },
    )
    assert_refused(response, "origin_not_allowed")
    assert not [name for name in response.headers if name.startswith("access-control-")]


def test_allowed_origin_gets_its_preflight_and_its_reply(http: httpx.Client) -> None:
    preflight = http.options(
        CHAT,
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, authorization",
            "Access-Control-Request-Private-Network": "true",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["access-control-allow-headers"] == "content-type, authorization"
    assert preflight.headers["access-control-allow-private-network"] == "true"
    assert "Origin" in preflight.headers["vary"]
    reply = http.post(CHAT, json=HELLO, headers={"Origin": ALLOWED, "Sec-Fetch-Site": "same-site"})
    assert reply.status_code == 200, reply.text
    assert (
        reply.headers["access-control-allow-origin"] == ALLOWED
        and "Origin" in reply.headers["vary"]
    )
    assert reply.json()["choices"][0]["message"]["content"] is not None
    models = http.get("/v1/models", headers={"Origin": "HTTP://LOCALHOST:3000"})
    assert (
        models.status_code == 200
        and models.headers["access-control-allow-origin"] == "HTTP://LOCALHOST:3000"
    )


def test_the_servers_own_origin_is_served(http: httpx.Client, guarded) -> None:
    response = http.get("/v1/models", headers={"Origin": guarded.url})
    assert response.status_code == 200


def _walk(routes: list) -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of each route, through included routers; fails on a kind it does not know."""
    for route in routes:
        if isinstance(route, APIRoute | Route):
            yield route.path, set(route.methods or ())
        elif hasattr(
            route, "effective_candidates"
        ):  # a router included into the app (FastAPI ≥ 0.165)
            yield from _walk(route.effective_candidates())
        elif hasattr(route, "path_format") and hasattr(
            route, "methods"
        ):  # an included router's route
            yield route.path, set(route.methods or ())
        else:
            pytest.fail(f"{route!r}: a kind of route this test cannot enumerate")


def _routes(app) -> list[tuple[str, str]]:
    """(method, path) for every route of the app, path parameters filled in."""
    return [
        (method, re.sub(r"\{[^}]+\}", "x", path))
        for path, methods in _walk(app.routes)
        for method in sorted(methods)
    ]


def test_every_route_is_behind_the_checks(http: httpx.Client, guarded) -> None:
    routes = _routes(guarded.app)
    paths = {path for _method, path in routes}
    assert {
        "/v1/models",
        CHAT,
        "/v1/audio/transcriptions",
        "/v1/audio/speech",
        "/health",
        "/",
    } <= paths
    forged = {"Host": f"attacker.example:{guarded.port}"}
    for method, path in routes:
        if method == "HEAD":  # no body to read the code from
            for headers in (forged, {"Origin": FOREIGN}):
                response = http.head(path, headers=headers)
                assert (
                    response.status_code == 403
                    and "access-control-allow-origin" not in response.headers
                )
            continue
        assert_refused(http.request(method, path, headers=forged), "host_not_allowed")
        assert_refused(
            http.request(method, path, headers={"Origin": FOREIGN}), "origin_not_allowed"
        )
        preflight = http.options(
            path, headers={"Origin": FOREIGN, "Access-Control-Request-Method": method}
        )
        assert_refused(preflight, "origin_not_allowed")
    assert_refused(http.get("/no/such/route", headers=forged), "host_not_allowed")


def test_health_says_nothing_private_without_the_key(scheduler, llama_engine) -> None:
    server = _serve(scheduler, api_key="s3cret")
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert client.get("/health").json() == {"status": "ok"}
            full = client.get("/health", headers={"Authorization": "Bearer s3cret"}).json()
            assert full["model"] == llama_engine.info.model_id and "queue" in full
            assert_refused(
                client.get("/health", headers={"Host": "attacker.example"}), "host_not_allowed"
            )
    finally:
        server.stop()


def test_capabilities_are_off_keyed_and_recorded(scheduler, llama_engine) -> None:
    from autoglm.server.capabilities import Capability, requires_capability

    with pytest.raises(InputError, match="no API key is set"):
        _serve(scheduler, allow_desktop_control=True)
    served = []
    for allow in (False, True):
        server = _serve(scheduler, api_key="s3cret", allow_desktop_control=allow)
        seen: list = []
        server.capability_log.subscribe(seen.append)

        @server.app.post(
            "/v1/act-for-test",
            dependencies=[Depends(requires_capability(Capability.DESKTOP_CONTROL))],
        )
        async def act() -> dict:
            return {"acted": True}

        try:
            with httpx.Client(base_url=server.url, timeout=30) as client:
                key = {"Authorization": "Bearer s3cret"}
                assert_refused(
                    client.post("/v1/act-for-test", headers={**key, "Origin": FOREIGN}),
                    "origin_not_allowed",
                )
                served.append(client.post("/v1/act-for-test", headers=key))
                server.app.post(
                    "/outside-v1-for-test",
                    dependencies=[Depends(requires_capability(Capability.DESKTOP_CONTROL))],
                )(act)
                unkeyed = client.post("/outside-v1-for-test")
                assert unkeyed.status_code == (401 if allow else 403), unkeyed.text
                mcp = requires_capability(Capability.MCP_TOOLS)
                server.app.post("/v1/tool-for-test", dependencies=[Depends(mcp)])(act)
                assert_refused(client.post("/v1/tool-for-test", headers=key), "capability_disabled")
        finally:
            server.stop()
        if not allow:
            assert_refused(served[0], "capability_disabled")
            assert "Allow desktop control" in served[0].json()["error"]["message"]
            assert seen == []
        else:
            assert served[1].json() == {"acted": True}
            assert [(use.capability, use.path, use.client) for use in seen] == [
                (Capability.DESKTOP_CONTROL, "/v1/act-for-test", "127.0.0.1")
            ]
            assert server.capability_log.recent() == seen
