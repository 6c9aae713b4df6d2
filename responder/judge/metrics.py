"""Small metrics shared by the trainers and the eval report (no dependency on eval/)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def classification_report(y: np.ndarray, pred: np.ndarray, classes: Sequence[str]) -> dict:
    """Per-class precision/recall/F1/support and the confusion matrix (rows: truth)."""
    per_class = {}
    for i, name in enumerate(classes):
        tp = int(((pred == i) & (y == i)).sum())
        p_den, r_den = int((pred == i).sum()), int((y == i).sum())
        precision = tp / p_den if p_den else 0.0
        recall = tp / r_den if r_den else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[name] = {"precision": round(precision, 3), "recall": round(recall, 3),
                           "f1": round(f1, 3), "support": r_den}
    confusion = {classes[i]: {classes[j]: int(((y == i) & (pred == j)).sum())
                              for j in range(len(classes))} for i in range(len(classes))}
    return {"accuracy": round(float((pred == y).mean()), 4), "per_class": per_class,
            "confusion": confusion}


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """ECE with equal-width bins: mean |accuracy − confidence| weighted by bin size."""
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=float)
    if not len(confidence):
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = idx == b
        if mask.any():
            total += mask.sum() * abs(correct[mask].mean() - confidence[mask].mean())
    return float(total / len(confidence))


def format_report(report: dict, classes: Sequence[str]) -> str:
    """The per-class table and the confusion matrix as plain text (for `lantunan train`)."""
    lines = [f"{'class':<17}{'precision':>10}{'recall':>8}{'f1':>7}{'n':>6}"]
    for name in classes:
        r = report["per_class"][name]
        lines.append(f"{name:<17}{r['precision']:>10.3f}{r['recall']:>8.3f}{r['f1']:>7.3f}"
                     f"{r['support']:>6}")
    short = [c[:6] for c in classes]
    lines += ["", "confusion (rows: truth, columns: predicted)",
              " " * 17 + "".join(f"{s:>7}" for s in short)]
    for name in classes:
        row = report["confusion"][name]
        lines.append(f"{name:<17}" + "".join(f"{row[c]:>7}" for c in classes))
    return "\n".join(lines)
