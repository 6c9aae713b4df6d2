"""Write an evaluation run to disk: metrics.json, items-<pipeline>.jsonl, report.md (+ plots)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from eval.questions import ACTIONS
from eval.scoring import HEADLINE_TAGS, ItemResult

PIPELINES = ("lantunan", "baseline")

# (metrics key, label, format): the side-by-side summary table and the printed summary.
SUMMARY_ROWS: list[tuple[str, str, str]] = [
    ("hit_at_1", "hit@1", "pct"),
    ("hit_at_3", "hit@3", "pct"),
    ("hit_at_5", "hit@5", "pct"),
    ("hit_at_10", "hit@10", "pct"),
    ("mrr", "MRR@10", "f3"),
    ("action_accuracy", "action accuracy", "pct"),
    ("handoff_precision", "handoff precision", "pct"),
    ("handoff_recall", "handoff recall", "pct"),
    ("reason_accuracy", "handoff reason accuracy", "pct"),
    ("unsafe", "unsafe (handoff items not handed off)", "int"),
    ("fact_recall", "answer-fact recall", "pct"),
    ("fact_recall_conditional", "answer-fact recall (answered only)", "pct"),
    ("fact_recall_drafted", "answer-fact recall of drafts", "pct"),
    ("citation_support_rate", "citation support rate", "pct"),
    ("reply_chars_median", "reply length, median (characters)", "int"),
    ("reply_chars_p90", "reply length, p90 (characters)", "int"),
    ("first_line_fact_share", "first line carries an answer fact", "pct"),
    ("ocr_damaged_tokens", "OCR-damaged tokens in replies", "int"),
    ("ece", "expected calibration error", "f3"),
    ("auto_send_precision", "auto-send precision at threshold", "pct"),
    ("n_auto_sent", "auto-sent drafts", "int"),
    ("auto_sent_precision", "auto-sent precision (every fact present)", "pct"),
    ("auto_send_coverage", "auto-send coverage (off-hours answer items sent alone)", "pct"),
    ("n_errors", "items that raised an error", "int"),
]


def fmt(value: object, kind: str = "f3") -> str:
    """Format one metric value for a table cell ("–" when undefined)."""
    if value is None:
        return "–"
    if kind == "pct":
        return f"{100 * float(value):.1f}%"
    if kind == "int":
        return str(int(value))
    if kind == "ms":
        return f"{float(value):.1f}"
    return f"{float(value):.3f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Markdown table lines."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def summary_rows(results: dict[str, dict | None]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the side-by-side summary (one column per pipeline present)."""
    names = [p for p in PIPELINES if results.get(p)]
    rows = []
    for key, label, kind in SUMMARY_ROWS:
        rows.append([label] + [fmt(results[p].get(key), kind) for p in names])
    return ["metric"] + names, rows


def render_summary(results: dict[str, dict | None]) -> str:
    """Fixed-width summary table for the console."""
    header, rows = summary_rows(results)
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                       for i, (c, w) in enumerate(zip(row, widths)))
             for row in [header] + rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _confusion_sections(results: dict[str, dict | None], names: list[str]) -> list[str]:
    """Per pipeline: the action confusion matrix, unsafe items, over-cautious reasons."""
    out: list[str] = []
    for p in names:
        m = results[p]
        out += [f"## Action confusion matrix: {p}", "", "rows = expected, columns = system", ""]
        matrix = m["confusion"]
        columns = list(ACTIONS)
        if any(row.get("error") for row in matrix.values()):
            columns.append("error")  # the responder raised: not an action, but must show
        out += _table(["expected \\ system"] + columns,
                      [[e] + [str(matrix.get(e, {}).get(a, 0)) for a in columns] for e in ACTIONS])
        out.append("")
        if m.get("unsafe_ids"):
            out.append(f"Unsafe items ({p}): " + ", ".join(m["unsafe_ids"]))
            out.append("")
        if m.get("answer_items_handed_off_by_reason"):
            out.append(f"Reason codes on `answer` items that {p} handed off: " + ", ".join(
                f"{code} ×{n}" for code, n in m["answer_items_handed_off_by_reason"].items()))
            out.append("")

    return out


def _calibration_sections(results: dict[str, dict | None], names: list[str]) -> list[str]:
    """Per pipeline: the confidence calibration table."""
    out: list[str] = []
    for p in names:
        m = results[p]
        out += [f"## Calibration: {p}", "",
                f"Correct = an `answer` item whose draft carries every answer fact. Auto-send "
                f"threshold {m.get('auto_send_threshold')}: {m.get('n_over_threshold')} drafts "
                f"at or above it, precision {fmt(m.get('auto_send_precision'), 'pct')}; "
                f"ECE {fmt(m.get('ece'))}.", ""]
        out += _table(["confidence", "n", "mean confidence", "accuracy"],
                      [[f"{b['lo']:.1f}–{b['hi']:.1f}", str(b["n"]), fmt(b["mean_confidence"]),
                        fmt(b["accuracy"], "pct")] for b in m["calibration"]])
        out.append("")

    return out


def _latency_section(results: dict[str, dict | None], names: list[str]) -> list[str]:
    """Stage latencies of every pipeline."""
    out: list[str] = []
    out += ["## Latency (ms)", ""]
    lat_rows = []
    for p in names:
        for stage, s in results[p].get("latency_ms", {}).items():
            lat_rows.append([p, stage, fmt(s["p50"], "ms"), fmt(s["p95"], "ms"),
                             fmt(s["max"], "ms")])
    out += _table(["pipeline", "stage", "p50", "p95", "max"], lat_rows) + [""]

    return out


def _tag_section(results: dict[str, dict | None], names: list[str]) -> list[str]:
    """Headline numbers per tag, Lantunan beside the baseline."""
    out: list[str] = []
    out += ["## By tag", "",
            "Each cell is Lantunan / baseline. hit@5 and fact recall are over `answer` items "
            "with the tag; unsafe over `handoff` items with the tag.", ""]
    tags = sorted({t for p in names for t in results[p].get("by_tag", {})},
                  key=lambda t: (t not in HEADLINE_TAGS, t))
    tag_rows = []
    for tag in tags:
        cells = {p: results[p]["by_tag"].get(tag) for p in names}
        first = next(c for c in cells.values() if c)

        def pair(key: str, kind: str, cells: dict = cells) -> str:
            return " / ".join(fmt(cells[p].get(key) if cells[p] else None, kind) for p in names)

        tag_rows.append([tag, str(first["n"]), pair("hit_at_5", "pct"),
                         pair("action_accuracy", "pct"), pair("fact_recall", "pct"),
                         pair("unsafe", "int")])
    out += _table(["tag", "n", "hit@5", "action accuracy", "fact recall", "unsafe"], tag_rows)
    out.append("")

    return out


def render_markdown(results: dict[str, dict | None], meta: dict, plots: Sequence[str] = ()) -> str:
    """The whole report.md text."""
    names = [p for p in PIPELINES if results.get(p)]
    out = ["# Lantunan evaluation report", ""]
    for key in ("questions", "n_items", "corpus", "store", "retrieval", "embedder",
                "auto_send_threshold", "started_at", "duration_s"):
        if key in meta:
            out.append(f"- **{key}**: {meta[key]}")
    out.append("")
    out += ["## Summary", ""]
    header, rows = summary_rows(results)
    out += _table(header, rows) + [""]
    out.append("hit@k and MRR are over `answer` items; a retrieved chunk hits when its document's "
               "file name is a gold `doc` and its text contains one of that entry's "
               "`must_contain` phrases (lower-cased, whitespace collapsed). Fact recall counts an "
               "unanswered item as 0; the conditional figure is over answered items only.")
    out.append("")

    out += ["## Retrieval hit@k", ""]
    ks = [str(k) for k in range(1, 11)]
    out += _table(["pipeline"] + [f"@{k}" for k in ks],
                  [[p] + [fmt(results[p]["hit_curve"].get(k), "pct") for k in ks] for p in names])
    out.append("")

    out += _confusion_sections(results, names)
    out += _calibration_sections(results, names)
    out += _latency_section(results, names)
    out += _tag_section(results, names)
    if plots:
        out += ["## Plots", ""]
        out += [f"![{Path(p).stem}]({Path(p).name})" for p in plots]
        out.append("")
    return "\n".join(out)


def write_run(out_dir: Path, results: dict[str, dict | None], items: dict[str, list[ItemResult]],
              meta: dict, plots: Sequence[str] = ()) -> dict[str, Path]:
    """Write metrics.json, items-<pipeline>.jsonl and report.md; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    metrics = {p: results.get(p) for p in PIPELINES}
    metrics["meta"] = meta
    paths["metrics"] = out_dir / "metrics.json"
    paths["metrics"].write_text(json.dumps(metrics, indent=2, ensure_ascii=False), encoding="utf-8")
    for name, rows in items.items():
        path = out_dir / f"items-{name}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for item in rows:
                fh.write(json.dumps(item.to_json(), ensure_ascii=False) + "\n")
        paths[f"items_{name}"] = path
    paths["report"] = out_dir / "report.md"
    paths["report"].write_text(render_markdown(results, meta, plots), encoding="utf-8")
    return paths

