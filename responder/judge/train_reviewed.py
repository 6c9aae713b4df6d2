"""Derive the reviewed-answer match thresholds (settings.reviewed_*) from the project's own data.

A reviewed answer (a curated FAQ entry or a promoted officer edit) is sent as it stands, and
off-hours it may go out alone, so the match that selects it must be right before it is broad.
For every question–answer item (training/qa) and every training message that must reach a
person, the closest reviewed answer is scored as the responder scores it (rapidfuzz word
similarity on the normalised text, e5 query–query cosine on the applicant's wording). The
label is the eval's own rule: the matched answer is right when its text carries every answer
fact of the item; for a handoff message no reviewed answer is right.

The rule has the shape `(dense >= dense_min and lexical >= lexical_min) or dense >= dense_alone`.
Among the rules that accept no wrong match, the one accepting the most right matches wins; ties
go to the highest thresholds (the most conservative rule with the same reach).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import product

from eval.scoring import fact_score
from responder.judge.data import Message, QAItem
from responder.judge.intent import HANDOFF_REASONS
from responder.normalize import normalise


@dataclass(frozen=True)
class MatchRow:
    """The closest reviewed answer to one text and whether sending it would be right."""

    text: str
    answer_id: str
    dense: float
    lexical: float
    right: bool


@dataclass(frozen=True)
class Rule:
    """`(dense >= dense_min and lexical >= lexical_min) or dense >= dense_alone`."""

    dense_min: float
    lexical_min: float
    dense_alone: float

    def accepts(self, row: MatchRow) -> bool:
        return (row.dense >= self.dense_min and row.lexical >= self.lexical_min) \
            or row.dense >= self.dense_alone


def collect_rows(responder, items: list[QAItem], messages: list[Message],
                 log: Callable[[str], None] = print) -> list[MatchRow]:
    """Score the closest reviewed answer for every QA item and every handoff message."""
    kb, vocabulary = responder.kb, responder.vocabulary()
    texts = [(q.question, q.answer_facts) for q in items]
    texts += [(m.text, None) for m in messages if m.label in HANDOFF_REASONS]
    # One batch through the embedder: far cheaper than a forward pass per text.
    vectors = kb.embedder.embed_queries([t for t, _ in texts])
    rows = []
    for n, ((text, facts), vector) in enumerate(zip(texts, vectors), start=1):
        norm = normalise(text, vocabulary).text
        best = kb.match_reviewed(norm, text, vector=vector)
        if best is None:
            continue
        right = facts is not None and fact_score(best.answer.answer, facts) >= 1.0
        rows.append(MatchRow(text, best.answer.id, round(best.dense, 4),
                             round(best.lexical, 4), right))
        if n % 200 == 0:
            log(f"  {n}/{len(texts)} texts matched")
    return rows


def _grid(lo: float, hi: float, step: float) -> list[float]:
    n = int(round((hi - lo) / step))
    return [round(lo + i * step, 2) for i in range(n + 1)]


def choose_rule(rows: list[MatchRow]) -> tuple[Rule, dict]:
    """The rule accepting the most right matches and no wrong one (ties: highest thresholds)."""
    best: tuple[tuple, Rule] | None = None
    for dense_min, lexical_min, dense_alone in product(
            _grid(0.80, 0.98, 0.01), _grid(0.50, 0.95, 0.05), _grid(0.90, 1.00, 0.01)):
        if dense_alone < dense_min:
            continue
        rule = Rule(dense_min, lexical_min, dense_alone)
        accepted = [r for r in rows if rule.accepts(r)]
        if any(not r.right for r in accepted):
            continue
        key = (len(accepted), dense_alone, dense_min, lexical_min)
        if best is None or key > best[0]:
            best = (key, rule)
    assert best is not None  # dense_alone = 1.00 with dense_min = 0.98 accepts (almost) nothing
    rule = best[1]
    right = [r for r in rows if r.right]
    accepted = [r for r in rows if rule.accepts(r)]
    wrong_near = sorted((r for r in rows if not r.right), key=lambda r: -r.dense)[:3]
    report = {
        "texts": len(rows),
        "right_matches_available": len(right),
        "accepted": len(accepted),
        "recall_of_right_matches": round(len(accepted) / len(right), 3) if right else None,
        "closest_wrong": [(r.text[:60], r.answer_id, r.dense, r.lexical) for r in wrong_near],
    }
    return rule, report
