"""Admin endpoints: API keys and the audit log; plus ``/api/v1/me`` for any key."""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from api import audit
from api.auth import Perm, Principal
from api.deps import requires, runtime
from api.runtime import Runtime
from api.schemas.admin import ApiKeyView, AuditPage, Me, NewApiKey
from api.services import users
from api.services.audit_log import audit_page
from api.services.errors import ServiceError
from api.validation import DbId, OptDbId

router = APIRouter(prefix="/api/v1", tags=["admin"])
admin_users = requires(Perm.USERS)
admin_audit = requires(Perm.AUDIT_READ)


class UserIn(BaseModel):
    """A new key holder."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    role: str = Field(pattern="^(officer|curator|admin|channel)$")
    channels: list[str] = Field(
        default_factory=list, max_length=20,
        description="Channel key only (required there): the channel names it may write into "
                    "and read.", examples=[["webchat"]])


@router.get("/me", summary="Who am I", response_model=Me)
def me(who: Principal = Depends(requires(None))) -> dict:
    """The caller's name, role and permissions; a channel key also its channels."""
    return {"key_id": who.key_id, "name": who.name, "role": who.role.value,
            "permissions": sorted(p.value for p in Perm if who.can(p)),
            "channels": None if who.channels is None else sorted(who.channels)}


@router.post("/users", status_code=201, summary="Create an API key (shown once)",
             response_model=NewApiKey)
def create_user(body: UserIn, rt: Runtime = Depends(runtime),
                who: Principal = Depends(admin_users)) -> NewApiKey:
    """Create an officer, curator, admin or channel key; the response carries the key once.
    A channel key names its channels; it may write into and read only those."""
    return users.create_user(rt, who, body.name, body.role, body.channels)


@router.get("/users", summary="API keys", response_model=list[ApiKeyView])
def list_users(rt: Runtime = Depends(runtime),
               _: Principal = Depends(admin_users)) -> list[ApiKeyView]:
    """Every key (hint only, never the key)."""
    return users.list_users(rt)


@router.post("/users/{key_id}/revoke", summary="Revoke an API key",
             response_model=ApiKeyView)
def revoke_user(key_id: DbId, rt: Runtime = Depends(runtime),
                who: Principal = Depends(admin_users)) -> ApiKeyView:
    """The key stops working at once."""
    return users.revoke_user(rt, who, key_id)


def _utc(at: datetime | None) -> datetime | None:
    if at is None:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    try:  # year 1 or 9999 with an offset falls off the calendar in UTC
        return at.astimezone(timezone.utc)
    except OverflowError:
        raise ServiceError(422, "Waktu di luar rentang yang dapat diproses.",
                           "out_of_range") from None


@router.get("/audit", summary="Audit log (newest first)", response_model=AuditPage)
def audit_log(
    actor: str | None = Query(None, max_length=200),
    action: str | None = Query(None, max_length=64, description="exact, or prefix with '*'"),
    target_type: str | None = Query(None, max_length=32),
    target_id: str | None = Query(None, max_length=255),
    conversation_id: OptDbId = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: OptDbId = None,
    limit: int = Query(100, ge=1, le=1000),
    rt: Runtime = Depends(runtime), _: Principal = Depends(admin_audit),
) -> AuditPage:
    """Filter by actor, action, target, conversation, time; page with ``before_id``."""
    f = audit.AuditFilter(actor=actor, action=action, target_type=target_type,
                          target_id=target_id, conversation_id=conversation_id,
                          since=_utc(since), until=_utc(until), limit=limit, before_id=before_id)
    return audit_page(rt, f)
