"""Office hours, next opening and the holding reply built from them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from lantunan.settings import Settings
from responder.office_hours import closing_time, is_office_hours, next_opening
from responder.replies import format_office_hours, holding_reply, reason

WITA = ZoneInfo("Asia/Makassar")


@pytest.fixture()
def settings() -> Settings:
    return Settings()


def at(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=WITA)


# 2026-06-04 is a Thursday, 2026-06-05 a Friday, 2026-06-06 a Saturday.
@pytest.mark.parametrize("moment, open_", [
    (at(2026, 6, 4, 7, 59), False),
    (at(2026, 6, 4, 8, 0), True),
    (at(2026, 6, 4, 15, 59), True),
    (at(2026, 6, 4, 16, 0), False),
    (at(2026, 6, 5, 10, 59), True),
    (at(2026, 6, 5, 11, 0), False),
    (at(2026, 6, 6, 10, 0), False),  # Saturday
    (at(2026, 6, 7, 10, 0), False),  # Sunday
    (at(2026, 8, 17, 10, 0), False),  # Independence Day, a Monday
    (at(2026, 12, 25, 9, 0), False),  # Christmas, a Friday
])
def test_is_office_hours(settings: Settings, moment: datetime, open_: bool) -> None:
    assert is_office_hours(moment, settings) is open_


def test_utc_is_converted_to_office_time(settings: Settings) -> None:
    # 01:30 UTC is 09:30 WITA on the same Tuesday; 08:30 UTC is 16:30 WITA (closed).
    assert is_office_hours(datetime(2026, 6, 2, 1, 30, tzinfo=timezone.utc), settings)
    assert not is_office_hours(datetime(2026, 6, 2, 8, 30, tzinfo=timezone.utc), settings)
    # 23:30 UTC Sunday is 07:30 WITA Monday: closed, opening half an hour later.
    sunday_night = datetime(2026, 5, 31, 23, 30, tzinfo=timezone.utc)
    assert not is_office_hours(sunday_night, settings)
    assert next_opening(sunday_night, settings) == at(2026, 6, 2, 8)  # 1 June is a holiday


def test_naive_datetimes_are_office_local_time(settings: Settings) -> None:
    assert is_office_hours(datetime(2026, 6, 4, 9, 0), settings)
    assert not is_office_hours(datetime(2026, 6, 4, 17, 0), settings)


def test_other_time_zone_setting() -> None:
    jakarta = Settings(timezone="Asia/Jakarta", holidays=[])
    # 08:30 WITA is 07:30 WIB: closed in a WIB office.
    assert not is_office_hours(at(2026, 6, 4, 8, 30), jakarta)
    assert next_opening(at(2026, 6, 4, 8, 30), jakarta).hour == 8


@pytest.mark.parametrize("moment, expected", [
    (at(2026, 6, 4, 7, 0), at(2026, 6, 4, 8)),  # before opening: same day
    (at(2026, 6, 4, 9, 15), at(2026, 6, 4, 9, 15)),  # open now: now
    (at(2026, 6, 4, 16, 0), at(2026, 6, 5, 8)),  # Thursday closing: Friday
    (at(2026, 6, 5, 11, 0), at(2026, 6, 8, 8)),  # Friday 11:00: Monday
    (at(2026, 6, 6, 12, 0), at(2026, 6, 8, 8)),  # Saturday: Monday
    (at(2026, 12, 23, 17, 0), at(2026, 12, 28, 8)),  # Christmas holidays skipped
    (at(2026, 3, 17, 20, 0), at(2026, 3, 25, 8)),  # Nyepi + Idul Fitri leave skipped
])
def test_next_opening(settings: Settings, moment: datetime, expected: datetime) -> None:
    got = next_opening(moment, settings)
    assert got == expected
    assert got.tzinfo is not None and got.utcoffset() == timedelta(hours=8)
    assert is_office_hours(got, settings)


def test_next_opening_fails_clearly_without_office_hours() -> None:
    with pytest.raises(ValueError, match="OFFICE_HOURS"):
        next_opening(at(2026, 6, 4, 9), Settings(office_hours={}))


def test_closing_time(settings: Settings) -> None:
    assert closing_time(at(2026, 6, 5, 9), settings) == at(2026, 6, 5, 11)
    assert closing_time(at(2026, 6, 6, 9), settings) is None


def test_office_hours_text_follows_settings() -> None:
    assert format_office_hours(Settings()) == (
        "Senin–Kamis pukul 08.00–16.00 WITA dan Jumat pukul 08.00–11.00 WITA")
    custom = Settings(office_hours={0: (time(7, 30), time(15)), 2: (time(7, 30), time(15))})
    assert format_office_hours(custom) == (
        "Senin pukul 07.30–15.00 WITA dan Rabu pukul 07.30–15.00 WITA")


def test_holding_reply_outside_hours_names_next_opening(settings: Settings) -> None:
    reply = holding_reply([reason("personal_data")], at(2026, 6, 5, 20, 0), settings)  # Friday evening
    assert "Pertanyaan Anda kami teruskan ke petugas DPMPTSPTK Kabupaten Balangan" in reply
    assert "paling lambat jam kerja berikutnya (Senin, 8 Juni 2026, pukul 08.00 WITA)" in reply
    assert "data pribadi" in reply


def test_holding_reply_during_hours(settings: Settings) -> None:
    reply = holding_reply([reason("complaint")], at(2026, 6, 5, 9, 30), settings)
    assert "pengaduan" in reply
    assert "sampai pukul 11.00 WITA" in reply
    assert "berikutnya" not in reply


def test_holding_reply_from_utc_time_and_holiday(settings: Settings) -> None:
    # 2026-08-16 20:00 UTC = Monday 17 August 04:00 WITA, a holiday: opens Tuesday.
    reply = holding_reply([], datetime(2026, 8, 16, 20, 0, tzinfo=timezone.utc), settings)
    assert "(Selasa, 18 Agustus 2026, pukul 08.00 WITA)" in reply


def test_holidays_come_from_settings() -> None:
    extra = Settings(holidays=[date(2026, 6, 4)])
    assert not is_office_hours(at(2026, 6, 4, 9), extra)
    assert next_opening(at(2026, 6, 4, 9), extra) == at(2026, 6, 5, 8)
