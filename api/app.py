"""``create_app(settings, responder=None, kb=None)``: the FastAPI application.

The app owns one ``Runtime`` (database, sender, KB, responder); its lifespan starts it and
wires the worker to it (the composition root of the service).
OpenAPI is served at ``/openapi.json`` and ``/docs`` (Swagger UI). The page loads its script
and style from the ``fastapi-offline`` package (Swagger UI 5, which renders OpenAPI 3.1),
mounted at ``/static-offline-docs``: no CDN, so the docs work on an office network with no
internet. ReDoc is left out: its sidebar logo still comes from a CDN. The docs pages carry a
Content-Security-Policy allowing this origin only (``api/hardening.py`` says why they stay
public).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from api import admin, channel, curation, errors, health, privacy, queue, webhook
from api import web
from api.context import ResponderLike
from api.hardening import SWAGGER_UI_PARAMETERS, DocsPolicyMiddleware
from api.limits import BodyLimitMiddleware
from api.runtime import Runtime
from api.worker import attach_worker
from lantunan.settings import Settings, get_settings

log = logging.getLogger("lantunan.api")

DESCRIPTION = """Lantunan: WhatsApp webhook, generic channel, officer queue, curation and audit.

Authenticate with `Authorization: Bearer <key>` or `X-API-Key: <key>`. Roles: **officer**
(queue, replies), **curator** (knowledge base), **admin** (everything, keys, audit),
**channel** (`POST /api/v1/messages` into the channels the key was issued for, and reading
those messages by their random ids). The WhatsApp webhook is authenticated by its
`X-Hub-Signature-256` signature instead."""


def create_app(settings: Settings | None = None, responder: ResponderLike | None = None,
               kb: Any | None = None, runtime: Runtime | None = None) -> FastAPI:
    """The application; ``responder``/``kb`` replace the default ones (tests, embedding)."""
    settings = settings or get_settings()
    rt = runtime or Runtime(settings, responder=responder, kb=kb)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        key_file = rt.start()
        attach_worker(rt)
        if key_file:
            # First start with an empty key table: the key is in a 0600 file, never in the log.
            print(f"\n*** Kunci admin pertama disimpan di {key_file} (hanya pemilik yang dapat "
                  "membaca); simpan di tempat aman lalu hapus berkasnya.\n", flush=True)
        try:
            yield
        finally:
            rt.stop()

    app = FastAPIOffline(title="Lantunan API", version="0.1.0", description=DESCRIPTION,
                         lifespan=lifespan, redoc_url=None, static_url="/static-offline-docs",
                         favicon_url="/static/favicon.svg",
                         swagger_ui_parameters=SWAGGER_UI_PARAMETERS)
    app.state.runtime = rt
    errors.install(app)
    for r in (health.router, webhook.router, channel.router, queue.router, curation.router,
              admin.router, privacy.router):
        app.include_router(r)
    web.install(app)  # the officer/curator console (HTML pages)
    app.add_middleware(BodyLimitMiddleware, limit=settings.api_max_body_bytes,
                       overrides={("POST", "/api/v1/documents"): settings.api_max_upload_bytes,
                                  ("POST", web.UPLOAD_PATH): settings.api_max_upload_bytes})
    app.add_middleware(DocsPolicyMiddleware)
    return app


def app_factory() -> FastAPI:
    """For ``uvicorn --factory api.app:app_factory`` (settings from the environment)."""
    return create_app(get_settings())
