"""respond(): normalise → classify → search → draft → verify → decide, each a named step.

Drafting order: a reviewed answer that matches closely; else the LLM when one is configured
(verified, with fallback); else the offline extractive drafter.
"""

from __future__ import annotations

import time
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from knowledge.models import DocKind, Hit
from knowledge.store import KnowledgeBase
from lantunan.settings import Settings, get_settings
from responder.classify import classify
from responder.confidence import signals_for
from responder.decide import decide
from responder.draft_extractive import extractive_draft
from responder.models import Action, Citation, Draft, DraftKind, Reason, StageTimings
from responder.normalize import normalise
from responder.office_hours import is_office_hours
from responder.replies import REASON_MESSAGES, holding_reply, smalltalk_reply
from responder.reviewed import reviewed_citations
from responder.verify import verify

SEARCH_K = 8
DRAFT_HITS = 5  # passages the drafters read (swept 4–5 on the dev set; 5 recalls more facts)


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)


class Responder:
    """Drafts replies from one knowledge base under one set of settings."""

    def __init__(self, kb: KnowledgeBase, settings: Settings | None = None) -> None:
        self.kb = kb
        self.settings = settings or kb.settings
        self._vocab: set[str] | None = None
        self._vocab_version = -1
        self._llm = None
        if self.settings.llm_base_url:
            from responder.draft_llm import LLMDrafter

            self._llm = LLMDrafter(self.settings)

    def _vocabulary(self) -> set[str]:
        version = self.kb.catalog.version()
        if self._vocab is None or version != self._vocab_version:
            self._vocab, self._vocab_version = self.kb.vocabulary(), version
        return self._vocab

    def _reason(self, code: str) -> Reason:
        return Reason(code, REASON_MESSAGES.get(code, code))

    def respond(self, message: str, received_at: datetime,
                conversation: list[tuple[str, str]] | None = None) -> Draft:
        """Draft a reply to one applicant message received at `received_at`."""
        s = self.settings
        if received_at.tzinfo is None:
            received_at = received_at.replace(tzinfo=ZoneInfo(s.timezone))
        timings = StageTimings()
        office = is_office_hours(received_at, s)

        t = time.perf_counter()
        norm = normalise(message, self._vocabulary())
        timings.normalise = _ms(t)

        t = time.perf_counter()
        cls = classify(norm)
        timings.classify = _ms(t)
        base = dict(original_message=message, normalised_message=norm.text,
                    received_at=received_at, office_hours=office, timings=timings)

        if cls.kind == "smalltalk":
            # Greetings are harmless, but only outside office hours does anything go out alone.
            return Draft(text=smalltalk_reply(norm, s), kind=DraftKind.SMALLTALK,
                         action=Action.QUEUE if office else Action.AUTO_SEND, confidence=0.95,
                         reasons=[self._reason("office_hours")] if office else [],
                         drafter="rule", **base)

        injection = any(r.code == "prompt_injection" for r in cls.reasons)
        query = norm.text
        if conversation and len(norm.tokens) < 6:
            # A short follow-up ("kalau CV gimana?") is searched together with the previous question.
            previous = [text for role, text in conversation if role == "applicant"]
            if previous:
                query = f"{previous[-1]} {query}"
        t = time.perf_counter()
        hits = [] if injection else self.kb.search(query, k=SEARCH_K, extra_queries=[message])
        timings.search = _ms(t)
        base["hit_chunk_ids"] = [h.chunk.id for h in hits]

        if cls.kind == "handoff":
            reasons = list(cls.reasons)
            return Draft(text=holding_reply(reasons, received_at, s), kind=DraftKind.HANDOFF,
                         action=Action.HANDOFF, confidence=0.0, reasons=reasons,
                         holding_reply=holding_reply(reasons, received_at, s),
                         citations=self._related(hits) if not injection else [],
                         drafter="rule", **base)
        if not hits:
            reasons = [self._reason("no_passage")]
            return Draft(text=holding_reply(reasons, received_at, s), kind=DraftKind.HANDOFF,
                         action=Action.HANDOFF, confidence=0.0, reasons=reasons,
                         holding_reply=holding_reply(reasons, received_at, s), drafter="none", **base)
        return self._draft_answer(norm.text, message, hits, received_at, office, base)

    def _related(self, hits: list[Hit]) -> list[Citation]:
        """Passages shown to the officer beside a handed-off message (not sent to anyone)."""
        return [Citation(h.chunk.id, h.chunk.locator, h.chunk.text[:300], h.doc.id,
                         h.doc.status.value) for h in hits[:3]]

    def _draft_answer(self, question: str, original: str, hits: list[Hit], received_at: datetime,
                      office: bool, base: dict) -> Draft:
        s = self.settings
        timings: StageTimings = base["timings"]
        extra: list[Reason] = []
        t = time.perf_counter()
        text, citations, confidence, drafter, used = self._reviewed(question, original, hits)
        verified = True
        if text is None and self._llm is not None:
            text, citations, confidence, used, extra = self._llm_draft(question, original, hits)
            drafter = "llm" if text is not None else drafter
        if text is None:
            passages = hits[:DRAFT_HITS]
            ex = extractive_draft(question, passages, [self.kb.unit_vectors(h.chunk) for h in passages],
                                  self.kb.query_vector(original))
            used = ex.used_hits
            confidence = signals_for(hits, used, ex.coverage, ex.dense).score() if ex.units else 0.0
            text = ex.text
            citations = [Citation(hits[u.hit_index].chunk.id, u.locator, u.text,
                                  hits[u.hit_index].doc.id, hits[u.hit_index].doc.status.value)
                         for u in ex.units]
            drafter = "extractive"
        timings.draft = _ms(t)

        t = time.perf_counter()
        if drafter != "reviewed_answer" and text:
            check = verify(text, [h.chunk.text for h in hits[:DRAFT_HITS]], s.support_threshold)
            verified = check.ok
            for c in citations:
                chunk = next((h.chunk for h in hits if h.chunk.id == c.chunk_id), None)
                c.verified = bool(chunk and " ".join(c.quote.split()) in " ".join(chunk.text.split()))
            verified = verified and all(c.verified for c in citations)
        timings.verify = _ms(t)

        revoked_hits = [hits[i] for i in used if hits[i].revoked]
        if revoked_hits and text:
            text = self._revoked_notice(revoked_hits) + "\n\n" + text
        decision = decide(confidence, office, verified and bool(citations), bool(revoked_hits),
                          s, REASON_MESSAGES)
        reasons = extra + decision.reasons
        holding = None
        if decision.action == Action.HANDOFF or (decision.action == Action.QUEUE and not office):
            holding = holding_reply(reasons, received_at, s)
        if decision.kind == DraftKind.HANDOFF:
            return Draft(text=holding or "", kind=DraftKind.HANDOFF, action=Action.HANDOFF,
                         confidence=confidence, citations=citations, reasons=reasons,
                         holding_reply=holding, answer_text=text or None, drafter=drafter, **base)
        return Draft(text=text, kind=DraftKind.ANSWER, action=decision.action,
                     confidence=confidence, citations=citations, reasons=reasons,
                     holding_reply=holding, answer_text=text, drafter=drafter, **base)

    def _reviewed(self, question: str, original: str, hits: list[Hit]):
        """A reviewed answer whose question matches closely, with its sources as citations."""
        s = self.settings
        match = self.kb.match_reviewed(question, original)
        if match is None:
            return None, [], 0.0, "", []
        if not self.kb.is_close(match):
            return None, [], 0.0, "", []
        answer = match.answer
        faq_chunk = next((h.chunk for h in hits if h.reviewed_answer and h.reviewed_answer.id == answer.id), None)
        if faq_chunk is None:
            faq_chunk = next((c for d in self.kb.documents() if d.kind == DocKind.FAQ
                              for c in self.kb.chunks_of(d.id) if c.section == answer.id), None)
        cites = reviewed_citations(self.kb, answer, faq_chunk)
        text = answer.answer.strip()
        if cites:
            text += "\n\nSumber: " + "; ".join(dict.fromkeys(c.locator for c in cites))
        # Near-paraphrase of a reviewed question: confidence follows the closeness.
        confidence = min(1.0, 0.7 + (match.dense - s.reviewed_dense_min) * 5 + 0.1 * match.lexical)
        return text, cites, round(confidence, 4), "reviewed_answer", []

    def _llm_draft(self, question: str, original: str, hits: list[Hit]):
        """LLM draft over numbered passages; None (with reasons) when it fails or is unverified."""
        from responder.draft_llm import LLMError, check_llm_draft

        passages = hits[:DRAFT_HITS]
        try:
            d = self._llm.draft(original, passages)
        except LLMError as e:
            return None, [], 0.0, [], [Reason("llm_failed", f"{REASON_MESSAGES.get('llm_failed', '')} ({e.code})".strip())]
        if d.dont_know:
            return None, [], 0.0, [], [self._reason("llm_dont_know")]
        check = check_llm_draft(d, passages, self.settings)
        if not check.ok:
            code = "llm_citation_invalid" if check.unknown_citations else "unverified_citation"
            return None, [], 0.0, [], [self._reason(code)]
        used = sorted({n - 1 for n in d.cited if 1 <= n <= len(passages)})
        citations = []
        for c in check.checks:
            for n in c.cited:
                if 1 <= n <= len(passages):
                    from responder.reviewed import best_quote

                    quote, _ = best_quote(c.sentence, passages[n - 1].chunk)
                    h = passages[n - 1]
                    citations.append(Citation(h.chunk.id, h.chunk.locator, quote, h.doc.id,
                                              h.doc.status.value))
        seen: set[tuple[str, str]] = set()
        citations = [c for c in citations if not ((c.chunk_id, c.quote) in seen or seen.add((c.chunk_id, c.quote)))]
        coverage = min(1.0, check.support_rate)
        confidence = signals_for(hits, used, coverage).score()
        return d.text, citations, confidence, used, []

    @staticmethod
    def _revoked_notice(revoked: list[Hit]) -> str:
        notes = []
        for h in revoked:
            status = "telah dicabut" if h.doc.status.value == "dicabut" else "telah diubah"
            repl = f" dan digantikan oleh {h.doc.replaced_by}" if h.doc.replaced_by else ""
            notes.append(f"Perhatian: {h.doc.short_name} {status}{repl}.")
        return " ".join(dict.fromkeys(notes))


@lru_cache(maxsize=1)
def _default_responder() -> Responder:
    settings = get_settings()
    return Responder(KnowledgeBase(settings), settings)


def respond(message: str, received_at: datetime,
            conversation: list[tuple[str, str]] | None = None) -> Draft:
    """Draft a reply with the process-wide settings and knowledge base."""
    return _default_responder().respond(message, received_at, conversation)
