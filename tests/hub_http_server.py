"""A model hub on 127.0.0.1 serving the routes the real ``huggingface_hub`` client calls.

``GET /api/models`` (search), ``GET /api/models/{repo}`` and ``…/revision/{rev}`` (file
names, sizes and sha256 with ``blobs=true``), ``HEAD``/``GET /{repo}/resolve/{rev}/{file}``
(etag, commit and size headers; ranges for resuming). It can misbehave the ways a real
transfer does: drop the connection midway, publish a wrong checksum, go away.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@dataclass
class HubState:
    """Repositories ``{repo: {filename: bytes}}`` and how the server misbehaves."""

    repos: dict[str, dict[str, bytes]]
    downloads: dict[str, int] = field(default_factory=dict)
    wrong_sha: set[str] = field(default_factory=set)  # filenames whose published sha256 is wrong
    declared_sizes: dict[str, int] = field(
        default_factory=dict
    )  # sizes the metadata claims instead
    drop_after: int | None = None  # close a GET after this many body bytes, once
    chunk_delay_s: float = 0.0
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)

    def sha(self, name: str, data: bytes) -> str:
        return "0" * 64 if name in self.wrong_sha else hashlib.sha256(data).hexdigest()


class HubHandler(BaseHTTPRequestHandler):
    """The hub's routes; anything else is 404 with the hub's error header."""

    server: HubServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet tests
        return

    def _json(self, body: object, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _missing(self, code: str = "EntryNotFound") -> None:
        self.send_response(404)
        self.send_header("X-Error-Code", code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _route(self, head: bool) -> None:
        state = self.server.state
        url = urlsplit(self.path)
        path = unquote(url.path)
        state.requests.append((self.command, path, self.headers.get("Range")))
        if path == "/api/models":
            query = parse_qs(url.query)
            words = (query.get("search") or [""])[0].lower()
            limit = int((query.get("limit") or ["50"])[0])
            found = [
                {
                    "id": repo,
                    "modelId": repo,
                    "downloads": state.downloads.get(repo, 0),
                    "likes": 1,
                    "tags": ["gguf"],
                    "private": False,
                }
                for repo in state.repos
                if words in repo.lower()
            ]
            self._json(found[:limit])
            return
        match = re.fullmatch(r"/api/models/(.+?)(?:/revision/([^/]+))?", path)
        if match and match.group(1) in state.repos:
            repo = match.group(1)
            siblings = [
                {
                    "rfilename": name,
                    "size": state.declared_sizes.get(name, len(data)),
                    "blobId": hashlib.sha1(data).hexdigest(),
                    "lfs": {
                        "sha256": state.sha(name, data),
                        "size": state.declared_sizes.get(name, len(data)),
                        "pointerSize": 134,
                    },
                }
                for name, data in state.repos[repo].items()
            ]
            self._json(
                {
                    "id": repo,
                    "modelId": repo,
                    "sha": COMMIT,
                    "private": False,
                    "tags": ["gguf"],
                    "downloads": state.downloads.get(repo, 0),
                    "siblings": siblings,
                }
            )
            return
        if path.startswith("/api/models/"):
            self._missing("RepoNotFound")
            return
        match = re.fullmatch(r"/(.+?)/resolve/([^/]+)/(.+)", path)
        if (
            match
            and match.group(1) in state.repos
            and match.group(3) in state.repos[match.group(1)]
        ):
            self._file(state, state.repos[match.group(1)][match.group(3)], match.group(3), head)
            return
        self._missing()

    def _file(self, state: HubState, data: bytes, name: str, head: bool) -> None:
        start = 0
        wanted = self.headers.get("Range")
        if wanted and (range_match := re.fullmatch(r"bytes=(\d+)-", wanted)):
            start = int(range_match.group(1))
        self.send_response(206 if start else 200)
        self.send_header("ETag", f'"{state.sha(name, data)}"')
        self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(len(data) - start))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        if head:
            return
        sent = 0
        for offset in range(start, len(data), 64 * 1024):
            block = data[offset : offset + 64 * 1024]
            if state.drop_after is not None and sent + len(block) > state.drop_after:
                keep = state.drop_after - sent
                state.drop_after = None
                self.wfile.write(block[: max(0, keep)])
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self.wfile.write(block)
            sent += len(block)
            if state.chunk_delay_s:
                time.sleep(state.chunk_delay_s)

    def do_GET(self) -> None:  # http.server's naming
        self._route(head=False)

    def do_HEAD(self) -> None:  # http.server's naming
        self._route(head=True)


class HubServer(ThreadingHTTPServer):
    """The hub and its state; ``endpoint`` is what ``HF_ENDPOINT`` would be."""

    daemon_threads = True

    def __init__(self, state: HubState, handler: type[HubHandler] = HubHandler):
        super().__init__(("127.0.0.1", 0), handler)
        self.state = state

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def serving_hub(
    repos: dict[str, dict[str, bytes]], handler: type[HubHandler] = HubHandler
) -> Iterator[HubServer]:
    """Run a hub for the block (``handler``: whose routes it speaks)."""
    server = HubServer(HubState(repos), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
