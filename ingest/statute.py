"""What a statute is: its identity (type, number, year, title) and its Pasal.

`looks_like_statute` recognises statute text; `identity`, `title_of` and `smart_title` read
the heading ("PERATURAN PEMERINTAH REPUBLIK INDONESIA NOMOR 28 TAHUN 2025 TENTANG ...");
`Pasal` and `Statute` are what the parser (`ingest.statute_parser`) produces and the chunker
(`ingest.statute_chunks`) consumes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.furniture import repair_number
from ingest.ocr_repair import RepairLog


# (regex alternative on the upper-case heading, short type used in citations, long name)
TYPES: list[tuple[str, str, str]] = [
    (r"PERATURAN\s+PEMERINTAH\s+PENGGANTI\s+UNDANG-\s?UNDANG", "Perppu",
     "Peraturan Pemerintah Pengganti Undang-Undang"),
    (r"UNDANG-\s?UNDANG", "UU", "Undang-Undang"),
    (r"PERATURAN\s+PEMERINTAH", "PP", "Peraturan Pemerintah"),
    (r"PERATURAN\s+PRESIDEN", "Perpres", "Peraturan Presiden"),
    (r"KEPUTUSAN\s+PRESIDEN", "Keppres", "Keputusan Presiden"),
    (r"PERATURAN\s+MENTERI", "Permen", "Peraturan Menteri"),
    (r"PERATURAN\s+KEPALA\s+BADAN", "Perka", "Peraturan Kepala Badan"),
    (r"PERATURAN\s+BADAN", "Perban", "Peraturan Badan"),
    (r"PERATURAN\s+LEMBAGA", "Perlem", "Peraturan Lembaga"),
    (r"PERATURAN\s+DAERAH", "Perda", "Peraturan Daerah"),
    (r"PERATURAN\s+GUBERNUR", "Pergub", "Peraturan Gubernur"),
    (r"PERATURAN\s+BUPATI", "Perbup", "Peraturan Bupati"),
    (r"PERATURAN\s+WALI\s?KOTA", "Perwal", "Peraturan Wali Kota"),
]
_TYPE_ALT = "|".join(f"(?P<t{i}>{pat})" for i, (pat, _s, _l) in enumerate(TYPES))
# "PERATURAN PEMERINTAH REPUBLIK INDONESIA NOMOR 28 TAHUN 2025": type, then up to ~150
# characters of issuer ("REPUBLIK INDONESIA", "DAERAH KABUPATEN BALANGAN"), NOMOR, TAHUN.
_HEADING_PATTERN = (
    rf"(?:{_TYPE_ALT})\b(?P<issuer>[^\n]{{0,150}}?)\s+NOMOR\s+(?P<number>[0-9A-Za-z./-]+)"
    r"\s+TAHUN\s+(?P<year>[0-9OolI]{4})\b"
)
_HEADING_RE = re.compile(_HEADING_PATTERN)
_HEADING_RE_ANYCASE = re.compile(_HEADING_PATTERN, re.IGNORECASE)
FILE_NAME_RE = re.compile(
    r"^(?P<type>uu|perppu|pp|perpres|keppres|permen|perka|perban|perlem|perda|pergub|perbup|perwal)"
    r"[-_ ]?(?P<number>\d+[a-z]?)[-_ ](?P<year>\d{4})",
    re.IGNORECASE,
)
_TITLE_RE = re.compile(
    r"\bTENTANG\s+(?P<title>.+?)(?=\s+(?:DENGAN\s+RAHMAT|Menimbang)\b|\s*$)"
)
_STRICT_PASAL_RE = re.compile(r"^[ \t]*Pasal[ \t]+\d{1,3}[A-Z]?[ \t]*$", re.MULTILINE)
_TENTANG_LINE_RE = re.compile(r"^\s*(?:.*\s)?TENTANG(?:\s.*)?$", re.MULTILINE)
_SMALL_WORDS = {
    "dan", "di", "ke", "dari", "atau", "yang", "untuk", "dalam", "pada", "serta", "tentang",
    "atas", "oleh", "bagi", "dengan", "sebagai", "terhadap", "antara",
}


@dataclass
class Pasal:
    """One article of a statute, with its ayat, structural position and Penjelasan."""

    number: int
    suffix: str = ""  # "A" for an inserted "Pasal 18A"
    text: str = ""  # clean body text, lines joined with single spaces
    ayat: list[tuple[str, str]] = field(default_factory=list)  # [("(1)", text), ...]
    intro: str = ""  # text before ayat (1), if any
    bab: str = ""  # "BAB III PELAKSANAAN PERIZINAN BERUSAHA DI DAERAH"
    bagian: str = ""  # "Bagian Kesatu Umum"
    paragraf: str = ""  # "Paragraf 2 Persetujuan Lingkungan"
    penjelasan: str | None = None  # text of "Pasal N" in the PENJELASAN part
    penjelasan_cukup_jelas: bool = False  # True when the Penjelasan only says "Cukup jelas."
    line: int = 0  # line of the heading in the input text (1-based)

    @property
    def label(self) -> str:
        """How the Pasal is cited: "Pasal 18A"."""
        return f"Pasal {self.number}{self.suffix}"

    @property
    def path(self) -> str:
        """Structural path: "BAB II ... > Bagian Kesatu ... > Paragraf 1 ..."."""
        return " > ".join(p for p in (self.bab, self.bagian, self.paragraf) if p)


@dataclass
class Statute:
    """A parsed statute: identity, title, body Pasal in order and the Penjelasan Umum."""

    type: str | None
    number: str | None
    year: int | None
    title: str
    pasal: list[Pasal] = field(default_factory=list)
    penjelasan_umum: str = ""
    type_name: str = ""  # long form: "Peraturan Pemerintah"
    warnings: list[str] = field(default_factory=list)
    ocr_log: RepairLog = field(default_factory=RepairLog)  # body-text OCR repairs (ingest.ocr_repair)

    @property
    def short_name(self) -> str:
        """Citation name: "PP 28/2025"; empty when type, number or year is unknown."""
        if self.type and self.number and self.year:
            return f"{self.type} {self.number}/{self.year}"
        return ""



def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _heading_match(text: str, anycase: bool = False) -> re.Match[str] | None:
    return (_HEADING_RE_ANYCASE if anycase else _HEADING_RE).search(text)


def _type_of(match: re.Match[str]) -> tuple[str, str]:
    for i, (_pat, short, long) in enumerate(TYPES):
        if match.group(f"t{i}"):
            return short, long
    raise AssertionError("heading match without a type group")  # pragma: no cover


def looks_like_statute(text: str) -> bool:
    """True when text is an Indonesian statute: a statute heading or TENTANG, plus Pasal headings."""
    pasal_headings = len(_STRICT_PASAL_RE.findall(text))
    if pasal_headings < 2:
        return False
    head = collapse(text[:4000])
    if _heading_match(head) or _heading_match(collapse("\n".join(text.splitlines()[:8])), True):
        return True
    # PP 6/2021-style copies lose the heading line but keep "TENTANG" and the Pasal structure.
    return pasal_headings >= 3 and bool(_TENTANG_LINE_RE.search(text[:4000]))


def identity(head_text: str) -> tuple[str | None, str | None, int | None, str]:
    """(type, number, year, long type name) from heading text; Nones when not found."""
    m = _heading_match(head_text)
    if not m:
        return None, None, None, ""
    short, long = _type_of(m)
    number = m.group("number").strip(".")
    number = str(repair_number(number)) if repair_number(number) is not None else number
    return short, number, repair_number(m.group("year")), long


def title_of(head_text: str) -> str:
    m = _TITLE_RE.search(head_text)
    return m.group("title").strip(" .") if m else ""


def smart_title(upper: str) -> str:
    """Title-case an upper-case statute title, keeping small words lower ("di Daerah")."""
    if not upper or not upper.isupper():
        return upper
    words = upper.lower().split()
    out = []
    for i, w in enumerate(words):
        if i > 0 and w in _SMALL_WORDS:
            out.append(w)
        else:
            out.append("-".join(part[:1].upper() + part[1:] for part in w.split("-")))
    return " ".join(out)

