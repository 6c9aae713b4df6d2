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


# --- where the data lives, and keys from the server's shell ---------------------------------------
def run_in(args: list[str], cwd: Path, data: Path | None) -> subprocess.CompletedProcess[str]:
    """`lantunan ...` from ``cwd``; ``data=None`` leaves LANTUNAN_DATA_DIR unset (default ./data)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTUNAN_")}
    env["HF_HUB_OFFLINE"] = "1"
    if data is not None:
        env["LANTUNAN_DATA_DIR"] = str(data)
    return subprocess.run([sys.executable, "-m", "lantunan.cli", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("args", [["search", "gmn cara bikin nib"], ["kb", "list"],
                                  ["kb", "show", "sop-pengaduan"],
                                  ["ask", "gmn cara bikin nib?"]])
def test_reading_commands_name_the_missing_data_dir_and_create_nothing(
        tmp_path: Path, args: list[str]) -> None:
    proc = run_in(args, tmp_path, None)  # another folder, no LANTUNAN_DATA_DIR
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"tidak ditemukan di {tmp_path.resolve() / 'data'}" in proc.stderr
    assert "LANTUNAN_DATA_DIR" in proc.stderr and "lantunan ingest" in proc.stderr
    assert "Tidak ada hasil" not in proc.stdout
    assert not (tmp_path / "data").exists(), "a reading command created an empty ./data"

    elsewhere = tmp_path / "srv" / "data"
    proc = run_in(args, tmp_path, elsewhere)
    assert proc.returncode == 2 and f"{elsewhere} (dari LANTUNAN_DATA_DIR)" in proc.stderr
    assert not elsewhere.exists()


def test_empty_kb_is_named_and_ingest_says_where(tmp_path: Path) -> None:
    data = tmp_path / "data"
    sop = tmp_path / "sop.md"
    sop.write_text("# SOP Contoh\n\n## 1. Tujuan\n\nContoh prosedur pendaftaran NIB.\n",
                   encoding="utf-8")
    ing = run_in(["ingest", str(sop), "--quiet"], tmp_path, data)
    assert ing.returncode == 0, ing.stderr
    assert f"Basis pengetahuan: {data}" in ing.stderr  # a new KB: always says where
    assert f"di {data} (dari LANTUNAN_DATA_DIR)" in ing.stdout
    doc_id = json.loads(run_in(["kb", "list", "--json"], tmp_path, data).stdout)[0]["id"]
    assert run_in(["kb", "remove", doc_id], tmp_path, data).returncode == 0

    found = run_in(["search", "nib"], tmp_path, data)
    assert found.returncode == 0 and "Tidak ada hasil." in found.stdout
    assert f"basis pengetahuan di {data} (dari LANTUNAN_DATA_DIR) kosong" in found.stderr
    listing = run_in(["kb", "list"], tmp_path, data)
    assert f"0 dokumen di {data}" in listing.stdout
    as_json = run_in(["kb", "list", "--json"], tmp_path, data)
    assert json.loads(as_json.stdout) == [] and "kosong" in as_json.stderr  # stdout stays JSON


def test_admin_new_key_from_the_shell_is_usable_and_audited(tmp_path: Path) -> None:
    from sqlalchemy import select

    from api.auth import Role, authenticate
    from api.db import AuditEntry, Database

    data = tmp_path / "data"
    proc = run_in(["admin", "new-key", "--name", "Admin Pengganti"], tmp_path, data)
    assert proc.returncode == 0, proc.stderr
    key = proc.stdout.splitlines()[1].strip()
    assert key.startswith("lt_") and "sekali" in proc.stdout
    officer = run_in(["admin", "new-key", "--name", "Budi", "--role", "officer"], tmp_path, data)
    assert officer.returncode == 0, officer.stderr

    db = Database(f"sqlite:///{data / 'lantunan.sqlite3'}")
    try:
        who = authenticate(db, key, None)
        assert who.role == Role.ADMIN and who.name == "Admin Pengganti"
        with db.transaction() as s:
            entries = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
            audit = [(e.actor, e.action, e.detail) for e in entries]
    finally:
        db.dispose()
    assert len(audit) == 2
    actor, action, detail = audit[0]
    assert actor.startswith("cli:") and action == "admin.create_key"
    assert detail == {"name": "Admin Pengganti", "role": "admin", "via": "cli"}
    assert audit[1][2]["role"] == "officer"

    keys = run_in(["admin", "keys"], tmp_path, data)
    assert keys.returncode == 0 and "Admin Pengganti" in keys.stdout and "Budi" in keys.stdout
    assert key not in keys.stdout and key[-4:] in keys.stdout  # the hint, never the key
    bad = run_in(["admin", "new-key", "--name", "  "], tmp_path, data)
    assert bad.returncode == 2 and "Nama wajib diisi" in bad.stderr
