"""Holidays of any year from the `holidays` package (Indonesia, with cuti bersama) plus the
office's own closures from settings: office-hours arithmetic for 2027, and a real server whose
office-specific holiday (LANTUNAN_EXTRA_HOLIDAYS) turns an always-open office into off hours."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from api_support import database, server_env, start_server, text_payload, unique_wa_id, wait_until
from lantunan.settings import Settings
from responder.office_hours import is_holiday, is_office_hours, next_opening

WITA = ZoneInfo("Asia/Makassar")
ALWAYS_OPEN = json.dumps({str(d): ["00:00:00", "23:59:59"] for d in range(7)})


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=WITA)


def test_2027_national_holidays_and_cuti_bersama():
    s = Settings(_env_file=None)
    # Good Friday 2027 is Friday 26 March: 09:00 would be open on an ordinary Friday.
    assert not is_office_hours(at(2027, 3, 26), s)
    assert is_office_hours(at(2027, 3, 24), s)  # the Wednesday before: an ordinary day
    # Independence Day 2027 (Tuesday) and Christmas Eve collective leave (cuti bersama, Friday).
    assert not is_office_hours(at(2027, 8, 17), s)
    assert not is_office_hours(at(2027, 12, 24), s)
    assert is_holiday(date(2027, 12, 24), s)
    # Thursday 25 March 2027 is collective leave before Good Friday: closed from Wednesday
    # 16:00 until Monday 29 March 08:00.
    assert next_opening(at(2027, 3, 24, 17), s) == at(2027, 3, 29, 8)
    # Any year, not only 2026/2027.
    assert is_holiday(date(2031, 8, 17), s) and is_holiday(date(2031, 1, 1), s)
    assert not is_holiday(date(2031, 8, 18), s)


def test_extra_and_replacing_lists():
    anniversary = date(2027, 3, 3)  # a Wednesday, an office-specific closure
    plain = Settings(_env_file=None)
    extra = Settings(_env_file=None, extra_holidays=[anniversary])
    assert is_office_hours(at(2027, 3, 3), plain)
    assert not is_office_hours(at(2027, 3, 3), extra)
    assert not is_office_hours(at(2027, 8, 17), extra)  # national days still apply
    # An explicit list replaces the package's dates ([] = none); extra days still add.
    own = Settings(_env_file=None, holidays=[], extra_holidays=[anniversary])
    assert is_office_hours(at(2027, 8, 17), own)
    assert not is_office_hours(at(2027, 3, 3), own)
    # Only public holidays, no cuti bersama: Christmas Eve 2027 is a working Friday.
    public_only = Settings(_env_file=None, holiday_categories=["public"])
    assert is_office_hours(at(2027, 12, 24), public_only)


def test_server_reads_extra_holidays(backend, fake_graph, kb_template, tmp_path):
    """An office open around the clock, closed today for a local holiday: a confident answer
    is sent at once (off hours) instead of waiting for an officer."""
    today = datetime.now(WITA).date()
    extra = json.dumps([(today + timedelta(days=d)).isoformat() for d in (-1, 0, 1)])
    shutil.copytree(kb_template, tmp_path / "data")
    with database(backend) as url:
        srv = start_server(tmp_path, server_env(tmp_path / "data", fake_graph.base_url, url,
                                                office_hours=ALWAYS_OPEN, holidays="[]",
                                                extra_holidays=extra))
        try:
            wa_id = unique_wa_id()
            r = srv.post_webhook(text_payload(wa_id, "Berapa biaya membuat NIB?",
                                              at=datetime.now(timezone.utc)))
            assert r.status_code == 200
            sent = wait_until(lambda: fake_graph.delivered(wa_id), 60)
            assert sent and "pesan teks" not in sent[0].text
            convs = srv.client().get("/api/v1/conversations", params={"contact": wa_id}).json()
            conv = srv.client().get(
                f"/api/v1/conversations/{convs['items'][0]['conversation_id']}").json()
            codes = [r["code"] for d in conv["drafts"] for r in d["reasons"]]
            assert "office_hours" not in codes
        finally:
            srv.stop()
