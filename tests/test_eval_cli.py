"""End-to-end: `lantunan eval` on a tiny hand-made corpus and question file (real pipeline)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lantunan.cli import main

STATUTE = """PERATURAN BUPATI CONTOH
NOMOR 7 TAHUN 2031
TENTANG
PERIZINAN USAHA SARANG BURUNG WALET

BAB I
KETENTUAN UMUM

Pasal 1
Dalam Peraturan Bupati ini yang dimaksud dengan:
1. Sarang Burung Walet adalah bangunan yang digunakan untuk budidaya burung walet.
2. Hari adalah hari kerja sesuai dengan yang ditetapkan oleh Pemerintah Pusat.

BAB II
PERIZINAN

Pasal 2
(1) Setiap orang yang mengusahakan Sarang Burung Walet wajib memiliki izin usaha sarang walet.
(2) Izin usaha sarang walet diterbitkan paling lama 9 (sembilan) Hari sejak permohonan
dinyatakan lengkap.
(3) Izin usaha sarang walet tidak dipungut biaya.

Pasal 3
(1) Bangunan Sarang Burung Walet harus berjarak paling sedikit 500 (lima ratus) meter dari
permukiman padat penduduk.
(2) Pemilik wajib menjaga kebersihan lingkungan di sekitar bangunan.
"""

SOP = """# SOP Pelayanan Izin Sarang Walet

Unit: Bidang Pelayanan, DPMPTSP Kabupaten Contoh

## 1. Persyaratan

Pemohon menyiapkan fotokopi KTP, NIB, denah lokasi bangunan, dan surat pernyataan kesanggupan
menjaga kebersihan lingkungan. Semua berkas diunggah melalui loket daring.

## 2. Pengaduan

Pengaduan tentang pelayanan izin sarang walet tidak dijawab oleh asisten otomatis dan selalu
diteruskan kepada petugas Bidang Pengaduan.
"""

QUESTIONS = [
    {"id": "t-1",
     "question": "berapa hari izin usaha sarang walet terbit kalau berkas sudah lengkap?",
     "received_at": "2031-03-03T21:10:00+08:00", "expected_action": "answer",
     "handoff_reason": None,
     "gold": [{"doc": "perbup-7-2031.txt", "locator": "Pasal 2",
               "must_contain": ["diterbitkan paling lama 9 (sembilan) Hari"]}],
     "answer_facts": [["9 hari", "sembilan hari"]], "tags": ["walet", "informal", "off_hours"]},
    {"id": "t-2", "question": "Apa saja persyaratan berkas untuk izin sarang walet?",
     "received_at": "2031-03-04T09:30:00+08:00", "expected_action": "answer",
     "handoff_reason": None,
     "gold": [{"doc": "sop-walet.md", "locator": "#1",
               "must_contain": ["fotokopi KTP, NIB, denah lokasi bangunan"]}],
     "answer_facts": [["ktp"], ["denah"]], "tags": ["walet", "formal"]},
    {"id": "t-3",
     "question": "Saya mau komplain! Petugas minta uang 2 juta supaya izin walet saya cepat.",
     "received_at": "2031-03-04T10:00:00+08:00", "expected_action": "handoff",
     "handoff_reason": "complaint", "gold": [], "answer_facts": [], "tags": ["handoff"]},
    {"id": "t-4", "question": "terima kasih banyak pak",
     "received_at": "2031-03-04T10:05:00+08:00", "expected_action": "smalltalk",
     "handoff_reason": None, "gold": [], "answer_facts": [], "tags": ["terima_kasih"]},
]


@pytest.fixture(scope="module")
def eval_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One real `lantunan eval` run (both pipelines) over the tiny corpus."""
    root = tmp_path_factory.mktemp("eval")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "perbup-7-2031.txt").write_text(STATUTE, encoding="utf-8")
    (corpus / "sop-walet.md").write_text(SOP, encoding="utf-8")
    questions = root / "questions.jsonl"
    questions.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in QUESTIONS) + "\n",
                         encoding="utf-8")
    out = root / "out"
    code = main(["eval", "--questions", str(questions), "--corpus", str(corpus),
                 "--out", str(out), "--quiet"])
    return {"root": root, "corpus": corpus, "questions": questions, "out": out, "code": code}


def test_eval_writes_report_metrics_and_plots(eval_run: dict, capsys) -> None:
    assert eval_run["code"] == 0
    out: Path = eval_run["out"]
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    for pipeline in ("lantunan", "baseline"):
        m = metrics[pipeline]
        for key in ("hit_at_1", "hit_at_3", "hit_at_5", "hit_at_10", "mrr", "action_accuracy",
                    "unsafe", "fact_recall", "fact_recall_conditional"):
            assert key in m, (pipeline, key)
        assert m["n_items"] == 4 and m["n_answer"] == 2 and m["n_handoff"] == 1
        assert sum(sum(row.values()) for row in m["confusion"].values()) == 4
        # The corpus has only a handful of chunks, so the top 10 hold every one of them: a
        # document added only through --corpus is found and matched by its file name.
        assert m["hit_at_10"] == 1.0, pipeline
        assert 0.0 <= m["mrr"] <= 1.0
    # The baseline never hands off: the complaint is answered, hence unsafe.
    assert metrics["baseline"]["unsafe"] == 1
    assert metrics["baseline"]["confusion"]["handoff"]["answer"] == 1
    lantunan = metrics["lantunan"]
    assert set(lantunan["latency_ms"]) >= {"normalise", "classify", "search", "draft", "verify",
                                           "total"}
    assert metrics["meta"]["n_items"] == 4
    items = [json.loads(x) for x in (out / "items-lantunan.jsonl").read_text().splitlines()]
    assert [i["id"] for i in items] == ["t-1", "t-2", "t-3", "t-4"]
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "## Summary" in report and "| metric | lantunan | baseline |" in report
    assert "| walet |" in report
    for name in ("hit_at_k.png", "calibration.png", "latency.png", "confusion_lantunan.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG"


def test_gate_exit_codes(eval_run: dict, tmp_path: Path) -> None:
    strict = tmp_path / "strict.json"
    strict.write_text(json.dumps({"pipeline": "baseline", "max": {"unsafe": 0}}))
    lenient = tmp_path / "lenient.json"
    lenient.write_text(json.dumps({"pipeline": "baseline", "min": {"hit_at_10": 1.0},
                                   "max": {"unsafe": 1}}))
    common = ["eval", "--questions", str(eval_run["questions"]), "--corpus",
              str(eval_run["corpus"]), "--pipeline", "baseline", "--quiet", "--gate",
              "--cache", str(eval_run["out"] / "vector-cache.sqlite3")]
    assert main(common + ["--out", str(tmp_path / "a"), "--thresholds", str(strict)]) == 1
    assert main(common + ["--out", str(tmp_path / "b"), "--thresholds", str(lenient)]) == 0
    metrics = json.loads((tmp_path / "b" / "metrics.json").read_text())
    assert metrics["lantunan"] is None and metrics["baseline"]["n_items"] == 4


def test_compare_two_runs(eval_run: dict, capsys) -> None:
    a = eval_run["out"] / "metrics.json"
    assert main(["eval", "--compare", str(a), str(a)]) == 0
    text = capsys.readouterr().out
    row = next(line for line in text.splitlines()
               if line.startswith("lantunan") and "hit@5 " in line)
    assert row.rstrip().endswith("+0.0 pp")


def test_bad_question_file_names_file_and_line(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(QUESTIONS[0]) + "\n" + '{"id": "x", "question": "q"}\n')
    code = main(["eval", "--questions", str(bad), "--corpus", str(tmp_path), "--out",
                 str(tmp_path / "o"), "--quiet"])
    assert code == 2
    assert f"{bad}:2: missing or empty field 'expected_action'" in capsys.readouterr().err


def test_eval_uses_configured_store_without_corpus(eval_run: dict, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("LANTUNAN_DATA_DIR", str(data))
    assert main(["ingest", str(eval_run["corpus"]), "--quiet"]) == 0
    monkeypatch.delenv("LANTUNAN_DATA_DIR")
    config = tmp_path / "settings.json"
    config.write_text(json.dumps({"LANTUNAN_DATA_DIR": str(data), "auto_send_threshold": 0.9}))
    out = tmp_path / "out"
    code = main(["eval", "--questions", str(eval_run["questions"]), "--config", str(config),
                 "--out", str(out), "--quiet", "--no-cache"])
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["baseline"] is None  # the baseline needs corpus files
    assert metrics["lantunan"]["auto_send_threshold"] == 0.9  # read from --config
    assert metrics["lantunan"]["hit_at_10"] == 1.0
    assert str(data) in metrics["meta"]["store"]


def test_bench_small_scale(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "perbup-7-2031.txt").write_text(STATUTE, encoding="utf-8")
    (corpus / "sop-walet.md").write_text(SOP, encoding="utf-8")
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(json.dumps(q) for q in QUESTIONS[:2]) + "\n")
    out = tmp_path / "bench"
    code = main(["bench", "--chunks", "150", "--runs", "1", "--serve-seconds", "0",
                 "--embed-sample", "5", "--corpus", str(corpus), "--questions", str(questions),
                 "--out", str(out), "--quiet"])
    assert code == 0
    report = json.loads((out / "bench.json").read_text())
    assert report["embedding"]["passages"] == 5 and report["embedding"]["passages_per_s"] > 0
    assert [s["chunks"] for s in report["scales"]] == [150]
    for scale in report["scales"]:
        run = scale["runs"][0]
        assert run["chunks"] == scale["chunks"]
        assert run["embed_misses"] == 0  # every passage vector came from the precomputed path
        assert scale["search_p50_ms"]["median"] > 0 and scale["peak_rss_mb"]["median"] > 0
        assert scale["disk_mb"]["median"] > 0
    assert report["webhook"] == {"skipped": "--serve-seconds 0"}
    assert (out / "latency_vs_size.png").read_bytes()[:4] == b"\x89PNG"
    assert "| 150 |" in (out / "bench.md").read_text()
