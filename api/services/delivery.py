"""Send recorded reply intents exactly once, enforce the WhatsApp 24-hour window, and recover
work a crashed process left behind.

An outbound row is written (status ``pending``, unique ``send_key`` per draft) in the same
transaction as the decision that wants it sent. ``deliver`` moves it to ``sending`` in its own
committed transaction *before* the HTTP call, so a process that dies mid-call leaves a row that
is never sent again: it becomes ``unknown`` and stays visible to officers.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api import audit
from api.db import Conversation, Message, utcnow
from api.services.errors import ServiceError

if TYPE_CHECKING:
    from api.context import Context
    from lantunan.settings import Settings

log = logging.getLogger("lantunan.api.delivery")

WINDOW = timedelta(hours=24)
PROCESS_LEASE = timedelta(minutes=2)
STALE_PENDING = timedelta(seconds=5)  # an intent nobody picked up (its request thread died)


def send_lease(settings: Settings) -> timedelta:
    """How long a send may take with every retry before it counts as interrupted."""
    worst = settings.send_max_attempts * settings.send_timeout
    worst += settings.send_backoff * (2 ** max(0, settings.send_max_attempts - 1))
    return timedelta(seconds=worst + 60)


@dataclass
class Window:
    """The WhatsApp customer-service window of a conversation."""

    applies: bool  # only WhatsApp has one
    open: bool
    expires_at: datetime | None = None
    remaining_seconds: int | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON shape shown in the queue."""
        return {"applies": self.applies, "open": self.open,
                "expires_at": self.expires_at.isoformat() if self.expires_at else None,
                "remaining_seconds": self.remaining_seconds}


def window_of(conv: Conversation, now: datetime | None = None) -> Window:
    """Free-text replies are allowed until 24 h after the applicant's last message."""
    if conv.channel != "whatsapp":
        return Window(False, True)
    if conv.last_inbound_at is None:
        return Window(True, False)
    now = now or utcnow()
    expires = conv.last_inbound_at + WINDOW
    remaining = int((expires - now).total_seconds())
    return Window(True, remaining > 0, expires, max(0, remaining))


def local_time(at: datetime, settings: Settings) -> str:
    """A timestamp as officers read it (office time zone)."""
    return at.astimezone(ZoneInfo(settings.timezone)).strftime("%d-%m-%Y %H:%M %Z")


def check_window(conv: Conversation, settings: Settings, now: datetime | None = None) -> None:
    """Raise 409 when the 24-hour window of a WhatsApp conversation has closed."""
    now = now or utcnow()
    w = window_of(conv, now)
    if w.applies and not w.open:
        last = conv.last_inbound_at
        if last is None:
            raise ServiceError(409, "Pemohon belum pernah mengirim pesan: balasan teks bebas "
                                    "tidak dapat dikirim.", "window_closed")
        hours = (now - last).total_seconds() / 3600
        raise ServiceError(
            409,
            f"Jendela 24 jam WhatsApp sudah tertutup: pesan terakhir pemohon diterima "
            f"{local_time(last, settings)} ({hours:.0f} jam lalu). Balasan teks bebas tidak "
            f"dapat dikirim; tunggu pemohon menulis lagi atau gunakan templat pesan yang "
            f"disetujui.",
            "window_closed", window=w.to_json())


def record_outbound(s: Session, conv: Conversation, text: str, send_key: str, sent_by: str,
                    draft_id: int | None = None) -> Message:
    """Record the intent to send ``text`` (unique ``send_key``); channels without transport
    store the reply for their client to fetch."""
    now = utcnow()
    transport = conv.channel == "whatsapp"
    msg = Message(conversation_id=conv.id, direction="out", send_key=send_key, msg_type="text",
                  text=text, status="pending" if transport else "stored", draft_id=draft_id,
                  sent_by=sent_by, created_at=now, sent_at=None if transport else now,
                  attempts=0)
    try:
        with s.begin_nested():
            s.add(msg)
            s.flush()
    except IntegrityError:
        raise ServiceError(409, "Balasan ini sudah tercatat untuk dikirim; tidak dikirim dua kali.",
                           "duplicate_send") from None
    conv.last_message_at = now
    audit.record(s, sent_by, "send.intent", "message", msg.id, conv.id,
                 {"send_key": send_key, "draft_id": draft_id, "chars": len(text),
                  "transport": "whatsapp" if transport else "stored"})
    return msg


def deliver(rt: Context, outbound_id: int) -> str:
    """Send one pending outbound message; returns its status afterwards. Never sends twice."""
    now = utcnow()
    with rt.db.transaction() as s:
        claimed = s.execute(
            update(Message)
            .where(Message.id == outbound_id, Message.direction == "out",
                   Message.status == "pending")
            .values(status="sending", lease_owner=rt.owner,
                    lease_until=now + send_lease(rt.settings), attempts=Message.attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        msg = s.get(Message, outbound_id, populate_existing=True)
        if msg is None:
            return "missing"
        if claimed != 1:
            return msg.status or "unknown"
        conv = s.get(Conversation, msg.conversation_id)
        assert conv is not None
        if not window_of(conv, now).open:
            msg.status, msg.error = "failed", "jendela 24 jam sudah tertutup"
            msg.lease_owner = msg.lease_until = None
            audit.record(s, "system", "send.refused", "message", msg.id, conv.id,
                         {"reason": "window_closed", "send_key": msg.send_key})
            return "failed"
        to, body, number, key = conv.contact, msg.text, conv.business_number, msg.send_key
    try:
        result = rt.sender.send_text(to, body, number)
        ok, wamid, error, attempts = result.ok, result.wamid, result.error, result.attempts_json()
    except Exception as exc:  # a bug must not leave the row "sending" for a lease period
        log.exception("sender crashed")
        ok, wamid, error, attempts = False, None, f"{type(exc).__name__}: {exc}", []
    with rt.db.transaction() as s:
        msg = s.get(Message, outbound_id)
        assert msg is not None
        for a in attempts:
            audit.record(s, "system", "send.attempt", "message", msg.id, msg.conversation_id,
                         {"send_key": key, **a})
        msg.lease_owner = msg.lease_until = None
        if ok and wamid:
            taken = s.scalar(select(Message.id).where(Message.external_id == wamid))
            if taken is None:
                msg.external_id = wamid
            else:  # the platform reused an id we know: keep ours unique, note theirs
                msg.payload = {"wamid": wamid}
            msg.status, msg.sent_at, msg.status_at, msg.error = "sent", utcnow(), utcnow(), None
            audit.record(s, "system", "send.sent", "message", msg.id, msg.conversation_id,
                         {"send_key": key, "wamid": wamid, "attempts": len(attempts)})
        else:
            msg.status, msg.error = "failed", (error or "gagal")[:1000]
            audit.record(s, "system", "send.failed", "message", msg.id, msg.conversation_id,
                         {"send_key": key, "error": msg.error, "attempts": len(attempts)})
        return msg.status


def deliver_stale_pending(rt: Context) -> int:
    """Send intents that were recorded but never picked up (e.g. after a crash)."""
    cutoff = utcnow() - STALE_PENDING
    with rt.db.transaction() as s:
        ids = list(s.scalars(select(Message.id).where(
            Message.direction == "out", Message.status == "pending",
            Message.created_at <= cutoff).order_by(Message.id).limit(50)))
    for i in ids:
        deliver(rt, i)
    return len(ids)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner_dead(owner: str | None, lease_until: datetime | None, now: datetime) -> bool:
    """True when the process holding a row is gone (same host, pid not running) or its
    lease has run out."""
    if lease_until is not None and lease_until < now:
        return True
    if not owner:
        return True
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's worker: wait for its lease
    return int(pid) == os.getpid() or not _pid_alive(int(pid))


def recover_interrupted(rt: Context, at_startup: bool = True) -> dict[str, int]:
    """Put messages a dead process was drafting back to ``pending``; mark sends it was making
    ``unknown`` (they may have reached the applicant: never resend them blindly)."""
    now = utcnow()
    counts = {"requeued": 0, "unknown": 0}
    with rt.db.transaction() as s:
        rows = list(s.scalars(select(Message).where(
            or_(Message.state == "processing", Message.status == "sending"))))
        for m in rows:
            if m.lease_owner == rt.owner and not at_startup:
                if m.lease_until is None or m.lease_until >= now:
                    continue
            if not _owner_dead(m.lease_owner, m.lease_until, now):
                continue
            previous = m.lease_owner
            if m.direction == "in":
                m.state, m.lease_owner, m.lease_until = "pending", None, None
                counts["requeued"] += 1
                audit.record(s, "system", "message.requeued", "message", m.id, m.conversation_id,
                             {"previous_owner": previous})
            else:
                m.status, m.lease_owner, m.lease_until = "unknown", None, None
                m.error = "proses terhenti saat mengirim; status pengiriman tidak diketahui"
                counts["unknown"] += 1
                audit.record(s, "system", "send.interrupted", "message", m.id, m.conversation_id,
                             {"send_key": m.send_key, "previous_owner": previous})
    return counts
