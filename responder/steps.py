"""The named steps of the answer pipeline; each reads and writes one AnswerContext.

normalise → guard → search → classify → answerability → draft → verify → output_guard →
confidence → decide

A step that decides the reply on its own (a guard, the intent model, answerability) stops the
pipeline by setting ``ctx.outcome``; every stop carries its reasons.
"""

from __future__ import annotations

from knowledge.models import Hit
from responder.context import AnswerContext, StepHost
from responder.decide import decide
from responder.drafting import DRAFT_HITS, llm_draft, offline_draft, reviewed_draft
from responder.guards import instruction_override, personal_data
from responder.judge.signals import (
    DIRECT_FEATURES, RETRIEVAL_FEATURES, draft_signals, retrieval_signals,
)
from responder.models import Action, Citation, Draft, DraftKind, Reason
from responder.normalize import normalise
from responder.output_guard import check_output
from responder.sources import number_sources
from responder.replies import REASON_MESSAGES, holding_reply, reason, smalltalk_reply
from responder.rerank import reranked_search
from responder.verify import verify

# The steps' view of responder.pipeline.Responder (which imports this module).
Responder = StepHost

SEARCH_K = 8
FOLLOW_UP_TOKENS = 6  # a message this short may lean on the previous question


def _handoff(ctx: AnswerContext, reasons: list[Reason], citations: list[Citation] | None = None,
             drafter: str = "rule", confidence: float = 0.0, answer_text: str | None = None,
             applicant_reasons: list[Reason] | None = None) -> None:
    # `applicant_reasons` choose the sentence the applicant reads when it must differ from
    # the officer's reason (a licensing question the KB lacks is no "other agency" matter).
    hold = holding_reply(applicant_reasons if applicant_reasons is not None else reasons,
                         ctx.received_at, ctx.settings)
    ctx.reasons = reasons
    ctx.outcome = Draft(text=hold, kind=DraftKind.HANDOFF, action=Action.HANDOFF,
                        confidence=confidence, reasons=reasons, holding_reply=hold,
                        citations=citations or [], drafter=drafter, answer_text=answer_text,
                        **ctx.draft_fields())


def related(hits: list[Hit]) -> list[Citation]:
    """Passages shown to the officer beside a handed-off message (never sent to anyone)."""
    return [Citation(h.chunk.id, h.chunk.locator, h.chunk.text[:300], h.doc.id,
                     h.doc.status.value) for h in hits[:3]]


def normalise_step(r: Responder, ctx: AnswerContext) -> None:
    """Chat abbreviations, Banjar, misspelt terms → standard Indonesian; the search query."""
    ctx.norm = normalise(ctx.message, r.vocabulary())
    ctx.query = ctx.norm.text
    if ctx.conversation and len(ctx.norm.tokens) < FOLLOW_UP_TOKENS:
        previous = [text for role, text in ctx.conversation if role == "applicant"]
        if previous:  # "kalau CV gimana?" is searched with the question it follows
            ctx.query = f"{previous[-1]} {ctx.query}"


def guard_step(r: Responder, ctx: AnswerContext) -> None:
    """Exact guards: personal data by its shape, explicit instruction overrides."""
    if instruction_override(ctx.message):
        _handoff(ctx, [reason("prompt_injection")])
    elif personal_data(ctx.message):
        _handoff(ctx, [reason("personal_data")])


def search_step(r: Responder, ctx: AnswerContext) -> None:
    """Hybrid retrieval, re-ranked by the learned model (responder/rerank.py); the applicant's
    own wording is embedded once and reused by classify."""
    ctx.hits = reranked_search(r.kb, ctx.query, ctx.message, r.judge.rerank, SEARCH_K)


def classify_step(r: Responder, ctx: AnswerContext) -> None:
    """The intent model: answer, small talk, or a handoff reason, with calibrated probabilities."""
    assert ctx.norm is not None
    ctx.query_vector = r.intent_vector(ctx.message)
    ctx.intent = pred = r.judge.intent.predict(ctx.message, ctx.norm.text, ctx.query_vector)
    ctx.signals["p_answer"] = round(pred.probabilities.get("answer", 0.0), 4)
    ctx.signals["p_handoff"] = round(pred.p_handoff, 4)
    if pred.route == "handoff":
        code = pred.reason or "unclear"
        r_ = reason(code)
        msg = f"{r_.message} (keyakinan model: {pred.probabilities.get(code, 0.0):.0%})"
        _handoff(ctx, [Reason(code, msg)], related(ctx.hits), confidence=0.0)
    elif pred.route == "smalltalk":
        s = ctx.settings
        office = ctx.office_hours
        ctx.reasons = [reason("office_hours")] if office else []
        # Greetings are harmless, but only outside office hours does anything go out alone.
        ctx.outcome = Draft(text=smalltalk_reply(ctx.norm, s), kind=DraftKind.SMALLTALK,
                            action=Action.QUEUE if office else Action.AUTO_SEND,
                            confidence=round(pred.probabilities.get("smalltalk", 0.0), 4),
                            reasons=ctx.reasons, drafter="rule", **ctx.draft_fields())


def answerability_step(r: Responder, ctx: AnswerContext) -> None:
    """Does the knowledge base cover this question at all? If not, a person answers."""
    if not ctx.hits:
        _handoff(ctx, [reason("no_passage")], drafter="none")
        return
    base = retrieval_signals(ctx.query, ctx.hits, r.kb.known_terms())
    ctx.signals.update(base)
    probe = r.judge.answerability
    ctx.answerability = probe.probability(base)
    ctx.signals["answerability"] = ctx.answerability
    if ctx.answerability < r.answerability_threshold:
        msg = (f"Basis pengetahuan tampaknya tidak memuat rujukan untuk pertanyaan ini "
               f"(keterjangkauan {ctx.answerability:.0%}); jawaban perlu disusun petugas.")
        _handoff(ctx, [Reason("out_of_scope", msg)], related(ctx.hits), drafter="none",
                 applicant_reasons=[reason("no_passage")])


def draft_step(r: Responder, ctx: AnswerContext) -> None:
    """Reviewed answer, else LLM (verified, with fallback), else the extractive drafter."""
    result = reviewed_draft(r.kb, ctx.query, ctx.message, ctx.hits)
    if result is None and r.llm is not None:
        outcome = llm_draft(r.llm, ctx.settings, ctx.message, ctx.hits)
        ctx.reasons += outcome.reasons
        result = outcome.result
    if result is None:
        result = offline_draft(r.kb, ctx.query, ctx.message, ctx.hits)
    if result is None:
        _handoff(ctx, ctx.reasons + [reason("no_passage")], related(ctx.hits), drafter="none")
        return
    ctx.draft_text, ctx.citations, ctx.drafter = result.text, result.citations, result.drafter
    ctx.used_hits, ctx.coverage, ctx.dense = result.used_hits, result.coverage, result.dense
    ctx.qtype = result.qtype or r.question_type(ctx.query)
    ctx.direct = result.direct
    ctx.signals["direct_salience"] = result.direct_salience
    ctx.signals["direct_margin"] = result.direct_margin


def verify_step(r: Responder, ctx: AnswerContext) -> None:
    """Every claim supported by what it cites; every quote found in its chunk."""
    if ctx.drafter == "reviewed_answer":
        ctx.verified = bool(ctx.citations)  # a reviewed answer is verified by its curator
        return
    check = verify(ctx.draft_text or "", [h.chunk.text for h in ctx.hits[:DRAFT_HITS]],
                   ctx.settings.support_threshold)
    for c in ctx.citations:
        chunk = next((h.chunk for h in ctx.hits if h.chunk.id == c.chunk_id), None)
        c.verified = bool(chunk and " ".join(c.quote.split()) in " ".join(chunk.text.split()))
    ctx.verified = check.ok and bool(ctx.citations) and all(c.verified for c in ctx.citations)


def output_guard_step(r: Responder, ctx: AnswerContext) -> None:
    """Figures, links, contacts and payment instructions must come from the sources."""
    sources: list[str] = []
    for h in ctx.hits[:DRAFT_HITS]:
        sources += [h.chunk.text, h.chunk.locator, h.doc.short_name]
    for c in ctx.citations:
        chunk = r.kb.get_chunk(c.chunk_id)
        sources += [c.locator, chunk.text if chunk else c.quote]
    result = check_output(ctx.draft_text or "", sources, ctx.settings.office_contacts)
    ctx.output_ok = result.ok
    if not result.ok:
        base = reason("unsupported_detail")
        ctx.reasons.append(Reason(base.code, f"{base.message} ({'; '.join(result.problems[:5])})"))


def confidence_step(r: Responder, ctx: AnswerContext) -> None:
    """Calibrated probability that the draft carries every fact asked for."""
    base = {k: ctx.signals.get(k, 0.0) for k in RETRIEVAL_FEATURES}
    features = draft_signals(
        base, ctx.hits, coverage=ctx.coverage, dense=ctx.dense, n_citations=len(ctx.citations),
        chars=len(ctx.draft_text or ""), drafter=ctx.drafter, qtype=ctx.qtype,
        p_answer=ctx.signals.get("p_answer", 1.0), answerability=ctx.answerability or 0.0,
        question=ctx.query, direct=ctx.direct, used=ctx.used_hits)
    features.update({k: ctx.signals.get(k, 0.0) for k in DIRECT_FEATURES})
    ctx.confidence_features = features
    ctx.confidence = r.judge.confidence.probability(features)
    ctx.signals.update({k: v for k, v in features.items() if not k.startswith(("qtype_", "drafter_"))})
    ctx.signals["confidence"] = ctx.confidence


def decide_step(r: Responder, ctx: AnswerContext) -> None:
    """Auto-send, queue for an officer, or hand off — with reasons."""
    revoked = [ctx.hits[i] for i in ctx.used_hits if i < len(ctx.hits) and ctx.hits[i].revoked]
    text = ctx.draft_text or ""
    if ctx.drafter in ("extractive", "llm"):
        text = number_sources(text, ctx.hits)  # verified already: now the applicant's numbering
    if revoked:
        # The direct answer stays the first line; the warning follows it at once.
        head, sep, rest = text.partition("\n\n")
        text = f"{head}\n\n{r.revoked_notice(revoked)}" + (f"\n\n{rest}" if sep else "")
    decision = decide(ctx.confidence, ctx.office_hours, ctx.verified, bool(revoked),
                      r.auto_send_threshold, ctx.settings.queue_threshold, REASON_MESSAGES,
                      curated=ctx.drafter == "reviewed_answer", guard_ok=ctx.output_ok)
    reasons = ctx.reasons + decision.reasons
    ctx.reasons = reasons
    hold = None
    if decision.action == Action.HANDOFF or (decision.action == Action.QUEUE and not ctx.office_hours):
        hold = holding_reply(reasons, ctx.received_at, ctx.settings)
    if decision.kind == DraftKind.HANDOFF:
        ctx.outcome = Draft(text=hold or "", kind=DraftKind.HANDOFF, action=Action.HANDOFF,
                            confidence=ctx.confidence, citations=ctx.citations, reasons=reasons,
                            holding_reply=hold, answer_text=text or None, drafter=ctx.drafter,
                            **ctx.draft_fields())
        return
    ctx.outcome = Draft(text=text, kind=DraftKind.ANSWER, action=decision.action,
                        confidence=ctx.confidence, citations=ctx.citations, reasons=reasons,
                        holding_reply=hold, answer_text=text, drafter=ctx.drafter,
                        **ctx.draft_fields())
