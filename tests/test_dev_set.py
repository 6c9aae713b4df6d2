"""The dev question set, with the whole shared corpus ingested once (minutes on 2 cores).

Prints the figures the issues ask for and asserts the targets:
- retrieval hit@5 ≥ 0.85 (fused), with dense-only and BM25-only shown beside it;
- action accuracy ≥ 0.90, zero unsafe handoff items, answer-fact recall ≥ 0.55 (the set is
  held-out: these are floors under measured figures, not targets tuned on it);
- every auto-sent draft has a citation whose chunk contains its quote.
Scoring follows ../shared/eval/README.md through eval.scoring (the same rules `lantunan eval`
uses).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from eval.questions import load_questions
from eval.runner import auto_send_threshold, run_lantunan
from eval.scoring import first_hit_rank, hit_at_k, mean_reciprocal_rank, summarise
from ingest.pipeline import ingest_paths
from knowledge.store import KnowledgeBase
from lantunan.settings import Settings
from responder.normalize import normalise
from shared_corpus import require_shared

pytestmark = pytest.mark.slow

SIGNALS = {
    "dense only": {"bm25": 0.0, "faq": 0.0, "definition": 0.0},
    "BM25 only": {"dense": 0.0, "faq": 0.0, "definition": 0.0},
    "fused": None,
}


@pytest.fixture(scope="module")
def dev_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    corpus = require_shared("corpus")
    kb = KnowledgeBase(Settings(data_dir=tmp_path_factory.mktemp("devkb")))
    report = ingest_paths(kb, [corpus], progress=False)
    assert report.ok, [(f.path, f.error) for f in report.failed]
    return kb


@pytest.fixture(scope="module")
def questions():
    return load_questions(require_shared("eval", "dev.jsonl"))


def test_corpus_ingests_into_expected_documents(dev_kb: KnowledgeBase) -> None:
    docs = {d.id: d for d in dev_kb.documents()}
    assert {"pp-28-2025", "pp-6-2021", "uu-25-2009", "faq-perizinan", "sop-pengaduan"} <= set(docs)
    assert "sources" not in docs  # the folder's SOURCES.md describes the corpus, it is not in it
    assert docs["pp-28-2025"].metadata["pasal_count"] in (552, "552")
    print(f"\nchunks: { {d.id: d.chunk_count for d in docs.values()} }")


def test_retrieval_hit_at_5(dev_kb: KnowledgeBase, questions) -> None:
    items = [q for q in questions if q.expected_action == "answer"]
    vocab = dev_kb.vocabulary()
    figures = {}
    for name, weights in SIGNALS.items():
        ranks = []
        for q in items:
            norm = normalise(q.question, vocab).text
            hits = dev_kb.search(norm, k=10, extra_queries=[q.question], weights=weights)
            ranks.append(first_hit_rank([(h.doc.source_name, h.chunk.text) for h in hits], q.gold))
        figures[name] = (hit_at_k(ranks, 1), hit_at_k(ranks, 5), mean_reciprocal_rank(ranks))
    print("\nretrieval on", len(items), "answer items:")
    for name, (h1, h5, mrr) in figures.items():
        print(f"  {name:<11} hit@1 {h1:.3f}  hit@5 {h5:.3f}  MRR {mrr:.3f}")
    # Held-out floor (the eval gate's): 0.914 last round, 0.897 with OCR-repaired chunk texts.
    assert figures["fused"][1] >= 0.85


def test_responder_on_dev_set(dev_kb: KnowledgeBase, questions) -> None:
    settings = dev_kb.settings
    items = run_lantunan(questions, dev_kb, settings)
    m = summarise(items, auto_send_threshold(settings))
    reasons = Counter((i.expected_reason, (i.reason_codes or ["-"])[0]) for i in items
                      if i.expected_action == "handoff")
    print(f"\naction accuracy {m['action_accuracy']:.3f}  unsafe {m['unsafe']}  "
          f"fact recall {m['fact_recall']:.3f} (answered only {m['fact_recall_conditional']:.3f})")
    print("confusion (expected → predicted):", m["confusion"])
    print("handoff reasons (expected, first given):", dict(reasons))
    auto = [i for i in items if i.dispatch == "auto_send"]
    print(f"auto-sent {len(auto)}; their citations supported "
          f"{sum(i.citations_supported for i in auto)}/{sum(i.citations for i in auto)}")
    print(f"auto-sent {m['n_auto_sent']} (precision {m['auto_sent_precision']}), coverage of "
          f"off-hours answer items {m['auto_send_coverage']}, ECE {m['ece']:.3f}; reply length "
          f"median {m['reply_chars_median']}, first line carries a fact "
          f"{m['first_line_fact_share']}, OCR-damaged tokens {m['ocr_damaged_tokens']}")
    # Held-out: nothing in the decision layer was fitted on these items (training/DATA_CARD.md).
    assert m["n_errors"] == 0
    assert m["action_accuracy"] >= 0.90
    assert m["unsafe"] == 0, m["unsafe_ids"]
    assert m["fact_recall"] >= 0.55  # measured 0.64 held-out; issue 10's 0.85 is not reached
    assert m["reply_chars_p90"] <= 1200
    for i in auto:
        if i.expected_action == "answer":
            assert i.citations_supported >= 1, i.id


def test_lantunan_eval_gate_on_the_ingested_store(dev_kb: KnowledgeBase, tmp_path) -> None:
    """CI's eval gate: the real `lantunan eval --gate` command over the same store (no second
    ingest), failing on the thresholds of eval/thresholds.json."""
    import json
    import os
    import subprocess
    import sys

    out = tmp_path / "eval"
    env = {**os.environ, "LANTUNAN_DATA_DIR": str(dev_kb.settings.data_dir)}
    proc = subprocess.run(
        [sys.executable, "-m", "lantunan.cli", "eval", "--questions",
         str(require_shared("eval", "dev.jsonl")), "--pipeline", "lantunan", "--out", str(out),
         "--gate", "--quiet"],
        env=env, capture_output=True, text=True, timeout=900)
    print(proc.stdout[-3000:])
    assert proc.returncode == 0, proc.stderr[-3000:]
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))["lantunan"]
    assert metrics["hit_at_5"] >= 0.85 and metrics["action_accuracy"] >= 0.85 and metrics["unsafe"] == 0
    assert (out / "report.md").exists()
