"""Business logic of the service as plain functions taking a ``Runtime``: JSON routes call
them today, the officer console's pages will call the same functions.

- ``inbound``: store WhatsApp / channel messages and delivery statuses (idempotent).
- ``processing``: draft a stored message and record the decision and send intents.
- ``delivery``: send recorded intents exactly once; the 24-hour window; crash recovery.
- ``officer``: queue, claim/release, approve/edit/reject/reply, conversation history.
- ``curation``: documents, reviewed answers, promoted edits, unanswered-question clusters.
- ``users``: API keys for officers, curators, admins and channels.
"""

from api.services.errors import ServiceError

__all__ = ["ServiceError"]
