"""The officer and curator console: server-rendered Indonesian pages on top of
``api.services`` (login sessions, queue, conversation, knowledge base, search playground,
dashboard, audit). Works without JavaScript; ``static/console.js`` adds queue polling,
keyboard shortcuts and an upload "sedang diproses" state."""

from __future__ import annotations

from typing import Any

from fastapi.staticfiles import StaticFiles

UPLOAD_PATH = "/basis-pengetahuan/unggah"


def install(app: Any) -> None:
    """Add the console's routes, static files and HTML error handlers to ``app``."""
    from api.web import kb_routes, officer_routes, routes
    from api.web.common import HERE, install_handlers

    for r in (routes.router, officer_routes.router, kb_routes.router):
        app.include_router(r)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    install_handlers(app)
