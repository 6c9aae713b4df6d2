"""Curator endpoints: documents, reviewed answers, promoted edits, unanswered questions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Perm, Principal
from api.deps import requires, runtime
from api.runtime import Runtime
from api.schemas.curation import (
    DocumentView, KbStats, PromotedAnswer, RemovedDocument, ReviewedAnswerView,
    UnansweredCluster, UploadResult,
)
from api.schemas.uploads import UploadJobView, UploadQueued
from api.services import curation
from api.services.jobs import jobs_of
from api.validation import DbId

router = APIRouter(prefix="/api/v1", tags=["curation"])
reader = requires(Perm.KB_READ)
writer = requires(Perm.KB_WRITE)


class StatusIn(BaseModel):
    """New legal status of a document."""

    model_config = ConfigDict(extra="forbid")
    status: str = Field(pattern="^(berlaku|diubah|dicabut)$")
    replaced_by: str | None = Field(default=None, max_length=200)


class PromoteIn(BaseModel):
    """Optional overrides when promoting an officer's edit."""

    model_config = ConfigDict(extra="forbid")
    question: str | None = Field(default=None, max_length=1000)
    answer: str | None = Field(default=None, max_length=4096)


@router.get("/documents", summary="Documents in the knowledge base")
def list_documents(rt: Runtime = Depends(runtime),
                   _: Principal = Depends(reader)) -> list[DocumentView]:
    """Every document with kind, status and chunk count."""
    return curation.list_documents(rt)


@router.post("/documents", status_code=201, summary="Upload or replace a document",
             response_model=UploadResult,
             responses={202: {"model": UploadQueued,
                              "description": "Queued as a background job (background=true)"}})
async def upload_document(
    file: UploadFile = File(..., description="PDF, DOCX, MD, TXT, HTML, FAQ YAML/CSV"),
    status: str | None = Form(None, pattern="^(berlaku|diubah|dicabut)$"),
    replaced_by: str | None = Form(None, max_length=200),
    background: bool = Form(False, description="Answer 202 at once; follow the job at "
                                               "/api/v1/upload-jobs/{job_id}."),
    rt: Runtime = Depends(runtime), who: Principal = Depends(writer),
) -> Any:
    """Ingest the file (same pipeline as `lantunan ingest`); a bad file is a 422 with the
    ingest error. With ``background=true`` the checks that need no parsing run now and the
    ingest runs as a job."""
    data = await file.read()
    if background:
        job = await run_in_threadpool(jobs_of(rt).submit, who, file.filename or "", data,
                                      status, replaced_by)
        return JSONResponse({**job, "status_url": f"/api/v1/upload-jobs/{job['job_id']}"},
                            status_code=202)
    return await run_in_threadpool(curation.upload_document, rt, who, file.filename or "",
                                   data, status, replaced_by)


@router.get("/upload-jobs/{job_id}", summary="Progress of a background upload",
            response_model=UploadJobView)
def upload_job(job_id: str = Path(max_length=64, pattern="^[0-9a-f]+$"),
               rt: Runtime = Depends(runtime),
               _: Principal = Depends(reader)) -> UploadJobView:
    """Stage (queued, parsing, embedding, switching, done, failed), units embedded of total,
    the chunk count once parsed, the result or error (``interrupted`` when the service
    restarted during the job) and an Indonesian ``message``. Any worker answers it."""
    # The job stays a dict in the service: the console's progress page polls the same shape.
    return UploadJobView(**jobs_of(rt).get(job_id))


@router.delete("/documents/{doc_id}", summary="Remove a document")
def remove_document(doc_id: str, rt: Runtime = Depends(runtime),
                    who: Principal = Depends(writer)) -> RemovedDocument:
    """Delete the document, its chunks, vectors and reviewed answers."""
    return curation.remove_document(rt, who, doc_id)


@router.post("/documents/{doc_id}/status", summary="Set a document's legal status")
def set_status(doc_id: str, body: StatusIn, rt: Runtime = Depends(runtime),
               who: Principal = Depends(writer)) -> DocumentView:
    """berlaku / diubah / dicabut, optionally with what replaced it."""
    return curation.set_document_status(rt, who, doc_id, body.status, body.replaced_by)


@router.get("/reviewed-answers", summary="Reviewed answers (FAQ and promoted edits)")
def reviewed_answers(origin: str | None = Query(None, pattern="^(faq|officer_edit)$"),
                     rt: Runtime = Depends(runtime),
                     _: Principal = Depends(reader)) -> list[ReviewedAnswerView]:
    """Every reviewed answer, optionally of one origin."""
    return curation.list_reviewed_answers(rt, origin)


@router.post("/reviewed-answers/from-draft/{draft_id}", status_code=201,
             summary="Promote an officer's edit to a reviewed answer")
def promote(draft_id: DbId, body: PromoteIn | None = None, rt: Runtime = Depends(runtime),
            who: Principal = Depends(writer)) -> PromotedAnswer:
    """The edited text becomes a reviewed answer whose sources are the draft's citations;
    personal data in it is masked first (``masked`` lists the kinds)."""
    body = body or PromoteIn()
    return curation.promote_edit(rt, who, draft_id, body.question, body.answer)


@router.get("/unanswered", summary="Unanswered / handed-off questions grouped by similarity")
def unanswered(since_days: float = Query(30, gt=0, le=3650),
               threshold: float = Query(75, ge=0, le=100),
               limit: int = Query(50, ge=1, le=500),
               rt: Runtime = Depends(runtime),
               _: Principal = Depends(reader)) -> list[UnansweredCluster]:
    """Clusters with counts, examples and reason codes, largest first."""
    return curation.unanswered_clusters(rt, since_days, threshold, limit)


@router.get("/kb/stats", summary="Knowledge-base counts")
def kb_stats(rt: Runtime = Depends(runtime), _: Principal = Depends(reader)) -> KbStats:
    """Documents, chunks, vectors, reviewed answers, embedder."""
    return curation.kb_stats(rt)
