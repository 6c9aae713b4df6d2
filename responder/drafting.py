"""The three drafters behind the draft step, each returning a DraftResult (or None).

Order: a reviewed answer whose question is a near-paraphrase; else the LLM when one is
configured (verified, with fallback and its reason); else the offline extractive drafter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from knowledge.models import DocKind, Hit
from knowledge.store import KnowledgeBase
from lantunan.settings import Settings
from responder.draft_extractive import extractive_draft
from responder.models import Citation, Reason
from responder.replies import reason
from responder.reviewed import best_quote, reviewed_citations

DRAFT_HITS = 5  # passages the drafters read


@dataclass
class DraftResult:
    """A drafted answer with what it rests on."""

    text: str
    citations: list[Citation]
    drafter: str  # reviewed_answer | llm | extractive
    used_hits: list[int] = field(default_factory=list)  # 0-based indexes into hits
    coverage: float = 0.0  # weighted share of the question's terms the draft carries
    dense: float = 0.0  # best cosine of a quoted piece to the question
    match_dense: float = 0.0  # reviewed answers: closeness of the matched question
    qtype: str = ""
    direct: str = ""  # the direct-answer line, when the drafter found one
    direct_salience: float = 0.0  # offline drafter: how strongly its direct answer was chosen
    direct_margin: float = 0.0  # offline drafter: its lead over the best other sentence


@dataclass
class LLMOutcome:
    """An LLM draft, or the reasons it could not be used."""

    result: DraftResult | None
    reasons: list[Reason] = field(default_factory=list)


def _citation(hit: Hit, quote: str, locator: str | None = None) -> Citation:
    return Citation(hit.chunk.id, locator or hit.chunk.locator, quote, hit.doc.id,
                    hit.doc.status.value)


def reviewed_draft(kb: KnowledgeBase, question: str, original: str,
                   hits: list[Hit]) -> DraftResult | None:
    """A reviewed answer whose question matches closely, with its sources as citations."""
    match = kb.match_reviewed(question, original)
    if match is None or not kb.is_close(match):
        return None
    answer = match.answer
    faq_chunk = next((h.chunk for h in hits
                      if h.reviewed_answer and h.reviewed_answer.id == answer.id), None)
    if faq_chunk is None:
        faq_chunk = next((c for d in kb.documents() if d.kind == DocKind.FAQ
                          for c in kb.chunks_of(d.id) if c.section == answer.id), None)
    cites = reviewed_citations(kb, answer, faq_chunk)
    text = answer.answer.strip()
    if cites:
        text += "\n\nSumber: " + "; ".join(dict.fromkeys(c.locator for c in cites))
    return DraftResult(text, cites, "reviewed_answer", coverage=1.0, dense=match.dense,
                       match_dense=match.dense)


def llm_draft(llm, settings: Settings, original: str, hits: list[Hit]) -> LLMOutcome:
    """LLM draft over numbered passages; None with reasons when it fails or is unverified."""
    from responder.draft_llm import LLMError, check_llm_draft

    passages = hits[:DRAFT_HITS]
    try:
        d = llm.draft(original, passages)
    except LLMError as e:
        r = reason("llm_failed")
        return LLMOutcome(None, [Reason(r.code, f"{r.message} ({e.code})")])
    if d.dont_know:
        return LLMOutcome(None, [reason("llm_dont_know")])
    check = check_llm_draft(d, passages, settings)
    if not check.ok:
        code = "llm_citation_invalid" if check.unknown_citations else "unverified_citation"
        return LLMOutcome(None, [reason(code)])
    citations: list[Citation] = []
    seen: set[tuple[str, str]] = set()
    for c in check.checks:
        for n in c.cited:
            if 1 <= n <= len(passages):
                quote, _ = best_quote(c.sentence, passages[n - 1].chunk)
                if (passages[n - 1].chunk.id, quote) not in seen:
                    seen.add((passages[n - 1].chunk.id, quote))
                    citations.append(_citation(passages[n - 1], quote))
    used = sorted({n - 1 for n in d.cited if 1 <= n <= len(passages)})
    dense = max((passages[i].scores.get("dense", 0.0) for i in used), default=0.0)
    return LLMOutcome(DraftResult(d.text, citations, "llm", used, min(1.0, check.support_rate),
                                  dense))


def offline_draft(kb: KnowledgeBase, question: str, original: str,
                  hits: list[Hit]) -> DraftResult | None:
    """The extractive drafter over the top passages' units."""
    passages = hits[:DRAFT_HITS]
    query_vec = kb.query_vector(original)
    ex = extractive_draft(question, passages, [kb.unit_vectors(h.chunk) for h in passages],
                          query_vec, cosine=lambda texts: kb.passage_cosines(query_vec, texts))
    if not ex.units:
        return None
    citations = [_citation(hits[u.hit_index], u.text, u.locator) for u in ex.units]
    return DraftResult(ex.text, citations, "extractive", ex.used_hits, ex.coverage, ex.dense,
                       qtype=ex.qtype, direct=ex.direct, direct_salience=ex.direct_salience,
                       direct_margin=ex.direct_margin)
