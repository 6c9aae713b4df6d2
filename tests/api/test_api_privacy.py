"""Privacy on a real server (issue 12 items 1-3), SQLite and PostgreSQL: a NIK is masked in the
audit API and page and in a promoted answer; erasing the contact removes its texts from every
API and from every file under the data directory (-wal/-shm, catalog, Chroma included), and is
audited without the contact; retention anonymises what is older than the setting, by the CLI
and by the daily job inside `serve`, while the row counts the dashboard uses stay."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update

from api.db import Conversation, Database, Decision, DraftRow, Message, utcnow
from api_support import ADMIN_KEY, Server, text_payload, unique_wa_id, wait_until


def make_key(server: Server, name: str, role: str) -> str:
    r = server.client().post("/api/v1/users", json={"name": name, "role": role})
    assert r.status_code == 201, r.text
    return r.json()["key"]


def conversation(server: Server, wa_id: str) -> dict | None:
    """The applicant's conversation with messages, drafts and decisions (None until stored)."""
    items = server.client().get("/api/v1/conversations", params={"contact": wa_id}).json()["items"]
    if not items:
        return None
    return server.client().get(f"/api/v1/conversations/{items[0]['conversation_id']}").json()


def drafted(server: Server, wa_id: str, count: int = 1) -> dict:
    """Wait until the applicant's conversation has ``count`` drafts."""
    conv = wait_until(lambda: (c := conversation(server, wa_id)) and len(c["drafts"]) >= count
                      and c, 90)
    assert conv, f"no draft for {wa_id}:\n{server.log()[-3000:]}"
    return conv


def console_login(server: Server) -> httpx.Client:
    """A browser-like client signed in to the console with the admin key."""
    c = httpx.Client(base_url=server.base_url, timeout=30, follow_redirects=False)
    token = re.search(r'name="token" value="([^"]+)"', c.get("/masuk").text).group(1)
    r = c.post("/masuk", data={"kunci": ADMIN_KEY, "token": token})
    assert r.status_code == 303, r.text
    return c


def files_holding(data_dir: Path, needles: list[str]) -> list[tuple[str, str]]:
    """(file, needle) for every file under ``data_dir`` whose bytes contain a needle."""
    found = []
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        blob = path.read_bytes()
        found += [(str(path.relative_to(data_dir)), n) for n in needles if n.encode() in blob]
    return found


def edit_draft(server: Server, key: str, draft_id: int, text: str) -> None:
    r = server.client(key).post(f"/api/v1/drafts/{draft_id}/edit", json={"text": text})
    assert r.status_code == 200, r.text


def check_audit_masked(server: Server, conv_id: int, nik: str) -> None:
    """Audit API and audit page show the officer's text with the NIK masked."""
    audit = server.client().get("/api/v1/audit", params={"conversation_id": conv_id}).json()
    edits = [e for e in audit["items"] if e["action"] == "officer.edit"]
    assert edits and "[NIK " in edits[0]["detail"]["final_text"]
    assert nik not in json.dumps(audit)
    web = console_login(server)
    try:
        page = web.get("/audit", params={"percakapan": conv_id})
        assert page.status_code == 200 and "[NIK " in page.text and nik not in page.text
    finally:
        web.close()


def promote_in_console(server: Server, draft_id: int, nik: str) -> None:
    """The console's promotion tells the curator what was masked."""
    web = console_login(server)
    try:
        page = web.get("/basis-pengetahuan/jawaban").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        r = web.post(f"/basis-pengetahuan/suntingan/{draft_id}/promosikan", data={"csrf": csrf})
        assert r.status_code == 303, r.text
        page = web.get(r.headers["location"]).text
        assert "Data pribadi disamarkan" in page and "NIK/NPWP" in page and "nomor telepon" in page
        assert nik not in page
    finally:
        web.close()


def check_gone_from_apis(server: Server, conv_id: int, draft_id: int,
                         secrets: list[str]) -> None:
    """No API that could show the erased texts or number shows them."""
    c = server.client()
    bodies = [c.get(f"/api/v1/conversations/{conv_id}").text,
              c.get(f"/api/v1/drafts/{draft_id}").text,
              c.get("/api/v1/conversations", params={"limit": 500}).text,
              c.get("/api/v1/queue", params={"status": "all", "limit": 500}).text,
              c.get("/api/v1/audit", params={"limit": 1000}).text,
              c.get("/api/v1/reviewed-answers").text,
              c.get("/api/v1/unanswered").text]
    leaks = [(i, s) for i, b in enumerate(bodies) for s in secrets if s in b]
    assert not leaks, leaks
    after = c.get(f"/api/v1/conversations/{conv_id}").json()
    assert after["contact"].startswith("dihapus-") and after["display_name"] is None
    assert all(m["text"] == "" for m in after["messages"])


def test_nik_masked_then_contact_erased_everywhere(server: Server):
    officer = make_key(server, "Petugas Privasi", "officer")
    curator = make_key(server, "Kurator Privasi", "curator")
    wa_id = unique_wa_id()
    nik = "6371" + "".join(random.choices("0123456789", k=12))
    marker = "Qz" + uuid.uuid4().hex[:10]  # the applicant's own words, findable as bytes
    reply_marker = "Rx" + uuid.uuid4().hex[:10]
    text = f"Selamat pagi, saya mau cek izin usaha {marker}, NIK saya {nik}"
    assert server.post_webhook(text_payload(wa_id, text)).status_code == 200
    conv = drafted(server, wa_id)
    conv_id, draft = conv["conversation_id"], conv["drafts"][0]
    assert "personal_data" in [r["code"] for r in draft["reasons"]]  # the guard's handoff
    edit_draft(server, officer, draft["draft_id"],
               f"Baik, NIK {nik} untuk izin {reply_marker} sudah kami catat dan diproses.")
    check_audit_masked(server, conv_id, nik)

    # Promotion (API) masks and says what it masked; the console says it too.
    r = server.client(curator).post(f"/api/v1/reviewed-answers/from-draft/{draft['draft_id']}")
    assert r.status_code == 201, r.text
    promoted = r.json()
    assert "nik_or_npwp16" in promoted["masked"] and "NIK/NPWP" in promoted["masked_labels"]
    assert nik not in json.dumps(promoted) and reply_marker in promoted["answer"]
    second = f"satu lagi {marker}: NIK {nik} atau hubungi saya di 0812-7000-{nik[-4:]}"
    assert server.post_webhook(text_payload(wa_id, second)).status_code == 200
    draft2 = drafted(server, wa_id, 2)["drafts"][1]["draft_id"]
    edit_draft(server, officer, draft2, f"Terima kasih, NIK {nik} kami cek ({reply_marker}).")
    promote_in_console(server, draft2, nik)

    # Erasure: admin only; bad input is a 4xx.
    assert server.client(officer).delete(f"/api/v1/contacts/{wa_id}").status_code == 403
    assert server.client().delete("/api/v1/contacts/" + "9" * 200).status_code == 422
    assert server.client().delete("/api/v1/contacts/62%00812").status_code == 422
    r = server.client().delete(f"/api/v1/contacts/{wa_id}")
    assert r.status_code == 200, r.text
    res = r.json()
    assert res["conversation_ids"] == [conv_id] and res["messages"] >= 2
    assert sorted(res["reviewed_answers_removed"]) == sorted(
        [promoted["id"], f"officer-edit-{draft2}"])
    assert res["audit_entries_redacted"] >= 3
    assert server.client().delete(f"/api/v1/contacts/{wa_id}").status_code == 404
    secrets = [nik, marker, reply_marker, wa_id]
    check_gone_from_apis(server, conv_id, draft["draft_id"], secrets)
    # The erasure is audited once, without the contact.
    erased = server.client().get("/api/v1/audit", params={"action": "privacy.erase"}).json()
    mine = [e for e in erased["items"] if e["id"] == res["audit_id"]]
    assert mine and mine[0]["detail"]["conversation_ids"] == [conv_id]
    assert mine[0]["actor"].startswith("admin:")
    # ... and from every file of the data directory (SQLite file, -wal, -shm, catalog, Chroma).
    assert not files_holding(server.data_dir, secrets), files_holding(server.data_dir, secrets)


# --- retention ----------------------------------------------------------------------------------

def _db(srv: Server) -> Database:
    url = srv.env.get("LANTUNAN_DATABASE_URL") or \
        f"sqlite:///{(srv.data_dir / 'lantunan.sqlite3').resolve()}"
    return Database(url)


def backdate(srv: Server, conv_id: int, days: int) -> None:
    """Move a conversation and everything in it ``days`` into the past (the test's clock)."""
    old = utcnow() - timedelta(days=days)
    db = _db(srv)
    try:
        with db.transaction() as s:
            for model in (Message, DraftRow, Decision):
                s.execute(update(model).where(model.conversation_id == conv_id)
                          .values(created_at=old))
            s.execute(update(Conversation).where(Conversation.id == conv_id).values(
                created_at=old, last_message_at=old, last_inbound_at=old))
    finally:
        db.dispose()


def row_counts(srv: Server) -> tuple[int, int, int]:
    db = _db(srv)
    try:
        with db.transaction() as s:
            return tuple(s.scalar(select(func.count()).select_from(m))  # type: ignore[return-value]
                         for m in (Message, DraftRow, Conversation))
    finally:
        db.dispose()


def ask(srv: Server, words: str) -> tuple[str, int]:
    """A fresh applicant asks; returns (wa_id, conversation id) once drafted."""
    wa_id = unique_wa_id()
    assert srv.post_webhook(text_payload(wa_id, f"apa syarat izin {words}?")).status_code == 200
    return wa_id, drafted(srv, wa_id)["conversation_id"]


def blank(srv: Server, conv_id: int) -> bool:
    conv = srv.client().get(f"/api/v1/conversations/{conv_id}").json()
    return conv["contact"].startswith("dihapus-") and all(
        m["text"] == "" for m in conv["messages"]) and all(
        d["question"] == "" for d in conv["drafts"])


def test_retention_daily_job_and_cli(spawn, tmp_path: Path):
    # The daily job inside `serve`, here every 2 seconds.
    srv = spawn(retention_days="30", retention_interval_hours="0.0005")
    old_words, new_words = "Ro" + uuid.uuid4().hex[:8], "Nw" + uuid.uuid4().hex[:8]
    old_wa, old_conv = ask(srv, old_words)
    new_wa, new_conv = ask(srv, new_words)
    before = row_counts(srv)
    backdate(srv, old_conv, 40)
    assert wait_until(lambda: blank(srv, old_conv), 30), srv.log()[-3000:]
    fresh = srv.client().get(f"/api/v1/conversations/{new_conv}").json()
    assert fresh["contact"] == new_wa and new_words in fresh["messages"][0]["text"]
    assert row_counts(srv) == before  # anonymised, not deleted: the dashboard still adds up
    runs = srv.client().get("/api/v1/audit", params={"action": "privacy.retention"}).json()
    assert runs["items"] and runs["items"][0]["detail"]["conversations"] >= 1
    assert old_words not in srv.client().get("/api/v1/audit", params={"limit": 1000}).text

    # `lantunan retention` from the shell, with the server stopped.
    cli_words = "Cl" + uuid.uuid4().hex[:8]
    _, cli_conv = ask(srv, cli_words)
    srv.stop()
    backdate(srv, cli_conv, 31)
    out = subprocess.run([sys.executable, "-m", "lantunan.cli", "retention", "--json"],
                         env=srv.env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["retention_days"] == 30 and result["conversations"] == 1
    assert result["messages"] >= 1 and result["drafts"] == 1
    srv2 = spawn(retention_days="30")
    assert blank(srv2, cli_conv)
    kept = srv2.client().get(f"/api/v1/conversations/{new_conv}").json()
    assert new_words in kept["messages"][0]["text"]
    assert not files_holding(srv2.data_dir, [old_words, cli_words, old_wa])
    bad = subprocess.run([sys.executable, "-m", "lantunan.cli", "retention", "--days", "-1"],
                         env=srv.env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "negatif" in bad.stderr
