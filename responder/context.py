"""The one object an answer is composed on: every step reads and writes this context.

Modelled on alphagov/govuk-chat's answer composer: the pipeline is a list of named steps over
one context; any step may stop the pipeline by setting the outcome (a finished Draft) with its
reasons; each step's time is recorded under its name. No tuples travel between steps.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from knowledge.models import Hit
from lantunan.settings import Settings
from responder.models import Citation, Draft, Reason
from responder.normalize import Normalised

if TYPE_CHECKING:
    from knowledge.store import KnowledgeBase
    from responder.judge import Judge


@dataclass
class AnswerContext:
    """State of one reply in the making."""

    message: str
    received_at: datetime
    settings: Settings
    conversation: list[tuple[str, str]] | None = None
    office_hours: bool = False
    norm: Normalised | None = None
    query: str = ""  # what is searched: the normalised text, with context for short follow-ups
    query_vector: np.ndarray | None = None  # e5 vector of the applicant's own wording
    hits: list[Hit] = field(default_factory=list)
    intent: Any = None  # responder.judge.intent.IntentPrediction
    answerability: float | None = None
    qtype: str = ""
    direct: str = ""  # the draft's direct-answer line
    draft_text: str | None = None
    citations: list[Citation] = field(default_factory=list)
    drafter: str = ""
    used_hits: list[int] = field(default_factory=list)
    coverage: float = 0.0
    dense: float = 0.0
    verified: bool = False
    output_ok: bool = True  # the output guard found every figure and link in the sources
    confidence: float = 0.0
    signals: dict[str, float] = field(default_factory=dict)  # what the judgements read (shown)
    confidence_features: dict[str, float] = field(default_factory=dict)  # the probe's full input
    reasons: list[Reason] = field(default_factory=list)
    outcome: Draft | None = None
    stopped_by: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def stopped(self) -> bool:
        """True once a step has finished the reply."""
        return self.outcome is not None

    def draft_fields(self) -> dict:
        """Fields every Draft built from this context shares."""
        return dict(original_message=self.message,
                    normalised_message=self.norm.text if self.norm else "",
                    received_at=self.received_at, office_hours=self.office_hours,
                    hit_chunk_ids=[h.chunk.id for h in self.hits], timings=self.timings,
                    signals=dict(self.signals))


@dataclass(frozen=True)
class Step:
    """A named pipeline step."""

    name: str
    run: Callable[[AnswerContext], None]


def run_steps(ctx: AnswerContext, steps: Sequence[Step]) -> AnswerContext:
    """Run steps in order until one stops the pipeline; record each step's milliseconds."""
    for step in steps:
        started = time.perf_counter()
        step.run(ctx)
        ctx.timings[step.name] = round((time.perf_counter() - started) * 1000, 2)
        if ctx.stopped:
            ctx.stopped_by = ctx.stopped_by or step.name
            break
    return ctx


class StepHost(Protocol):
    """What the steps use of ``responder.pipeline.Responder``. The steps are typed against this
    protocol because the pipeline imports the steps module: naming the class there would make
    an import cycle (see tests/test_import_graph.py)."""

    kb: KnowledgeBase
    judge: Judge
    llm: Any

    @property
    def auto_send_threshold(self) -> float: ...

    @property
    def answerability_threshold(self) -> float: ...

    def vocabulary(self) -> set[str]: ...

    def intent_vector(self, text: str) -> np.ndarray: ...

    def question_type(self, text: str) -> str: ...

    def revoked_notice(self, revoked: list[Hit]) -> str: ...
