"""The decision: auto-send, queue for an officer, or hand off — always with reasons."""

from __future__ import annotations

from dataclasses import dataclass

from responder.models import Action, DraftKind, Reason


@dataclass
class Decision:
    """Routing of one draft."""

    action: Action
    kind: DraftKind
    reasons: list[Reason]


def decide(confidence: float, office_hours: bool, verified: bool, revoked: bool,
           auto_send_threshold: float, queue_threshold: float,
           messages: dict[str, str], curated: bool = False, guard_ok: bool = True) -> Decision:
    """Route a substantive draft (rule-triggered handoffs never reach here).

    `confidence` is the calibrated probability that the draft carries every fact asked for;
    `auto_send_threshold` was chosen on cross-validation for a stated precision (see
    responder/judge/artefacts/confidence.json).
    - below `queue_threshold`: no grounded answer → handoff;
    - outside office hours, ≥ `auto_send_threshold`, verified, not from revoked law → auto_send;
      a `curated` draft (a reviewed answer whose question is a near-paraphrase of the
      applicant's) is the office's own approved text and may go out alone without the
      threshold, which governs drafts composed by the machine;
    - during office hours, a draft worth reviewing → the officer queue;
    - outside office hours but not safe to send alone → the officer queue too; the pipeline adds
      a holding reply so the applicant is not left waiting in silence until the office opens.
    """
    reasons: list[Reason] = []

    def add(code: str) -> None:
        reasons.append(Reason(code, messages.get(code, code)))

    if confidence < queue_threshold:
        add("low_confidence")
        return Decision(Action.HANDOFF, DraftKind.HANDOFF, reasons)
    if not verified:
        add("unverified_citation")
    if revoked:
        add("revoked_source")
    # guard_ok: every figure, link and payment instruction is backed by a source (the step
    # that found otherwise has already added its reason).
    safe = verified and guard_ok and not revoked and (curated or confidence >= auto_send_threshold)
    if office_hours:
        add("office_hours")
        return Decision(Action.QUEUE, DraftKind.ANSWER, reasons)
    if safe:
        return Decision(Action.AUTO_SEND, DraftKind.ANSWER, reasons)
    if not curated and confidence < auto_send_threshold:
        add("below_auto_threshold")
    return Decision(Action.QUEUE, DraftKind.ANSWER, reasons)
