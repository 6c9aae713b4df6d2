"""`lantunan train`: retrain the intent model and the answerability/confidence probes.

    lantunan train                              # intent + probes, written to the package
    lantunan train intent --out DIR             # only the intent model
    lantunan train probes --corpus ../shared/corpus
    lantunan train intent --quick --out DIR     # refit with the shipped hyper-parameters
    lantunan train salience --corpus ../shared/corpus   # the drafter's sentence weights
    lantunan train rerank --corpus ../shared/corpus     # the search re-ranker
    lantunan train reviewed --corpus ../shared/corpus   # derive settings.reviewed_* (printed)

Probes need a knowledge base holding the shared corpus: `--corpus DIR` ingests it into a
store under `--store` (kept between runs, so only changed documents are embedded again);
without --corpus the configured store is used.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from responder.judge.data import DEFAULT_DIR, TrainingDataError
from responder.judge.intent import ARTEFACT_DIR, CLASSES, IntentModel
from responder.judge.metrics import format_report


def _train_intent(args: argparse.Namespace, out: Path) -> IntentModel:
    from responder.judge.train_intent import train_intent

    quick = IntentModel.load(ARTEFACT_DIR) if args.quick else None
    result = train_intent(Path(args.data), quick_from=quick)
    if result.report:
        r = result.report
        print("\nIntent model, 5-fold cross-validation on the training messages:")
        print(format_report(r, CLASSES))
        print(f"\nroute accuracy {r['route_accuracy']}, handoff recall {r['handoff_recall']}, "
              f"handoff precision {r['handoff_precision']}, answers handed off "
              f"{r['answers_handed_off']}, handoffs answered {r['handoffs_answered']}, "
              f"look-alike sides {r['lookalike_sides_cv']}, ECE {r['ece_top_class']}, "
              f"temperature {r['temperature']}, handoff threshold {r['handoff_threshold']}")
    result.model.save(out)
    print(f"intent model written to {out}")
    return result.model


def _training_responder(args: argparse.Namespace, out: Path, intent: IntentModel | None):
    """A responder over the training knowledge base (the shared corpus under --store)."""
    from ingest.pipeline import ingest_paths
    from knowledge.store import KnowledgeBase
    from lantunan.settings import Settings
    from responder.judge import Judge
    from responder.judge.probe import LinearProbe
    from responder.pipeline import Responder

    settings = Settings()
    if args.corpus:
        store = Path(args.store)
        store.mkdir(parents=True, exist_ok=True)
        settings = settings.model_copy(update={"data_dir": store, "chroma_url": None})
        kb = KnowledgeBase(settings)
        report = ingest_paths(kb, [Path(p) for p in args.corpus], progress=True)
        if not report.ok:
            raise SystemExit("; ".join(f.error for f in report.failed))
    else:
        kb = KnowledgeBase(settings)
    if not kb.documents():
        raise SystemExit(f"{settings.data_dir}: knowledge base is empty; give --corpus DIR")
    neutral = LinearProbe(names=[], mean=[], scale=[], weights=[], bias=0.0, threshold=0.0)
    # The probes learn from the passages the responder will see: re-ranked by the re-ranker
    # written beside them, else the shipped one.
    rerank = next((p for p in (out / "rerank.json", ARTEFACT_DIR / "rerank.json") if p.exists()), None)
    judge = Judge(intent or IntentModel.load(out if (out / "intent.npz").exists() else ARTEFACT_DIR),
                  neutral, neutral, LinearProbe.load(rerank) if rerank else None)
    return Responder(kb, settings.model_copy(update={"llm_base_url": None}), judge)


def _train_probes(args: argparse.Namespace, out: Path, intent: IntentModel | None) -> None:
    from responder.judge.train_probes import train_probes

    if args.reuse_rows:
        from responder.judge.train_probes import ROWS_CACHE, fit_from_rows

        rows = json.loads(ROWS_CACHE.read_text(encoding="utf-8"))
        result = fit_from_rows(rows["answerability"], rows["confidence"])
    else:
        result = train_probes(_training_responder(args, out, intent), Path(args.data))
    print("\nAnswerability probe (cross-validated):", json.dumps(result.report["answerability"]))
    print("Confidence probe (cross-validated):", json.dumps(result.report["confidence"]))
    result.answerability.save(out / "answerability.json")
    result.confidence.save(out / "confidence.json")
    print(f"probes written to {out}")


def _derive_reviewed(args: argparse.Namespace, out: Path) -> None:
    """Print the reviewed-answer match rule derived from the training data (a settings value,
    not an artefact: the defaults in lantunan/settings.py cite this command's output)."""
    from responder.judge.data import load_messages, load_qa
    from responder.judge.train_reviewed import choose_rule, collect_rows

    data = Path(args.data)
    rows = collect_rows(_training_responder(args, out, None), load_qa(data), load_messages(data))
    rule, report = choose_rule(rows)
    print("\nReviewed-answer match, derived from training/ (no wrong match accepted):")
    print(json.dumps(report, ensure_ascii=False, indent=1))
    print(f"reviewed_dense_min={rule.dense_min} reviewed_lexical_min={rule.lexical_min} "
          f"reviewed_dense_alone={rule.dense_alone}")


def _train_salience(args: argparse.Namespace, out: Path) -> None:
    """Refit the drafter's sentence-salience weights and write them beside the other artefacts."""
    from responder.judge.data import load_qa
    from responder.judge.train_salience import fit_salience, save_salience

    weights, card = fit_salience(_training_responder(args, out, None), load_qa(Path(args.data)))
    print("\nSentence salience (fitted on two thirds of training/qa, checked on the rest):")
    print(json.dumps({"weights": weights, "card": card}, ensure_ascii=False))
    save_salience(weights, card, out / "salience.json")
    print(f"salience weights written to {out / 'salience.json'}")


def _train_rerank(args: argparse.Namespace, out: Path) -> None:
    """Refit the search re-ranker and write it beside the other artefacts."""
    from responder.judge.data import load_qa
    from responder.judge.train_rerank import fit_rerank

    # item_rows searches the store directly: the candidates come in fused order, whatever
    # re-ranker the training responder holds.
    probe = fit_rerank(_training_responder(args, out, None), load_qa(Path(args.data)))
    print("\nSearch re-ranker, 5-fold cross-validation by item on training/qa:")
    print(json.dumps(probe.card, ensure_ascii=False))
    probe.save(out / "rerank.json")
    print(f"re-ranker written to {out / 'rerank.json'}")


def cmd_train(args: argparse.Namespace) -> int:
    """Train what `args.what` names and write the artefacts to --out (the package by default)."""
    out = Path(args.out) if args.out else ARTEFACT_DIR
    out.mkdir(parents=True, exist_ok=True)
    if out != ARTEFACT_DIR and args.what == "probes" and not (out / "intent.npz").exists():
        for name in ("intent.npz", "intent.json"):
            shutil.copy(ARTEFACT_DIR / name, out / name)
    try:
        intent = _train_intent(args, out) if args.what in ("all", "intent") else None
        if args.what in ("all", "probes"):
            _train_probes(args, out, intent)
        if args.what == "salience":
            _train_salience(args, out)
        if args.what == "reviewed":
            _derive_reviewed(args, out)
        if args.what == "rerank":
            _train_rerank(args, out)
    except TrainingDataError as exc:
        print(f"galat data latih: {exc}")
        return 2
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `train` subcommand."""
    p = subparsers.add_parser("train", help="latih ulang model keputusan (intent, keterjangkauan, keyakinan)")
    p.add_argument("what", nargs="?", choices=["all", "intent", "probes", "salience", "reviewed", "rerank"], default="all")
    p.add_argument("--data", default=str(DEFAULT_DIR), help="folder data latih (default: training/)")
    p.add_argument("--out", help="folder artefak (default: artefak bawaan paket)")
    p.add_argument("--quick", action="store_true",
                   help="tanpa validasi silang: pakai hiper-parameter artefak bawaan")
    p.add_argument("--corpus", nargs="*", help="dokumen untuk basis pengetahuan latih (probes)")
    p.add_argument("--store", default=".cache/train-store", help="folder basis pengetahuan latih")
    p.add_argument("--reuse-rows", action="store_true",
                   help="probes: pakai sinyal yang terkumpul pada latihan terakhir (.cache/)")
    p.set_defaults(func=cmd_train)
