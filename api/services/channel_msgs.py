"""The generic channel's messages: stored through the same pipeline as WhatsApp, addressed by
random public ids, and confined to the channels the calling key was issued for.

A channel key writes only into its own channels, so a sender id is namespaced by the channel
(the conversation is unique per channel and sender: "warga-1" on "webchat" is not "warga-1"
on "bridge"). It reads a message only when that message's channel is one of its own; any
other id, existing or not, is the same 404, so a key learns nothing about other channels.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from api.auth import Principal, check_channel
from api.db import Conversation, DraftRow, Message
from api.schemas.channel import ChannelDraft, ChannelMessageStatus, ChannelReply
from api.services.errors import ServiceError, not_found
from api.services.inbound import WHATSAPP, store_inbound

if TYPE_CHECKING:
    from api.context import Context


@dataclass
class ChannelStored:
    """Outcome of ``POST /api/v1/messages``."""

    public_id: str
    conversation_id: int
    duplicate: bool


def store_channel_message(rt: Context, who: Principal, channel: str, sender: str, text: str,
                          received_at: datetime, message_id: str | None) -> ChannelStored:
    """Store a message from a generic channel the caller may write into (403 otherwise)."""
    if channel == WHATSAPP:
        raise ServiceError(422, "Kanal 'whatsapp' hanya menerima pesan melalui webhook WhatsApp.",
                           "reserved_channel")
    check_channel(who, channel)
    external_id = f"{channel}:{message_id}" if message_id else None
    with rt.db.transaction() as s:
        new_id = store_inbound(s, channel=channel, contact=sender, external_id=external_id,
                               msg_type="text", text=text, received_at=received_at,
                               actor=who.label)
        if new_id is None:
            row = s.scalar(select(Message).where(Message.external_id == external_id))
            conv = s.get(Conversation, row.conversation_id) if row is not None else None
            if row is None or conv is None or conv.channel != channel or row.direction != "in":
                # e.g. channel "call" + id X against WhatsApp's "call:X": never hand that out
                raise ServiceError(409, "message_id ini sudah dipakai pesan lain; kirim id "
                                        "yang berbeda.", "message_id_conflict")
            return ChannelStored(row.public_id, row.conversation_id, True)
        row = s.get(Message, new_id)
        stored = ChannelStored(row.public_id, row.conversation_id, False)
    if rt.worker is not None:
        rt.worker.wake()
    return stored


def channel_message_status(rt: Context, who: Principal, public_id: str) -> ChannelMessageStatus:
    """Processing state of a generic-channel message and the replies stored after it; 404
    unless the message is an inbound one on a channel the caller may read."""
    with rt.db.transaction() as s:
        msg = s.scalar(select(Message).where(Message.public_id == public_id))
        conv = s.get(Conversation, msg.conversation_id) if msg else None
        if msg is None or conv is None or msg.direction != "in" or conv.channel == WHATSAPP \
                or not who.may_use_channel(conv.channel):
            raise not_found("Pesan", public_id)
        draft = s.scalar(select(DraftRow).where(DraftRow.message_id == msg.id))
        nxt = s.scalar(select(Message.id).where(
            Message.conversation_id == conv.id, Message.direction == "in", Message.id > msg.id)
            .order_by(Message.id))
        replies = select(Message).where(Message.conversation_id == conv.id,
                                        Message.direction == "out", Message.id > msg.id)
        if nxt is not None:
            replies = replies.where(Message.id < nxt)
        return ChannelMessageStatus(
            message_id=msg.public_id, conversation_id=conv.id, channel=conv.channel,
            sender=conv.contact, state=msg.state,
            draft=None if draft is None else ChannelDraft(
                draft_id=draft.id, action=draft.action, status=draft.status,
                confidence=draft.confidence),
            replies=[ChannelReply(id=r.public_id, text=r.text, status=r.status,
                                  at=r.created_at.isoformat(), sent_by=r.sent_by)
                     for r in s.scalars(replies.order_by(Message.id))])
