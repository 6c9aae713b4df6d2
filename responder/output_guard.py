"""The output guard: what a reply states in figures must come from its sources.

Before anything may go out alone, every number, amount, URL, phone number, e-mail address and
account number in the reply must appear in the passages it rests on (or in the office's own
contact settings), and a reply may not tell the applicant to transfer money unless a passage
says so. Word-overlap verification cannot see a changed figure ("5 hari" for "14 hari") or an
invented bank account; this check can. A reply that fails is queued for an officer with the
reason; nothing is rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_MARK = re.compile(r"\[\d{1,3}\]")
_LOCATOR_TAIL = re.compile(r"\s—\s[^—\n]*?(?:Pasal|§|FAQ|SOP|Panduan)[^—\n]*?\[\d{1,3}\]\s*$", re.M)
_URL = re.compile(r"(?:https?://|www\.)[^\s<>()\"']+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:go\.id|co\.id|"
                  r"or\.id|ac\.id|com|id|net|org|info|xyz|me|ly)(?:/[^\s<>()\"']*)?\b", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# A figure: digits with thousands separators or decimals ("Rp1.500.000", "2,5", "08134910549").
_NUMBER = re.compile(r"\d(?:[\d.,\- ]*\d)?")
_TRANSFER = re.compile(r"\b(transfer|mentransfer|kirim(?:kan)? (?:uang|dana)|setor(?:kan)?|"
                       r"bayar(?:kan)? ke|nomor rekening|no\.? ?rek(?:ening)?|rekening)\b", re.I)


@dataclass
class GuardResult:
    """What the guard found that its sources do not hold."""

    problems: list[str] = field(default_factory=list)  # kinds, e.g. "angka 500000"

    @property
    def ok(self) -> bool:
        """True when every figure, link and instruction to pay is backed by a source."""
        return not self.problems


# A figure and the word or sign that follows it ("14 hari", "2%", "Rp1.500.000").
_FIGURE_UNIT = re.compile(r"(\d(?:[\d.,]*\d)?(?:[ .\-]\d{2,})*)\s*(%|[a-z]+)?", re.I)
# Words a figure counts: "3 hari" must be "3 hari" in a source, not any "3".
_MEASURES = {"hari", "bulan", "tahun", "jam", "minggu", "menit", "detik", "persen", "%", "kali",
             "lantai", "meter", "m", "m2", "ha", "hektar", "juta", "ribu", "rb", "jt", "miliar",
             "orang", "ayat", "triwulan", "semester", "days", "months", "years", "hours"}
_SPELLED = re.compile(r"(\d)\s*\((?:[a-z]+ )*[a-z]+ ?\)", re.I)  # linear: no nested quantifier


def _plain(text: str) -> str:
    """Lower case, spelled-out numbers dropped ("14 (empat belas) hari" → "14 hari")."""
    return " ".join(_SPELLED.sub(r"\1", text.lower()).split())


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def _figures(text: str) -> list[str]:
    """Digit strings of the figures in a text, separators removed ("1.500.000" → "1500000")."""
    out = []
    for m in _NUMBER.finditer(text):
        raw = m.group(0).strip(" .,-")
        # "1.500.000" is one figure; "5 (lima) hari dan 14" are two: split on spaces between
        # groups that are not thousands groups.
        for part in re.split(r"\s+(?!\d{3}\b)", raw):
            d = _digits(part)
            if d:
                out.append(d)
    return out


def check_output(text: str, sources: Iterable[str], contacts: Iterable[str] = ()) -> GuardResult:
    """Figures, links, addresses and payment instructions of `text` not found in `sources`."""
    source_text = "\n".join(list(sources) + list(contacts))
    source_low = source_text.lower()
    source_digits = {_digits(f) for f in _figures(source_text)}
    source_all_digits = _digits(source_text)
    # The drafter's own locator tails ("— PP 6/2021 Pasal 18 ayat (2) [3]") are metadata built
    # from the cited chunk, not statements: they are not checked as figures.
    body = _MARK.sub(" ", _LOCATOR_TAIL.sub(" ", text))
    result = GuardResult()
    for url in _URL.findall(body):
        if url.lower().rstrip("/.,") not in source_low:
            result.problems.append(f"tautan {url}")
    for mail in _EMAIL.findall(body):
        if mail.lower() not in source_low:
            result.problems.append(f"email {mail}")
    stripped = _EMAIL.sub(" ", _URL.sub(" ", body))
    # List numbering ("1. …", "2) …") is layout, not a figure.
    stripped = re.sub(r"(?m)^\s*\d{1,2}[.)]\s", " ", stripped)
    plain_source = _plain(source_text)
    for m in _FIGURE_UNIT.finditer(_plain(stripped)):
        fig, unit = _digits(m.group(1)), m.group(2)
        if len(fig) >= 6:
            # Phone and account numbers must occur in the sources, whatever their separators.
            if fig not in source_all_digits:
                result.problems.append(f"angka {fig}")
        elif unit and unit.lower() in _MEASURES:
            # A small figure is checked with the word it counts ("3 hari", "2 %", "99 ayat"):
            # a bare "3" occurs somewhere in every statute.
            if not re.search(rf"(?<![\d.,]){re.escape(m.group(1))}\s*{re.escape(unit)}", plain_source):
                result.problems.append(f"angka {fig} {unit}")
        elif fig not in source_digits:
            result.problems.append(f"angka {fig}")
    for m in _TRANSFER.finditer(body):
        if m.group(0).lower() not in source_low:
            result.problems.append(f"perintah pembayaran '{m.group(0)}'")
    result.problems = list(dict.fromkeys(result.problems))
    return result
