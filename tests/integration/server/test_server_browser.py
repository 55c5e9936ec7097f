"""A real browser (headless Chromium) runs a page from another origin on this machine that calls
the API: the calls fail; the same page from an allowed origin gets its models and a reply."""

from __future__ import annotations

import html
import json
import logging
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (scripts/setup.sh --test installs it)"
)

PAGE = """<!doctype html>
<html><body><pre id="out">PENDING</pre>
<script>
const api = new URLSearchParams(location.search).get("api");
const outcome = {};
const show = () => { document.getElementById("out").textContent = JSON.stringify(outcome); };
const call = (name, request) => request
  .then(async response => { outcome[name] = {status: response.status, body: await response.json()}; })
  .catch(error => { outcome[name] = {error: String(error)}; });
Promise.all([
  call("models", fetch(api + "/v1/models")),
  call("chat", fetch(api + "/v1/chat/completions", {
    method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({messages: [{role: "user", content: "Say hi"}], max_tokens: 3, temperature: 0})})),
]).then(show);
</script></body></html>
"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def page_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("page")
    (folder / "index.html").write_text(PAGE, encoding="utf-8")
    return folder


def _page_server(folder: Path, address: str) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((address, 0), partial(_QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, name=f"page-{address}", daemon=True).start()
    return server


@pytest.fixture(scope="module")
def pages(page_dir: Path) -> Iterator[dict[str, str]]:
    """The same page from two other origins on this computer: one the user allows, one not."""
    foreign, trusted = _page_server(page_dir, "127.0.0.2"), _page_server(page_dir, "127.0.0.3")
    yield {
        "foreign": f"http://127.0.0.2:{foreign.server_port}",
        "trusted": f"http://127.0.0.3:{trusted.server_port}",
    }
    for server in (foreign, trusted):
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser_api(scheduler: object, llama_engine: object, pages: dict[str, str]) -> Iterator[object]:
    from autoglm.core.settings import ServerSettings, Settings
    from autoglm.server import ApiServer

    settings = Settings(server=ServerSettings(port=0, allowed_origins=[pages["trusted"]]))
    server = ApiServer(scheduler, settings).start()
    yield server
    server.stop()


def _dump_dom(url: str, *flags: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium with a fresh profile loads ``url`` and prints the page as its scripts left it."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        return subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--virtual-time-budget=60000",
                *flags,
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )


def _run_page(url: str) -> dict:
    """Load ``url`` in headless Chromium and return what its script wrote into the page."""
    result = _dump_dom(url)
    found = re.search(r'<pre id="out">(.*?)</pre>', result.stdout, re.S)
    assert found, f"chromium printed no page (exit {result.returncode}):\n{result.stderr[-2000:]}"
    text = html.unescape(found.group(1))
    assert text != "PENDING", "the page's script did not finish"
    return json.loads(text)


def test_a_page_from_another_origin_cannot_call_the_api(
    browser_api, pages: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="autoglm.server.security"):
        outcome = _run_page(f"{pages['foreign']}/index.html?api={browser_api.url}")
    assert (
        "Failed to fetch" in outcome["models"]["error"]
    )  # the browser gives the page nothing to read
    assert "Failed to fetch" in outcome["chat"]["error"]
    refusals = [
        r.getMessage() for r in caplog.records if "Refused an API request" in r.getMessage()
    ]
    assert any(pages["foreign"] in message for message in refusals), (
        refusals
    )  # refused by the API, not lost


def test_the_same_page_from_an_allowed_origin_is_served(browser_api, pages: dict[str, str]) -> None:
    outcome = _run_page(f"{pages['trusted']}/index.html?api={browser_api.url}")
    assert outcome["models"]["status"] == 200 and outcome["models"]["body"]["data"], outcome
    assert outcome["chat"]["status"] == 200, outcome
    choice = outcome["chat"]["body"]["choices"][0]
    assert choice["message"]["role"] == "assistant" and choice["finish_reason"] in (
        "stop",
        "length",
    )


def test_a_rebound_name_gets_nothing(browser_api) -> None:
    """The browser after DNS rebinding: ``attacker.test`` resolves to 127.0.0.1, so the page's
    own origin is the API's address; the Host it sends is refused."""
    url = f"http://attacker.test:{browser_api.port}/v1/models"
    result = _dump_dom(url, "--host-resolver-rules=MAP attacker.test 127.0.0.1")
    shown = html.unescape(re.sub(r"<[^>]+>", "", result.stdout))
    assert "host_not_allowed" in shown, result.stdout[-2000:] + result.stderr[-2000:]
    assert '"data"' not in shown
