"""Request body limits, enforced before any route sees the body.

The declared Content-Length is checked first; then the streamed bytes are counted while the
body is buffered (chunked uploads declare no length), and the request is refused with 413 as
soon as the limit is passed. Routes then read the buffered body as usual.

Upload paths (those with a larger per-path limit) authenticate *before* buffering: 20 MB from
anyone without a curator's credential is refused at the headers, not after it was read.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class BodyLimitMiddleware:
    """Pure ASGI middleware: 413 for bodies above ``limit`` (or a per-path override)."""

    def __init__(self, app: Any, limit: int, overrides: dict[tuple[str, str], int] | None = None
                 ) -> None:
        self.app = app
        self.limit = limit
        self.overrides = overrides or {}

    def _limit_for(self, scope: Scope) -> int:
        return self.overrides.get((scope.get("method", ""), scope.get("path", "")), self.limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope)
        headers = dict(scope.get("headers") or [])
        if (scope.get("method", ""), scope.get("path", "")) in self.overrides:
            refusal = await _upload_refusal(scope, headers)
            if refusal is not None:
                await refusal(send)
                return
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
                if size < 0:
                    raise ValueError
            except ValueError:
                await _error(send, 400, "Header Content-Length tidak valid.", "bad_content_length")
                return
            if size > limit:
                await _too_large(send, limit)
                return
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            total += len(body)
            if total > limit:
                await _too_large(send, limit)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        buffered = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": buffered, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _upload_refusal(scope: Scope, headers: dict[bytes, bytes]
                          ) -> Callable[[Send], Awaitable[None]] | None:
    """None when the caller may upload (a key or console session with kb:write); otherwise
    the response to send instead of reading the body."""
    from fastapi.concurrency import run_in_threadpool

    from api.auth import AuthError, Perm, authenticate, extract_key
    from api.web.session import COOKIE, user_from_cookie

    app = scope.get("app")
    rt = getattr(getattr(app, "state", None), "runtime", None)
    if rt is None:  # not mounted in our app: let the route decide
        return None
    text = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in headers.items()}
    key = extract_key(text.get("authorization"), text.get("x-api-key"))
    if key:
        try:
            principal = await run_in_threadpool(authenticate, rt.db, key,
                                                rt.settings.channel_api_key)
        except AuthError as exc:
            status, message, code = exc.status, exc.message, exc.code
            return lambda send: _error(send, status, message, code)
    else:
        cookie = _cookie(text.get("cookie", ""), COOKIE)
        user = await run_in_threadpool(user_from_cookie, rt, cookie) if cookie else None
        if user is None:
            if scope.get("path", "").startswith("/api/"):
                return lambda send: _error(send, 401, "Kredensial tidak ada: unggah dokumen "
                                                      "perlu kunci kurator.", "missing_credential")
            return _redirect_to_login
        principal = user.principal
    if not principal.can(Perm.KB_WRITE):
        message = (f"Peran '{principal.role.value}' tidak berwenang mengunggah dokumen (perlu "
                   "izin 'kb:write').")
        return lambda send: _error(send, 403, message, "forbidden")
    return None


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        k, _, v = part.strip().partition("=")
        if k == name:
            return v
    return None


async def _redirect_to_login(send: Send) -> None:
    await send({"type": "http.response.start", "status": 303,
                "headers": [(b"location", b"/masuk"), (b"content-length", b"0"),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": b""})


async def _too_large(send: Send, limit: int) -> None:
    await _error(send, 413, f"Isi permintaan terlalu besar (maksimum {limit} byte).",
                 "body_too_large")


async def _error(send: Send, status: int, detail: str, code: str) -> None:
    body = json.dumps({"detail": detail, "code": code}, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
