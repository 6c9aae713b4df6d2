"""The knowledge base as curators see it: documents, reviewed answers, uploads, clusters of
questions the system could not answer."""

from __future__ import annotations

from pydantic import Field

from api.schemas.base import ApiModel, IsoTime


class DocumentView(ApiModel):
    """A knowledge-base document."""

    id: str
    source_name: str
    kind: str = Field(description="statute, sop or faq")
    title: str
    short_name: str
    number: str | None
    year: int | None
    status: str = Field(description="berlaku, diubah or dicabut")
    replaced_by: str | None
    chunks: int
    ingested_at: str
    content_hash: str


class UploadResult(ApiModel):
    """What an upload did."""

    outcome: str = Field(description="added, replaced or unchanged")
    chunks: int
    document: DocumentView | None


class RemovedDocument(ApiModel):
    """A removed document."""

    removed: str


class ReviewedAnswerView(ApiModel):
    """A curated FAQ answer or a promoted officer edit."""

    id: str
    question: str
    answer: str
    variants: list[str]
    sources: list[str] = Field(description='"source_name#section" references')
    reviewed: str | None = Field(description="Date of review (YYYY-MM-DD).")
    origin: str = Field(description="faq or officer_edit")
    doc_id: str | None


class PromotedAnswer(ReviewedAnswerView):
    """A reviewed answer just promoted from an officer's edit, with the kinds of personal
    data masked out of it before it was stored."""

    masked: list[str] = Field(description="Kinds masked (e.g. nik_or_npwp16).")
    masked_labels: list[str] = Field(description="The same kinds as the console names them.")


class UnansweredCluster(ApiModel):
    """Similar questions the system handed off, or officers rejected, grouped."""

    representative: str
    count: int
    examples: list[str]
    draft_ids: list[int]
    reasons: dict[str, int] = Field(description="reason code -> how many")
    statuses: dict[str, int] = Field(description="draft status -> how many")
    first_at: IsoTime
    last_at: IsoTime


class KbStats(ApiModel):
    """Counts of the knowledge base."""

    documents: int
    chunks: int
    vectors: int
    reviewed_answers: int
    embedder: str


class PendingEdit(ApiModel):
    """An officer's edit or manual reply to a draft, not yet promoted to a reviewed answer."""

    draft_id: int
    conversation_id: int
    question: str
    original_text: str
    final_text: str
    actor: str
    at: IsoTime
    kind: str
