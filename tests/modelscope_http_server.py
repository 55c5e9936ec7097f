"""ModelScope on 127.0.0.1, serving the routes the real ``modelscope`` client calls.

``GET /openapi/v1/models`` (search), ``GET /api/v1/models/{repo}/repo/files`` (file
names, sizes and sha256) and ``GET /api/v1/models/{repo}/repo?FilePath=…`` (the file,
with ranges). The repositories, the file transfer and its misbehaviour (a dropped
connection, a wrong published checksum, a server gone) are the Hugging Face test hub's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, unquote, urlsplit

from hub_http_server import COMMIT, HubHandler, HubServer, serving_hub


class ModelScopeHandler(HubHandler):
    """ModelScope's routes, with its envelopes (``{"data": …}`` and ``{"Code", "Data", "Success"}``)."""

    def _route(self, head: bool) -> None:
        state = self.server.state
        url = urlsplit(self.path)
        path = unquote(url.path)
        query = parse_qs(url.query)
        state.requests.append(
            (self.command, path + (f"?{url.query}" if url.query else ""), self.headers.get("Range"))
        )
        if path == "/openapi/v1/models":
            words = (query.get("search") or [""])[0].lower()
            size = int((query.get("page_size") or ["10"])[0])
            found = [
                {
                    "id": repo,
                    "name": repo.split("/")[1],
                    "owner": repo.split("/")[0],
                    "downloads": state.downloads.get(repo, 0),
                    "likes": 1,
                    "private": False,
                }
                for repo in state.repos
                if words in repo.lower()
            ]
            self._json(
                {
                    "success": True,
                    "request_id": "test",
                    "data": {
                        "models": found[:size],
                        "total_count": len(found),
                        "page_number": 1,
                        "page_size": size,
                    },
                }
            )
            return
        match = re.fullmatch(r"/api/v1/models/(.+?)/repo(/files)?", path)
        if match is None:
            self._missing()
            return
        repo = match.group(1)
        if repo not in state.repos:
            self._json(
                {
                    "Code": 10010205001,
                    "Message": f"model {repo} not exists",
                    "Success": False,
                    "RequestId": "test",
                },
                status=404,
            )
            return
        if match.group(2):
            files = [
                {
                    "Name": name,
                    "Path": name,
                    "Type": "blob",
                    "Revision": COMMIT,
                    "Sha256": state.sha(name, data),
                    "Size": state.declared_sizes.get(name, len(data)),
                    "Mode": "33188",
                    "IsLFS": True,
                }
                for name, data in state.repos[repo].items()
            ]
            self._json(
                {
                    "Code": 200,
                    "Data": {"Files": files, "LatestCommitter": {"Id": COMMIT}},
                    "Success": True,
                }
            )
            return
        name = (query.get("FilePath") or [""])[0]
        if name not in state.repos[repo]:
            self._json(
                {"Code": 10010205002, "Message": "file not found", "Success": False}, status=404
            )
            return
        self._file(state, state.repos[repo][name], name, head)


@contextmanager
def serving_modelscope(repos: dict[str, dict[str, bytes]]) -> Iterator[HubServer]:
    """Run ModelScope for the block; ``endpoint`` is what ``MODELSCOPE_ENDPOINT`` would be."""
    with serving_hub(repos, ModelScopeHandler) as server:
        yield server
