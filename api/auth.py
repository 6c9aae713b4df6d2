"""Roles and API keys: officer, curator, admin (people) and channel (a generic message source).

Keys are 32 random bytes, so a plain SHA-256 is enough to keep them unusable at rest (no
dictionary to brute-force) and lets a key be found by its hash in one indexed lookup.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.db import ApiKey, Database, utcnow


class Role(str, Enum):
    """Who a key belongs to."""

    OFFICER = "officer"
    CURATOR = "curator"
    ADMIN = "admin"
    CHANNEL = "channel"


class Perm(str, Enum):
    """What an endpoint needs."""

    QUEUE_READ = "queue:read"  # see the queue and conversations
    SEND = "send"  # claim, approve, edit, reject, reply: anything reaching applicants
    KB_READ = "kb:read"
    KB_WRITE = "kb:write"
    AUDIT_READ = "audit:read"
    USERS = "users"
    CHANNEL_POST = "channel:post"


ROLE_PERMS: dict[Role, frozenset[Perm]] = {
    Role.OFFICER: frozenset({Perm.QUEUE_READ, Perm.SEND, Perm.KB_READ}),
    Role.CURATOR: frozenset({Perm.KB_READ, Perm.KB_WRITE}),
    Role.ADMIN: frozenset(Perm),
    Role.CHANNEL: frozenset({Perm.CHANNEL_POST}),
}

PERSON_ROLES = (Role.OFFICER, Role.CURATOR, Role.ADMIN, Role.CHANNEL)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    key_id: int | None
    name: str
    role: Role

    @property
    def label(self) -> str:
        """How the audit log names this caller."""
        return f"{self.role.value}:{self.name}" + (f"#{self.key_id}" if self.key_id else "")

    def can(self, perm: Perm) -> bool:
        """True when the role grants ``perm``."""
        return perm in ROLE_PERMS[self.role]


class AuthError(Exception):
    """401 (no or bad credential) or 403 (wrong role), with an Indonesian reason."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


def hash_key(key: str) -> str:
    """SHA-256 hex of an API key."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def new_key() -> str:
    """A fresh random API key."""
    return "lt_" + secrets.token_urlsafe(32)


def create_key(session: Session, name: str, role: Role, created_by: str | None,
               key: str | None = None) -> tuple[ApiKey, str]:
    """Store a new key (hashed) and return the row and the plaintext, shown only once."""
    key = key or new_key()
    row = ApiKey(name=name, role=role.value, key_hash=hash_key(key), key_hint=key[-4:],
                 created_by=created_by, created_at=utcnow())
    session.add(row)
    session.flush()
    return row, key


def bootstrap_admin(db: Database, configured_key: str | None) -> str | None:
    """On an empty key table create the first admin; return its key when we generated it."""
    with db.transaction() as s:
        if s.scalar(select(func.count()).select_from(ApiKey)):
            return None
        _, key = create_key(s, "admin", Role.ADMIN, created_by="bootstrap", key=configured_key)
        from api.audit import record  # local import: audit imports nothing from here

        record(s, "system", "auth.bootstrap_admin", "api_key", "admin",
               detail={"source": "settings" if configured_key else "generated"})
    return None if configured_key else key


def extract_key(authorization: str | None, x_api_key: str | None) -> str | None:
    """The key from ``Authorization: Bearer <key>`` or ``X-API-Key``."""
    if x_api_key and x_api_key.strip():
        return x_api_key.strip()
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return None


def authenticate(db: Database, key: str | None, channel_key: str | None) -> Principal:
    """Resolve a key to a principal or raise ``AuthError`` 401."""
    if not key:
        raise AuthError(401, "Kredensial tidak ada: kirim 'Authorization: Bearer <kunci>' atau "
                             "'X-API-Key'.", "missing_credential")
    if channel_key and hmac.compare_digest(key.encode("utf-8", "surrogatepass"),
                                           channel_key.encode("utf-8", "surrogatepass")):
        return Principal(None, "channel", Role.CHANNEL)
    with db.transaction() as s:
        row = s.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key)))
        if row is None or row.revoked_at is not None:
            raise AuthError(401, "Kunci API tidak valid atau sudah dicabut.", "invalid_credential")
        return Principal(row.id, row.name, Role(row.role))


def authorize(principal: Principal, perm: Perm) -> None:
    """Raise ``AuthError`` 403 when the principal's role lacks ``perm``."""
    if not principal.can(perm):
        raise AuthError(
            403,
            f"Peran '{principal.role.value}' tidak berwenang untuk tindakan ini "
            f"(perlu izin '{perm.value}').",
            "forbidden",
        )
