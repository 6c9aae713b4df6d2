"""Reading the audit log (admins: the JSON API and the console page)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from api import audit
from api.schemas.admin import AuditEntryView, AuditPage

if TYPE_CHECKING:
    from api.context import Context


def audit_page(rt: Context, f: audit.AuditFilter) -> AuditPage:
    """Entries matching ``f``, newest first, and the id to page on from."""
    with rt.db.transaction() as s:
        items = [AuditEntryView(**audit.entry_json(e)) for e in audit.query(s, f)]
    return AuditPage(items=items, next_before_id=items[-1].id if items else None)
