"""The offline drafter: a short answer quoting the best passages' most relevant pieces.

Candidate pieces are the retrieval units of the top passages (an ayat, an SOP step, an FAQ
answer), whose e5 vectors were computed at ingest. Each is scored by meaning (cosine to the
question) and by words (weighted share of the question's content words it adds), and picked
greedily, so a two-part question gets a piece for each part. Every piece is quoted verbatim
and cited with its locator spelled out.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from knowledge.models import DocKind, Hit
from knowledge.textproc import analyse
from knowledge.thesaurus import expansion_terms
from knowledge.units import Unit

# An ayat label opens a piece or follows the end of the previous ayat ("... . (3) ...").
_AYAT_LABEL = re.compile(r"(?:^|(?<=[.;:]\s))\((\d{1,2}[a-z]?)\)\s")
_MAX_CHARS = 1400  # a WhatsApp message an applicant still reads to the end
_MAX_PIECES = 4
_WHOLE_PASSAGE = 1300  # a best passage this short is quoted whole
_GAIN_MIN = 0.05  # a further piece must add this share of the question's weighted words …
_MEANING_MIN = 0.35  # … and be at least this close in meaning (0..1 among the candidates)


@dataclass
class Piece:
    """A quotable unit of one hit, with its scores."""

    hit_index: int  # 0-based position in the hits list
    position: int
    text: str
    locator: str
    terms: set[str]
    dense: float = 0.0


@dataclass
class ExtractiveDraft:
    """Selected pieces, the reply text and how well they cover the question."""

    text: str
    units: list[Piece] = field(default_factory=list)
    coverage: float = 0.0  # weighted share of question terms found in the selected pieces
    dense: float = 0.0  # best cosine of a selected piece to the question
    used_hits: list[int] = field(default_factory=list)  # 0-based indexes into hits


def _locator(hit: Hit, text: str) -> str:
    """The chunk's locator, narrowed to the ayat a piece quotes ("… Pasal 12 ayat (2)")."""
    loc = hit.chunk.locator
    labels = _AYAT_LABEL.findall(text)
    if hit.doc.kind != DocKind.REGULATION or not labels or "ayat" in loc.split("Pasal")[-1] \
            and len(labels) > 1:
        return loc
    base = re.sub(r"\s+ayat\s+\(.*$", "", loc)
    return f"{base} ayat ({labels[0]})" if len(labels) == 1 else f"{base} ayat ({labels[0]})-({labels[-1]})"


def candidate_pieces(hits: list[Hit], units: list[list[tuple[Unit, np.ndarray | None]]],
                     query_vec: np.ndarray | None) -> list[Piece]:
    """Every unit of every hit, scored by cosine to the question where a vector exists."""
    out: list[Piece] = []
    for hi, (hit, hit_units) in enumerate(zip(hits, units)):
        for pos, (unit, vec) in enumerate(hit_units):
            terms = set(analyse(unit.text))
            if len(unit.text) < 20 or not terms:
                continue
            dense = float(vec @ query_vec) if vec is not None and query_vec is not None else 0.0
            out.append(Piece(hi, pos, unit.text.strip(), _locator(hit, unit.text), terms, dense))
    return out


def select(question: str, pieces: list[Piece], max_pieces: int | None = None) -> tuple[list[Piece], float]:
    """Greedy choice of pieces that together answer the question (meaning first, words second).

    The best piece brings its short neighbours from the same passage (a Pasal's other ayat
    often hold the rest of the answer); further passages join only for what is still missing.
    """
    max_pieces = max_pieces or _MAX_PIECES
    # The statutes' register of the applicant's words counts too ("BPJS" → jaminan sosial).
    q_terms = set(analyse(question)) | set(analyse(expansion_terms(question)))
    if not pieces:
        return [], 0.0
    df = {t: sum(t in p.terms for p in pieces) for t in q_terms}
    n = len(pieces)
    weight = {t: math.log(1 + n / (1 + df[t])) for t in q_terms}
    total = sum(weight.values()) or 1.0
    hi_d = max(p.dense for p in pieces)
    lo_d = min(p.dense for p in pieces)
    span = (hi_d - lo_d) or 1.0

    def meaning(p: Piece) -> float:
        return (p.dense - lo_d) / span

    def gain(p: Piece, covered: set[str]) -> float:
        return sum(weight[t] for t in (p.terms & q_terms) - covered) / total

    first = max(pieces, key=lambda p: 0.55 * meaning(p) + 0.45 * gain(p, set()) + 0.05 / (1 + p.hit_index))
    siblings = [p for p in pieces if p.hit_index == first.hit_index]
    if sum(len(p.text) for p in siblings) <= _WHOLE_PASSAGE:
        chosen = siblings
    else:
        chosen = [first]
    covered = set().union(*(p.terms & q_terms for p in chosen))
    chars = sum(len(p.text) for p in chosen)
    while len(chosen) < max_pieces + len(siblings) - 1:
        best, best_score = None, -1.0
        for p in pieces:
            if p in chosen or chars + len(p.text) > _MAX_CHARS:
                continue
            g = gain(p, covered)
            # Later pieces must add something the question asks that is not yet answered,
            # and still be about the question.
            if g < _GAIN_MIN or meaning(p) < _MEANING_MIN:
                continue
            score = g + 0.35 * meaning(p)
            if score > best_score:
                best, best_score = p, score
        if best is None:
            break
        chosen.append(best)
        chars += len(best.text)
        covered |= best.terms & q_terms
    coverage = sum(weight[t] for t in covered) / total if q_terms else 0.0
    chosen.sort(key=lambda p: (p.hit_index, p.position))
    return chosen, coverage


def compose(pieces: list[Piece], intro: str = "Berikut ketentuan yang kami temukan:") -> str:
    """WhatsApp-friendly reply: one numbered point per quoted piece, locator spelled out, [n] cited."""
    lines = [intro, ""]
    for i, p in enumerate(pieces, start=1):
        body = re.sub(r"^\(\d{1,2}[a-z]?\)\s*", "", p.text).strip()
        lines.append(f"{i}. {body} — {p.locator} [{p.hit_index + 1}]")
    return "\n".join(lines)


def extractive_draft(question: str, hits: list[Hit],
                     units: list[list[tuple[Unit, np.ndarray | None]]],
                     query_vec: np.ndarray | None, max_pieces: int | None = None) -> ExtractiveDraft:
    """Build the offline draft for a question from ranked hits and their units."""
    pieces = candidate_pieces(hits, units, query_vec)
    chosen, coverage = select(question, pieces, max_pieces)
    if not chosen:
        return ExtractiveDraft(text="")
    return ExtractiveDraft(
        text=compose(chosen), units=chosen, coverage=coverage,
        dense=max(p.dense for p in chosen), used_hits=sorted({p.hit_index for p in chosen}),
    )
