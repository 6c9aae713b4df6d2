"""Scoring rules of shared/eval/README.md on small hand-made cases, plus report writing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.compare import CompareError, render_compare
from eval.gate import check_gate, load_thresholds
from eval.questions import GoldEntry, QuestionFileError, load_questions
from eval.report import render_summary, write_run
from eval.scoring import (
    ItemResult, calibration_bins, chunk_hits, confusion_matrix, expected_calibration_error,
    fact_score, first_hit_rank, hit_at_k, mean_reciprocal_rank, normalise, percentile,
    score_item, strip_spelled_numbers, summarise, system_action,
)

GOLD = [GoldEntry(doc="pp-6-2021.txt", locator="Pasal 12",
                  must_contain=["pelayanan berbantuan harus tersedia paling lama 1 (satu) Hari"])]
HIT_TEXT = "(3) Pelayanan   berbantuan harus\ntersedia paling lama 1 (satu) hari sejak gangguan."


def test_normalise_lowercases_and_collapses_whitespace() -> None:
    assert normalise("  Pasal\t12\n\n AYAT  (1) ") == "pasal 12 ayat (1)"


def test_chunk_hit_needs_gold_doc_and_phrase() -> None:
    assert chunk_hits("pp-6-2021.txt", HIT_TEXT, GOLD)
    # right phrase, wrong document
    assert not chunk_hits("pp-28-2025.txt", HIT_TEXT, GOLD)
    # right document, phrase cut in two by chunking
    assert not chunk_hits("pp-6-2021.txt", "pelayanan berbantuan harus tersedia", GOLD)


def test_hit_at_rank_three_gives_mrr_one_third() -> None:
    retrieved = [("sop-pengaduan.md", "pengaduan dicatat"),
                 ("pp-6-2021.txt", "Pasal 11 lain"),
                 ("pp-6-2021.txt", HIT_TEXT),
                 ("pp-6-2021.txt", HIT_TEXT)]
    rank = first_hit_rank(retrieved, GOLD)
    assert rank == 3
    assert mean_reciprocal_rank([rank]) == pytest.approx(1 / 3)
    assert hit_at_k([rank], 1) == 0.0
    assert hit_at_k([rank], 3) == 1.0
    # a second item with no hit halves everything
    assert mean_reciprocal_rank([rank, None]) == pytest.approx(1 / 6)
    assert hit_at_k([rank, None], 5) == 0.5


def test_rank_beyond_ten_does_not_count_for_mrr() -> None:
    assert mean_reciprocal_rank([11]) == 0.0
    assert hit_at_k([11], 10) == 0.0


def test_fact_recall_with_spelled_out_numbers() -> None:
    answer = "Permohonan diproses paling lama 26 (dua puluh enam) Hari kerja."
    assert strip_spelled_numbers(answer) == "permohonan diproses paling lama 26 hari kerja."
    groups = [["26 hari"], ["hari kerja"]]
    assert fact_score(answer, groups) == 1.0
    # the spelled-out form itself still matches on the un-stripped copy
    assert fact_score(answer, [["dua puluh enam"]]) == 1.0
    assert fact_score(answer, [["26 hari"], ["gratis", "tidak dipungut biaya"]]) == 0.5
    assert fact_score("", [["26 hari"]]) == 0.0


def test_system_action_mapping() -> None:
    assert system_action("answer", "auto_send") == "answer"
    assert system_action("answer", "queue_for_officer") == "answer"
    # a substantive draft held back for an officer is a handoff for the applicant
    assert system_action("answer", "handoff") == "handoff"
    assert system_action("smalltalk", "auto_send") == "smalltalk"
    assert system_action("handoff", "handoff") == "handoff"


def _item(qid: str, expected: str, kind: str, action: str, **kw) -> ItemResult:
    return score_item(qid=qid, expected_action=expected, expected_reason=kw.get("reason"),
                      tags=kw.get("tags", []), gold=kw.get("gold", GOLD),
                      answer_facts=kw.get("facts", [["1 hari"]]) if expected == "answer" else [],
                      kind=kind, action=action, reply_text=kw.get("text", ""),
                      draft_text=kw.get("text", ""), confidence=kw.get("confidence", 0.5),
                      reason_codes=kw.get("codes", []), retrieved=kw.get("retrieved", []),
                      citations=kw.get("citations", ()), timings=kw.get("timings", {}))


def test_auto_sent_handoff_item_is_unsafe() -> None:
    items = [
        _item("h1", "handoff", "answer", "auto_send", reason="complaint", text="jawaban"),
        _item("h2", "handoff", "handoff", "handoff", reason="complaint", codes=["complaint"]),
        _item("h3", "handoff", "smalltalk", "auto_send", reason="unclear"),
        _item("h4", "handoff", "answer", "handoff", reason="case_status",
              codes=["low_confidence", "case_status"]),
    ]
    m = summarise(items, auto_send_threshold=0.6)
    assert m["unsafe"] == 2
    assert m["unsafe_ids"] == ["h1", "h3"]
    assert m["auto_sent_unsafe"] == 2
    assert m["handoff_recall"] == 0.5
    assert m["handoff_precision"] == 1.0
    assert m["reason_accuracy"] == 1.0  # both handed-off items carry their reason
    assert m["reason_accuracy_primary"] == 0.5  # h4's first reason is low_confidence


def test_confusion_matrix_counts_expected_against_system() -> None:
    items = [_item("a1", "answer", "answer", "queue_for_officer"),
             _item("a2", "answer", "answer", "handoff"),
             _item("s1", "smalltalk", "smalltalk", "auto_send"),
             _item("h1", "handoff", "answer", "auto_send")]
    matrix = confusion_matrix(items)
    assert matrix["answer"] == {"answer": 1, "handoff": 1, "smalltalk": 0}
    assert matrix["smalltalk"]["smalltalk"] == 1
    assert matrix["handoff"]["answer"] == 1
    assert summarise(items, 0.6)["action_accuracy"] == 0.5


def test_fact_recall_unconditional_and_conditional() -> None:
    items = [_item("a1", "answer", "answer", "auto_send", text="paling lama 1 (satu) hari"),
             _item("a2", "answer", "answer", "handoff", text="paling lama 1 hari"),
             _item("a3", "answer", "answer", "queue_for_officer", text="tidak tahu")]
    m = summarise(items, 0.6)
    assert m["fact_recall"] == pytest.approx(1 / 3)  # a2 was not answered: scores 0
    assert m["fact_recall_conditional"] == pytest.approx(1 / 2)  # over a1, a3
    assert m["fact_recall_drafted"] == pytest.approx(2 / 3)  # a2's draft was right


def test_calibration_bins_and_auto_send_precision() -> None:
    bins = calibration_bins([0.05, 0.15, 0.95, 1.0, 0.92], [False, True, True, True, False], 10)
    assert [b["n"] for b in bins] == [1, 1, 0, 0, 0, 0, 0, 0, 0, 3]
    assert bins[9]["accuracy"] == pytest.approx(2 / 3)
    assert bins[9]["mean_confidence"] == pytest.approx((0.95 + 1.0 + 0.92) / 3)
    assert bins[2]["accuracy"] is None
    ece = expected_calibration_error(bins)
    assert ece == pytest.approx((1 * 0.05 + 1 * 0.85 + 3 * abs(2 / 3 - 2.87 / 3)) / 5)

    items = [_item("a1", "answer", "answer", "auto_send", text="1 hari", confidence=0.9),
             _item("a2", "answer", "answer", "auto_send", text="salah", confidence=0.8),
             _item("a3", "answer", "answer", "queue_for_officer", text="1 hari", confidence=0.3)]
    m = summarise(items, auto_send_threshold=0.6)
    assert m["n_over_threshold"] == 2
    assert m["auto_send_precision"] == 0.5
    assert m["auto_sent_precision"] == 0.5


def test_citation_support_rate() -> None:
    item = _item("a1", "answer", "answer", "auto_send", text="1 hari",
                 citations=[("Pelayanan berbantuan harus tersedia", HIT_TEXT),
                            ("kalimat karangan", HIT_TEXT),
                            ("apa saja", None)])
    m = summarise([item], 0.6)
    assert m["n_citations"] == 3
    assert m["citation_support_rate"] == pytest.approx(1 / 3)


def test_percentile_interpolates() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([10.0], 95) == 10.0
    assert percentile([], 50) is None


def _tiny_run() -> tuple[dict, dict]:
    lan = [_item("a1", "answer", "answer", "auto_send", text="1 hari", tags=["english"],
                 retrieved=[("pp-6-2021.txt", HIT_TEXT)], confidence=0.8,
                 timings={"search": 10.0, "total": 30.0}),
           _item("h1", "handoff", "handoff", "handoff", reason="complaint", codes=["complaint"],
                 tags=["handoff"], timings={"search": 0.0, "total": 5.0})]
    base = [_item("a1", "answer", "answer", "answer", text="x", tags=["english"],
                  retrieved=[("x.md", "y"), ("pp-6-2021.txt", HIT_TEXT)],
                  timings={"search": 3.0, "total": 3.0}),
            _item("h1", "handoff", "answer", "answer", reason="complaint", tags=["handoff"],
                  timings={"search": 3.0, "total": 3.0})]
    items = {"lantunan": lan, "baseline": base}
    results = {k: summarise(v, 0.6) for k, v in items.items()}
    return results, items


def test_report_and_metrics_written(tmp_path: Path) -> None:
    from eval.plots import plot_run

    results, items = _tiny_run()
    totals = {k: [i.timings["total"] for i in v] for k, v in items.items()}
    plots = plot_run(results, totals, tmp_path)
    paths = write_run(tmp_path, results, items, {"questions": "tiny.jsonl", "n_items": 2},
                      [str(p) for p in plots])
    metrics = json.loads(paths["metrics"].read_text())
    for key in ("hit_at_1", "hit_at_3", "hit_at_5", "hit_at_10", "mrr", "action_accuracy",
                "unsafe", "fact_recall", "fact_recall_conditional"):
        assert key in metrics["lantunan"] and key in metrics["baseline"]
    assert metrics["lantunan"]["hit_at_1"] == 1.0
    assert metrics["baseline"]["hit_at_1"] == 0.0 and metrics["baseline"]["mrr"] == 0.5
    assert metrics["baseline"]["unsafe"] == 1
    assert metrics["lantunan"]["latency_ms"]["total"]["p50"] == pytest.approx(17.5)
    report = paths["report"].read_text()
    assert "| hit@5 | 100.0% | 100.0% |" in report
    assert "| english | 1 |" in report
    assert "## Calibration: lantunan" in report
    for p in plots:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert {p.name for p in plots} >= {"hit_at_k.png", "calibration.png", "latency.png",
                                       "confusion_lantunan.png", "confusion_baseline.png"}
    lines = paths["items_lantunan"].read_text().splitlines()
    assert [json.loads(x)["id"] for x in lines] == ["a1", "h1"]
    summary = render_summary(results)
    assert "lantunan" in summary.splitlines()[0] and "baseline" in summary.splitlines()[0]


def test_compare_prints_deltas(tmp_path: Path) -> None:
    results, _ = _tiny_run()
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps({"lantunan": results["baseline"], "baseline": None}))
    b.write_text(json.dumps({"lantunan": results["lantunan"], "baseline": None}))
    text = render_compare(a, b)
    row = next(line for line in text.splitlines() if "hit@1 " in line)
    assert "0.0%" in row and "100.0%" in row and "+100.0 pp" in row
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CompareError, match="bad.json"):
        render_compare(a, bad)


def test_gate_thresholds() -> None:
    thresholds = load_thresholds()
    results, _ = _tiny_run()
    assert all(c.passed for c in check_gate(results, thresholds))
    results["lantunan"]["unsafe"] = 1
    failed = [c.metric for c in check_gate(results, thresholds) if not c.passed]
    assert failed == ["unsafe"]


def test_question_file_errors_name_file_and_line(tmp_path: Path) -> None:
    good = {"id": "q1", "question": "apa itu NIB", "expected_action": "answer",
            "received_at": "2026-03-02T09:00:00", "gold": [], "answer_facts": [["nib"]]}
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps(good) + "\n\n" + json.dumps({**good, "id": "q2",
                                                             "expected_action": "maybe"}) + "\n")
    with pytest.raises(QuestionFileError, match=r"q\.jsonl:3: expected_action 'maybe'"):
        load_questions(path)
    path.write_text(json.dumps(good) + "\n" + "{oops\n")
    with pytest.raises(QuestionFileError, match=r"q\.jsonl:2: invalid JSON"):
        load_questions(path)
    path.write_text(json.dumps(good) + "\n" + json.dumps(good) + "\n")
    with pytest.raises(QuestionFileError, match="duplicate id 'q1'"):
        load_questions(path)
    path.write_text(json.dumps(good) + "\n")
    (q,) = load_questions(path)
    assert q.received_at.utcoffset().total_seconds() == 8 * 3600  # naive time read as WITA


def test_dev_set_loads(shared_dir: Path) -> None:
    questions = load_questions(shared_dir / "eval" / "dev.jsonl")
    assert len(questions) == 82
    assert sum(q.expected_action == "handoff" for q in questions) == 20


def test_errored_item_counts_wrong_but_not_unsafe() -> None:
    crashed = ItemResult(id="h9", expected_action="handoff", predicted_action="error",
                         expected_reason="complaint", error="RuntimeError: boom")
    ok = _item("h1", "handoff", "handoff", "handoff", reason="complaint", codes=["complaint"])
    m = summarise([crashed, ok], 0.6)
    assert m["n_errors"] == 1
    assert m["action_accuracy"] == 0.5
    assert m["unsafe"] == 0  # nothing was sent for the crashed item
    assert m["confusion"]["handoff"]["error"] == 1


def test_reply_form_metrics_and_auto_send_coverage() -> None:
    facts = [["5 hari"], ["sejak"]]
    items = [
        _item("a1", "answer", "answer", "auto_send", facts=facts, tags=["off_hours"],
              text="*Paling lama 5 hari sejak diterima.* [1]\n\n1. kutipan"),
        _item("a2", "answer", "answer", "queue_for_officer", facts=facts, tags=["off_hours"],
              text="*Ketentuan umum.* [1]\n\n1. paling lama 5 hari sejak diterima " + "x" * 80),
        _item("a3", "answer", "handoff", "handoff", facts=facts, tags=["off_hours"]),
        _item("s1", "smalltalk", "smalltalk", "auto_send"),
    ]
    m = summarise(items, auto_send_threshold=0.6)
    assert m["first_line_fact_share"] == 0.5  # a2's facts sit below its first block
    lengths = sorted(len(i.reply_text) for i in items[:2])
    assert m["reply_chars_median"] == sum(lengths) / 2
    assert m["n_auto_sent"] == 1  # the small-talk reply carries no facts
    assert m["auto_sent_precision"] == 1.0
    assert abs(m["auto_send_coverage"] - 1 / 3) < 1e-9
    assert m["ocr_damaged_tokens"] == 0


def test_spelled_numbers_are_stripped_in_linear_time() -> None:
    # The pattern once nested its quantifiers: "5 (" + a long unclosed run took seconds.
    import time

    started = time.perf_counter()
    assert strip_spelled_numbers("5 (" + "a" * 40 + " x") == "5 (" + "a" * 40 + " x"
    assert time.perf_counter() - started < 1.0
    assert strip_spelled_numbers("14 (empat belas) hari") == "14 hari"


def test_damage_counter_reads_the_reply_without_whatsapp_markup() -> None:
    from types import SimpleNamespace

    from eval.runner import damage_counter

    passage = SimpleNamespace(text="Pengaduan disampaikan melalui SP4N-LAPOR! atau loket pengaduan.")
    kb = SimpleNamespace(documents=lambda: [SimpleNamespace(id="sop")],
                         chunks_of=lambda _doc_id: [passage])
    count = damage_counter(kb)
    assert count("*Pengaduan disampaikan melalui SP4N-LAPOR!.* [1]") == 0  # bold is not damage
    assert count("_Pengaduan_ ~lewat~ loket") == 0
    assert count("*wajib men5rusun laporan 24O hari.*") == 2  # real damage still counts
