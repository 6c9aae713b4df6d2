"""Officer work, one module per job; this module is their index (routes and pages import it):

- ``queue_views``: the queue, the conversation list, one conversation or draft (reads);
- ``claims``: claim and release a conversation;
- ``decisions``: approve, edit, reject a draft; the manual reply.
"""

from __future__ import annotations

from api.services.claims import claim, release, take_claim
from api.services.decisions import approve, edit, reject, reply
from api.services.queue_views import (
    DRAFT_STATUSES, QueueFilter, get_conversation, get_draft, list_conversations, list_queue,
    message_flags, proposed_text,
)

__all__ = [
    "DRAFT_STATUSES", "QueueFilter", "approve", "claim", "edit", "get_conversation", "get_draft",
    "list_conversations", "list_queue", "message_flags", "proposed_text", "reject", "release",
    "reply", "take_claim",
]
