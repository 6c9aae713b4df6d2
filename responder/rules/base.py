"""The shape every guardrail rule shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from responder.models import Reason
from responder.normalize import Normalised

Detector = Callable[[Normalised], list[str]]


@dataclass(frozen=True)
class Rule:
    """A named check: ``detect`` lists evidence cues; calling the rule gives a Reason or None."""

    code: str
    detect: Detector

    def __call__(self, n: Normalised) -> Reason | None:
        """The rule's Reason when it fires on `n`, else None."""
        from responder.replies import reason  # late import: replies imports rules.social

        return reason(self.code) if self.detect(n) else None
