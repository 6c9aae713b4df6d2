"""API keys for people (officer, curator, admin) and message sources (channel)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from api import audit
from api.auth import Principal, Role, create_key
from api.db import ApiKey, utcnow
from api.schemas.admin import ApiKeyView, NewApiKey
from api.services.errors import ServiceError, not_found

if TYPE_CHECKING:
    from api.context import Context


def key_view(k: ApiKey) -> ApiKeyView:
    """A key as admins see it (never the key itself, only its last characters); a channel
    key also lists its channels."""
    return ApiKeyView(id=k.id, name=k.name, role=k.role, key_hint="…" + k.key_hint,
                      created_at=k.created_at.isoformat(), created_by=k.created_by,
                      revoked_at=k.revoked_at.isoformat() if k.revoked_at else None,
                      channels=sorted(filter(None, (k.channels or "").split(",")))
                      if k.role == Role.CHANNEL.value else None)


def create_user(rt: Context, principal: Principal, name: str, role: str,
                channels: list[str] | None = None) -> NewApiKey:
    """Create a key for a person or channel (scoped to ``channels``); the plaintext key is
    returned only here."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ServiceError(422, "Nama wajib diisi (maks 100 karakter).", "bad_name")
    try:
        r = Role(role)
    except ValueError:
        raise ServiceError(422, f"Peran '{role}' tidak dikenal; pilih officer, curator, admin "
                                f"atau channel.", "bad_role") from None
    with rt.db.transaction() as s:
        try:
            row, key = create_key(s, name, r, created_by=principal.label,
                                  channels=channels or ())
        except ValueError as exc:
            raise ServiceError(422, f"Kunci tidak dibuat: {exc}.", "bad_channels") from None
        audit.record(s, principal.label, "admin.create_key", "api_key", row.id, None,
                     {"name": name, "role": r.value,
                      **({"channels": row.channels} if row.channels else {})})
        view = key_view(row)
    return NewApiKey(**dict(view), key=key)


def list_users(rt: Context) -> list[ApiKeyView]:
    """Every key, newest first."""
    with rt.db.transaction() as s:
        return [key_view(k) for k in s.scalars(select(ApiKey).order_by(ApiKey.id.desc()))]


def revoke_user(rt: Context, principal: Principal, key_id: int) -> ApiKeyView:
    """Revoke a key (it stops working at once); one cannot revoke one's own key."""
    if key_id == principal.key_id:
        raise ServiceError(409, "Tidak dapat mencabut kunci sendiri.", "self_revoke")
    with rt.db.transaction() as s:
        row = s.get(ApiKey, key_id)
        if row is None:
            raise not_found("Kunci", key_id)
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            audit.record(s, principal.label, "admin.revoke_key", "api_key", row.id, None,
                         {"name": row.name, "role": row.role})
        return key_view(row)
