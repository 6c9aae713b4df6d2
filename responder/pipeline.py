"""respond(): the answer pipeline, a list of named steps over one context (responder.steps).

normalise → guard → search → classify → answerability → draft → verify → output_guard →
confidence → decide

The judgements are learned (responder.judge): the intent model decides answer / small talk /
handoff reason, the answerability probe whether the knowledge base covers the question, the
confidence probe how likely the draft carries every fact asked for. Exact guards (a NIK's
shape, explicit instruction overrides) run before the model.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache, partial
from zoneinfo import ZoneInfo

import numpy as np

from knowledge.embedder import Embedder
from knowledge.embeddings import embedder_from_spec
from knowledge.models import Hit
from knowledge.store import KnowledgeBase
from lantunan.settings import Settings, get_settings
from responder import steps as S
from responder.context import AnswerContext, Step, run_steps
from responder.judge import Judge, shipped_judge
from responder.models import Draft
from responder.office_hours import is_office_hours

STEP_ORDER = ("normalise", "guard", "search", "classify", "answerability", "draft", "verify",
              "output_guard", "confidence", "decide")


class Responder:
    """Drafts replies from one knowledge base under one set of settings."""

    def __init__(self, kb: KnowledgeBase, settings: Settings | None = None,
                 judge: Judge | None = None) -> None:
        self.kb = kb
        self.settings = settings or kb.settings
        self.judge = judge or shipped_judge()
        self._vocab: set[str] | None = None
        self._vocab_version = -1
        self._e5: Embedder | None = None
        self.llm = None
        if self.settings.llm_base_url:
            from responder.draft_llm import LLMDrafter

            self.llm = LLMDrafter(self.settings)
        self.steps = [Step(name, partial(getattr(S, f"{name}_step"), self)) for name in STEP_ORDER]

    # --- services the steps use ---------------------------------------------------------------
    @property
    def auto_send_threshold(self) -> float:
        """Settings override, else the threshold chosen on cross-validation for its precision."""
        s = self.settings.auto_send_threshold
        return s if s is not None else self.judge.confidence.threshold

    @property
    def answerability_threshold(self) -> float:
        """Settings override, else the threshold chosen on cross-validation."""
        s = self.settings.answerability_threshold
        return s if s is not None else self.judge.answerability.threshold

    def vocabulary(self) -> set[str]:
        """The knowledge base's words (spelling repair), refreshed when the catalog changes."""
        version = self.kb.catalog.version()
        if self._vocab is None or version != self._vocab_version:
            self._vocab, self._vocab_version = self.kb.vocabulary(), version
        return self._vocab

    def intent_vector(self, text: str) -> np.ndarray:
        """The e5 query vector the intent model was trained on.

        When the knowledge base embeds with e5 (also through eval's caching or precomputing
        wrappers, which keep e5's spec) it is the vector search already computed for the same
        text; otherwise the process's one e5 model embeds it.
        """
        if self.kb.embedder.spec == "e5":
            return self.kb.query_vector(text)
        if self._e5 is None:
            self._e5 = embedder_from_spec("e5")
        return self._e5.embed_query(text)

    @staticmethod
    def question_type(text: str) -> str:
        """What kind of answer the question wants (duration, amount, who, list, …)."""
        from responder.qtype import question_type

        return question_type(text)

    @staticmethod
    def revoked_notice(revoked: list[Hit]) -> str:
        """A first line saying which cited law was revoked or amended, and by what."""
        notes = []
        for h in revoked:
            status = "telah dicabut" if h.doc.status.value == "dicabut" else "telah diubah"
            repl = f" dan digantikan oleh {h.doc.replaced_by}" if h.doc.replaced_by else ""
            notes.append(f"Perhatian: {h.doc.short_name} {status}{repl}.")
        return " ".join(dict.fromkeys(notes))

    # --- the pipeline ----------------------------------------------------------------------------
    def context(self, message: str, received_at: datetime,
                conversation: list[tuple[str, str]] | None = None) -> AnswerContext:
        """Run the steps and return the whole context (eval and training read its signals)."""
        s = self.settings
        if received_at.tzinfo is None:
            received_at = received_at.replace(tzinfo=ZoneInfo(s.timezone))
        ctx = AnswerContext(message=message, received_at=received_at, settings=s,
                            conversation=conversation,
                            office_hours=is_office_hours(received_at, s))
        return run_steps(ctx, self.steps)

    def respond(self, message: str, received_at: datetime,
                conversation: list[tuple[str, str]] | None = None) -> Draft:
        """Draft a reply to one applicant message received at `received_at`."""
        ctx = self.context(message, received_at, conversation)
        assert ctx.outcome is not None, "the decide step always sets the outcome"
        return ctx.outcome


@lru_cache(maxsize=1)
def _default_responder() -> Responder:
    settings = get_settings()
    return Responder(KnowledgeBase(settings), settings)


def respond(message: str, received_at: datetime,
            conversation: list[tuple[str, str]] | None = None) -> Draft:
    """Draft a reply with the process-wide settings and knowledge base."""
    return _default_responder().respond(message, received_at, conversation)
