"""Background uploads (``api/services/jobs.py``): a job and how far it got."""

from __future__ import annotations

from pydantic import Field

from api.schemas.base import ApiModel
from api.schemas.curation import UploadResult


class UploadJobError(ApiModel):
    """Why a job failed (a service error's body, plus the stage it failed in)."""

    detail: str
    code: str = Field(description="e.g. ingest_failed, job_failed or interrupted")
    stage: str | None = Field(default=None, description="The stage the job had reached.")


class UploadJobView(ApiModel):
    """A background upload: stage, progress, and the result or error."""

    job_id: str
    file: str
    by: str
    stage: str = Field(description="queued, parsing, embedding, switching, done or failed")
    done: int = Field(description="Units embedded so far.")
    total: int = Field(description="Units to embed (0 until parsed).")
    chunks: int | None = Field(description="The document's chunk count, once parsed.")
    result: UploadResult | None
    error: UploadJobError | None
    created_at: float = Field(description="Unix time")
    updated_at: float | None = Field(description="Unix time")
    finished_at: float | None = Field(description="Unix time")
    message: str = Field(description="What the job is doing, in Indonesian.")


class UploadQueued(UploadJobView):
    """The 202 answer of a background upload: the job and where to follow it."""

    status_url: str
