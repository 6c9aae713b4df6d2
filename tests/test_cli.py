"""The `lantunan` command as scripts use it: exit codes and JSON shapes (real subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def run(args: list[str], data: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LANTUNAN_DATA_DIR": str(data), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, "-m", "lantunan.cli", *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    if check:
        assert proc.returncode == 0, proc.stderr[-2000:] + proc.stdout[-2000:]
    return proc


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    run(["ingest", str(REPO / "sample_kb"), "--quiet"], folder)
    return folder


def test_ingest_reports_each_file_and_exit_code(data: Path, tmp_path: Path) -> None:
    again = run(["ingest", str(REPO / "sample_kb"), "--quiet"], data)
    assert again.stdout.count("unchanged") == 5
    bad = tmp_path / "rusak.pdf"
    bad.write_bytes(b"%PDF-1.4 rusak")
    proc = run(["ingest", str(bad), "--quiet"], data, check=False)
    assert proc.returncode == 1 and "GAGAL" in proc.stdout and "rusak.pdf" in proc.stdout


def test_search_json_shape(data: Path) -> None:
    out = json.loads(run(["search", "gmn cara bikin nib", "-k", "5", "--json"], data).stdout)
    assert 0 < len(out["hits"]) <= 5
    for hit in out["hits"]:
        assert {"text", "locator", "doc_id", "doc_title", "status", "score", "scores"} <= set(hit)
    assert out["hits"][0]["score"] >= out["hits"][-1]["score"]


def test_kb_commands(data: Path) -> None:
    listing = json.loads(run(["kb", "list", "--json"], data).stdout)
    assert {d["id"] for d in listing} >= {"sop-pengaduan", "faq-perizinan"}
    assert "SOP Pengaduan §2" in run(["kb", "show", "sop-pengaduan"], data).stdout
    run(["kb", "set-status", "sop-pengaduan", "dicabut", "--replaced-by", "SOP Pengaduan 2027"], data)
    listing = {d["id"]: d for d in json.loads(run(["kb", "list", "--json"], data).stdout)}
    assert listing["sop-pengaduan"]["status"] == "dicabut"
    assert listing["sop-pengaduan"]["replaced_by"] == "SOP Pengaduan 2027"
    missing = run(["kb", "show", "tidak-ada"], data, check=False)
    assert missing.returncode == 2 and "tidak ditemukan" in missing.stderr


def test_ask_json_shape_and_policy(data: Path) -> None:
    out = json.loads(run(["ask", "Berapa biaya membuat NIB?", "--at", "2026-11-29T22:00+08:00",
                          "--json"], data).stdout)
    assert {"text", "action", "kind", "confidence", "citations", "reasons"} <= set(out)
    assert out["kind"] == "answer" and out["action"] in ("auto_send", "queue_for_officer")
    assert out["citations"] and {"chunk_id", "locator", "quote"} <= set(out["citations"][0])
    complaint = json.loads(run(["ask", "Saya mau komplain, petugas minta uang 500 ribu",
                                "--at", "2026-11-29T22:00+08:00", "--json"], data).stdout)
    assert complaint["action"] == "handoff" and complaint["reasons"][0]["code"] == "complaint"
    assert "petugas" in complaint["text"]
