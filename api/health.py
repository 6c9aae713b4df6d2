"""Liveness (the process answers) and readiness (database and knowledge base reachable)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.deps import runtime
from api.runtime import Runtime
from api.schemas.health import Liveness, Readiness

log = logging.getLogger("lantunan.api.health")
router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness")
def healthz() -> Liveness:
    """200 while the process serves requests."""
    return Liveness()


def _readiness(rt: Runtime) -> tuple[bool, dict]:
    checks: dict = {}
    ok = True
    try:
        rt.db.ping()
        checks["database"] = {"ok": True}
    except Exception as exc:
        ok = False
        checks["database"] = {"ok": False, "error": f"{type(exc).__name__}"}
    if rt.kb_error:
        ok = False
        checks["knowledge_base"] = {"ok": False, "error": rt.kb_error}
    elif not rt.ready.is_set() or rt.kb is None:
        ok = False
        checks["knowledge_base"] = {"ok": False, "error": "loading"}
    else:
        try:
            # No kb_lock: a readiness probe must not wait behind a draft being written.
            stats = rt.kb.stats()
            checks["knowledge_base"] = {"ok": True, **stats}
        except Exception as exc:
            ok = False
            checks["knowledge_base"] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    checks["worker"] = {"enabled": rt.settings.api_worker_enabled}
    return ok, checks


@router.get("/readyz", summary="Readiness", response_model=Readiness,
            responses={503: {"model": Readiness, "description": "Not ready"}})
async def readyz(rt: Runtime = Depends(runtime)) -> JSONResponse:
    """200 when the database answers and the knowledge base is loaded; 503 otherwise."""
    ok, checks = await run_in_threadpool(_readiness, rt)
    return JSONResponse({"status": "ready" if ok else "not_ready", "checks": checks},
                        status_code=200 if ok else 503)
