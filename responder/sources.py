"""The reply's citations as an applicant reads them: markers numbered 1..n and a "Sumber" list.

The drafters cite passages by their search rank ("[3]") and spell the locator after each
point ("— PP 6/2021 Pasal 18 ayat (2) [3]"). Once the draft is verified, the markers are
renumbered in order of first appearance, one number per distinct source, and the locators
move into a list at the end, so "[2]" in the text always means line 2 of "Sumber".
"""

from __future__ import annotations

import re

from knowledge.models import Hit

# A point's tail: " — <locator> [n]" at the end of a line (the drafters' own format).
_TAIL = re.compile(r"\s+—\s+(?P<loc>[^—\n\[]+?)\s*\[(?P<n>\d{1,2})\]\s*$")
_MARK = re.compile(r"\[(\d{1,2})\]")


def number_sources(text: str, hits: list[Hit]) -> str:
    """Renumber citation markers 1..n by first appearance and append the matching list."""
    sources: list[str] = []

    def number_of(locator: str) -> int:
        if locator not in sources:
            sources.append(locator)
        return sources.index(locator) + 1

    def hit_locator(n: int) -> str | None:
        return hits[n - 1].chunk.locator if 1 <= n <= len(hits) else None

    lines = []
    for line in text.split("\n"):
        tail = _TAIL.search(line)
        if tail:
            k = number_of(tail.group("loc").strip())
            line = line[: tail.start()].rstrip() + f" [{k}]"
        else:
            def renumber(m: re.Match[str]) -> str:
                loc = hit_locator(int(m.group(1)))
                return f"[{number_of(loc)}]" if loc else m.group(0)
            line = _MARK.sub(renumber, line)
        lines.append(line)
    if not sources:
        return text
    listing = "\n".join(f"[{i}] {loc}" for i, loc in enumerate(sources, start=1))
    return "\n".join(lines).rstrip() + "\n\nSumber:\n" + listing
