"""PNG plots of an evaluation run and of the benchmark (matplotlib, Agg backend: no display)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless servers and CI have no display

import matplotlib.pyplot as plt  # noqa: E402

from eval.questions import ACTIONS  # noqa: E402

_COLOURS = {"lantunan": "#1f77b4", "baseline": "#ff7f0e"}


def _save(fig: plt.Figure, path: Path) -> Path:
    """Write a figure and free its memory."""
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_hit_curve(results: dict[str, dict | None], path: Path) -> Path:
    """hit@k for k = 1..10, one line per pipeline."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, m in results.items():
        if not m:
            continue
        ks = sorted(int(k) for k in m["hit_curve"])
        ax.plot(ks, [m["hit_curve"][str(k)] for k in ks], marker="o", label=name,
                color=_COLOURS.get(name))
    ax.set_xlabel("k")
    ax.set_ylabel("hit@k")
    ax.set_ylim(0, 1.02)
    ax.set_xticks(range(1, 11))
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title("Retrieval hit@k (answer items)")
    return _save(fig, path)


def plot_calibration(results: dict[str, dict | None], path: Path) -> Path:
    """Reliability diagram: accuracy per confidence bin against the diagonal."""
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect")
    for name, m in results.items():
        if not m:
            continue
        pts = [(b["mean_confidence"], b["accuracy"], b["n"]) for b in m["calibration"] if b["n"]]
        if not pts:
            continue
        xs, ys, ns = zip(*pts)
        ax.plot(xs, ys, marker="o", label=name, color=_COLOURS.get(name))
        for x, y, n in pts:
            ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(3, 3), fontsize=7)
    thr = next((m["auto_send_threshold"] for m in results.values() if m), None)
    if thr is not None:
        ax.axvline(thr, color="red", alpha=0.4, label=f"auto-send threshold {thr}")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("confidence")
    ax.set_ylabel("share correct (all answer facts)")
    ax.legend(fontsize=8)
    ax.set_title("Calibration")
    return _save(fig, path)


def plot_confusion(metrics: dict, path: Path, title: str = "Action confusion") -> Path:
    """Heatmap of expected (rows) vs system (columns) actions."""
    matrix = [[metrics["confusion"].get(e, {}).get(a, 0) for a in ACTIONS] for e in ACTIONS]
    fig, ax = plt.subplots(figsize=(4.5, 4))
    im = ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(ACTIONS)), ACTIONS)
    ax.set_yticks(range(len(ACTIONS)), ACTIONS)
    ax.set_xlabel("system")
    ax.set_ylabel("expected")
    peak = max(max(r) for r in matrix) or 1
    for i, row in enumerate(matrix):
        for j, v in enumerate(row):
            ax.text(j, i, str(v), ha="center", va="center",
                    color="white" if v > peak / 2 else "black")
    fig.colorbar(im, ax=ax, fraction=0.046)
    ax.set_title(title)
    return _save(fig, path)


def plot_latency(totals: dict[str, list[float]], path: Path) -> Path:
    """Histogram of per-question total latency (ms), one series per pipeline."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, values in totals.items():
        if values:
            ax.hist(values, bins=20, alpha=0.6, label=name, color=_COLOURS.get(name))
    ax.set_xlabel("latency per question (ms)")
    ax.set_ylabel("questions")
    ax.legend()
    ax.set_title("End-to-end latency")
    return _save(fig, path)


def plot_run(results: dict[str, dict | None], totals: dict[str, list[float]],
             out_dir: Path) -> list[Path]:
    """All evaluation plots into out_dir; returns the written paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [plot_hit_curve(results, out_dir / "hit_at_k.png"),
             plot_calibration(results, out_dir / "calibration.png")]
    for name, m in results.items():
        if m:
            paths.append(plot_confusion(m, out_dir / f"confusion_{name}.png",
                                        f"Action confusion: {name}"))
    paths.append(plot_latency(totals, out_dir / "latency.png"))
    return paths


def plot_bench(scales: list[dict], path: Path) -> Path:
    """Retrieval and respond latency (p50 with min-max of runs) against corpus size."""
    fig, ax = plt.subplots(figsize=(6.5, 4))
    xs = [s["chunks"] for s in scales]
    series = [("search_p50_ms", "KnowledgeBase.search p50"),
              ("search_p95_ms", "KnowledgeBase.search p95"),
              ("search_warm_p50_ms", "search p50, query vector cached"),
              ("baseline_search_p50_ms", "plain baseline search p50"),
              ("respond_p50_ms", "Responder.respond p50 (no LLM)")]
    for key, label in series:
        pts = [(x, s[key]) for x, s in zip(xs, scales) if s.get(key)]
        if not pts:
            continue
        med = [p[1]["median"] for p in pts]
        lo = [p[1]["median"] - p[1]["min"] for p in pts]
        hi = [p[1]["max"] - p[1]["median"] for p in pts]
        ax.errorbar([p[0] for p in pts], med, yerr=[lo, hi], marker="o", capsize=3, label=label)
    ax.set_xscale("log")
    ax.set_xlabel("chunks in the knowledge base")
    ax.set_ylabel("ms (median of runs, bars = min–max)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    ax.set_title("Latency vs corpus size")
    return _save(fig, path)
