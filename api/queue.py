"""Officer endpoints: the queue, conversations, claim/release, approve/edit/reject/reply."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Perm, Principal
from api.deps import requires, runtime
from api.runtime import Runtime
from api.schemas.officer import (
    ActionResult, ConversationPage, ConversationView, DraftView, QueuePage,
)
from api.services import officer
from api.validation import MAX_ID, MAX_MINUTES, DbId, OptDbId

router = APIRouter(prefix="/api/v1", tags=["officer"])
reader = requires(Perm.QUEUE_READ)
sender = requires(Perm.SEND)


class EditIn(BaseModel):
    """The officer's text that replaces the draft."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=4096)


class RejectIn(BaseModel):
    """Why the draft is rejected."""

    model_config = ConfigDict(extra="forbid")
    note: str = Field(min_length=1, max_length=2000)


class ReplyIn(BaseModel):
    """A manual reply; ``draft_id`` closes the open draft it answers."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=4096)
    draft_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    client_ref: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$",
                                   description="Idempotency key: a repeat is refused, not resent.")


@router.get("/queue", summary="Drafts waiting for (or decided by) officers")
def list_queue(
    status: str = Query("open", description="open, auto_sent, approved, edited, rejected, "
                                            "replied or all"),
    reason: str | None = Query(None, max_length=64, description="a reason code"),
    action: str | None = Query(None, pattern="^(auto_send|queue_for_officer|handoff)$"),
    min_age_minutes: float | None = Query(None, ge=0, le=MAX_MINUTES),
    max_age_minutes: float | None = Query(None, ge=0, le=MAX_MINUTES),
    conversation_id: OptDbId = None,
    claimed: str | None = Query(None, pattern="^(me|unclaimed|others)$"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_ID),
    rt: Runtime = Depends(runtime), who: Principal = Depends(reader),
) -> QueuePage:
    """Queue items with reasons, citations, age, claim and the 24-hour window."""
    f = officer.QueueFilter(status=status, reason=reason, action=action,
                            min_age_minutes=min_age_minutes, max_age_minutes=max_age_minutes,
                            conversation_id=conversation_id, claimed=claimed, limit=limit,
                            offset=offset)
    return officer.list_queue(rt, who, f)


@router.get("/drafts/{draft_id}", summary="One draft with its conversation")
def get_draft(draft_id: DbId, rt: Runtime = Depends(runtime),
              _: Principal = Depends(reader)) -> DraftView:
    """A queue item plus the conversation's messages, drafts and decisions."""
    return officer.get_draft(rt, draft_id)


@router.get("/conversations", summary="Conversations, most recent first")
def list_conversations(contact: str | None = Query(None, max_length=128),
                       channel: str | None = Query(None, max_length=32),
                       limit: int = Query(50, ge=1, le=500),
                       offset: int = Query(0, ge=0, le=MAX_ID),
                       rt: Runtime = Depends(runtime), _: Principal = Depends(reader)) -> ConversationPage:
    """Search by applicant number/id (substring) and channel."""
    return officer.list_conversations(rt, contact, channel, limit, offset)


@router.get("/conversations/{conversation_id}", summary="A conversation with its history")
def get_conversation(conversation_id: DbId, rt: Runtime = Depends(runtime),
                     _: Principal = Depends(reader)) -> ConversationView:
    """Messages, drafts, decisions, claim and window of one conversation."""
    return officer.get_conversation(rt, conversation_id)


@router.post("/conversations/{conversation_id}/claim", summary="Claim a conversation")
def claim(conversation_id: DbId, rt: Runtime = Depends(runtime),
          who: Principal = Depends(sender)) -> ConversationView:
    """409 when another officer holds it."""
    return officer.claim(rt, who, conversation_id)


@router.post("/conversations/{conversation_id}/release", summary="Release a claim")
def release(conversation_id: DbId, force: bool = False, rt: Runtime = Depends(runtime),
            who: Principal = Depends(sender)) -> ConversationView:
    """Release one's claim; admins may force-release another officer's."""
    return officer.release(rt, who, conversation_id, force)


@router.post("/drafts/{draft_id}/approve", summary="Send the draft as it is")
def approve(draft_id: DbId, rt: Runtime = Depends(runtime),
            who: Principal = Depends(sender)) -> ActionResult:
    """Send the proposed text; 409 when claimed by another, decided, or the window closed."""
    return officer.approve(rt, who, draft_id)


@router.post("/drafts/{draft_id}/edit", summary="Send an edited text")
def edit(draft_id: DbId, body: EditIn, rt: Runtime = Depends(runtime),
         who: Principal = Depends(sender)) -> ActionResult:
    """Send the officer's text; the original draft is kept beside it."""
    return officer.edit(rt, who, draft_id, body.text)


@router.post("/drafts/{draft_id}/reject", summary="Reject a draft with a note")
def reject(draft_id: DbId, body: RejectIn, rt: Runtime = Depends(runtime),
           who: Principal = Depends(sender)) -> ActionResult:
    """Nothing is sent; the note is kept."""
    return officer.reject(rt, who, draft_id, body.note)


@router.post("/conversations/{conversation_id}/reply", summary="Reply manually")
def reply(conversation_id: DbId, body: ReplyIn, rt: Runtime = Depends(runtime),
          who: Principal = Depends(sender)) -> ActionResult:
    """Send the officer's own text (24-hour rule applies on WhatsApp)."""
    return officer.reply(rt, who, conversation_id, body.text, body.draft_id, body.client_ref)
