"""Errors as OpenAI returns them: ``{"error": {"message", "type", "param", "code"}}``, never a trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

_LOGGER = logging.getLogger(__name__)

_TYPE_BY_STATUS = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    413: "invalid_request_error",
    415: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
    503: "server_unavailable",
}


class ApiError(Exception):
    """A request that cannot be served, with the status and words the client gets."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        error_type: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.param = param
        self.error_type = error_type or _TYPE_BY_STATUS.get(status, "api_error")
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """The JSON body OpenAI clients parse."""
        return error_body(self.message, self.error_type, self.param, self.code)

    def response(self) -> JSONResponse:
        """This error as a response."""
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def error_body(
    message: str,
    error_type: str = "invalid_request_error",
    param: str | None = None,
    code: str | None = None,
) -> dict[str, Any]:
    """``{"error": {...}}`` in OpenAI's shape."""
    return {"error": {"message": message, "type": error_type, "param": param, "code": code}}


def describe_validation_error(errors: list[dict[str, Any]]) -> tuple[str, str | None]:
    """One sentence (and the parameter path) for pydantic's first complaint about a request."""
    if not errors:
        return "The request is not valid.", None
    first = errors[0]
    if first.get("type") == "json_invalid":
        detail = (first.get("ctx") or {}).get("error", "")
        return f"The request body is not valid JSON{': ' + detail if detail else ''}.", None
    location = [
        str(part)
        for part in first.get("loc", ())
        if part not in ("body", "query", "path", "header")
    ]
    param = ".".join(location) or None
    message = str(first.get("msg", "invalid value"))
    extra = (
        f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
        if len(errors) > 1
        else ""
    )
    where = f"'{param}'" if param else "The request body"
    return f"{where}: {message}{extra}.", param


def install_error_handlers(app: FastAPI) -> None:
    """Make every failure, expected or not, an OpenAI-shaped JSON error."""

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        message, param = describe_validation_error(list(exc.errors()))
        return ApiError(400, message, param=param, code="invalid_request").response()

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {
            404: "There is no such endpoint.",
            405: "This endpoint does not accept that method.",
        }
        message = messages.get(exc.status_code) or str(exc.detail)
        return ApiError(exc.status_code, message, headers=dict(exc.headers or {})).response()

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        _LOGGER.error("Unexpected error while serving a request", exc_info=exc)
        return ApiError(
            500,
            "The server failed while handling the request; see its log.",
            error_type="api_error",
            code="internal_error",
        ).response()
