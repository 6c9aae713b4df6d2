"""The console's own logic without a browser: signed session cookies and CSRF tokens,
display helpers, and the dashboard's numbers over a real SQLite store."""

from __future__ import annotations

import os
import stat
import time
from datetime import datetime, timedelta, timezone

import pytest
from itsdangerous.encoding import base64_decode, base64_encode

from api.db import ApiKey, Conversation, DraftRow, Message
from api.runtime import Runtime
from api.web import format as fmt
from api.services import stats
from api.web import session
from lantunan.settings import Settings

ALL_DAY = {d: ("00:00:00", "23:59:59") for d in range(7)}


@pytest.fixture
def rt(tmp_path):
    """A runtime on a fresh SQLite file (no KB: these tests never need one)."""
    runtime = Runtime(Settings(data_dir=tmp_path, _env_file=None, holidays=[],
                               office_hours={0: ("08:00:00", "16:00:00")}))
    runtime.db.migrate()
    yield runtime
    runtime.stop()


def test_cookie_roundtrip_tamper_and_expiry(rt):
    value = session.make_cookie(rt, 7)
    payload = session.read_cookie(rt, value)
    assert payload and payload["k"] == 7
    body, _, mac = value.partition(".")
    forged = base64_encode(base64_decode(body).replace(b'"k":7', b'"k":1')).decode()
    assert session.read_cookie(rt, f"{forged}.{mac}") is None
    assert session.read_cookie(rt, value[:-2] + "xx") is None
    assert session.read_cookie(rt, "garbage") is None
    later = time.time() + rt.settings.web_session_hours * 3600 + 5
    assert session.read_cookie(rt, value, now=later) is None


def test_secret_file_is_private_and_shared(rt, tmp_path):
    session.secret(rt)
    path = tmp_path / session.SECRET_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    other = Runtime(Settings(data_dir=tmp_path, _env_file=None))  # a second worker
    try:
        assert session.secret(other) == session.secret(rt)
        assert session.read_cookie(other, session.make_cookie(rt, 3))["k"] == 3
    finally:
        other.stop()


def test_csrf_and_login_tokens(rt):
    payload = session.read_cookie(rt, session.make_cookie(rt, 5))
    other = session.read_cookie(rt, session.make_cookie(rt, 5))
    token = session.csrf_token(rt, payload)
    assert token != session.csrf_token(rt, other)  # per session, not per key
    user = session.WebUser(principal=None, csrf=token)  # type: ignore[arg-type]
    session.check_csrf(user, token)
    # One character changed (a token ending in "A" must not be "tampered" into itself).
    tampered = token[:-1] + ("B" if token.endswith("A") else "A")
    for bad in ("", None, tampered):
        with pytest.raises(session.CsrfError):
            session.check_csrf(user, bad)
    login = session.login_form_token(rt)
    assert session.check_login_form_token(rt, login)
    assert not session.check_login_form_token(rt, login, now=time.time() + 7200)
    assert not session.check_login_form_token(rt, "123.abc")


def test_user_from_cookie_follows_the_key_row(rt):
    with rt.db.transaction() as s:
        row = ApiKey(name="Budi", role="officer", key_hash="h" * 64, key_hint="abcd")
        chan = ApiKey(name="kanal", role="channel", key_hash="c" * 64, key_hint="abcd")
        s.add_all([row, chan])
        s.flush()
        row_id, chan_id = row.id, chan.id
    cookie = session.make_cookie(rt, row_id)
    user = session.user_from_cookie(rt, cookie)
    assert user and user.name == "Budi" and user.can("send") and not user.can("kb:write")
    assert session.user_from_cookie(rt, session.make_cookie(rt, chan_id)) is None
    with rt.db.transaction() as s:
        s.get(ApiKey, row_id).revoked_at = datetime.now(timezone.utc)
    assert session.user_from_cookie(rt, cookie) is None


def test_display_helpers():
    assert fmt.mask_contact("6281345674567") == "+62 813-****-4567"
    assert fmt.mask_contact("+6281345674567") == "+62 813-****-4567"
    assert fmt.mask_contact("pemohon-42", "web") == "pe****-42"
    assert fmt.first_line("\n  Halo kak  \nbaris dua") == "Halo kak"
    assert fmt.first_line("x" * 200, 10) == "x" * 9 + "…"
    assert fmt.duration(42) == "42 dtk" and fmt.duration(3 * 3600 + 300) == "3 j 5 mnt"
    assert fmt.duration(26 * 3600) == "1 hr 2 j"
    assert fmt.window_text({"applies": True, "open": True, "remaining_seconds": 3700}) == \
        "sisa 1 j 1 mnt"
    assert fmt.window_text({"applies": True, "open": False}) == "tertutup"
    assert fmt.window_text({"applies": False, "open": True}) == "–"
    assert fmt.window_level({"applies": True, "open": True, "remaining_seconds": 600}) == "warn"
    assert fmt.reason_label("complaint") == "Pengaduan"
    assert fmt.reason_label("kode_baru") == "Kode baru"
    assert fmt.actor_name("officer:Budi Petugas#3") == "Budi Petugas (Petugas)"
    assert fmt.actor_name("system") == "Sistem"
    assert fmt.percent(0.734) == "73%"


def test_audit_entries_read_in_indonesian():
    assert fmt.audit_action("officer.approve") == "Draf disetujui dan dikirim"
    assert fmt.audit_action("decision.handoff") == "Keputusan draf: Diserahkan ke petugas"
    assert fmt.audit_action("call.connect") == "Panggilan WhatsApp: connect"
    assert fmt.audit_action("baru.sekali") == "baru.sekali"  # unknown: the code, never blank
    assert fmt.actor_name("cli:root@server") == "root@server (baris perintah server)"
    assert fmt.actor_name("whatsapp") == "WhatsApp"
    rows = dict(fmt.audit_detail({
        "confidence": 0.12, "reasons": ["low_confidence", "office_hours"], "drafter": "extractive",
        "redraft": False, "to": "6281345674567", "note": None, "role": "officer", "via": "cli",
        "question": "NIK saya 6371012345670001 kak", "extra_field": "x" * 300}))
    assert rows["keyakinan"] == "12%" and rows["alasan"] == "Keyakinan rendah, Jam kerja"
    assert rows["penyusun"] == "kutipan otomatis (tanpa LLM)" and rows["draf ulang"] == "tidak"
    assert rows["peran"] == "Petugas" and rows["lewat"] == "baris perintah server"
    assert "catatan" not in rows  # empty values are left out
    assert "6371012345670001" not in rows["pertanyaan"] and "81345674567" not in rows["kepada"]
    assert rows["extra field"].endswith("…") and len(rows["extra field"]) == 158
    assert fmt.audit_target("draft", "12") == "draf 12" and fmt.audit_target(None, None) == ""
    # One date format across the console (the audit page used to add seconds).
    assert fmt.local_time("2026-12-02T07:03:39+00:00", "Asia/Makassar") == "02-12-2026 15:03"


def _message(s, conv, direction, at, **kw):
    m = Message(conversation_id=conv.id, direction=direction, created_at=at,
                received_at=at if direction == "in" else None, text="x", **kw)
    s.add(m)
    s.flush()
    return m


def test_dashboard_numbers(rt):
    # Office open Mondays 08-16 WITA. A Monday 09:00 WITA question answered 10 minutes later,
    # a Monday 20:00 WITA one auto-answered after 30 s (its holding reply does not count),
    # and one still waiting.
    monday = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)  # 09:00 WITA
    now = monday + timedelta(days=1)
    with rt.db.transaction() as s:
        conv = Conversation(channel="whatsapp", contact="6281100000001", created_at=monday)
        s.add(conv)
        s.flush()
        q1 = _message(s, conv, "in", monday)
        _message(s, conv, "out", monday + timedelta(minutes=10), send_key="draft:1",
                 status="sent")
        q2 = _message(s, conv, "in", monday + timedelta(hours=11))
        _message(s, conv, "out", monday + timedelta(hours=11, seconds=5), send_key="holding:2",
                 status="sent")
        _message(s, conv, "out", monday + timedelta(hours=11, seconds=30), send_key="reply:x",
                 status="sent")
        q3 = _message(s, conv, "in", monday + timedelta(hours=12))
        _message(s, conv, "out", monday + timedelta(hours=12, seconds=5), send_key="draft:3",
                 status="failed")
        for msg, action, status, codes in (
                (q1, "queue_for_officer", "edited", ",office_hours,"),
                (q2, "handoff", "replied", ",complaint,personal_data,"),
                (q3, "handoff", "open", ",complaint,")):
            s.add(DraftRow(conversation_id=conv.id, message_id=msg.id, action=action,
                           kind="answer", status=status, reason_codes=codes,
                           created_at=msg.created_at))
    d = stats.dashboard(rt, days=3, now=now)
    assert [(x.day.isoformat(), x.inbound, x.outbound) for x in d.days] == [
        ("2026-11-22", 0, 0), ("2026-11-23", 3, 3), ("2026-11-24", 0, 0)]
    assert d.median_in_hours == 600 and d.answered_in_hours == 1
    assert d.median_off_hours == 30 and d.answered_off_hours == 1
    assert d.unanswered == 1  # the failed send does not count as an answer
    assert dict(d.outcomes)["edited"] == 1 and dict(d.outcomes)["open"] == 1
    assert dict(d.actions) == {"auto_send": 0, "queue_for_officer": 1, "handoff": 2}
    assert d.handoff_reasons == [("complaint", 2), ("personal_data", 1)]
