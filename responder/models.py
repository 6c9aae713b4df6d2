"""The responder's typed output: a Draft with citations, confidence, action and reasons."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import Enum


class Action(str, Enum):
    """What happens to a draft."""

    AUTO_SEND = "auto_send"  # outside office hours, confident, verified, no rule fired
    QUEUE = "queue_for_officer"  # a confident draft an officer approves during office hours
    HANDOFF = "handoff"  # a rule fired or confidence is low: holding reply + officer


class DraftKind(str, Enum):
    """What the reply text is."""

    ANSWER = "answer"
    SMALLTALK = "smalltalk"
    HANDOFF = "handoff"


@dataclass
class Reason:
    """Why a decision was taken: a machine code and a sentence for officers (Indonesian)."""

    code: str  # complaint, case_status, personal_data, ..., low_confidence, revoked_source
    message: str


@dataclass
class Citation:
    """A promise that the quoted sentence of the cited chunk supports the reply."""

    chunk_id: str
    locator: str
    quote: str
    doc_id: str = ""
    status: str = "berlaku"
    verified: bool = False


@dataclass
class Draft:
    """Everything an officer (or the auto-sender) needs to act on one message."""

    text: str
    kind: DraftKind
    action: Action
    confidence: float
    citations: list[Citation] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    original_message: str = ""
    normalised_message: str = ""
    received_at: datetime | None = None
    office_hours: bool = False
    drafter: str = ""  # reviewed_answer | llm | extractive | rule
    holding_reply: str | None = None  # sent to the applicant on handoff
    answer_text: str | None = None  # the substantive answer kept for the officer on handoff
    hit_chunk_ids: list[str] = field(default_factory=list)  # retrieval order, for eval
    timings: dict[str, float] = field(default_factory=dict)  # milliseconds per pipeline step
    signals: dict[str, float] = field(default_factory=dict)  # what the learned judgements read

    @property
    def reason_codes(self) -> list[str]:
        """Machine-readable reason codes, in order."""
        return [r.code for r in self.reasons]

    def to_json(self) -> dict:
        """The shape `lantunan ask --json` prints (and the API stores)."""
        return {
            "text": self.text,
            "action": self.action.value,
            "kind": self.kind.value,
            "confidence": round(self.confidence, 4),
            "citations": [
                {"chunk_id": c.chunk_id, "locator": c.locator, "quote": c.quote,
                 "doc_id": c.doc_id, "status": c.status, "verified": c.verified}
                for c in self.citations
            ],
            "reasons": [asdict(r) for r in self.reasons],
            "drafter": self.drafter,
            "office_hours": self.office_hours,
            "holding_reply": self.holding_reply,
            "answer_text": self.answer_text,
            "original_message": self.original_message,
            "normalised_message": self.normalised_message,
            "received_at": self.received_at.isoformat() if self.received_at else None,
            "timings_ms": dict(self.timings),
            "signals": {k: round(v, 4) for k, v in self.signals.items()},
        }
