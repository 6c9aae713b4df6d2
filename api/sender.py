"""WhatsApp Graph API client: send one text message, with bounded retries and backoff.

Retries on 5xx, 429, timeouts and connection errors; any other 4xx is final (retrying a
rejected request cannot succeed). The caller records the send intent *before* calling
``send_text`` so a crash can never lead to a second send of the same reply.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from lantunan.settings import Settings

log = logging.getLogger("lantunan.api.sender")


@dataclass
class Attempt:
    """One HTTP attempt."""

    number: int
    status_code: int | None
    error: str | None
    elapsed_ms: float


@dataclass
class SendResult:
    """Outcome of ``send_text``: the platform's message id on success, the last error otherwise."""

    ok: bool
    wamid: str | None = None
    error: str | None = None
    attempts: list[Attempt] = field(default_factory=list)

    def attempts_json(self) -> list[dict[str, Any]]:
        """Attempts as plain dicts (for the audit log)."""
        return [vars(a) for a in self.attempts]


class GraphSender:
    """Posts text messages to ``{graph_base_url}/{phone_number_id}/messages``."""

    def __init__(self, settings: Settings, client: httpx.Client | None = None) -> None:
        self.base_url = settings.graph_base_url.rstrip("/")
        self.token = settings.whatsapp_access_token or ""
        self.default_number = settings.whatsapp_phone_number_id
        self.max_attempts = max(1, settings.send_max_attempts)
        self.backoff = max(0.0, settings.send_backoff)
        self._client = client or httpx.Client(timeout=settings.send_timeout)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def send_text(self, to: str, body: str, phone_number_id: str | None = None) -> SendResult:
        """Send ``body`` to ``to``; retries transient failures, never raises for HTTP errors."""
        url = f"{self.base_url}/{phone_number_id or self.default_number}/messages"
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
                   "type": "text", "text": {"preview_url": False, "body": body}}
        headers = {"Authorization": f"Bearer {self.token}"}
        result = SendResult(ok=False)
        for n in range(1, self.max_attempts + 1):
            started = time.perf_counter()
            status: int | None = None
            retry = False
            try:
                resp = self._client.post(url, json=payload, headers=headers)
                status = resp.status_code
                if 200 <= status < 300:
                    wamid = _message_id(resp)
                    result.attempts.append(Attempt(n, status, None, _ms(started)))
                    if wamid:
                        result.ok, result.wamid = True, wamid
                        return result
                    # 2xx without an id: the platform accepted something, but we cannot tell
                    # what; do not retry (it may have been sent).
                    result.error = "respons 2xx tanpa messages[0].id"
                    return result
                error = f"HTTP {status}: {_error_text(resp)}"
                retry = status >= 500 or status == 429
            except httpx.TimeoutException as exc:
                error, retry = f"timeout: {type(exc).__name__}", True
            except httpx.TransportError as exc:
                error, retry = f"connection error: {type(exc).__name__}: {exc}", True
            result.attempts.append(Attempt(n, status, error, _ms(started)))
            result.error = error
            log.warning("graph send attempt failed", extra={"attempt": n, "error": error})
            if not retry or n == self.max_attempts:
                break
            time.sleep(self.backoff * (2 ** (n - 1)))
        return result


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _message_id(resp: httpx.Response) -> str | None:
    try:
        data = resp.json()
        mid = data["messages"][0]["id"]
        return mid if isinstance(mid, str) and mid else None
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def _error_text(resp: httpx.Response) -> str:
    try:
        err = resp.json().get("error", {})
        if isinstance(err, dict) and err.get("message"):
            return str(err.get("message"))[:300]
    except (ValueError, AttributeError):
        pass
    return resp.text[:300]
