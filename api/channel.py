"""Generic channel: any other message source (web chat, another messenger bridge) posts
applicant messages with its own credential and fetches the replies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.auth import Perm, Principal
from api.db import utcnow
from api.deps import requires, runtime
from api.runtime import Runtime
from api.schemas.channel import ChannelAccepted, ChannelMessageStatus
from api.services.channel_msgs import channel_message_status, store_channel_message

# The random public id (``secrets.token_urlsafe(16)``): anything else, an integer row id
# included, is a 422 before any lookup.
PublicId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{22}$",
                               description="Random message id from POST /api/v1/messages.")]

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
    """Store the message for drafting (202); a repeated ``message_id`` is acknowledged again.
    A channel key may post only into the channels it was issued for (403 otherwise); the
    answer's ``message_id`` is a random public id."""
    at = body.received_at or utcnow()
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo(rt.settings.timezone))
    stored = store_channel_message(rt, who, body.channel, body.sender.strip(), body.text,
                                   at, body.message_id)
    return JSONResponse({"message_id": stored.public_id,
                         "conversation_id": stored.conversation_id,
                         "duplicate": stored.duplicate,
                         "status_url": f"/api/v1/messages/{stored.public_id}"},
                        status_code=200 if stored.duplicate else 202)


@router.get("/messages/{message_id}", summary="State of a submitted message and its replies",
            response_model=ChannelMessageStatus)
def get_message(message_id: PublicId, rt: Runtime = Depends(runtime),
                who: Principal = Depends(requires(Perm.CHANNEL_POST))) -> ChannelMessageStatus:
    """Processing state, the draft's action and the replies to give the applicant; 404 for
    a message on a channel the key was not issued for."""
    return channel_message_status(rt, who, message_id)
