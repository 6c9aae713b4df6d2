"""The offline drafter: the direct answer first, then short cited support and the next step.

1. Candidate pieces are the retrieval units of the top passages (responder/pieces.py), scored by
   meaning and words; `select` picks the pieces that together cover the question (their
   coverage and cosine feed the confidence score, as before).
2. The question type (responder/qtype.py) decides which sentence answers: a duration, an amount,
   the authority, a list, a definition, the steps, a plain yes/no statement
   (responder/direct_answer.py).
   A question asking two things ("apa itu OSS dan siapa pengelolanya") gets the answering
   sentence of its second type quoted first among the support (responder/qtype.question_types).
3. Supporting sentences, from every passage close enough to the question, are ranked by their
   salience (responder/salience.py) plus the question words they add to what is shown, each
   with its locator; the formatter keeps what fits in a WhatsApp reply, a long lettered list
   condensed to its items' heads (responder/condense.py). An SOP sentence telling the applicant
   where to go or whom to write to closes the reply (responder/whatsapp_format.py).
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
from responder.direct_answer import Cosines, DirectAnswer, pick_direct
from responder.pieces import Piece, Relevance, candidate_pieces, sentence_locator, whole_sentences
from responder.qtype import question_type, question_types
from responder.salience import SentenceScore
from responder.sentences import split_sentences
from responder.textcut import strip_marker
from responder.whatsapp_format import Quote, ReplyParts, format_reply

__all__ = ["ExtractiveDraft", "Piece", "candidate_pieces", "extractive_draft", "select"]

_MAX_CHARS = 1400  # what the selection may gather (the reply itself is shorter)
_MAX_PIECES = 4
_WHOLE_PASSAGE = 1300  # a best passage this short is taken whole
_GAIN_MIN = 0.05  # a further piece must add this share of the question's weighted words …
_MEANING_MIN = 0.35  # … and be at least this close in meaning (0..1 among the candidates)
_SUPPORT_REL = 0.45  # a piece this close to the best one (relevance ratio) may give support
_MAX_SUPPORT = 5  # candidates handed to the formatter, which keeps what fits
_GAIN_WEIGHT = 0.5  # question words a sentence adds to what is shown
_SUPPORT_MIN = 1.8  # salience (a logit, responder/salience.py) below this is not about the question
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
    direct_salience: float = 0.0  # the direct answer's candidate score (responder/direct_answer.py)
    direct_margin: float = 0.0  # its lead over the best other sentence


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


def _other_parts(question: str, qtype: str, direct: DirectAnswer, pieces: list[Piece],
                 hits: list[Hit], rel: Relevance) -> list[tuple[Piece, str]]:
    """For a question asking two things ("apa itu OSS dan siapa pengelolanya"), the sentence
    that answers each further part, quoted right after the direct answer."""
    out: list[tuple[Piece, str]] = []
    shown = _norm(direct.source)
    for other in question_types(question):
        if other == qtype:
            continue
        part = pick_direct(other, question, pieces, hits, rel)
        if part is None or part.strength <= 0.0 or _norm(part.source)[:60] in shown:
            continue
        out.append((part.piece, part.source))
        shown += " " + _norm(part.source)
    return out[:2]


def _support(direct: DirectAnswer, chosen: list[Piece], pieces: list[Piece], rel: Relevance,
             scorer: SentenceScore, hits: list[Hit],
             first: list[tuple[Piece, str]] = ()) -> list[tuple[Piece, str]]:
    """Sentences of the relevant passages that add what the direct answer lacks, best first.

    Every sentence of a piece close enough to the question competes (not only the selected
    pieces: the ayat that answers a second part often sits in the second passage); each is
    valued by its salience plus the question words it adds, and one that mostly repeats what is
    shown is skipped.
    """
    shown = _norm(" ".join([direct.full_text, direct.source, *(t for _, t in first)]))
    shown_terms = set(analyse(" ".join([direct.full_text, *(t for _, t in first)])))
    covered = shown_terms & rel.q_terms
    top = max((rel.score(p) for p in pieces), default=0.0)
    near = [p for p in pieces if rel.score(p) >= _SUPPORT_REL * top or p in chosen
            or p.hit_index == direct.piece.hit_index]
    pool: list[tuple[Piece, str, set[str], float]] = []
    seen: set[str] = set()
    for p in near:
        passage = hits[p.hit_index].chunk.text
        for sent in whole_sentences(p.text, passage):
            body = strip_marker(sent)
            terms = set(analyse(body))
            key = _norm(body)[:60]
            # A line starting in lower case is the tail of a list whose lead is not quoted.
            if len(terms) < 3 or body[:1].islower() or key in shown or key in seen \
                    or len(terms & shown_terms) >= 0.8 * len(terms) or not terms & rel.q_terms:
                continue
            seen.add(key)
            pool.append((p, sent, terms, scorer.score(p, clean_quote(body, passage), raw=sent)))
    out: list[tuple[Piece, str]] = []
    while pool and len(out) + len(first) < _MAX_SUPPORT:
        def value(c: tuple[Piece, str, set[str], float]) -> float:
            return c[3] + _GAIN_WEIGHT * rel.gain(c[2], covered) \
                - 0.15 * max(0.0, (len(c[1]) - 250) / 250)
        best = max(pool, key=value)
        if value(best) < _SUPPORT_MIN:
            break  # nothing left that is about the question
        pool.remove(best)
        if len(best[2] & shown_terms) >= 0.8 * len(best[2]):
            continue  # says again what an earlier support already said
        out.append((best[0], best[1]))
        shown_terms |= best[2]
        covered |= best[2] & rel.q_terms
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
                     query_vec: np.ndarray | None, max_pieces: int | None = None,
                     cosine: Cosines | None = None) -> ExtractiveDraft:
    """Build the offline draft for a question from ranked hits and their units (`cosine`: each
    text's e5 cosine to the question, for the direct answer's choice)."""
    pieces = candidate_pieces(hits, units, query_vec)
    rel = Relevance(question, pieces)
    chosen, coverage = select(question, pieces, max_pieces, rel)
    if not chosen:
        return ExtractiveDraft(text="")
    qtype = question_type(question)
    direct = pick_direct(qtype, question, pieces, hits, rel, cosine)
    if direct is None:
        return ExtractiveDraft(text="")
    scorer = SentenceScore(question, rel, pieces, hits)
    parts = _other_parts(question, qtype, direct, pieces, hits, rel)
    support = parts + _support(direct, chosen, pieces, rel, scorer, hits, parts)
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
        direct_salience=direct.salience, direct_margin=direct.margin,
    )
