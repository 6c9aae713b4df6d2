"""Measure OCR repair on a folder of regulations and write a sample of repairs to check by hand.

    .venv/bin/python -m eval.ocr_measure ../shared/corpus/regulations [--out eval-out] [--sample 100]

Prints, per statute: tokens, suspicious tokens per 1,000 before and after repair (detector:
`ingest.ocr_vocab.suspicious_tokens`), the reduction, a cruder second witness that shares no
rule with the repair (alphabetic tokens that are neither Sastrawi words nor printed three
times in the document) and the repairs by kind. Writes
`<out>/ocr_repairs_sample.md`: a fixed-seed random sample of repairs, each with its context,
for a person to mark right or wrong.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from ingest.ocr_report import OcrReport, ocr_report

SEED = 20251202  # fixed, so the sample checked by hand can be regenerated


def _statute_files(folder: Path) -> list[Path]:
    from ingest.detect import detect_kind
    from ingest.loaders import iter_files, load_file
    from knowledge.models import DocKind

    files, _errors = iter_files([folder])
    return [f for f in files if detect_kind(load_file(f)) == DocKind.REGULATION]


def format_table(reports: list[OcrReport]) -> str:
    """A Markdown table of the before/after figures."""
    rows = ["| regulation | tokens | suspicious before (per 1k) | after (per 1k) | reduction "
            "| rare non-words before → after | repairs by kind |",
            "|---|---|---|---|---|---|---|"]
    for r in reports:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(r.log.counts().items())) or "-"
        rows.append(
            f"| {r.name} | {r.before.tokens} | {len(r.before.suspects)} ({r.before.per_1000:.2f}) "
            f"| {len(r.after.suspects)} ({r.after.per_1000:.2f}) | {r.reduction:.1%} "
            f"| {r.before.rare_unknown} → {r.after.rare_unknown} | {kinds} |")
    before = sum(len(r.before.suspects) for r in reports)
    after = sum(len(r.after.suspects) for r in reports)
    tokens = sum(r.before.tokens for r in reports)
    if tokens:
        red = 1.0 if before == 0 else 1 - after / before
        rare_before = sum(r.before.rare_unknown for r in reports)
        rare_after = sum(r.after.rare_unknown for r in reports)
        rows.append(f"| **all** | {tokens} | {before} ({1000 * before / tokens:.2f}) "
                    f"| {after} ({1000 * after / tokens:.2f}) | {red:.1%} "
                    f"| {rare_before} → {rare_after} | {sum(len(r.log.repairs) for r in reports)} repairs |")
    return "\n".join(rows)


def write_sample(reports: list[OcrReport], out: Path, size: int) -> Path:
    """Write a fixed-seed random sample of repairs (with context) for hand checking."""
    pool = [(r.name, rep) for r in reports for rep in r.log.repairs]
    sample = random.Random(SEED).sample(pool, min(size, len(pool)))
    lines = [f"# OCR repair sample ({len(sample)} of {len(pool)} repairs, seed {SEED})", "",
             "Mark each as right or wrong after reading the context ([[...]] is the text before "
             "the repair).", ""]
    for n, (name, rep) in enumerate(sample, 1):
        lines += [f"{n}. **{rep.kind}** {name} {rep.where}: `{rep.before}` → `{rep.after}`",
                  f"   - context: {rep.context}", f"   - reason: {rep.reason}", "   - right? ", ""]
    out.mkdir(parents=True, exist_ok=True)
    path = out / "ocr_repairs_sample.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    """Print the before/after table and write the sample; returns the exit code."""
    ap = argparse.ArgumentParser(prog="python -m eval.ocr_measure", description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=Path, help="folder (or file) of regulations")
    ap.add_argument("--out", type=Path, default=Path("eval-out"))
    ap.add_argument("--sample", type=int, default=100)
    args = ap.parse_args(argv)
    if not args.folder.exists():
        print(f"{args.folder}: tidak ditemukan", file=sys.stderr)
        return 2
    files = [args.folder] if args.folder.is_file() else _statute_files(args.folder)
    reports = [ocr_report(f) for f in files]
    print(format_table(reports))
    path = write_sample(reports, args.out, args.sample)
    print(f"\nsample of repairs for hand checking: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
