"""FastAPI dependencies: the runtime and the authenticated, authorised caller."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.auth import Perm, Principal, authenticate, authorize, extract_key, settings_channels
from api.ratelimit import RateLimited, limits_of, wait_text
from api.runtime import Runtime

_bearer = HTTPBearer(auto_error=False, description="Kunci API: `Authorization: Bearer <kunci>`")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Kunci API (alternatif)")


def runtime(request: Request) -> Runtime:
    """The service runtime of this app."""
    return request.app.state.runtime


def requires(perm: Perm | None) -> Callable[..., Principal]:
    """Dependency: 401 without a valid key, 403 when the key's role lacks ``perm``."""

    def dependency(request: Request,
                   bearer: HTTPAuthorizationCredentials | None = Security(_bearer),
                   x_api_key: str | None = Security(_header)) -> Principal:
        rt: Runtime = request.app.state.runtime
        key = extract_key(f"Bearer {bearer.credentials}" if bearer else None, x_api_key)
        principal = authenticate(rt.db, key, rt.settings.channel_api_key,
                                 settings_channels(rt.settings.channel_api_key_channels))
        verdict = limits_of(rt).hit("api_key", f"key:{principal.key_id or principal.name}")
        if not verdict.allowed:
            raise RateLimited(f"Terlalu banyak permintaan dengan kunci ini (batas {verdict.limit})"
                              f"; coba lagi dalam {wait_text(verdict.retry_after)}.", verdict)
        if perm is not None:
            authorize(principal, perm)
        request.state.principal = principal
        return principal

    return dependency
