"""Every refusal as JSON ``{"detail": <Indonesian reason>, "code": <machine code>}``: bad
input is a 4xx with a reason, never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import AuthError
from api.runtime import NotReady
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

    @app.exception_handler(AuthError)
    async def _auth(_: Request, exc: AuthError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.code)

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

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return error_response(500, "Terjadi kesalahan internal; sudah dicatat.", "internal_error")
