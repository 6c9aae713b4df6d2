"""The generic channel: a submitted message and its replies."""

from __future__ import annotations

from pydantic import Field

from api.schemas.base import ApiModel, IsoTime


class ChannelAccepted(ApiModel):
    """A message stored for drafting (202), or acknowledged again (200, ``duplicate``)."""

    message_id: str = Field(description="The message's random public id, as in ``status_url``.")
    conversation_id: int
    duplicate: bool
    status_url: str


class ChannelDraft(ApiModel):
    """The draft made for a channel message."""

    draft_id: int
    action: str
    status: str
    confidence: float


class ChannelReply(ApiModel):
    """A reply to give the applicant."""

    id: str = Field(description="The reply's random public id.")
    text: str | None
    status: str | None
    at: IsoTime
    sent_by: str | None


class ChannelMessageStatus(ApiModel):
    """Processing state of a channel message and the replies stored after it."""

    message_id: str = Field(description="The random public id given by POST /api/v1/messages.")
    conversation_id: int
    channel: str
    sender: str
    state: str | None = Field(description="pending, processing, done or failed")
    draft: ChannelDraft | None
    replies: list[ChannelReply]
