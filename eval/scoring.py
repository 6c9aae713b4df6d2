"""Pure scoring functions: the rules of shared/eval/README.md, no I/O and no pipeline imports.

The runner turns every (question, draft) pair into an ``ItemResult``; ``summarise`` aggregates a
list of them into the metrics dictionary written to metrics.json. Keeping this layer pure lets
the tests pin each rule on small hand-made cases.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from eval.questions import ACTIONS, GoldEntry

K_VALUES = (1, 3, 5, 10)
MAX_K = 10
STAGES = ("normalise", "guard", "search", "classify", "answerability", "draft", "verify",
          "output_guard", "confidence", "decide", "total")
# Tags the README asks to see separately; every other tag is reported too.
HEADLINE_TAGS = ("english", "banjar", "informal", "contrast", "multi_question", "off_hours")

_WS = re.compile(r"\s+")
# "26 (dua puluh enam) hari" -> "26 hari" (the README's regex, applied to normalised text).
_SPELLED_NUMBER = re.compile(r"(\d)\s*\((?:[a-z]+ )*[a-z]+ ?\)")  # linear: no nested quantifier


def normalise(text: str) -> str:
    """Lower-case and collapse whitespace runs to one space (every comparison does this)."""
    return _WS.sub(" ", (text or "").lower()).strip()


def strip_spelled_numbers(text: str) -> str:
    """Drop bracketed spelled-out numbers: "26 (dua puluh enam) hari" -> "26 hari"."""
    return _SPELLED_NUMBER.sub(r"\1", normalise(text))


def chunk_hits(source_name: str, chunk_text: str, gold: Sequence[GoldEntry]) -> bool:
    """True when the chunk comes from a gold doc and contains one of that entry's phrases."""
    text = normalise(chunk_text)
    for entry in gold:
        if source_name != entry.doc:
            continue
        if any(normalise(phrase) in text for phrase in entry.must_contain):
            return True
    return False


def first_hit_rank(retrieved: Sequence[tuple[str, str]], gold: Sequence[GoldEntry]) -> int | None:
    """1-based rank of the first (source_name, text) pair that hits any gold entry, else None."""
    for rank, (source_name, text) in enumerate(retrieved, start=1):
        if chunk_hits(source_name, text, gold):
            return rank
    return None


def hit_at_k(ranks: Sequence[int | None], k: int) -> float:
    """Share of items whose first hit is within the top k (0.0 for an empty list)."""
    if not ranks:
        return 0.0
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def mean_reciprocal_rank(ranks: Sequence[int | None], max_k: int = MAX_K) -> float:
    """Mean of 1/rank of the first hit within max_k (0 when there is none)."""
    if not ranks:
        return 0.0
    return sum(1.0 / r for r in ranks if r is not None and r <= max_k) / len(ranks)


def fact_groups_satisfied(answer: str, groups: Sequence[Sequence[str]]) -> list[bool]:
    """Per group: does the answer (or its copy without spelled-out numbers) hold an alternative?"""
    plain = normalise(answer)
    stripped = strip_spelled_numbers(answer)
    result = []
    for group in groups:
        alternatives = [normalise(a) for a in group if a.strip()]
        result.append(any(a in plain or a in stripped for a in alternatives))
    return result


def fact_score(answer: str, groups: Sequence[Sequence[str]]) -> float:
    """Satisfied groups / total groups (1.0 when there are no groups)."""
    if not groups:
        return 1.0
    satisfied = fact_groups_satisfied(answer, groups)
    return sum(satisfied) / len(satisfied)


def system_action(kind: str, action: str) -> str:
    """Map a Draft's kind and action to answer/handoff/smalltalk.

    A substantive answer whose action is handoff was not answered: the applicant got a holding
    reply, so it counts as a handoff.
    """
    if action == "handoff" or kind == "handoff":
        return "handoff"
    if kind == "smalltalk":
        return "smalltalk"
    return "answer"


def quote_supported(quote: str, chunk_text: str | None) -> bool:
    """A citation is supported when its quote occurs in the cited chunk's text (normalised)."""
    if chunk_text is None or not normalise(quote):
        return False
    return normalise(quote) in normalise(chunk_text)


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile q in [0, 100]; None for no values."""
    data = sorted(v for v in values if v is not None and not math.isnan(v))
    if not data:
        return None
    pos = (len(data) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def latency_summary(values: Sequence[float]) -> dict[str, float | None]:
    """p50, p95, mean and max of a list of milliseconds."""
    data = [v for v in values if v is not None]
    return {
        "p50": percentile(data, 50),
        "p95": percentile(data, 95),
        "mean": (sum(data) / len(data)) if data else None,
        "max": max(data) if data else None,
        "n": len(data),
    }


@dataclass
class ItemResult:
    """What one pipeline did with one question, reduced to what the metrics need."""

    id: str
    expected_action: str
    predicted_action: str
    tags: list[str] = field(default_factory=list)
    expected_reason: str | None = None
    reason_codes: list[str] = field(default_factory=list)
    dispatch: str = ""  # auto_send | queue_for_officer | handoff ("" for the baseline)
    confidence: float | None = None
    substantive: bool = False  # a substantive answer was drafted (Draft.kind == "answer")
    hit_rank: int | None = None  # first gold hit in the retrieved list (answer items only)
    retrieved: int = 0
    answer_facts: list[list[str]] = field(default_factory=list)
    reply_text: str = ""  # what the applicant was sent
    draft_text: str = ""  # the substantive draft (answer_text on handoff)
    fact_score: float | None = None  # unconditional: 0 when not answered (answer items only)
    draft_fact_score: float | None = None  # of the substantive draft, answered or not
    citations: int = 0
    citations_supported: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    reply_chars: int | None = None  # length of an answer sent or queued (answered items)
    first_line_fact: bool | None = None  # the first block carries ≥ 1 answer fact
    ocr_damaged: int = 0  # OCR-damaged tokens in the reply (ingest.ocr_vocab detector)

    @property
    def answered(self) -> bool:
        """True when the applicant received a substantive answer."""
        return self.predicted_action == "answer"

    @property
    def correct(self) -> bool:
        """For calibration: an answer item whose draft carries every answer fact."""
        return self.expected_action == "answer" and (self.draft_fact_score or 0.0) >= 1.0

    def to_json(self) -> dict:
        """Plain dict for items.jsonl."""
        return asdict(self)


def score_item(
    *,
    qid: str,
    expected_action: str,
    expected_reason: str | None,
    tags: list[str],
    gold: Sequence[GoldEntry],
    answer_facts: list[list[str]],
    kind: str,
    action: str,
    reply_text: str,
    draft_text: str,
    confidence: float | None,
    reason_codes: list[str],
    retrieved: Sequence[tuple[str, str]],
    citations: Sequence[tuple[str, str | None]] = (),
    timings: dict[str, float] | None = None,
    ocr_damaged: int = 0,
) -> ItemResult:
    """Score one item: retrieval rank, action, fact recall and citation support.

    ``retrieved`` is (source file name, chunk text) in rank order; ``citations`` is
    (quote, cited chunk text or None when the chunk does not exist).
    """
    predicted = system_action(kind, action)
    is_answer_item = expected_action == "answer"
    substantive = kind == "answer"
    result = ItemResult(
        id=qid, expected_action=expected_action, predicted_action=predicted, tags=list(tags),
        expected_reason=expected_reason, reason_codes=list(reason_codes), dispatch=action,
        confidence=confidence, substantive=substantive, retrieved=len(retrieved),
        answer_facts=[list(g) for g in answer_facts], reply_text=reply_text,
        draft_text=draft_text, timings=dict(timings or {}), ocr_damaged=ocr_damaged,
    )
    if is_answer_item:
        result.hit_rank = first_hit_rank(retrieved[:MAX_K], gold)
        result.draft_fact_score = fact_score(draft_text, answer_facts) if substantive else 0.0
        result.fact_score = fact_score(reply_text, answer_facts) if predicted == "answer" else 0.0
        if predicted == "answer":
            # The first block: the direct answer (a list's lead keeps its items with it).
            first = reply_text.strip().split("\n\n")[0]
            result.reply_chars = len(reply_text)
            result.first_line_fact = any(fact_groups_satisfied(first, answer_facts)) \
                if answer_facts else None
    result.citations = len(citations)
    result.citations_supported = sum(1 for quote, text in citations if quote_supported(quote, text))
    return result


def confusion_matrix(items: Iterable[ItemResult]) -> dict[str, dict[str, int]]:
    """expected -> predicted -> count over answer/handoff/smalltalk."""
    matrix = {e: {p: 0 for p in ACTIONS} for e in ACTIONS}
    for item in items:
        matrix.setdefault(item.expected_action, {p: 0 for p in ACTIONS})
        row = matrix[item.expected_action]
        row[item.predicted_action] = row.get(item.predicted_action, 0) + 1
    return matrix


def _ratio(num: float, den: float) -> float | None:
    """num/den, None when den is 0 (undefined, not zero)."""
    return num / den if den else None


def calibration_bins(
    confidences: Sequence[float], correct: Sequence[bool], n_bins: int = 10
) -> list[dict]:
    """Equal-width confidence bins over [0, 1]: count, mean confidence and accuracy per bin."""
    bins = []
    for b in range(n_bins):
        lo, hi = b / n_bins, (b + 1) / n_bins
        # The last bin is closed so a confidence of exactly 1.0 lands somewhere.
        members = [
            (c, ok) for c, ok in zip(confidences, correct)
            if lo <= c < hi or (b == n_bins - 1 and c == hi)
        ]
        bins.append({
            "lo": round(lo, 4), "hi": round(hi, 4), "n": len(members),
            "mean_confidence": (sum(c for c, _ in members) / len(members)) if members else None,
            "accuracy": (sum(1 for _, ok in members if ok) / len(members)) if members else None,
        })
    return bins


def expected_calibration_error(bins: Sequence[dict]) -> float | None:
    """Count-weighted mean |accuracy - confidence| over non-empty bins."""
    total = sum(b["n"] for b in bins)
    if not total:
        return None
    return sum(b["n"] / total * abs(b["accuracy"] - b["mean_confidence"]) for b in bins if b["n"])


def _mean(values: Sequence[float]) -> float | None:
    return (sum(values) / len(values)) if values else None


def core_metrics(items: Sequence[ItemResult]) -> dict:
    """The headline numbers of a set of items (also used per tag)."""
    answer_items = [i for i in items if i.expected_action == "answer"]
    handoff_items = [i for i in items if i.expected_action == "handoff"]
    ranks = [i.hit_rank for i in answer_items]
    answered = [i for i in answer_items if i.answered]
    unsafe = [i for i in handoff_items if i.predicted_action in ("answer", "smalltalk")]
    metrics = {
        "n": len(items),
        "n_answer": len(answer_items),
        "n_handoff": len(handoff_items),
        "hit_at_5": hit_at_k(ranks, 5) if answer_items else None,
        "action_accuracy": _ratio(sum(1 for i in items if i.predicted_action == i.expected_action),
                                  len(items)),
        "fact_recall": _mean([i.fact_score or 0.0 for i in answer_items]),
        "fact_recall_conditional": _mean([i.fact_score or 0.0 for i in answered]),
        "unsafe": len(unsafe) if handoff_items else None,
    }
    return metrics


def _retrieval_metrics(items: Sequence[ItemResult], answer_items: list[ItemResult],
                       handoff_items: list[ItemResult]) -> dict:
    """Item counts and retrieval ranks (hit@k, MRR, the hit curve)."""
    ranks = [i.hit_rank for i in answer_items]
    metrics: dict = {"n_items": len(items), "n_answer": len(answer_items),
                     "n_handoff": len(handoff_items),
                     "n_smalltalk": sum(1 for i in items if i.expected_action == "smalltalk"),
                     "n_errors": sum(1 for i in items if i.error)}
    for k in K_VALUES:
        metrics[f"hit_at_{k}"] = hit_at_k(ranks, k)
    metrics["mrr"] = mean_reciprocal_rank(ranks)
    metrics["hit_curve"] = {str(k): hit_at_k(ranks, k) for k in range(1, MAX_K + 1)}
    return metrics


def _decision_metrics(items: Sequence[ItemResult], answer_items: list[ItemResult],
                      handoff_items: list[ItemResult]) -> dict:
    """Actions and handoff reasons against the expected ones; what went out unsafely."""
    predicted_handoff = [i for i in items if i.predicted_action == "handoff"]
    true_handoff = [i for i in handoff_items if i.predicted_action == "handoff"]
    # Unsafe = something went out to the applicant; a crashed item sent nothing (see n_errors).
    unsafe = [i for i in handoff_items if i.predicted_action in ("answer", "smalltalk")]
    with_reason = [i for i in true_handoff if i.expected_reason]
    # Why answerable items were handed off: the first place to look when action accuracy drops.
    over_cautious = Counter(code for i in answer_items if i.predicted_action == "handoff"
                            for code in i.reason_codes or ["(none)"])
    return {
        "action_accuracy": _ratio(sum(1 for i in items if i.predicted_action == i.expected_action),
                                  len(items)),
        "confusion": confusion_matrix(items),
        "handoff_precision": _ratio(len(true_handoff), len(predicted_handoff)),
        "handoff_recall": _ratio(len(true_handoff), len(handoff_items)),
        "reason_accuracy": _ratio(
            sum(1 for i in with_reason if i.expected_reason in i.reason_codes), len(with_reason)),
        "reason_accuracy_primary": _ratio(
            sum(1 for i in with_reason
                if i.reason_codes and i.reason_codes[0] == i.expected_reason), len(with_reason)),
        "unsafe": len(unsafe),
        "unsafe_ids": [i.id for i in unsafe],
        "answer_items_handed_off_by_reason": dict(
            sorted(over_cautious.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def _content_metrics(items: Sequence[ItemResult], answer_items: list[ItemResult]) -> dict:
    """What the replies carry: facts, supported citations, length, OCR damage."""
    answered = [i for i in answer_items if i.answered]
    n_citations = sum(i.citations for i in items)
    lengths = [i.reply_chars for i in answered if i.reply_chars is not None]
    firsts = [i.first_line_fact for i in answered if i.first_line_fact is not None]
    return {
        "n_answered": len(answered),
        "fact_recall": _mean([i.fact_score or 0.0 for i in answer_items]),
        "fact_recall_conditional": _mean([i.fact_score or 0.0 for i in answered]),
        "fact_recall_drafted": _mean([i.draft_fact_score or 0.0 for i in answer_items]),
        "n_citations": n_citations,
        "citation_support_rate": _ratio(sum(i.citations_supported for i in items), n_citations),
        "reply_chars_median": percentile(lengths, 50),
        "reply_chars_p90": percentile(lengths, 90),
        "first_line_fact_share": _ratio(sum(firsts), len(firsts)),
        "ocr_damaged_tokens": sum(i.ocr_damaged for i in items),
        "replies_with_ocr_damage": sum(1 for i in items if i.ocr_damaged),
    }


def _confidence_metrics(items: Sequence[ItemResult], answer_items: list[ItemResult],
                        auto_send_threshold: float, n_bins: int) -> dict:
    """Calibration of the confidence, and what was (or would be) sent alone."""
    substantive = [i for i in items if i.substantive and i.confidence is not None]
    bins = calibration_bins([i.confidence for i in substantive], [i.correct for i in substantive],
                            n_bins)
    over = [i for i in substantive if i.confidence >= auto_send_threshold]
    # Answers sent alone (small-talk replies go out alone too, but carry no facts).
    auto_sent = [i for i in items if i.dispatch == "auto_send" and i.substantive]
    # Coverage: of the answer items that arrived outside office hours (the only ones that may
    # go out alone), the share that did; precision above is what the office promises.
    off_hours_answers = [i for i in answer_items if "off_hours" in i.tags]
    return {
        "calibration": bins,
        "ece": expected_calibration_error(bins),
        "auto_send_threshold": auto_send_threshold,
        "n_over_threshold": len(over),
        "auto_send_precision": _ratio(sum(1 for i in over if i.correct), len(over)),
        "n_auto_sent": len(auto_sent),
        "auto_sent_precision": _ratio(sum(1 for i in auto_sent if i.correct), len(auto_sent)),
        "auto_sent_unsafe": sum(1 for i in items if i.dispatch == "auto_send"
                                and i.expected_action == "handoff"),
        "n_off_hours_answer_items": len(off_hours_answers),
        "auto_send_coverage": _ratio(
            sum(1 for i in off_hours_answers if i.dispatch == "auto_send"), len(off_hours_answers)),
    }


def summarise(items: Sequence[ItemResult], auto_send_threshold: float, n_bins: int = 10) -> dict:
    """Aggregate item results into the metrics dictionary of one pipeline."""
    answer_items = [i for i in items if i.expected_action == "answer"]
    handoff_items = [i for i in items if i.expected_action == "handoff"]
    metrics = _retrieval_metrics(items, answer_items, handoff_items)
    metrics.update(_decision_metrics(items, answer_items, handoff_items))
    metrics.update(_content_metrics(items, answer_items))
    metrics.update(_confidence_metrics(items, answer_items, auto_send_threshold, n_bins))
    metrics["latency_ms"] = {
        stage: latency_summary([i.timings[stage] for i in items if stage in i.timings])
        for stage in STAGES if any(stage in i.timings for i in items)}
    tags = sorted({t for i in items for t in i.tags})
    metrics["by_tag"] = {tag: core_metrics([i for i in items if tag in i.tags]) for tag in tags}
    return metrics
