"""Business logic of the service as plain functions taking an ``api.context.Context`` (the
running ``Runtime`` is one): the JSON routes and the console's pages call the same functions,
which return ``api.schemas`` models (or dataclasses) rather than hand-built dicts. Services
import nothing above them (no routes, no ``api.runtime``, no ``api.worker``).

- ``inbound``: store WhatsApp / channel messages and delivery statuses (idempotent).
- ``processing``: draft a stored message and record the decision and send intents.
- ``delivery``: send recorded intents exactly once; the 24-hour window; crash recovery.
- ``officer``: index of officer work: ``queue_views`` (queue, conversations), ``claims``
  (claim/release), ``decisions`` (approve/edit/reject/reply).
- ``curation``: documents, reviewed answers, promoted edits, unanswered-question clusters;
  ``answers``: pending officer edits and hand-written reviewed answers (console).
- ``stats``: the dashboard's numbers; ``audit_log``: reading the audit log.
- ``users``: API keys for officers, curators, admins and channels.
"""

from api.services.errors import ServiceError

__all__ = ["ServiceError"]
