"""Office hours of the licensing office: is it open now, and when does it open next.

The SOP treats the two periods differently: outside office hours a confident answer may be sent
automatically, inside them an officer approves it; a holding reply promises an answer "paling
lambat jam kerja berikutnya", which :func:`next_opening` computes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from lantunan.settings import Settings

# Look at most this far ahead for an opening (a year covers any holiday list).
_HORIZON_DAYS = 370


@lru_cache(maxsize=128)
def _package_holidays(country: str, subdiv: str | None, categories: tuple[str, ...],
                      year: int) -> frozenset[date]:
    """National holidays of one year from the `holidays` package (computed once per year)."""
    import holidays  # imported lazily: only office-hours checks need it

    calendar = holidays.country_holidays(country, subdiv=subdiv, years=year,
                                         categories=categories)
    return frozenset(calendar.keys())


def is_holiday(day: date, settings: Settings) -> bool:
    """True when the office is closed all day: a national holiday or collective leave day of
    any year (or the configured list that replaces them), or an office-specific closure."""
    if day in settings.extra_holidays:
        return True
    if settings.holidays is not None:
        return day in settings.holidays
    return day in _package_holidays(settings.holiday_country, settings.holiday_subdiv,
                                    tuple(settings.holiday_categories), day.year)


def _local(dt: datetime, settings: Settings) -> datetime:
    """`dt` in the office time zone; naive datetimes are taken as office local time."""
    tz = ZoneInfo(settings.timezone)
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        return dt.replace(tzinfo=tz)
    return dt.astimezone(tz)


def is_office_hours(dt: datetime, settings: Settings) -> bool:
    """True when the office is open at `dt` (open <= time < close on a working, non-holiday day)."""
    local = _local(dt, settings)
    if is_holiday(local.date(), settings):
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
    day = local.date()
    for _ in range(_HORIZON_DAYS):
        hours = settings.office_hours.get(day.weekday())
        if hours and not is_holiday(day, settings):
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
