"""The shape of an offline reply on WhatsApp: the answer first, then short cited support.

```
*<direct answer, the passage's own words>* — <locator> [n]
1. <step or list item>            (only when the answer is a list or steps)

Ketentuan terkait:
1. <short quote> — <locator> [k]
2. <short quote> — <locator> [m]

Langkah selanjutnya: <what the SOP tells the applicant to do> [j]
```
WhatsApp bolds `*text*` on one line. Every claim line carries a [n] marker (1-based hit index)
that responder/verify.py checks; list items below a cited lead line ending with ":" share its
marker. Replies stay near `TYPICAL_CHARS` and never exceed `MAX_CHARS`: support is dropped
before the answer is cut, and quotes are cut at sentence or clause ends, never mid-word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from responder.condense import condense
from responder.crossref import trim_dangling
from responder.textcut import shorten

TYPICAL_CHARS = 700
MAX_CHARS = 1200
SUPPORT_CHARS = 300  # one supporting quote
SUPPORT_MIN = 70  # a quote shorter than this after cutting says too little to keep
MAX_SUPPORT = 4
SUPPORT_HEADER = "Ketentuan terkait:"
NEXT_STEP_LABEL = "Langkah selanjutnya:"
_ITEM_MARK = re.compile(r"^(?:\d{1,2}|[a-z])[.)]\s")


@dataclass
class Quote:
    """One quoted sentence with where it stands and which hit it cites (1-based)."""

    text: str
    locator: str
    n: int


@dataclass
class ReplyParts:
    """What a reply is made of, in order of importance."""

    direct: Quote
    items: list[str] = field(default_factory=list)
    support: list[Quote] = field(default_factory=list)
    next_step: Quote | None = None


def bold(text: str) -> str:
    """WhatsApp bold for one line (asterisks inside would end it early)."""
    inner = " ".join(text.replace("*", "").split())
    return f"*{inner}*" if inner else ""


def _cite(q: Quote) -> str:
    loc = f" — {q.locator}" if q.locator else ""
    return f"{loc} [{q.n}]"


def _direct_block(parts: ReplyParts, limit: int) -> list[str]:
    lines = [bold(parts.direct.text) + _cite(parts.direct)]
    items = [i if _ITEM_MARK.match(i) else f"{k}. {i}" for k, i in enumerate(parts.items, start=1)]
    for item in items:
        if sum(len(x) + 1 for x in lines) + len(item) > limit:
            break
        lines.append(trim_dangling(item))
    return lines


def format_reply(parts: ReplyParts, typical: int = TYPICAL_CHARS, hard: int = MAX_CHARS) -> str:
    """The reply text: bold direct answer, its items, cited support, the applicant's next step."""
    block = _direct_block(parts, hard - 40)
    used = sum(len(x) + 1 for x in block)
    next_line = ""
    if parts.next_step is not None:
        step = shorten(parts.next_step.text, SUPPORT_CHARS)
        candidate = f"{NEXT_STEP_LABEL} {step}{_cite(parts.next_step)}"
        if used + len(candidate) + 2 <= hard:
            next_line = candidate
    budget = max(typical, used + 160) if not parts.items else typical
    budget = min(budget, hard) - (len(next_line) + 2 if next_line else 0)
    support_lines: list[str] = []
    header = len(SUPPORT_HEADER) + 2
    for q in parts.support[:MAX_SUPPORT]:
        room = budget - used - header - sum(len(s) + 1 for s in support_lines) - len(_cite(q)) - 4
        if room < SUPPORT_MIN:
            break
        text = condense(q.text, min(SUPPORT_CHARS, room))
        if len(text) < len(" ".join(q.text.split())) and (len(text) < SUPPORT_MIN or text.endswith("…")
                                                          and ";" not in text):
            continue  # a support cut inside a clause says too little to keep
        support_lines.append(f"{len(support_lines) + 1}. {text}{_cite(q)}")
    out = list(block)
    if support_lines:
        out += ["", SUPPORT_HEADER, *support_lines]
    if next_line:
        out += ["", next_line]
    text = "\n".join(out).strip()
    return text if len(text) <= hard else _hard_cut(text, hard)


def _hard_cut(text: str, hard: int) -> str:
    """Whole lines up to the hard cap (the first line is always kept, cut at a word if it must be)."""
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in out) + len(line) > hard:
            break
        out.append(line)
    if not out:
        out = [shorten(lines[0], hard)]
    while out and not out[-1].strip() or out and out[-1] == SUPPORT_HEADER:
        out.pop()
    return "\n".join(out)
