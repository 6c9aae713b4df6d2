"""Roles and API keys: officer, curator, admin (people) and channel (a generic message source).

Keys are 32 random bytes, so a plain SHA-256 is enough to keep them unusable at rest (no
dictionary to brute-force) and lets a key be found by its hash in one indexed lookup.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.db import ApiKey, Database, utcnow

log = logging.getLogger("lantunan.api.auth")

# The file the first admin key is written to (mode 0600) when none is configured: never to
# stdout or the log, which end up in container logs.
ADMIN_KEY_FILE = "admin-key.txt"
CHANNEL_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


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
    # Channel keys: the channel names this key may write into and read (empty: none).
    # None: not scoped (admin; people's roles have no channel permission anyway).
    channels: frozenset[str] | None = None

    @property
    def label(self) -> str:
        """How the audit log names this caller."""
        return f"{self.role.value}:{self.name}" + (f"#{self.key_id}" if self.key_id else "")

    def can(self, perm: Perm) -> bool:
        """True when the role grants ``perm``."""
        return perm in ROLE_PERMS[self.role]

    def may_use_channel(self, channel: str) -> bool:
        """True when this caller may write into and read ``channel``."""
        return self.channels is None or channel in self.channels


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


def parse_channels(value: str | Iterable[str] | None) -> frozenset[str]:
    """Channel names from "a,b" / "a b" / a list; raises ValueError naming a bad one."""
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value or [])
    names = frozenset(n.strip() for n in items if n and n.strip())
    bad = sorted(n[:40] for n in names if not CHANNEL_NAME.match(n) or n == "whatsapp")
    if bad:
        raise ValueError(f"nama kanal tidak sah: {', '.join(bad[:5])} (huruf kecil, angka, '_' "
                         f"atau '-', maks 32; 'whatsapp' hanya lewat webhook)")
    return names


@lru_cache(maxsize=8)
def settings_channels(value: str) -> frozenset[str]:
    """The scope of the key from settings (checked at start, so a bad name never gets here)."""
    return parse_channels(value)


def create_key(session: Session, name: str, role: Role, created_by: str | None,
               key: str | None = None,
               channels: Iterable[str] = ()) -> tuple[ApiKey, str]:
    """Store a new key (hashed) and return the row and the plaintext, shown only once.
    A channel key must name at least one channel; other roles take none."""
    scope = parse_channels(channels)
    if role == Role.CHANNEL and not scope:
        raise ValueError("kunci kanal wajib menyebut minimal satu nama kanal")
    if role != Role.CHANNEL and scope:
        raise ValueError("hanya kunci kanal yang dibatasi ke nama kanal")
    key = key or new_key()
    row = ApiKey(name=name, role=role.value, key_hash=hash_key(key), key_hint=key[-4:],
                 created_by=created_by, created_at=utcnow(),
                 channels=",".join(sorted(scope)) or None)
    session.add(row)
    session.flush()
    return row, key


def write_secret_file(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` readable by the owner only (0600 from the first byte:
    a temporary file created with that mode, fsynced, then renamed over the target)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # O_CREAT's mode is masked by umask; an old tmp kept its mode
        os.write(fd, content.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def bootstrap_admin(db: Database, configured_key: str | None,
                    data_dir: Path | None = None) -> Path | None:
    """On an empty key table create the first admin. A generated key is written to
    ``data_dir/admin-key.txt`` (0600) and never printed; returns that path (None otherwise).

    The file is written before the key row commits: if writing fails nothing is stored and
    the next start tries again, so a generated key can never be lost between the two."""
    with db.transaction() as s:
        if s.scalar(select(func.count()).select_from(ApiKey)):
            return None
        _, key = create_key(s, "admin", Role.ADMIN, created_by="bootstrap", key=configured_key)
        from api.audit import record  # local import: audit imports nothing from here

        path = None
        if not configured_key:
            path = (data_dir or Path(".")).resolve() / ADMIN_KEY_FILE
            write_secret_file(path, key + "\n")
        record(s, "system", "auth.bootstrap_admin", "api_key", "admin",
               detail={"source": "settings" if configured_key else "generated",
                       "file": str(path) if path else None})
    if path:
        log.warning("first admin key written to %s (mode 0600); store it elsewhere and delete "
                    "the file", path)
    return path


def extract_key(authorization: str | None, x_api_key: str | None) -> str | None:
    """The key from ``Authorization: Bearer <key>`` or ``X-API-Key``."""
    if x_api_key and x_api_key.strip():
        return x_api_key.strip()
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return None


def authenticate(db: Database, key: str | None, channel_key: str | None,
                 channel_key_channels: frozenset[str] = frozenset()) -> Principal:
    """Resolve a key to a principal or raise ``AuthError`` 401. ``channel_key`` is the key
    from settings, scoped to ``channel_key_channels``."""
    if not key:
        raise AuthError(401, "Kredensial tidak ada: kirim 'Authorization: Bearer <kunci>' atau "
                             "'X-API-Key'.", "missing_credential")
    if channel_key and hmac.compare_digest(key.encode("utf-8", "surrogatepass"),
                                           channel_key.encode("utf-8", "surrogatepass")):
        return Principal(None, "channel", Role.CHANNEL, channel_key_channels)
    with db.transaction() as s:
        row = s.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key)))
        if row is None or row.revoked_at is not None:
            raise AuthError(401, "Kunci API tidak valid atau sudah dicabut.", "invalid_credential")
        scope = None
        if row.role == Role.CHANNEL.value:  # a stored scope with a bad name grants nothing
            scope = frozenset(n for n in (row.channels or "").split(",") if CHANNEL_NAME.match(n))
        return Principal(row.id, row.name, Role(row.role), scope)


def authorize(principal: Principal, perm: Perm) -> None:
    """Raise ``AuthError`` 403 when the principal's role lacks ``perm``."""
    if not principal.can(perm):
        raise AuthError(
            403,
            f"Peran '{principal.role.value}' tidak berwenang untuk tindakan ini "
            f"(perlu izin '{perm.value}').",
            "forbidden",
        )


def check_channel(principal: Principal, channel: str) -> None:
    """Raise ``AuthError`` 403 when ``principal`` may not write into ``channel``."""
    if principal.may_use_channel(channel):
        return
    allowed = ", ".join(sorted(principal.channels or ())) or "tidak ada"
    raise AuthError(403, f"Kunci ini tidak berwenang untuk kanal '{channel}' (kanal kunci ini: "
                         f"{allowed}).", "channel_forbidden")
