"""Office hours of the licensing office: is it open now, and when does it open next.

The SOP treats the two periods differently: outside office hours a confident answer may be sent
automatically, inside them an officer approves it; a holding reply promises an answer "paling
lambat jam kerja berikutnya", which :func:`next_opening` computes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from lantunan.settings import Settings

# Look at most this far ahead for an opening (a year covers any holiday list).
_HORIZON_DAYS = 370


def _local(dt: datetime, settings: Settings) -> datetime:
    """`dt` in the office time zone; naive datetimes are taken as office local time."""
    tz = ZoneInfo(settings.timezone)
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        return dt.replace(tzinfo=tz)
    return dt.astimezone(tz)


def is_office_hours(dt: datetime, settings: Settings) -> bool:
    """True when the office is open at `dt` (open <= time < close on a working, non-holiday day)."""
    local = _local(dt, settings)
    if local.date() in set(settings.holidays):
        return False
    hours = settings.office_hours.get(local.weekday())
    if not hours:
        return False
    opens, closes = hours
    return opens <= local.time().replace(tzinfo=None) < closes


def next_opening(dt: datetime, settings: Settings) -> datetime:
    """The earliest moment at or after `dt` when the office is open, in the office time zone.

    Returns `dt` itself (converted) while the office is open. Raises ValueError when no opening
    exists within a year (no office hours configured).
    """
    local = _local(dt, settings)
    tz = local.tzinfo
    holidays = set(settings.holidays)
    day = local.date()
    for _ in range(_HORIZON_DAYS):
        hours = settings.office_hours.get(day.weekday())
        if hours and day not in holidays:
            opens = datetime.combine(day, hours[0], tzinfo=tz)
            closes = datetime.combine(day, hours[1], tzinfo=tz)
            if local < opens:
                return opens
            if local < closes:
                return local
        day += timedelta(days=1)
    raise ValueError(f"no office opening within {_HORIZON_DAYS} days; check LANTUNAN_OFFICE_HOURS")


def closing_time(dt: datetime, settings: Settings) -> datetime | None:
    """When the current opening period ends, or None when the office is closed at `dt`."""
    if not is_office_hours(dt, settings):
        return None
    local = _local(dt, settings)
    closes = settings.office_hours[local.weekday()][1]
    return datetime.combine(local.date(), closes, tzinfo=local.tzinfo)
