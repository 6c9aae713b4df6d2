"""Erasure of one applicant and a retention run (``api/privacy.py``)."""

from __future__ import annotations

from pydantic import Field

from api.schemas.base import ApiModel, IsoTime


class ScrubCounts(ApiModel):
    """Rows anonymised, per table."""

    messages: int
    drafts: int
    decisions: int
    conversations: int


class ContactErased(ScrubCounts):
    """What erasing one applicant changed; the contact itself is never echoed."""

    erased: bool
    conversation_ids: list[int]
    reviewed_answers_removed: list[str] = Field(
        description="Promoted officer edits of the contact's drafts, removed from the KB.")
    audit_entries_redacted: int
    audit_id: int = Field(description="The ``privacy.erase`` audit entry.")
    compacted: bool = Field(description="Whether the database files were compacted.")


class RetentionRun(ApiModel):
    """A retention run: rows older than the period, anonymised, per table. With
    ``retention_days`` 0 (keep forever) the run is ``skipped`` and only those two fields are
    present."""

    retention_days: int
    skipped: bool | None = None
    cutoff: IsoTime | None = None
    messages: int | None = None
    drafts: int | None = None
    decisions: int | None = None
    conversations: int | None = None
    audit_entries_redacted: int | None = None
