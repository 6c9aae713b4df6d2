"""Rate limits with the ``limits`` library: moving windows kept in memory (one process) or in
Redis when ``LANTUNAN_REDIS_URL`` is set (several workers share the counts).

Three limits, each a ``limits`` string such as ``"20/minute;200/hour"`` in settings:

- ``rate_webhook_applicant``: messages per WhatsApp sender. Over it a message is still stored
  (nothing the platform delivered is lost) but not drafted, and the sender gets one notice per
  ``rate_notice_period``;
- ``rate_api_key``: requests per API or channel key (429 with ``Retry-After``);
- ``rate_login_ip``: *failed* console sign-ins per client IP; while over it every sign-in from
  that IP is refused with 429 (a person who types the key right is never slowed down).

Identifiers are hashed before they become storage keys (phone numbers stay out of Redis). A
storage that fails (Redis down) lets requests through and logs it: rate limiting protects the
service, it must not take it down.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

if TYPE_CHECKING:
    from api.context import Context
    from lantunan.settings import Settings

log = logging.getLogger("lantunan.api.ratelimit")


@dataclass(frozen=True)
class Verdict:
    """Whether a request may go on; when not, which limit and how long to wait."""

    allowed: bool
    limit: str = ""
    retry_after: int = 0


ALLOWED = Verdict(True)


class RateLimited(Exception):
    """Over a limit: HTTP 429 with an Indonesian reason and ``Retry-After``."""

    def __init__(self, message: str, verdict: Verdict, code: str = "rate_limited") -> None:
        super().__init__(message)
        self.message = message
        self.verdict = verdict
        self.code = code


class RateLimits:
    """The service's limiters over one storage."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limit_enabled
        url = settings.redis_url or "memory://"
        self.backend = "redis" if settings.redis_url else "memory"
        options = {"key_prefix": settings.rate_limit_namespace} if settings.redis_url else {}
        self.storage: Storage = storage_from_string(url, **options)
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.namespace = settings.rate_limit_namespace
        self.specs = {
            "applicant": parse_many(settings.rate_webhook_applicant),
            "api_key": parse_many(settings.rate_api_key),
            "login_ip": parse_many(settings.rate_login_ip),
            "notice": parse_many(f"1 per {settings.rate_notice_period}"),
        }

    def _key(self, identity: str) -> str:
        digest = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return f"{self.namespace}:{digest}"

    def _retry_after(self, item: RateLimitItem, scope: str, key: str) -> int:
        try:
            stats = self.limiter.get_window_stats(item, scope, key)
            return max(1, math.ceil(stats.reset_time - time.time()))
        except Exception:  # noqa: BLE001 (best effort)
            return item.get_expiry()

    def hit(self, scope: str, identity: str) -> Verdict:
        """Count one event for ``identity``; the verdict says whether it was within every
        limit of ``scope`` (an event over one limit is not counted against the others)."""
        if not self.enabled:
            return ALLOWED
        key = self._key(identity)
        try:
            for item in self.specs[scope]:
                if not self.limiter.test(item, scope, key):
                    return Verdict(False, str(item), self._retry_after(item, scope, key))
            for item in self.specs[scope]:
                self.limiter.hit(item, scope, key)
        except Exception:  # noqa: BLE001 (fail open: never refuse because storage is down)
            log.warning("rate-limit storage failed; allowing", exc_info=True,
                        extra={"scope": scope, "backend": self.backend})
        return ALLOWED

    def check(self, scope: str, identity: str) -> Verdict:
        """Whether ``identity`` is within every limit of ``scope``, without counting."""
        if not self.enabled:
            return ALLOWED
        key = self._key(identity)
        try:
            for item in self.specs[scope]:
                if not self.limiter.test(item, scope, key):
                    return Verdict(False, str(item), self._retry_after(item, scope, key))
        except Exception:  # noqa: BLE001
            log.warning("rate-limit storage failed; allowing", exc_info=True,
                        extra={"scope": scope, "backend": self.backend})
        return ALLOWED

    def first_notice(self, identity: str) -> bool:
        """True once per notice period for ``identity`` (so an over-limit sender gets one
        notice, not one per message)."""
        return self.hit("notice", identity).allowed


def limits_of(rt: Context) -> RateLimits:
    """The runtime's limiters (created on first use)."""
    existing = getattr(rt, "_rate_limits", None)
    if existing is None:
        existing = RateLimits(rt.settings)
        rt._rate_limits = existing  # type: ignore[attr-defined]
    return existing


def wait_text(seconds: int) -> str:
    """'30 detik' / '5 menit' for a reason an applicant or officer reads."""
    return f"{seconds} detik" if seconds < 120 else f"{math.ceil(seconds / 60)} menit"
