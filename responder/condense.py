"""Condensing a long quote without losing what it lists.

Statutes answer "siapa saja", "berupa apa" and "dalam hal apa" with one sentence holding a
lettered list: "Pengawasan eksternal … dilakukan melalui: a. pengawasan oleh masyarakat …;
b. pengawasan oleh ombudsman …; dan c. pengawasan oleh Dewan Perwakilan Rakyat …". Cutting such a
sentence at its length limit keeps item a. and loses the rest, which is usually what was asked.
Here every item keeps its head (its first words up to a clause end) instead, items about the
question keeping more. Words are only removed, never added or reordered, so the quote still
verifies against its passage (responder/verify.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from responder.crossref import trim_dangling
from responder.textcut import shorten

_LEAD = re.compile(r"^(?P<lead>[^:]{10,}?:)\s*(?P<body>[a-z]\.\s.+)$", re.S)
_LETTERED = re.compile(r";\s*(?:(?:dan/atau|dan|atau)\s+)?(?=[a-z]\.\s)|\.\s+(?=[b-z]\.\s)")
_MIN_ITEM = 28  # an item cut shorter than this says nothing


def lettered_items(text: str) -> tuple[str, list[str]] | None:
    """(lead ending with ":", ["a. …", "b. …", …]) when a sentence holds a lettered list."""
    m = _LEAD.match(" ".join(text.split()))
    if not m:
        return None
    items = [i.strip(" ;") for i in _LETTERED.split(m.group("body")) if i.strip(" ;")]
    if len(items) < 2:
        return None
    return m.group("lead").strip(), items


def item_limits(items: list[str], room: int, weigh: Callable[[str], float] | None) -> list[int]:
    """Characters each item may keep: an even share of `room`, items about the question twice."""
    shares = [2.0 if weigh and weigh(i) > 0 else 1.0 for i in items]
    per = room / (sum(shares) or 1.0)
    return [max(_MIN_ITEM, int(per * s)) for s in shares]


def condense(text: str, limit: int, weigh: Callable[[str], float] | None = None) -> str:
    """`text` within `limit` characters; a lettered list keeps every item's head."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    parsed = lettered_items(text)
    if parsed is None:
        return shorten(text, limit)
    lead, items = parsed
    room = limit - len(lead) - 3 * len(items) - 2
    if room < _MIN_ITEM * len(items):
        return shorten(text, limit)
    parts = [shorten(item, n) for item, n in zip(items, item_limits(items, room, weigh))]
    out = trim_dangling(f"{lead} " + "; ".join(p.rstrip(".") for p in parts))
    out = re.sub(r"…\.$", "…", out)
    return out if len(out) <= limit else shorten(text, limit)
