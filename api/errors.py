"""Every refusal as JSON ``{"detail": <Indonesian reason>, "code": <machine code>}``: bad
input is a 4xx with a reason, never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import AuthError
from api.ratelimit import RateLimited
from api.context import NotReady
from api.services.errors import ServiceError

log = logging.getLogger("lantunan.api")


def error_response(status: int, detail: str, code: str, **extra: Any) -> JSONResponse:
    """A JSON error body."""
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"detail": detail, "code": code, **extra}, status_code=status,
                        headers=headers)


def _loc(loc: Any) -> str:
    return ".".join(str(p) for p in loc if p != "body") or "body"


def install(app: FastAPI) -> None:
    """Register the exception handlers."""
    _install_refusals(app)
    _install_safety_nets(app)


def _install_refusals(app: FastAPI) -> None:
    """Handlers of the refusals the code raises on purpose (auth, limits, services, input)."""

    @app.exception_handler(AuthError)
    async def _auth(_: Request, exc: AuthError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.code)

    @app.exception_handler(RateLimited)
    async def _limited(_: Request, exc: RateLimited) -> JSONResponse:
        return JSONResponse({"detail": exc.message, "code": exc.code,
                             "limit": exc.verdict.limit,
                             "retry_after": exc.verdict.retry_after}, status_code=429,
                            headers={"Retry-After": str(exc.verdict.retry_after)})

    @app.exception_handler(ServiceError)
    async def _service(_: Request, exc: ServiceError) -> JSONResponse:
        return JSONResponse(exc.to_json(), status_code=exc.status)

    @app.exception_handler(NotReady)
    async def _not_ready(_: Request, exc: NotReady) -> JSONResponse:
        return error_response(503, str(exc), "not_ready")

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": _loc(e.get("loc", ())), "msg": str(e.get("msg", "")),
                   "type": str(e.get("type", ""))} for e in exc.errors()]
        first = errors[0] if errors else {"loc": "body", "msg": "tidak valid"}
        if first.get("type") == "json_invalid":
            detail = "Isi permintaan bukan JSON yang valid."
        else:
            detail = f"Permintaan tidak valid: {first['loc']}: {first['msg']}"
        return error_response(422, detail, "invalid_request", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {404: "Alamat tidak ditemukan.", 405: "Metode tidak diizinkan."}
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code not in messages \
            else messages.get(exc.status_code, str(exc.detail))
        return JSONResponse({"detail": detail, "code": f"http_{exc.status_code}"},
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))


def _install_safety_nets(app: FastAPI) -> None:
    """Safety nets behind the validation of every route: a value no check anticipated (a date
    whose offset overflows, a number past a database column's range, JSON nested past the
    decoder's recursion limit) is the caller's bad input, not a server error."""

    @app.exception_handler(RecursionError)
    async def _too_deep(request: Request, exc: RecursionError) -> JSONResponse:
        log.warning("input nested too deeply", extra={"path": request.url.path})
        return error_response(400, "Isi permintaan bersarang terlalu dalam.", "json_too_deep")

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError) -> JSONResponse:
        log.warning("value out of range", extra={"path": request.url.path})
        return error_response(422, "Nilai di luar rentang yang dapat diproses.", "out_of_range")

    @app.exception_handler(StatementError)
    async def _statement(request: Request, exc: StatementError) -> JSONResponse:
        # DataError (PostgreSQL: value out of range) or a bind parameter Python could not
        # convert (OverflowError): bad input. Anything else is a real server error.
        if isinstance(exc, DataError) or isinstance(exc.orig, (OverflowError, ValueError)):
            log.warning("database refused a value", extra={"path": request.url.path,
                                                           "error": str(exc.orig)[:200]})
            return error_response(422, "Nilai di luar rentang yang dapat disimpan.",
                                  "out_of_range")
        log.exception("unhandled database error", extra={"path": request.url.path})
        return error_response(500, "Terjadi kesalahan internal; sudah dicatat.",
                              "internal_error")

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return error_response(500, "Terjadi kesalahan internal; sudah dicatat.", "internal_error")
