"""The officer queue, conversations and the result of an officer's action."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from api.schemas.base import ApiModel, IsoTime


class WindowView(ApiModel):
    """The WhatsApp 24-hour customer-service window of a conversation."""

    applies: bool = Field(description="Only WhatsApp conversations have one.")
    open: bool
    expires_at: IsoTime | None = None
    remaining_seconds: int | None = None


class ClaimView(ApiModel):
    """A live claim on a conversation."""

    key_id: int
    name: str
    claimed_at: IsoTime
    expires_at: IsoTime


class Attachment(ApiModel):
    """What an officer needs to know about an attachment (never the bytes)."""

    type: str
    id: str | None = None
    mime_type: str | None = None
    filename: str | None = None
    sha256: str | None = None


class MessageFlags(ApiModel):
    """What officers must notice about an inbound message."""

    deleted_at: IsoTime | None = Field(None, description="Deleted by the applicant.")
    edited: int | None = Field(None, description="How many times the applicant edited it.")
    previous_text: str | None = None
    attachment: Attachment | None = None
    call: bool | None = None


class QueueItem(ApiModel):
    """A draft with everything needed to decide on it."""

    draft_id: int
    conversation_id: int
    message_id: int
    channel: str
    contact: str
    display_name: str | None
    question: str
    received_at: IsoTime
    age_minutes: float
    action: str = Field(description="auto_send, queue_for_officer or handoff")
    kind: str
    confidence: float
    status: str
    reasons: list[dict[str, Any]] = Field(description="{code, message} of each reason")
    citations: list[dict[str, Any]]
    proposed_text: str | None = Field(description="What 'approve' would send.")
    holding_reply: str | None
    draft: dict[str, Any] = Field(description="The responder's whole draft.")
    created_at: IsoTime
    attachment: dict[str, Any] | None
    decided_at: IsoTime | None
    decided_by: str | None
    claimed_by: ClaimView | None
    window: WindowView


class QueuePage(ApiModel):
    """One page of the queue."""

    items: list[QueueItem]
    total: int
    limit: int
    offset: int


class MessageView(ApiModel):
    """One message of a conversation."""

    id: int
    direction: str = Field(description="in or out")
    type: str | None
    text: str | None
    at: IsoTime
    state: str | None = Field(description="Processing state of an inbound message.")
    status: str | None = Field(description="Delivery status of an outbound message.")
    error: str | None
    sent_by: str | None
    draft_id: int | None
    external_id: str | None
    flags: MessageFlags


class DecisionView(ApiModel):
    """A decision on a draft (by the system or an officer)."""

    id: int
    draft_id: int | None
    kind: str
    actor: str
    original_text: str | None
    final_text: str | None
    note: str | None
    outbound_message_id: int | None
    at: IsoTime


class ConversationView(ApiModel):
    """A conversation with its whole history."""

    conversation_id: int
    channel: str
    contact: str
    display_name: str | None
    last_inbound_at: IsoTime | None
    window: WindowView
    claimed_by: ClaimView | None
    messages: list[MessageView]
    drafts: list[QueueItem]
    decisions: list[DecisionView]


class DraftView(QueueItem):
    """A queue item plus its conversation."""

    conversation: ConversationView


class ConversationSummary(ApiModel):
    """A row of the conversation list."""

    conversation_id: int
    channel: str
    contact: str
    display_name: str | None
    last_inbound_at: IsoTime | None
    last_message_at: IsoTime | None
    open_drafts: int
    claimed_by: ClaimView | None
    window: WindowView


class ConversationPage(ApiModel):
    """One page of conversations."""

    items: list[ConversationSummary]
    total: int
    limit: int
    offset: int


class DeliveryView(ApiModel):
    """What happened to the reply an action sent."""

    message_id: int
    status: str | None = Field(description="sent, stored, failed, … after the send attempt")
    error: str | None
    wamid: str | None


class ActionResult(ApiModel):
    """Result of approve/edit/reject (``draft``) or of a manual reply (``conversation``)."""

    delivery: DeliveryView | None
    draft: DraftView | None = None
    conversation: ConversationView | None = None
