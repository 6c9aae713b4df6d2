"""Bounds for every id and number a URL may carry, so out-of-range input is a 422, never a
database error: ids are INTEGER columns (PostgreSQL: 32-bit), so anything past 2^31-1 cannot
name a row and is refused by validation before a query is built."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER; SQLite would take 2^63-1 but never issues more
MAX_MINUTES = 10 * 366 * 24 * 60  # ten years: any age filter past that means "everything"

DbId = Annotated[int, Path(ge=1, le=MAX_ID, description="Row id (1 … 2^31-1).")]
OptDbId = Annotated[int | None, Query(ge=1, le=MAX_ID, description="Row id (1 … 2^31-1).")]


def lenient_id(text: str | None) -> int | None:
    """A console form field read as an id: None unless plain ASCII digits within range."""
    value = (text or "").strip()
    if not value or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def lenient_int(text: str | None, default: int, low: int, high: int) -> int:
    """A console form number clamped to [low, high]; ``default`` when not ASCII digits."""
    value = (text or "").strip()
    if not value or not value.isascii() or not value.isdigit() or len(value) > 9:
        return default
    return min(high, max(low, int(value)))
