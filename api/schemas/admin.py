"""API keys, the caller's identity and the audit log."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from api.schemas.base import ApiModel, IsoTime


class Me(ApiModel):
    """The caller."""

    key_id: int | None = Field(description="None for the channel key from the settings.")
    name: str
    role: str
    permissions: list[str]
    channels: list[str] | None = Field(
        default=None, description="A channel key's channels; None for every other key.")


class ApiKeyView(ApiModel):
    """An API key (never the key itself: its last characters only)."""

    id: int
    name: str
    role: str
    key_hint: str
    created_at: IsoTime
    created_by: str | None
    revoked_at: IsoTime | None
    channels: list[str] | None = Field(
        default=None, description="The channels a channel key may write into and read; "
                                   "None for other roles.")


class NewApiKey(ApiKeyView):
    """A key just created: the only response that carries the key."""

    key: str


class AuditEntryView(ApiModel):
    """One audit log entry."""

    id: int
    at: IsoTime
    actor: str
    action: str
    target_type: str | None
    target_id: str | None
    conversation_id: int | None
    detail: dict[str, Any]


class AuditPage(ApiModel):
    """Audit entries, newest first; ``next_before_id`` pages on."""

    items: list[AuditEntryView]
    next_before_id: int | None
