"""Liveness, readiness and the webhook acknowledgement."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from api.schemas.base import ApiModel


class Liveness(ApiModel):
    """The process answers."""

    status: str = "ok"


class Readiness(ApiModel):
    """Whether the database and the knowledge base are reachable, check by check."""

    status: str = Field(description="ready or not_ready")
    checks: dict[str, dict[str, Any]]


class WebhookAck(ApiModel):
    """What one webhook POST stored."""

    status: str = "ok"
    stored: int
    duplicates: int
    statuses: int
    rejected: int
