"""schemathesis against the server's own OpenAPI schema: no 5xx, and every error is OpenAI-shaped.

Every operation gets valid (positive) and invalid (negative) generated requests. Chat
requests are kept cheap — two tokens, and half of them name the loaded model so
generation really runs — because the real starter model answers them.
"""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

EXAMPLES_PER_OPERATION = 12
WITHOUT_INPUT = {"GET /health", "GET /v1/models"}


def _cheapen(body: object, model_id: str) -> None:
    if not isinstance(body, dict):
        return
    if "messages" in body or "max_tokens" in body:
        body["max_tokens"] = 2
        body.pop("max_completion_tokens", None)
    if "messages" in body and len(repr(body)) % 2 == 0:
        body["model"] = model_id
    if isinstance(body.get("input"), str):
        body["input"] = body["input"][:40]  # speech synthesis time grows with the text
    elif isinstance(body.get("input"), list):
        body["input"] = body["input"][:2]  # embeddings: two inputs are enough to exercise the path
    if isinstance(body.get("prompt"), str):
        body["prompt"] = body["prompt"][:200]


@pytest.mark.parametrize(
    "mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value
)
def test_no_server_errors_and_openai_shaped_errors(api, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_url(f"{api.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} >= {
        "POST /v1/chat/completions",
        "GET /v1/models",
        "GET /health",
    }
    seen_statuses: set[int] = set()

    for operation in operations:
        if mode is GenerationMode.NEGATIVE and operation.label in WITHOUT_INPUT:
            continue  # nothing a client sends there can be invalid

        @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis.settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
        def exercise(case: schemathesis.Case) -> None:
            _cheapen(case.body, api.model_id)
            response = case.call(base_url=api.url, timeout=120)
            case.validate_response(response, checks=[not_a_server_error])
            seen_statuses.add(response.status_code)
            if 400 <= response.status_code < 500:
                error = response.json()["error"]
                assert isinstance(error["message"], str) and error["message"]
                assert {"type", "param", "code"} <= set(error)

        exercise()
    assert (
        seen_statuses & {200}
        if mode is GenerationMode.POSITIVE
        else seen_statuses & {400, 401, 404, 405, 413}
    )
