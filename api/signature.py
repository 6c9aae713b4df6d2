"""WhatsApp webhook signatures: ``X-Hub-Signature-256: sha256=<hex>`` = HMAC-SHA256 of the raw
body keyed with the app secret. Verified on the raw bytes, before any parsing: re-serialised
JSON has different bytes (the platform escapes non-ASCII as \\uXXXX)."""

from __future__ import annotations

import hashlib
import hmac


def sign(body: bytes, secret: str) -> str:
    """The header value the platform would send for ``body``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(body: bytes, header: str | None, secret: str | None) -> bool:
    """True only when a secret is configured and ``header`` is its signature of ``body``.

    No secret configured means every POST is refused (fail closed): accepting unsigned posts
    would let anyone inject messages.
    """
    if not secret or not header:
        return False
    scheme, _, digest = header.strip().partition("=")
    if scheme.lower() != "sha256" or not digest:
        return False
    expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), digest.strip().lower().encode("ascii", "replace"))
