"""Privacy endpoints (admin only): erase one applicant, run retention now.

The admin role is the only one holding ``Perm.USERS`` (managing who may see applicants' data),
so that permission guards erasure too.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query

from api.auth import Perm, Principal
from api.deps import requires, runtime
from api.runtime import Runtime
from api.schemas.privacy import ContactErased, RetentionRun
from api.services import privacy

router = APIRouter(prefix="/api/v1", tags=["privacy"])
admin_only = requires(Perm.USERS)


@router.delete("/contacts/{contact}", summary="Erase one applicant's data (UU PDP)",
               response_model=ContactErased)
def erase_contact(
    contact: str = Path(min_length=1, max_length=privacy.MAX_CONTACT,
                        description="WhatsApp number (wa_id, with or without '+') or channel "
                                    "sender"),
    channel: str | None = Query(None, max_length=32, description="Only this channel"),
    rt: Runtime = Depends(runtime), who: Principal = Depends(admin_only),
) -> ContactErased:
    """Anonymise every conversation of the contact: messages, drafts, decisions' texts,
    contact and profile name; remove promoted officer edits of its drafts from the reviewed
    answers; redact audit entries about it; one ``privacy.erase`` audit entry remains with
    counts and ids (never the contact). 404 when no conversation has this contact."""
    return privacy.erase_contact(rt, who, contact, channel)


@router.post("/retention/run", summary="Apply the retention period now",
             response_model=RetentionRun, response_model_exclude_none=True)
def run_retention(rt: Runtime = Depends(runtime),
                  who: Principal = Depends(admin_only)) -> RetentionRun:
    """What the daily job does: anonymise everything older than ``retention_days``."""
    # apply_retention stays a plain dict: ``lantunan retention --json`` prints it as it is.
    return RetentionRun(**privacy.apply_retention(rt.db, rt.settings, actor=who.label))
