"""A real HTTP file server on 127.0.0.1 for download tests: Range, If-Range, dropped connections, throttling.

Importable from any test (``tests/`` is on ``sys.path`` through its conftest).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class FileServerState:
    """What the server serves and how it misbehaves; the requests it saw."""

    payload: bytes
    etag: str = '"v1"'
    drop_after: int | None = None  # close the connection after this many body bytes, once
    ignore_range: bool = False
    chunk_delay_s: float = 0.0  # pause between 64 KiB chunks, to make a transfer last
    requests: list[dict[str, str | None]] = field(default_factory=list)


class RangeHandler(BaseHTTPRequestHandler):
    """Serves ``/model.bin`` with Range/If-Range support; anything else is 404."""

    server: RangeFileServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - keep test output quiet
        return

    def do_GET(self) -> None:  # http.server's naming
        state = self.server.state
        state.requests.append(
            {
                "path": self.path,
                "range": self.headers.get("Range"),
                "if_range": self.headers.get("If-Range"),
            }
        )
        if self.path != "/model.bin":
            self.send_error(404, "Not Found")
            return
        data = state.payload
        start = 0
        wanted = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        use_range = (
            wanted and not state.ignore_range and (if_range is None or if_range == state.etag)
        )
        if use_range:
            start = int(wanted.split("=", 1)[1].split("-", 1)[0])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", state.etag)
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if state.drop_after is not None and len(body) > state.drop_after:
            cut, state.drop_after = state.drop_after, None
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        for offset in range(0, len(body), 64 * 1024):
            self.wfile.write(body[offset : offset + 64 * 1024])
            if state.chunk_delay_s:
                time.sleep(state.chunk_delay_s)


class RangeFileServer(ThreadingHTTPServer):
    """Serves one ``FileServerState`` on an ephemeral loopback port."""

    daemon_threads = True

    def __init__(self, state: FileServerState):
        super().__init__(("127.0.0.1", 0), RangeHandler)
        self.state = state

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that hang up mid-body (cancel, size refusal) are expected here."""

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def serving(payload: bytes) -> Iterator[RangeFileServer]:
    """A running server for ``payload`` at ``/model.bin``, shut down afterwards."""
    httpd = RangeFileServer(FileServerState(payload))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
