"""Citation verification: every [n] exists and every claim is supported by what it cites.

A sentence is supported when enough of its content words (stemmed, stop words out) occur
in a cited passage, or when it is a verbatim quote of it. Cheap, deterministic, explainable
to an officer; the threshold is a setting (support_threshold).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.textproc import analyse
from responder.sentences import split_sentences

_MARK = re.compile(r"\[(\d{1,3})\]")
# The spelled-out locator the extractive drafter appends: "— PP 6/2021 Pasal 12 ayat (1)".
_LOCATOR_TAIL = re.compile(r"\s+—\s+[^—]*$")
# A list item line: "1. …", "a. …", "2) …".
_LIST_ITEM = re.compile(r"^(?:\d{1,2}|[a-z])[.)]\s")
# Lines that carry no claim: greetings, closings, source lists.
_NO_CLAIM = re.compile(
    r"^(terima kasih|mohon maaf|salam|semoga|silakan (?:hubungi|tanya))\b", re.IGNORECASE)
_SOURCE_LIST = re.compile(r"^(sumber|dasar hukum|rujukan)\s*:", re.IGNORECASE)


@dataclass
class SentenceCheck:
    """How one sentence of a reply fared."""

    sentence: str
    cited: list[int]
    support: float
    supported: bool


@dataclass
class Verification:
    """The verdict on a whole reply."""

    ok: bool
    checks: list[SentenceCheck] = field(default_factory=list)
    unknown_citations: list[int] = field(default_factory=list)
    uncited_claims: int = 0

    @property
    def support_rate(self) -> float:
        """Share of claim sentences that are supported."""
        claims = [c for c in self.checks]
        return sum(c.supported for c in claims) / len(claims) if claims else 0.0


def support(sentence: str, passage: str) -> float:
    """Share of the sentence's content words found in the passage (1.0 for a verbatim quote)."""
    norm = lambda s: " ".join(s.lower().split())  # noqa: E731
    if norm(_MARK.sub("", sentence)).strip(" .;") in norm(passage):
        return 1.0
    words = analyse(_MARK.sub("", sentence))
    if not words:
        return 1.0
    vocab = set(analyse(passage))
    return sum(w in vocab for w in words) / len(words)


def verify(text: str, passages: list[str], threshold: float = 0.5) -> Verification:
    """Check a reply whose claims cite passages as [1]..[n] (1-based, in `passages` order)."""
    unknown = sorted({int(m) for m in _MARK.findall(text) if not 1 <= int(m) <= len(passages)})
    checks: list[SentenceCheck] = []
    uncited = 0
    lead_marks: list[int] = []  # marks of a cited lead line ending with ":" (its list follows)
    for line in text.splitlines():
        line = line.strip()
        if not line:
            lead_marks = []
            continue
        if _SOURCE_LIST.match(line):
            continue  # "Sumber: PP 6/2021 Pasal 12": a list of sources, not a claim
        if _NO_CLAIM.match(line) and len(line) <= 80 and not re.search(r"\d|https?:|www\.|@", line):
            continue  # a short courtesy line; one carrying figures or links is a claim
        # A numbered point or paragraph cites for all its sentences: "1. A. B. [2]".
        line_marks = [int(m) for m in _MARK.findall(line)]
        if _LIST_ITEM.match(line):
            # Items of a list under "… terdiri atas: [2]" are quoted from what the lead cites.
            line_marks = line_marks or lead_marks
        else:
            lead = _LOCATOR_TAIL.sub("", _MARK.sub("", line)).strip().strip("*_ ")
            lead_marks = line_marks if line_marks and lead.endswith(":") else []
        for sent in split_sentences(line):
            cited = [int(m) for m in _MARK.findall(sent)] or line_marks
            bare = _LOCATOR_TAIL.sub("", _MARK.sub("", sent)).strip(" .:-*—")
            if len(analyse(bare)) < 3:
                continue  # headers like "Jawaban:" or "1." carry no claim
            valid = [n for n in cited if 1 <= n <= len(passages)]
            if not valid:
                uncited += 1
                checks.append(SentenceCheck(sent, cited, 0.0, False))
                continue
            best = max(support(bare, passages[n - 1]) for n in valid)
            checks.append(SentenceCheck(sent, cited, best, best >= threshold))
    ok = not unknown and bool(checks) and all(c.supported for c in checks)
    return Verification(ok=ok, checks=checks, unknown_citations=unknown, uncited_claims=uncited)
