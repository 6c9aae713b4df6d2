"""Classify a normalised message: small talk, a question for the knowledge base, or a handoff.

Rules run in a fixed order and every rule that fires adds its Reason, so a message may carry
several (the first is the main one). Injection attempts and personal data are checked first:
whatever else a message says, those decide how it must be handled. Small talk is only small
talk when nothing else fired.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from responder.models import Reason
from responder.normalize import Normalised
from responder.replies import reason
from responder.rules import (case_status, complaint, fee_calculation, human_requested,
                             legal_dispute, out_of_scope, personal_data, prompt_injection,
                             smalltalk, unclear)
from responder.rules.base import Rule

Kind = Literal["smalltalk", "question", "handoff"]

# Handoff rules, most decisive first.
HANDOFF_RULES: list[Rule] = [
    prompt_injection.rule,
    personal_data.rule,
    legal_dispute.rule,
    complaint.rule,
    case_status.rule,
    fee_calculation.rule,
    human_requested.rule,
    out_of_scope.rule,
    unclear.rule,
]
SMALLTALK_RULE: Rule = smalltalk.rule
RULES: list[Rule] = [*HANDOFF_RULES, SMALLTALK_RULE]


@dataclass
class Classification:
    """What kind of message this is, why, and the evidence each rule found."""

    kind: Kind
    reasons: list[Reason] = field(default_factory=list)
    signals: dict = field(default_factory=dict)

    @property
    def reason_codes(self) -> list[str]:
        """Reason codes in order."""
        return [r.code for r in self.reasons]


def classify(n: Normalised) -> Classification:
    """Run the guardrail rules over a normalised message."""
    evidence: dict[str, list[str]] = {}
    reasons: list[Reason] = []
    for rule in HANDOFF_RULES:
        cues = rule.detect(n)
        if cues:
            evidence[rule.code] = cues
            reasons.append(reason(rule.code))
    signals: dict = {"evidence": evidence, "lang": n.lang, "corrections": list(n.corrections)}
    if reasons:
        return Classification(kind="handoff", reasons=reasons, signals=signals)
    cues = SMALLTALK_RULE.detect(n)
    if cues:
        evidence[SMALLTALK_RULE.code] = cues
        return Classification(kind="smalltalk", reasons=[reason(SMALLTALK_RULE.code)],
                              signals=signals)
    return Classification(kind="question", reasons=[], signals=signals)
