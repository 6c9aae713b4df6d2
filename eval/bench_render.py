"""bench.md: the benchmark report as Markdown tables (from the bench.json dict)."""

from __future__ import annotations

import json


def _cell(s: dict | None, digits: int = 1) -> str:
    """median [min–max]."""
    if not s:
        return "–"
    return f"{s['median']:.{digits}f} [{s['min']:.{digits}f}–{s['max']:.{digits}f}]"


def _summary(report: dict) -> list[str]:
    p, e = report["parse"], report["embedding"]
    lines = [f"- parse (real parsers): {p['chunks']} chunks from {p['files']} files in "
             f"{p['seconds']} s = {p['chunks_per_s']} chunks/s",
             f"- embedding (real {e['embedder']}): {e['passages']} passages "
             f"(mean {e['mean_words']} words) in {e['seconds']} s = {e['passages_per_s']} "
             f"passages/s; 100k passages would take ~{e['hours_for_100k']} h"]
    size = report.get("install") or {}
    if "mb" in size:
        lines.append(f"- install size (default set, no extras): {size['mb']} MB in "
                     f"{size['packages']} packages")
    lines += [f"- scale runs: {report['method']['scales']}",
              f"- numbers: {report['method']['statistic']} ({report['method']['runs']} runs)"]
    return lines


def _scale_table(scales: list[dict]) -> list[str]:
    lines = ["search = with the real e5 query embedding; warm = query vector already cached "
             "(index + BM25 + fusion only); baseline = the plain RAG baseline's search (one "
             "query embedding + Chroma top-10) over the same chunks.", "",
             "| chunks | store chunks/s | first search s | search p50 ms | search p95 ms "
             "| warm p50 ms | warm p95 ms | baseline search p50 ms | baseline search p95 ms "
             "| respond p50 ms | respond p95 ms | query texts embedded per respond "
             "| peak RSS MB | disk MB |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in scales:
        lines.append(f"| {s['chunks']} | {_cell(s['ingest_chunks_per_s'], 0)} "
                     f"| {_cell(s['first_search_s'], 2)} | {_cell(s['search_p50_ms'])} "
                     f"| {_cell(s['search_p95_ms'])} | {_cell(s.get('search_warm_p50_ms'))} "
                     f"| {_cell(s.get('search_warm_p95_ms'))} "
                     f"| {_cell(s.get('baseline_search_p50_ms'))} "
                     f"| {_cell(s.get('baseline_search_p95_ms'))} | {_cell(s['respond_p50_ms'])} "
                     f"| {_cell(s['respond_p95_ms'])} "
                     f"| {_cell(s.get('respond_embedded_per_message'), 2)} "
                     f"| {_cell(s['peak_rss_mb'], 0)} | {_cell(s['disk_mb'])} |")
    return lines


def _load_note(report: dict) -> list[str]:
    loads = [(x.get("load_avg_before"), x.get("load_avg_after"))
             for sc in report["scales"] for x in sc.get("runs", [])]
    if not loads:
        return []
    peak = max(max(a or 0, b or 0) for a, b in loads)
    return ["", f"Machine load (1-min average) during scale runs peaked at {peak:.1f} on "
                f"{report['machine']['cpus']} CPUs; e5 query embedding dominates search "
                "latency and suffers most when other processes compete for the cores."]


def _webhook(web: dict) -> list[str]:
    if "messages_per_s" not in web:
        return ["Webhook: " + json.dumps(web, ensure_ascii=False)]
    return [f"Webhook ({web['target']}, {web['seconds_per_run']} s per run, concurrency "
            f"{web['concurrency']}):", "",
            "| acked messages/s | ack p50 ms | ack p95 ms | ack max ms | acked "
            "| replies seen | reply lag p50 ms | reply lag p95 ms | serving RSS MB (peak) |",
            "|---|---|---|---|---|---|---|---|---|",
            f"| {_cell(web['messages_per_s'])} | {_cell(web['ack_p50_ms'])} "
            f"| {_cell(web['ack_p95_ms'])} | {_cell(web['ack_max_ms'])} "
            f"| {_cell(web['acked'], 0)} | {_cell(web['replies_seen'], 0)} "
            f"| {_cell(web['lag_p50_ms'], 0)} | {_cell(web['lag_p95_ms'], 0)} "
            f"| {_cell(web.get('server_peak_rss_mb'), 0)} |",
            "", "Replies seen = replies that reached the Graph API sink within the drain "
                "timeout after the run; fewer than acked means drafting is slower than "
                "the offered load (messages queue, none are lost). Serving RSS = the server "
                "process's peak resident memory (VmHWM) after the run."]


def render_bench(report: dict) -> str:
    """Markdown summary of a benchmark report."""
    lines = ["# Lantunan benchmark", "", *_summary(report), "", *_scale_table(report["scales"]),
             *_load_note(report), ""]
    lines += _webhook(report.get("webhook") or {})
    return "\n".join(lines)
