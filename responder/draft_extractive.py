"""The offline drafter: a short answer built from the best passages' most relevant sentences.

Greedy selection by marginal coverage of the question's content words (weighted by their
rarity among the candidate sentences), so a two-part question gets a sentence for each part.
Every sentence is quoted verbatim and cited with its locator spelled out.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from knowledge.models import DocKind, Hit
from knowledge.textproc import analyse
from responder.sentences import split_sentences

_AYAT_START = re.compile(r"^\((\d{1,2}[a-z]?)\)\s*")
_MAX_CHARS = 1100
_MIN_UNIT = 25


@dataclass
class Unit:
    """A quotable sentence of one hit."""

    hit_index: int  # 0-based position in the hits list
    position: int
    text: str
    locator: str
    terms: set[str]


@dataclass
class ExtractiveDraft:
    """Selected sentences, the reply text and how much of the question they cover."""

    text: str
    units: list[Unit] = field(default_factory=list)
    coverage: float = 0.0  # weighted share of question terms found in the selected sentences
    used_hits: list[int] = field(default_factory=list)  # 0-based indexes into hits


def _units(hits: list[Hit]) -> list[Unit]:
    out: list[Unit] = []
    for hi, hit in enumerate(hits):
        chunk = hit.chunk
        text = chunk.text
        if hit.doc.kind == DocKind.FAQ:
            # FAQ chunks read "T: question / J: answer": quote the answer only.
            text = text.split("J:", 1)[-1] if "J:" in text else text
        ayat = None
        merged: list[str] = []
        for sent in split_sentences(text):
            if merged and len(merged[-1]) < _MIN_UNIT:
                merged[-1] = f"{merged[-1]} {sent}"
            else:
                merged.append(sent)
        for pos, sent in enumerate(merged):
            m = _AYAT_START.match(sent)
            if m:
                ayat = m.group(1)
            locator = chunk.locator
            if ayat and hit.doc.kind == DocKind.REGULATION and "ayat" not in locator:
                locator = f"{locator} ayat ({ayat})"
            terms = set(analyse(sent))
            if len(sent) >= _MIN_UNIT and terms:
                out.append(Unit(hi, pos, sent.strip(), locator, terms))
    return out


def select_units(question: str, hits: list[Hit], max_units: int = 4) -> tuple[list[Unit], float]:
    """Greedy choice of sentences that together cover the question's content words."""
    q_terms = set(analyse(question))
    units = _units(hits)
    if not q_terms or not units:
        return [], 0.0
    df = {t: sum(t in u.terms for u in units) for t in q_terms}
    n = len(units)
    weight = {t: math.log(1 + n / (1 + df[t])) for t in q_terms}
    total = sum(weight.values()) or 1.0
    covered: set[str] = set()
    chosen: list[Unit] = []
    chars = 0
    while len(chosen) < max_units:
        best, best_gain = None, 0.0
        for u in units:
            if u in chosen:
                continue
            gain = sum(weight[t] for t in (u.terms & q_terms) - covered) / total
            if not chosen:
                # The first pick also favours the best-ranked passages and ayat openings.
                gain += 0.08 / (1 + u.hit_index) + 0.02 / (1 + u.position)
            if gain > best_gain:
                best, best_gain = u, gain
        if best is None or (chosen and best_gain < 0.08) or chars + len(best.text) > _MAX_CHARS and chosen:
            break
        chosen.append(best)
        chars += len(best.text)
        covered |= best.terms & q_terms
    coverage = sum(weight[t] for t in covered) / total
    chosen.sort(key=lambda u: (u.hit_index, u.position))
    return chosen, coverage


def compose(units: list[Unit], intro: str = "Berikut ketentuan yang kami temukan:") -> str:
    """WhatsApp-friendly reply: one numbered point per quoted sentence, each citing [n]."""
    lines = [intro, ""]
    for i, u in enumerate(units, start=1):
        body = _AYAT_START.sub("", u.text).strip()
        lines.append(f"{i}. {body} ({u.locator}) [{u.hit_index + 1}]")
    return "\n".join(lines)


def extractive_draft(question: str, hits: list[Hit], max_units: int = 4) -> ExtractiveDraft:
    """Build the offline draft for a question from ranked hits."""
    units, coverage = select_units(question, hits, max_units)
    if not units:
        return ExtractiveDraft(text="", coverage=0.0)
    return ExtractiveDraft(
        text=compose(units), units=units, coverage=coverage,
        used_hits=sorted({u.hit_index for u in units}),
    )
