"""Transport-level hardening: when the console cookie is Secure, and what the API docs pages
may load.

Secure cookie, ``auto``: the request's own scheme decides. Behind a TLS-terminating proxy that
scheme is what uvicorn's proxy-headers middleware (on by default in ``lantunan serve``) made
of ``X-Forwarded-Proto``; it believes the header only from the addresses in
``forwarded_allow_ips`` (``LANTUNAN_FORWARDED_ALLOW_IPS`` or uvicorn's ``FORWARDED_ALLOW_IPS``,
default 127.0.0.1 and ::1). So a client that sends ``X-Forwarded-Proto: https`` itself, from
an untrusted address, changes nothing, and we do not parse the header a second time here.

API docs: ``/docs`` (Swagger UI from the fastapi-offline package) and ``/openapi.json`` stay
public: the schema describes routes and shapes, never data, and every call it documents
needs a key. What made them a risk was third-party script on the console's origin; the pages
load only our own files and carry a Content-Security-Policy that forbids any other origin,
so a future package version that reached for a CDN would be blocked by the browser too.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lantunan.settings import Settings

DOCS_PATHS = ("/docs", "/docs/oauth2-redirect")
# Swagger UI's page starts itself with one inline script and styles elements inline; its
# icons are data: URLs. Nothing else, and only from this origin.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
            "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
# Swagger UI's validator badge would send the spec's URL to validator.swagger.io.
SWAGGER_UI_PARAMETERS: dict[str, Any] = {"validatorUrl": None}


def cookie_secure(request: Request, settings: Settings) -> bool:
    """Whether the session cookie set on this response gets the Secure flag."""
    mode = settings.web_cookie_secure
    if mode == "on":
        return True
    if mode == "off":
        return False
    return request.url.scheme == "https"


class DocsPolicyMiddleware:
    """Adds the Content-Security-Policy (and no-framing) headers to the API docs pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") not in DOCS_PATHS:
            await self.app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"content-security-policy", DOCS_CSP.encode()),
                            (b"x-frame-options", b"DENY"),
                            (b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"same-origin")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_policy)

