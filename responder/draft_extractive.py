"""The offline drafter: the direct answer first, then short cited support and the next step.

1. Candidate pieces are the retrieval units of the top passages (responder/pieces.py), scored by
   meaning and words; `select` picks the pieces that together cover the question (their
   coverage and cosine feed the confidence score, as before).
2. The question type (responder/qtype.py) decides which sentence answers: a duration, an amount,
   the authority, a list, a definition, the steps, a plain yes/no statement
   (responder/direct_answer.py).
3. Two or three short supporting sentences add what the answer does not yet hold, each with its
   locator; an SOP sentence telling the applicant where to go or whom to write to closes the
   reply (responder/whatsapp_format.py).
Quotes keep the passage's own words; cross-references are completed from the same passage or
cut (responder/crossref.py), so every line still verifies against what it cites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from knowledge.models import Hit
from knowledge.textproc import analyse
from knowledge.units import Unit
from responder.crossref import clean_quote
from responder.direct_answer import DirectAnswer, pick_direct
from responder.pieces import Piece, Relevance, candidate_pieces, sentence_locator
from responder.qtype import question_type
from responder.sentences import split_sentences
from responder.textcut import strip_marker
from responder.whatsapp_format import Quote, ReplyParts, format_reply

__all__ = ["ExtractiveDraft", "Piece", "candidate_pieces", "extractive_draft", "select"]

_MAX_CHARS = 1400  # what the selection may gather (the reply itself is shorter)
_MAX_PIECES = 4
_WHOLE_PASSAGE = 1300  # a best passage this short is taken whole
_GAIN_MIN = 0.05  # a further piece must add this share of the question's weighted words …
_MEANING_MIN = 0.35  # … and be at least this close in meaning (0..1 among the candidates)
_PHONE = re.compile(r"(?<!\d)(?:\+62|0)8\d{7,11}(?!\d)")
# Where the applicant goes or whom they write to (not any imperative of a procedure).
_STEP_CUE = re.compile(
    r"\b(?:hubungi|menghubungi|datang(?:\s+langsung)?\s+ke|kunjungi|loket|nomor\s+(?:WA|"
    r"WhatsApp|layanan))\b", re.I)


@dataclass
class ExtractiveDraft:
    """Selected pieces, the reply text and how well they cover the question."""

    text: str
    units: list[Piece] = field(default_factory=list)  # every piece the reply quotes
    coverage: float = 0.0  # weighted share of question terms found in the selected pieces
    dense: float = 0.0  # best cosine of a selected piece to the question
    used_hits: list[int] = field(default_factory=list)  # 0-based indexes into hits
    qtype: str = "other"  # the question type that chose the direct answer
    direct: str = ""  # the direct answer without markup: its sentence, or a list's lead and items


def select(question: str, pieces: list[Piece], max_pieces: int | None = None,
           rel: Relevance | None = None) -> tuple[list[Piece], float]:
    """Greedy choice of pieces that together answer the question (meaning first, words second).

    The best piece brings its short neighbours from the same passage (a Pasal's other ayat
    often hold the rest of the answer); further passages join only for what is still missing.
    """
    max_pieces = max_pieces or _MAX_PIECES
    if not pieces:
        return [], 0.0
    rel = rel or Relevance(question, pieces)
    first = max(pieces, key=rel.score)
    siblings = [p for p in pieces if p.hit_index == first.hit_index]
    chosen = siblings if sum(len(p.text) for p in siblings) <= _WHOLE_PASSAGE else [first]
    covered = set().union(*(p.terms & rel.q_terms for p in chosen))
    chars = sum(len(p.text) for p in chosen)
    while len(chosen) < max_pieces + len(siblings) - 1:
        best, best_score = None, -1.0
        for p in pieces:
            if p in chosen or chars + len(p.text) > _MAX_CHARS:
                continue
            g = rel.gain(p.terms, covered)
            # Later pieces must add something the question asks that is not yet answered,
            # and still be about the question.
            if g < _GAIN_MIN or rel.meaning(p) < _MEANING_MIN:
                continue
            score = g + 0.35 * rel.meaning(p)
            if score > best_score:
                best, best_score = p, score
        if best is None:
            break
        chosen.append(best)
        chars += len(best.text)
        covered |= best.terms & rel.q_terms
    coverage = rel.gain(covered) if rel.q_terms else 0.0
    chosen.sort(key=lambda p: (p.hit_index, p.position))
    return chosen, coverage


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _support(direct: DirectAnswer, chosen: list[Piece], pieces: list[Piece],
             rel: Relevance) -> list[tuple[Piece, str]]:
    """Up to three sentences of the selected pieces that add what the direct answer lacks."""
    shown = _norm(direct.full_text + " " + direct.source)
    shown_terms = set(analyse(direct.full_text))
    covered = shown_terms & rel.q_terms
    pool: list[tuple[Piece, str]] = []
    for p in chosen + [q for q in pieces if q.hit_index == direct.piece.hit_index]:
        for sent in split_sentences(p.text):
            body = strip_marker(sent)
            terms = set(analyse(body))
            # A line starting in lower case is the tail of a list whose lead is not quoted.
            if len(terms) < 3 or body[:1].islower() or _norm(body)[:60] in shown or (p, sent) in pool \
                    or len(terms & shown_terms) >= 0.8 * len(terms):
                continue
            pool.append((p, sent))
    out: list[tuple[Piece, str]] = []
    while pool and len(out) < 3:
        def value(ps: tuple[Piece, str]) -> float:
            terms = set(analyse(ps[1]))
            return rel.gain(terms, covered) + 0.3 * rel.meaning(ps[0]) + 0.15 * rel.gain(terms)
        best = max(pool, key=value)
        if value(best) < 0.2 or not set(analyse(best[1])) & rel.q_terms:
            break  # nothing left that is about the question
        pool.remove(best)
        best_terms = set(analyse(best[1]))
        if len(best_terms & shown_terms) >= 0.8 * len(best_terms):
            continue  # says again what an earlier support already said
        out.append(best)
        shown_terms |= best_terms
        covered |= set(analyse(best[1])) & rel.q_terms
    return out


def _next_step(pieces: list[Piece], used_text: str, rel: Relevance) -> tuple[Piece, str] | None:
    """An SOP/FAQ sentence that tells the applicant where to go or whom to write to."""
    best, best_score = None, 0.0
    shown = _norm(used_text)
    shown_terms = set(analyse(used_text))
    top = max((rel.score(p) for p in pieces), default=0.0)
    for p in pieces:
        if p.kind not in ("sop", "faq"):
            continue
        for sent in split_sentences(p.text):
            body = strip_marker(sent)
            terms = set(analyse(body))
            if body[:1].islower() or _norm(body) in shown \
                    or len(terms & shown_terms) >= 0.8 * max(len(terms), 1):
                continue  # the reply already says it
            phone = bool(_PHONE.search(body))
            # The office's number is a next step for any question; "datang ke loket …" only
            # when it is about what was asked.
            if not phone and rel.score(p) < 0.7 * top:
                continue
            score = (1.0 if phone else 0.0) + (0.8 if _STEP_CUE.search(body) else 0.0)
            if score <= 0.0:
                continue
            score += 0.3 * rel.meaning(p) + 0.1 / (1 + p.hit_index)
            if score > best_score:
                best, best_score = (p, sent), score
    return best if best and best_score >= 0.8 else None


def extractive_draft(question: str, hits: list[Hit],
                     units: list[list[tuple[Unit, np.ndarray | None]]],
                     query_vec: np.ndarray | None, max_pieces: int | None = None) -> ExtractiveDraft:
    """Build the offline draft for a question from ranked hits and their units."""
    pieces = candidate_pieces(hits, units, query_vec)
    rel = Relevance(question, pieces)
    chosen, coverage = select(question, pieces, max_pieces, rel)
    if not chosen:
        return ExtractiveDraft(text="")
    qtype = question_type(question)
    direct = pick_direct(qtype, question, pieces, hits, rel)
    if direct is None:
        return ExtractiveDraft(text="")
    support = _support(direct, chosen, pieces, rel)
    quoted_text = direct.full_text + " " + " ".join(s for _, s in support)
    step = _next_step(pieces, quoted_text, rel)

    def quote(p: Piece, sent: str) -> Quote:
        text = clean_quote(strip_marker(sent), hits[p.hit_index].chunk.text)
        return Quote(text, sentence_locator(p, sent), p.hit_index + 1)

    parts = ReplyParts(
        direct=Quote(direct.text, direct.locator, direct.piece.hit_index + 1),
        items=direct.items,
        support=[quote(p, s) for p, s in support],
        next_step=quote(*step) if step else None,
    )
    text = format_reply(parts)
    used_pieces = [direct.piece] + [p for p, s in support if _norm(strip_marker(s))[:40] in _norm(text)]
    if step and f"[{step[0].hit_index + 1}]" in text.split("\n")[-1]:
        used_pieces.append(step[0])
    units_out = list({id(p): p for p in used_pieces}.values())
    return ExtractiveDraft(
        text=text, units=units_out, coverage=coverage,
        dense=max(p.dense for p in chosen), used_hits=sorted({p.hit_index for p in units_out}),
        qtype=qtype, direct="\n".join([direct.text, *direct.items]),
    )
