"""Console login sessions: a signed, HttpOnly, SameSite=Lax cookie naming the API key row
(never the key itself), plus a per-session CSRF token for every POST form. Signing is
``itsdangerous`` (HMAC-SHA256, one salt per purpose, so a token of one kind is never accepted
as another).

The cookie is stateless, so every request re-reads the key row: revoking a key ends its
console sessions at once. The signing secret comes from settings or from a random file in
the data dir, so several workers sharing one data dir accept each other's cookies.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itsdangerous import BadData, Signer, URLSafeSerializer

from api.auth import Perm, Principal, Role
from api.db import ApiKey
from api.runtime import Runtime

COOKIE = "lantunan_sesi"
SECRET_FILE = "web-session.key"
LOGIN_FORM_TTL = 3600  # seconds a login form's anti-forgery token stays valid
_secret_lock = threading.Lock()


class LoginRequired(Exception):
    """No valid session: the page redirects to the login form."""


class PageForbidden(Exception):
    """Signed in, but the role lacks the permission the page needs (HTTP 403)."""

    def __init__(self, perm: Perm) -> None:
        super().__init__(perm.value)
        self.perm = perm


class CsrfError(Exception):
    """A POST without the session's anti-forgery token (HTTP 403)."""


@dataclass(frozen=True)
class WebUser:
    """The signed-in person of one request."""

    principal: Principal
    csrf: str

    @property
    def name(self) -> str:
        """Display name of the key holder."""
        return self.principal.name

    @property
    def role(self) -> str:
        """Role value: officer, curator or admin."""
        return self.principal.role.value

    def can(self, perm: str | Perm) -> bool:
        """True when the role grants ``perm`` (templates pass the string value)."""
        return self.principal.can(Perm(perm))


def secret(rt: Runtime) -> bytes:
    """The signing secret (settings, else a random one persisted in the data dir)."""
    cached = getattr(rt, "_web_secret", None)
    if cached:
        return cached
    configured = rt.settings.web_session_secret
    if configured:
        value = configured.encode()
    else:
        value = _file_secret(rt.settings.data_dir / SECRET_FILE)
    rt._web_secret = value  # type: ignore[attr-defined]
    return value


def _file_secret(path: Path) -> bytes:
    """Read the secret file, creating it (mode 0600) on first use."""
    with _secret_lock:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:  # we won the race: write it; losers read what we wrote
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
        for _ in range(50):
            value = path.read_text().strip()
            if value:
                return value.encode()
            time.sleep(0.02)  # another process created the file and is still writing it
        raise RuntimeError(f"{path}: session secret file is empty")


def same(given: str | None, expected: str) -> bool:
    """Constant-time equality of a submitted credential and the expected one, as UTF-8 bytes:
    ``hmac.compare_digest`` raises TypeError on non-ASCII str, and a credential an attacker
    fills with "é" must be a refusal, not a server error."""
    if given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"),
                               expected.encode("utf-8", "surrogatepass"))


def _serializer(rt: Runtime, purpose: str) -> URLSafeSerializer:
    """Signs and reads JSON tokens of one purpose ("session", "login")."""
    return URLSafeSerializer(secret(rt), salt=f"lantunan.{purpose}",
                             signer_kwargs={"digest_method": hashlib.sha256})


def _load(rt: Runtime, purpose: str, token: str | None) -> Any:
    """The payload of a token signed for ``purpose``, or None (missing, forged, garbled)."""
    if not token or not token.isascii():
        return None
    try:
        return _serializer(rt, purpose).loads(token)
    except (BadData, ValueError):  # forged, or not a token at all
        return None


def make_cookie(rt: Runtime, key_id: int, now: float | None = None) -> str:
    """A signed session cookie value for API key row ``key_id``. The expiry is in the signed
    payload (the browser's max-age is only a hint)."""
    now = now or time.time()
    payload = {"k": key_id, "n": secrets.token_urlsafe(16),
               "e": int(now + rt.settings.web_session_hours * 3600)}
    return _serializer(rt, "session").dumps(payload)


def read_cookie(rt: Runtime, value: str | None, now: float | None = None) -> dict[str, Any] | None:
    """The payload of a valid, unexpired cookie; None otherwise."""
    payload = _load(rt, "session", value)
    if not isinstance(payload, dict) or not isinstance(payload.get("k"), int) \
            or not isinstance(payload.get("e"), int):
        return None
    if payload["e"] < (now or time.time()):
        return None
    return payload


def csrf_token(rt: Runtime, payload: dict[str, Any]) -> str:
    """The anti-forgery token of one session (derived, so nothing is stored server-side)."""
    signer = Signer(secret(rt), salt="lantunan.csrf", digest_method=hashlib.sha256)
    return signer.get_signature(f"{payload['k']}:{payload['n']}").decode()


def login_form_token(rt: Runtime, now: float | None = None) -> str:
    """A time-stamped token for the login form (no session exists yet)."""
    return _serializer(rt, "login").dumps(int(now or time.time()))


def check_login_form_token(rt: Runtime, token: str | None, now: float | None = None) -> bool:
    """True for a token this server issued within ``LOGIN_FORM_TTL`` seconds."""
    issued = _load(rt, "login", token)
    if not isinstance(issued, int) or isinstance(issued, bool):
        return False
    return 0 <= (now or time.time()) - issued <= LOGIN_FORM_TTL


def user_from_cookie(rt: Runtime, value: str | None) -> WebUser | None:
    """The signed-in person, or None (bad/expired cookie, revoked key, channel key)."""
    payload = read_cookie(rt, value)
    if payload is None:
        return None
    with rt.db.transaction() as s:
        row = s.get(ApiKey, payload["k"])
        if row is None or row.revoked_at is not None or row.role == Role.CHANNEL.value:
            return None
        principal = Principal(row.id, row.name, Role(row.role))
    return WebUser(principal, csrf_token(rt, payload))


def check_csrf(user: WebUser, submitted: str | None) -> None:
    """Raise ``CsrfError`` unless ``submitted`` is this session's token."""
    if not submitted or not same(submitted, user.csrf):
        raise CsrfError()
