"""The one exception service functions raise for a refused request (mapped to HTTP by routes)."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A request the service refuses: HTTP status, Indonesian message, machine code."""

    def __init__(self, http_status: int, message: str, code: str, /, **extra: Any) -> None:
        super().__init__(message)
        self.status = http_status
        self.message = message
        self.code = code
        self.extra = extra

    def to_json(self) -> dict[str, Any]:
        """The error body routes return."""
        return {"detail": self.message, "code": self.code, **self.extra}


def not_found(what: str, ident: object) -> ServiceError:
    """404 for a missing record."""
    return ServiceError(404, f"{what} {ident} tidak ditemukan.", "not_found")
