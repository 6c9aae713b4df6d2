"""Compare two evaluation runs (metrics.json files) side by side with deltas."""

from __future__ import annotations

import json
from pathlib import Path

from eval.report import PIPELINES, SUMMARY_ROWS, fmt


class CompareError(ValueError):
    """A metrics file that cannot be compared; the message names the file."""


def load_metrics(path: Path) -> dict:
    """Read a metrics.json written by `lantunan eval`."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CompareError(f"{path}: file not found") from None
    except json.JSONDecodeError as exc:
        raise CompareError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from None
    if not isinstance(data, dict) or not any(isinstance(data.get(p), dict) for p in PIPELINES):
        raise CompareError(f"{path}: not a metrics.json (needs a 'lantunan' or 'baseline' object)")
    return data


def _delta(a: object, b: object, kind: str) -> str:
    """b - a, formatted like the metric (percentage points for shares)."""
    if a is None or b is None:
        return "–"
    d = float(b) - float(a)
    if kind == "pct":
        return f"{100 * d:+.1f} pp"
    if kind == "int":
        return f"{int(d):+d}"
    if kind == "ms":
        return f"{d:+.1f}"
    return f"{d:+.3f}"


def compare_rows(a: dict, b: dict) -> list[list[str]]:
    """Rows (pipeline, metric, A, B, delta) for every pipeline present in either run."""
    rows = []
    for pipeline in PIPELINES:
        ma, mb = a.get(pipeline) or {}, b.get(pipeline) or {}
        if not ma and not mb:
            continue
        for key, label, kind in SUMMARY_ROWS:
            va, vb = ma.get(key), mb.get(key)
            rows.append([pipeline, label, fmt(va, kind), fmt(vb, kind), _delta(va, vb, kind)])
        for stage in ("total",):
            va = (ma.get("latency_ms") or {}).get(stage, {}).get("p50")
            vb = (mb.get("latency_ms") or {}).get(stage, {}).get("p50")
            rows.append([pipeline, f"latency {stage} p50 (ms)", fmt(va, "ms"), fmt(vb, "ms"),
                         _delta(va, vb, "ms")])
    return rows


def render_compare(path_a: Path, path_b: Path) -> str:
    """Console table comparing run A with run B."""
    a, b = load_metrics(path_a), load_metrics(path_b)
    header = ["pipeline", "metric", "A", "B", "B - A"]
    rows = compare_rows(a, b)
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    lines = [f"A = {path_a}", f"B = {path_b}", ""]
    for n, row in enumerate([header] + rows):
        lines.append("  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(row, widths))))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
