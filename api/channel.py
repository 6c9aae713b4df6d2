"""Generic channel: any other message source (web chat, another messenger bridge) posts
applicant messages with its own credential and fetches the replies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.auth import Perm, Principal
from api.db import utcnow
from api.deps import requires, runtime
from api.runtime import Runtime
from api.schemas.channel import ChannelAccepted, ChannelMessageStatus
from api.services.inbound import channel_message_status, store_channel_message
from api.validation import DbId

router = APIRouter(prefix="/api/v1", tags=["channel"])


class ChannelMessageIn(BaseModel):
    """One applicant message from a generic channel."""

    model_config = ConfigDict(extra="forbid")
    channel: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9][a-z0-9_-]*$",
                         examples=["webchat"])
    sender: str = Field(min_length=1, max_length=128, description="Stable id of the applicant.")
    text: str = Field(min_length=1, max_length=4096)
    received_at: datetime | None = Field(
        default=None, description="ISO 8601; without offset it is office local time.")
    message_id: str | None = Field(default=None, max_length=200,
                                   description="Client's id: a repeated id is not stored twice.")
    type: Literal["text"] = "text"

    @field_validator("text", "sender")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("tidak boleh kosong")
        return v


@router.post("/messages", status_code=202, summary="Submit an applicant message",
             response_model=ChannelAccepted,
             responses={200: {"model": ChannelAccepted, "description": "Already stored"}})
def post_message(body: ChannelMessageIn, rt: Runtime = Depends(runtime),
                 who: Principal = Depends(requires(Perm.CHANNEL_POST))) -> JSONResponse:
    """Store the message for drafting (202); a repeated ``message_id`` is acknowledged again."""
    at = body.received_at or utcnow()
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo(rt.settings.timezone))
    stored = store_channel_message(rt, who.label, body.channel, body.sender.strip(), body.text,
                                   at, body.message_id)
    return JSONResponse({"message_id": stored.message_id,
                         "conversation_id": stored.conversation_id,
                         "duplicate": stored.duplicate,
                         "status_url": f"/api/v1/messages/{stored.message_id}"},
                        status_code=200 if stored.duplicate else 202)


@router.get("/messages/{message_id}", summary="State of a submitted message and its replies",
            response_model=ChannelMessageStatus)
def get_message(message_id: DbId, rt: Runtime = Depends(runtime),
                _: Principal = Depends(requires(Perm.CHANNEL_POST))) -> dict:
    """Processing state, the draft's action and the replies to give the applicant."""
    return channel_message_status(rt, message_id)
