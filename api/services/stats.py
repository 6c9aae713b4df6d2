"""Dashboard numbers read from the conversation store: messages per day, what happened to the
drafts, time to the first real answer in and out of office hours, top handoff reasons.

Read-only aggregation over one period; nothing here decides anything. "First answer" skips
holding replies and "text only, please" notices, because those say nothing about how fast an
applicant got what they asked for.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from api.db import DraftRow, Message, utcnow

if TYPE_CHECKING:
    from api.context import Context

ANSWER_PREFIXES = ("draft:", "reply:")  # send keys of auto-sent, approved, edited, manual replies
OUTCOME_ORDER = ("auto_sent", "approved", "edited", "replied", "rejected", "open")
ACTION_ORDER = ("auto_send", "queue_for_officer", "handoff")
NOT_A_HANDOFF_REASON = {"office_hours", "smalltalk"}


@dataclass
class DayCount:
    """Messages of one office-local day."""

    day: date
    inbound: int = 0
    outbound: int = 0


@dataclass
class Dashboard:
    """Everything the dashboard page shows for one period."""

    days: list[DayCount]
    since: datetime
    drafts: int = 0
    outcomes: list[tuple[str, int]] = field(default_factory=list)
    actions: list[tuple[str, int]] = field(default_factory=list)
    median_in_hours: float | None = None  # seconds to first answer, message in office hours
    median_off_hours: float | None = None
    answered_in_hours: int = 0
    answered_off_hours: int = 0
    unanswered: int = 0
    handoff_reasons: list[tuple[str, int]] = field(default_factory=list)

    @property
    def inbound(self) -> int:
        """Inbound messages in the period."""
        return sum(d.inbound for d in self.days)

    @property
    def outbound(self) -> int:
        """Outbound messages in the period (failed ones excluded)."""
        return sum(d.outbound for d in self.days)


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _first_answer_waits(by_conv: dict[int, list], drafted: set[int],
                        settings: Any) -> tuple[dict[bool, list[float]], int]:
    """Seconds from each drafted question to the first real answer after it, keyed by
    whether it was asked in office hours; and how many questions are still waiting."""
    from responder.office_hours import is_office_hours

    waits: dict[bool, list[float]] = {True: [], False: []}
    unanswered = 0
    for rows in by_conv.values():
        pending: list = []  # inbound messages still waiting for an answer
        for m in rows:
            if m.direction == "in":
                if m.id in drafted:
                    pending.append(m)
                continue
            if m.status == "failed" or not (m.send_key or "").startswith(ANSWER_PREFIXES):
                continue
            for q in pending:
                asked = q.received_at or q.created_at
                waits[is_office_hours(asked, settings)].append(
                    max(0.0, (m.created_at - asked).total_seconds()))
            pending = []
        unanswered += len(pending)
    return waits, unanswered


def dashboard(rt: Context, days: int = 14, now: datetime | None = None) -> Dashboard:
    """Numbers of the last ``days`` office-local days (today included)."""
    settings = rt.settings
    tz = ZoneInfo(settings.timezone)
    now = now or utcnow()
    first_day = now.astimezone(tz).date() - timedelta(days=max(1, days) - 1)
    since = datetime.combine(first_day, time(0), tz)
    per_day = {first_day + timedelta(days=i): DayCount(first_day + timedelta(days=i))
               for i in range(max(1, days))}

    with rt.db.transaction() as s:
        msgs = list(s.execute(
            select(Message.id, Message.conversation_id, Message.direction, Message.created_at,
                   Message.received_at, Message.status, Message.send_key, Message.msg_type)
            .where(Message.created_at >= since).order_by(Message.id)))
        drafts = list(s.execute(
            select(DraftRow.message_id, DraftRow.status, DraftRow.action, DraftRow.reason_codes)
            .where(DraftRow.created_at >= since)))

    by_conv: dict[int, list] = defaultdict(list)
    for m in msgs:
        at = m.received_at or m.created_at
        bucket = per_day.get(at.astimezone(tz).date())
        if m.direction == "in":
            if bucket:
                bucket.inbound += 1
        elif m.status != "failed" and bucket:
            bucket.outbound += 1
        by_conv[m.conversation_id].append(m)

    waits, unanswered = _first_answer_waits(by_conv, {d.message_id for d in drafts}, settings)
    outcome = Counter(d.status for d in drafts)
    action = Counter(d.action for d in drafts)
    reasons: Counter[str] = Counter()
    for d in drafts:
        if d.action == "handoff":
            reasons.update(c for c in d.reason_codes.split(",")
                           if c and c not in NOT_A_HANDOFF_REASON)
    return Dashboard(
        days=list(per_day.values()), since=since, drafts=len(drafts),
        outcomes=[(k, outcome.get(k, 0)) for k in OUTCOME_ORDER],
        actions=[(k, action.get(k, 0)) for k in ACTION_ORDER],
        median_in_hours=_median(waits[True]), median_off_hours=_median(waits[False]),
        answered_in_hours=len(waits[True]), answered_off_hours=len(waits[False]),
        unanswered=unanswered, handoff_reasons=reasons.most_common(8),
    )
