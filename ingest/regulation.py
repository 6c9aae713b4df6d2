"""Indonesian statute parser: heading, BAB/Bagian/Paragraf/Pasal/ayat structure, Penjelasan.

`parse_statute` turns statute text (OCR or born-digital) into a `Statute`; `parse_regulation`
turns a loaded file into a `Document` plus citable `Chunk`s: one per Pasal (long Pasal split
by ayat), one per substantive Penjelasan Pasal (linked both ways to its Pasal) and the
Penjelasan Umum.

Pasal headings are found by sequence, not by pattern alone: a line is a heading only when
it holds nothing but "Pasal N" and N (after OCR repair, see `ingest.furniture`) is the number
that follows the previous heading (N+1, or N with the next insertion letter, "18A"). This is
what keeps wrapped body references ("... dimaksud dalam\\nPasal 70.") out of the structure and
lets "Pasal 1 1" stand for Pasal 11 only where Pasal 11 is due. If a heading was destroyed
beyond repair the parser resynchronises on the next clean heading and records a warning.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from ingest.furniture import (
    HeadingReading,
    Line,
    ayat_label_readings,
    pasal_heading_readings,
    repair_ayat_start,
    repair_number,
    strip_furniture,
)
from ingest.models import IngestError, LoadedText, ParsedDocument
from ingest.ocr_repair import RepairLog, repair_statute
from knowledge.models import Chunk, DocKind, DocStatus, Document, content_hash, make_chunk_id
from knowledge.units import pack

log = logging.getLogger(__name__)

CHUNK_LIMIT = 1500  # target size of one chunk, in characters
AYAT_SPLIT_LIMIT = 3000  # a single ayat (or an ayat-less Pasal) is only cut above this size
_RESYNC_WINDOW = 3  # how many missing Pasal headings the parser will step over

# (regex alternative on the upper-case heading, short type used in citations, long name)
_TYPES: list[tuple[str, str, str]] = [
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
_TYPE_ALT = "|".join(f"(?P<t{i}>{pat})" for i, (pat, _s, _l) in enumerate(_TYPES))
# "PERATURAN PEMERINTAH REPUBLIK INDONESIA NOMOR 28 TAHUN 2025": type, then up to ~150
# characters of issuer ("REPUBLIK INDONESIA", "DAERAH KABUPATEN BALANGAN"), NOMOR, TAHUN.
_HEADING_PATTERN = (
    rf"(?:{_TYPE_ALT})\b(?P<issuer>[^\n]{{0,150}}?)\s+NOMOR\s+(?P<number>[0-9A-Za-z./-]+)"
    r"\s+TAHUN\s+(?P<year>[0-9OolI]{4})\b"
)
_HEADING_RE = re.compile(_HEADING_PATTERN)
_HEADING_RE_ANYCASE = re.compile(_HEADING_PATTERN, re.IGNORECASE)
_FILE_NAME_RE = re.compile(
    r"^(?P<type>uu|perppu|pp|perpres|keppres|permen|perka|perban|perlem|perda|pergub|perbup|perwal)"
    r"[-_ ]?(?P<number>\d+[a-z]?)[-_ ](?P<year>\d{4})",
    re.IGNORECASE,
)
_TITLE_RE = re.compile(
    r"\bTENTANG\s+(?P<title>.+?)(?=\s+(?:DENGAN\s+RAHMAT|Menimbang)\b|\s*$)"
)
_STRICT_PASAL_RE = re.compile(r"^[ \t]*Pasal[ \t]+\d{1,3}[A-Z]?[ \t]*$", re.MULTILINE)
_TENTANG_LINE_RE = re.compile(r"^\s*(?:.*\s)?TENTANG(?:\s.*)?$", re.MULTILINE)

# Inline markers that born-digital copies run together on one line (UU 25/2009): split there.
_INLINE_SPLIT_RE = re.compile(
    r"\s(?=Agar setiap orang mengetahuinya\b)"
    r"|\s(?=PENJELASAN\s+ATAS\b)"
    r"|\s(?=I\.\s*UMUM\b)|(?<=\bI\.\sUMUM)\s|(?<=\bI\.UMUM)\s"
    r"|\s(?=II\.\s*PASAL DEMI PASAL\b)|(?<=PASAL DEMI PASAL)\s"
    r"|\s(?=TAMBAHAN LEMBARAN (?:NEGARA|DAERAH)\b)"
    # An ayat run on after the end of the previous one: "... nyawa orang.(6) Sanksi ...".
    r"|(?<=[a-z][.;])\s*(?=\(\d{1,2}\)\s+[A-Z])"
)
_CLOSING_RE = re.compile(r"^\s*(?:Agar setiap\b|Ditetapkan di\b|Disahkan di\b)")
_PENJELASAN_RE = re.compile(r"^\s*PENJELASAN(?:\s+ATAS\b.*)?\s*$")
_UMUM_RE = re.compile(r"^\s*(?:I\.\s*)?UMUM\s*$")
_PASAL_DEMI_PASAL_RE = re.compile(r"^\s*(?:II\.\s*)?PASAL\s+DEMI\s+PASAL\s*$")
# The Penjelasan ends at the gazette line (or an annex that follows it).
_END_RE = re.compile(r"^\s*(?:TAMBAHAN\s+LEMBARAN\s+(?:NEGARA|DAERAH)|BERITA\s+DAERAH|LAMPIRAN)\b")
_BAB_RE = re.compile(r"^\s*BAB\s+(?P<num>[IVXLCDMl1]+)\b\.?\s*(?P<rest>.*)$")
_BAGIAN_RE = re.compile(r"^\s*Bagian\s+(?P<num>Ke[a-z]+|Pertama)\b\s*(?P<rest>.*)$")
_PARAGRAF_RE = re.compile(r"^\s*Paragraf\s+(?P<num>[0-9lIOL](?:\s?[0-9lIOL]){0,2})\b\s*(?P<rest>.*)$")
# A line ending in one of these words continues into the next line: what follows is a
# reference ("dimaksud dalam / Pasal 12"), not a heading.
_CONNECTOR_END_RE = re.compile(
    r"(?:\b(?:dalam|pada|dan|atau|dengan|dimaksud|serta|oleh|terhadap|ke|di|dari|untuk|"
    r"bahwa|sebagaimana|menurut|berdasarkan|yaitu|ayat|huruf|angka|juncto|jo\.)|[,(/-])\s*$",
    re.IGNORECASE,
)
_CUKUP_JELAS_RE = re.compile(
    r"(?:\b(?:Ayat|Huruf|Angka)\s*\(?[0-9A-Za-z ]{1,4}\)?|\bCukup\s+jelas\s*\.?|[.;,\s])",
    re.IGNORECASE,
)
# Where a long passage may be cut: before a list item ("b. ...", "12. ...") or, in a
# Penjelasan, before "Ayat (3)" / "Huruf c" / "Angka 2".
_ITEM_BOUNDARY_RE = re.compile(
    r"\s(?=(?:[a-z]|\d{1,3})\.\s?[A-Za-z(])|\s(?=(?:Ayat|Huruf|Angka)\s+\(?[0-9a-z]{1,3}\)?\s)"
)
_SENTENCE_BOUNDARY_RE = re.compile(r"(?<=[.;:])\s+(?=\S)")
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


# ---------------------------------------------------------------------------------------------
# Recognition and identity
# ---------------------------------------------------------------------------------------------


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _heading_match(text: str, anycase: bool = False) -> re.Match[str] | None:
    return (_HEADING_RE_ANYCASE if anycase else _HEADING_RE).search(text)


def _type_of(match: re.Match[str]) -> tuple[str, str]:
    for i, (_pat, short, long) in enumerate(_TYPES):
        if match.group(f"t{i}"):
            return short, long
    raise AssertionError("heading match without a type group")  # pragma: no cover


def looks_like_statute(text: str) -> bool:
    """True when text is an Indonesian statute: a statute heading or TENTANG, plus Pasal headings."""
    pasal_headings = len(_STRICT_PASAL_RE.findall(text))
    if pasal_headings < 2:
        return False
    head = _collapse(text[:4000])
    if _heading_match(head) or _heading_match(_collapse("\n".join(text.splitlines()[:8])), True):
        return True
    # PP 6/2021-style copies lose the heading line but keep "TENTANG" and the Pasal structure.
    return pasal_headings >= 3 and bool(_TENTANG_LINE_RE.search(text[:4000]))


def _identity(head_text: str) -> tuple[str | None, str | None, int | None, str]:
    """(type, number, year, long type name) from heading text; Nones when not found."""
    m = _heading_match(head_text)
    if not m:
        return None, None, None, ""
    short, long = _type_of(m)
    number = m.group("number").strip(".")
    number = str(repair_number(number)) if repair_number(number) is not None else number
    return short, number, repair_number(m.group("year")), long


def _title(head_text: str) -> str:
    m = _TITLE_RE.search(head_text)
    return m.group("title").strip(" .") if m else ""


def _smart_title(upper: str) -> str:
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


# ---------------------------------------------------------------------------------------------
# Structure
# ---------------------------------------------------------------------------------------------


@dataclass
class _Section:
    """Raw span of one Pasal: heading reading and the lines up to the next heading."""

    number: int
    suffix: str
    line: int
    lines: list[Line]
    bab: str = ""
    bagian: str = ""
    paragraf: str = ""


def _next_suffix(suffix: str) -> str:
    return "A" if not suffix else chr(ord(suffix) + 1)


def _is_reference_context(prev: Line | None, nxt: Line | None = None) -> bool:
    """True when a heading-like line sits inside a wrapped sentence: a reference, not a heading.

    The previous line ends in a connector ("... dimaksud dalam") and, when the next line is
    known, it continues the sentence in lower case ("ayat (2) huruf a ...") instead of
    starting a Pasal body.
    """
    if prev is None or not _CONNECTOR_END_RE.search(prev.text):
        return False
    if nxt is None:
        return True
    return not re.match(r"^\s*(?:[A-Z]|\(\s*[0-9lI])", nxt.text)


_GLUED_HEADING_RE = re.compile(r"^(?P<a>.*[A-Za-z.;:])(?P<b>Pasal\s*\d{1,3}[A-Z]?)\s*$")


_LABEL_ONLY_RE = re.compile(r"^\s*(?:\(\s*[0-9][0-9lIO]?\s*[)1l]?\s*)+$")


def _reattach_labels(lines: list[Line]) -> list[Line]:
    """Handle ayat labels that sit alone on a line.

    A lone "(2)" followed by its text is joined to that text (PDF extraction often breaks
    there). A run of label-only lines, or one followed by another label, is a margin column
    the OCR read separately ("(1) / (21 / (3)"): it carries no text and is dropped.
    """
    out: list[Line] = []
    i = 0
    while i < len(lines):
        if not _LABEL_ONLY_RE.match(lines[i].text):
            out.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and _LABEL_ONLY_RE.match(lines[j].text):
            j += 1
        nxt = lines[j] if j < len(lines) else None
        label_for_next = (
            j == i + 1
            and nxt is not None
            and not ayat_label_readings(nxt.text)
            and not pasal_heading_readings(nxt.text)
        )
        if label_for_next and nxt is not None:
            out.append(Line(nxt.no, f"{lines[i].text.strip()} {nxt.text}"))
            i = j + 1
        else:
            i = j
    return out


def _preprocess(text: str) -> list[Line]:
    """Furniture-free lines with run-together markers (closing formula, PENJELASAN) split apart."""
    lines = _reattach_labels(strip_furniture(text.split("\n")))
    out: list[Line] = []
    for line in lines:
        parts = [p for p in _INLINE_SPLIT_RE.split(line.text) if p and p.strip()]
        for part in parts:
            # OCR glues a heading to the previous text: "Cukup jelasPasal 134".
            m = _GLUED_HEADING_RE.match(part.strip())
            if m:
                out.extend((Line(line.no, m.group("a")), Line(line.no, m.group("b"))))
            else:
                out.append(Line(line.no, part.strip()))
    return out


def _find(lines: list[Line], pattern: re.Pattern[str], start: int = 0, stop: int | None = None) -> int:
    stop = len(lines) if stop is None else stop
    for i in range(start, stop):
        if pattern.match(lines[i].text):
            return i
    return -1


class _StructureTracker:
    """Follows BAB / Bagian / Paragraf headings; they take effect at the next Pasal heading."""

    def __init__(self) -> None:
        self.current = {"bab": "", "bagian": "", "paragraf": ""}
        self.pending: dict[str, str] = {}
        self.title_level: str | None = None  # level whose title lines are being collected
        self.title_lines = 0

    def heading(self, line: Line, prev: Line | None, nxt: Line | None) -> bool:
        """Consume a structure heading line; False when the line is not one."""
        text = line.text
        if _is_reference_context(prev, nxt):
            return False
        m = _BAB_RE.match(text)
        if m and (not m.group("rest") or m.group("rest").isupper()):
            num = m.group("num").replace("l", "I").replace("1", "I")
            self._open("bab", f"BAB {num}", m.group("rest"))
            return True
        m = _BAGIAN_RE.match(text)
        if m and (not m.group("rest") or m.group("rest")[:1].isupper()):
            self._open("bagian", f"Bagian {m.group('num')}", m.group("rest"))
            return True
        m = _PARAGRAF_RE.match(text)
        if m and (not m.group("rest") or m.group("rest")[:1].isupper()):
            num = repair_number(m.group("num"))
            if num:
                self._open("paragraf", f"Paragraf {num}", m.group("rest"))
                return True
        return False

    def _open(self, level: str, label: str, rest: str) -> None:
        if level == "bab":
            self.pending = {"bab": label, "bagian": "", "paragraf": ""}
        elif level == "bagian":
            self.pending.update({"bagian": label, "paragraf": ""})
        else:
            self.pending["paragraf"] = label
        rest = rest.strip()
        if rest:
            self.pending[level] = f"{label} {rest}"
            self.title_level = None
        else:
            self.title_level, self.title_lines = level, 0

    def title_line(self, line: Line) -> bool:
        """Consume a title line of the heading just opened; False when the line is body text."""
        if self.title_level is None:
            return False
        text = line.text.strip()
        if self.title_level == "bab":
            letters = re.sub(r"[^A-Za-z]", "", text)
            upper = sum(1 for c in letters if c.isupper())
            # OCR lowers a few letters ("( OMlrVE SIN GLE SUBMISS/OIV)"): mostly upper is enough.
            ok = bool(letters) and upper >= 0.8 * len(letters) and self.title_lines < 4
        else:
            ok = (
                self.title_lines < 2
                and text[:1].isupper()
                and len(text.split()) <= 12
                and not re.search(r"[.;:]$", text)
                and not ayat_label_readings(text)
            )
        if not ok:
            self.title_level = None
            return False
        self.pending[self.title_level] += " " + text
        self.title_lines += 1
        return True

    def commit(self) -> dict[str, str]:
        """Apply pending headings (at a Pasal heading) and return the current path parts."""
        for level in ("bab", "bagian", "paragraf"):
            if level in self.pending:
                self.current[level] = self.pending[level].strip()
        if "bab" in self.pending:
            self.current["bagian"] = self.pending.get("bagian", "").strip()
            self.current["paragraf"] = self.pending.get("paragraf", "").strip()
        elif "bagian" in self.pending:
            self.current["paragraf"] = self.pending.get("paragraf", "").strip()
        self.pending = {}
        self.title_level = None
        return dict(self.current)


def _accepts(reading_num: int, reading_suffix: str, prev: tuple[int, str] | None) -> bool:
    if prev is None:
        return reading_num == 1 and not reading_suffix
    if reading_num == prev[0] + 1 and not reading_suffix:
        return True
    return reading_num == prev[0] and reading_suffix == _next_suffix(prev[1])


def _resync_reading(lines: list[Line], i: int, prev: tuple[int, str]) -> HeadingReading | None:
    """A clean heading a few numbers ahead of the expected one, taken when the expected heading
    is lost: its successor must follow and no line before that may read as a skipped number."""
    for reading in pasal_heading_readings(lines[i].text):
        if not reading.exact or reading.suffix:
            continue
        if not prev[0] + 1 < reading.number <= prev[0] + 1 + _RESYNC_WINDOW:
            continue
        skipped = set(range(prev[0] + 1, reading.number))
        for j in range(i + 1, min(len(lines), i + 400)):
            numbers = {r.number for r in pasal_heading_readings(lines[j].text) if not r.suffix}
            if numbers & skipped:
                return None
            if reading.number + 1 in numbers:
                return reading
    return None


def _split_sections(
    lines: list[Line], with_structure: bool, warnings: list[str], part: str
) -> tuple[list[_Section], list[Line]]:
    """Cut lines into Pasal sections by the heading sequence; also return the lines before Pasal 1."""
    sections: list[_Section] = []
    preamble: list[Line] = []
    tracker = _StructureTracker()
    prev: tuple[int, str] | None = None
    prev_line: Line | None = None
    for i, line in enumerate(lines):
        accepted = None
        for reading in pasal_heading_readings(line.text):
            if _accepts(reading.number, reading.suffix, prev):
                accepted = reading
                break
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if accepted is not None and _is_reference_context(prev_line, nxt):
            accepted = None
        if accepted is None and prev is not None and not _is_reference_context(prev_line, nxt):
            accepted = _resync_reading(lines, i, prev)
            if accepted is not None:
                missing = ", ".join(str(n) for n in range(prev[0] + 1, accepted.number))
                warnings.append(f"{part}: Pasal {missing} tidak ditemukan (baris {line.no})")
        if accepted is not None:
            path = tracker.commit() if with_structure else {}
            sec = _Section(accepted.number, accepted.suffix, line.no, [], **path)
            if accepted.rest:
                sec.lines.append(Line(line.no, accepted.rest))
            sections.append(sec)
            prev = (accepted.number, accepted.suffix)
        elif with_structure and (tracker.heading(line, prev_line, nxt) or tracker.title_line(line)):
            pass
        elif sections:
            sections[-1].lines.append(line)
        else:
            preamble.append(line)
        prev_line = line
    return sections, preamble


def _join(lines: list[str]) -> str:
    return _collapse(" ".join(lines))


def _build_pasal(sec: _Section) -> Pasal:
    """Pasal text and ayat from a section's lines, repairing OCR-damaged ayat labels by sequence."""
    intro: list[str] = []
    ayat: list[tuple[str, list[str]]] = []
    expected = 1
    prev_text = ""
    for line in sec.lines:
        text = line.text
        readings = ayat_label_readings(text)
        if readings and not re.search(r"\bayat\s*$", prev_text, re.IGNORECASE):
            match = next((r for r in readings if r[0] == expected), None)
            if match is not None:
                ayat.append((f"({expected})", [match[1].strip()]))
                expected += 1
                prev_text = text
                continue
        text = repair_ayat_start(text)
        (ayat[-1][1] if ayat else intro).append(text)
        prev_text = text
    ayat_texts = [(label, _join(parts)) for label, parts in ayat]
    intro_text = _join(intro)
    pieces = ([intro_text] if intro_text else []) + [f"{label} {t}".strip() for label, t in ayat_texts]
    return Pasal(
        number=sec.number,
        suffix=sec.suffix,
        text=" ".join(pieces),
        ayat=ayat_texts,
        intro=intro_text,
        bab=sec.bab,
        bagian=sec.bagian,
        paragraf=sec.paragraf,
        line=sec.line,
    )


def _is_cukup_jelas(text: str) -> bool:
    """True when a Penjelasan says nothing but "Cukup jelas." (per ayat/huruf, OCR-tolerant)."""
    if not re.search(r"cukup\s*jela", text, re.IGNORECASE):
        return False
    rest = re.sub(r"[^a-z]", "", _CUKUP_JELAS_RE.sub(" ", text).lower()).replace("cukupjelas", "")
    # A few stray letters are OCR debris ("jela's", a catchword "aPasal"), never an explanation.
    return len(rest) < 8


def parse_statute(text: str, repair_ocr: bool = True) -> Statute:
    """Parse statute text (header block already removed) into a `Statute`.

    With `repair_ocr` the Pasal and Penjelasan texts are repaired (`ingest.ocr_repair`) and
    the changes, with the raw passages, are kept in `Statute.ocr_log`.
    """
    lines = _preprocess(text)
    warnings: list[str] = []
    pen_start = _find(lines, _PENJELASAN_RE)
    body_lines = lines if pen_start < 0 else lines[:pen_start]
    pen_lines = [] if pen_start < 0 else lines[pen_start:]

    sections, preamble = _split_sections(body_lines, True, warnings, "batang tubuh")
    # The last Pasal ends at the closing formula ("Agar setiap orang mengetahuinya ...").
    if sections:
        last = sections[-1]
        cut = _find(last.lines, _CLOSING_RE)
        if cut >= 0:
            last.lines = last.lines[:cut]
    pasal = [_build_pasal(s) for s in sections]

    # Identity: the heading before "Menimbang"; else the "PENJELASAN ATAS ..." heading.
    stop = _find(preamble, re.compile(r"^\s*(?:Menimbang|DENGAN RAHMAT)\b"))
    head_text = _collapse(" ".join(l.text for l in preamble[: stop if stop >= 0 else 40]))
    type_, number, year, type_name = _identity(head_text)
    title = _title(head_text)
    pen_head = ""
    umum = ""
    if pen_lines:
        umum_at = _find(pen_lines, _UMUM_RE, 0, 60)
        head_stop = umum_at if umum_at >= 0 else min(len(pen_lines), 12)
        pen_head = _collapse(" ".join(l.text for l in pen_lines[:head_stop]))
        end = _find(pen_lines, _END_RE)
        pen_lines = pen_lines if end < 0 else pen_lines[:end]
        pdp = _find(pen_lines, _PASAL_DEMI_PASAL_RE)
        pen_sections, pen_pre = _split_sections(
            pen_lines[pdp + 1 :] if pdp >= 0 else pen_lines, False, warnings, "penjelasan"
        )
        umum_lines = pen_lines[umum_at + 1 : pdp] if umum_at >= 0 and pdp > umum_at else []
        if not umum_lines and umum_at >= 0:
            umum_lines = [l for l in pen_pre if l.no > pen_lines[umum_at].no]
        # Paragraph units separated by blank lines, so chunking can cut between them.
        umum = "\n\n".join(_paragraphs([l.text for l in umum_lines]))
        by_key = {(p.number, p.suffix): p for p in pasal}
        orphans: list[str] = []
        for sec in pen_sections:
            target = by_key.get((sec.number, sec.suffix))
            if target is None:
                orphans.append(f"{sec.number}{sec.suffix}")
                continue
            body = _join([repair_ayat_start(l.text) for l in sec.lines])
            target.penjelasan = body
            target.penjelasan_cukup_jelas = _is_cukup_jelas(body)
        if orphans:
            warnings.append(f"penjelasan: Pasal {', '.join(orphans)} tanpa Pasal di batang tubuh")
    if type_ is None and pen_head:
        type_, number, year, type_name = _identity(pen_head)
    if not title and pen_head:
        title = _title(pen_head)
    for w in warnings:
        log.warning("statute parse: %s", w)
    statute = Statute(
        type=type_,
        number=number,
        year=year,
        title=title,
        pasal=pasal,
        penjelasan_umum=umum,
        type_name=type_name,
        warnings=warnings,
    )
    if repair_ocr:
        statute.ocr_log = repair_statute(statute)
    return statute


# ---------------------------------------------------------------------------------------------
# Chunking
# ---------------------------------------------------------------------------------------------


def split_long_text(text: str, limit: int = CHUNK_LIMIT) -> list[str]:
    """Cut text into pieces ≤ limit at list-item boundaries, else sentence/clause boundaries."""
    if len(text) <= limit:
        return [text]
    units: list[str] = []
    for item in _ITEM_BOUNDARY_RE.split(text):
        if len(item) <= limit:
            units.append(item)
            continue
        for sentence in _SENTENCE_BOUNDARY_RE.split(item):
            while len(sentence) > limit:  # a run-on without punctuation: cut at a space
                cut = sentence.rfind(" ", 0, limit)
                cut = cut if cut > 0 else limit
                units.append(sentence[:cut])
                sentence = sentence[cut:].lstrip()
            if sentence:
                units.append(sentence)
    return pack(units, limit, merge_below=None)


def _paragraphs(text_lines: list[str]) -> list[str]:
    """Paragraph-ish units: a line ending a sentence closes a unit."""
    units: list[str] = []
    cur: list[str] = []
    for text in text_lines:
        cur.append(text)
        if re.search(r"[.:]\s*$", text):
            units.append(_join(cur))
            cur = []
    if cur:
        units.append(_join(cur))
    return units


@dataclass
class _Piece:
    text: str
    ayat_from: str = ""
    ayat_to: str = ""


def _pasal_pieces(p: Pasal) -> list[_Piece]:
    """The chunks of one Pasal: whole, or consecutive ayat groups, or (rarely) cut ayat."""
    if len(p.text) <= CHUNK_LIMIT:
        return [_Piece(p.text)]
    if not p.ayat:
        if len(p.text) <= AYAT_SPLIT_LIMIT:
            return [_Piece(p.text)]
        return [_Piece(t) for t in split_long_text(p.text)]
    units = [(label, f"{label} {text}".strip()) for label, text in p.ayat]
    if p.intro:
        units[0] = (units[0][0], f"{p.intro} {units[0][1]}")
    pieces: list[_Piece] = []
    group: list[tuple[str, str]] = []

    def flush() -> None:
        if group:
            pieces.append(_Piece(" ".join(t for _l, t in group), group[0][0], group[-1][0]))
            group.clear()

    for label, text in units:
        if len(text) > AYAT_SPLIT_LIMIT:
            flush()
            pieces.extend(_Piece(t, label, label) for t in split_long_text(text))
            continue
        if group and sum(len(t) + 1 for _l, t in group) + len(text) > CHUNK_LIMIT:
            flush()
        group.append((label, text))
    flush()
    return pieces


def _locator(short: str, p: Pasal, piece: _Piece) -> str:
    base = f"{short} {p.label}"
    if not piece.ayat_from:
        return base
    if piece.ayat_from == piece.ayat_to:
        return f"{base} ayat {piece.ayat_from}"
    return f"{base} ayat {piece.ayat_from}-{piece.ayat_to}"


def statute_chunks(statute: Statute, doc_id: str, short: str) -> list[Chunk]:
    """Chunks of a parsed statute: Pasal (by ayat when long), Penjelasan Umum, Penjelasan Pasal."""
    chunks: list[Chunk] = []
    pasal_chunks: dict[str, list[Chunk]] = {}
    for p in statute.pasal:
        for piece in _pasal_pieces(p):
            loc = _locator(short, p, piece)
            chunk = Chunk(
                id=make_chunk_id(doc_id, loc, piece.text),
                doc_id=doc_id,
                text=piece.text,
                locator=loc,
                section=p.label,
                path=p.path,
                ordinal=len(chunks),
            )
            pasal_chunks.setdefault(p.label, []).append(chunk)
            chunks.append(chunk)
    if statute.penjelasan_umum:
        loc = f"{short} Penjelasan Umum"
        units = [u for para in statute.penjelasan_umum.split("\n\n") for u in split_long_text(para)]
        for text in pack(units, CHUNK_LIMIT, merge_below=None):
            chunks.append(
                Chunk(
                    id=make_chunk_id(doc_id, loc, text),
                    doc_id=doc_id,
                    text=text,
                    locator=loc,
                    section="Penjelasan Umum",
                    ordinal=len(chunks),
                )
            )
    for p in statute.pasal:
        if not p.penjelasan or p.penjelasan_cukup_jelas:
            continue
        loc = f"{short} Penjelasan {p.label}"
        own = pasal_chunks.get(p.label, [])
        pen: list[Chunk] = []
        for text in split_long_text(p.penjelasan):
            pen.append(
                Chunk(
                    id=make_chunk_id(doc_id, loc, text),
                    doc_id=doc_id,
                    text=text,
                    locator=loc,
                    section=f"Penjelasan {p.label}",
                    path=p.path,
                    ordinal=len(chunks) + len(pen),
                    linked=own[0].id if own else "",
                )
            )
        # Every chunk of the Pasal points at the Penjelasan, and the Penjelasan at the Pasal.
        for c in own:
            c.linked = pen[0].id
        chunks.extend(pen)
    return chunks


# ---------------------------------------------------------------------------------------------
# Document
# ---------------------------------------------------------------------------------------------

_STATUS_WORDS = {
    "berlaku": DocStatus.BERLAKU,
    "in force": DocStatus.BERLAKU,
    "diubah": DocStatus.DIUBAH,
    "amended": DocStatus.DIUBAH,
    "dicabut": DocStatus.DICABUT,
    "revoked": DocStatus.DICABUT,
}


def _status(header: dict[str, str], path: str) -> DocStatus:
    raw = header.get("status", "").strip().lower()
    if not raw:
        return DocStatus.BERLAKU
    for word, status in _STATUS_WORDS.items():
        if raw.startswith(word):
            return status
    raise IngestError(path, f"status '{raw}' tidak dikenal (pakai: berlaku, diubah, dicabut)")


def parse_regulation(loaded: LoadedText, doc_id: str) -> ParsedDocument:
    """Parse a loaded statute file into a REGULATION `Document` and its citable chunks."""
    statute = parse_statute(loaded.text)
    if not statute.pasal:
        raise IngestError(loaded.path, "tidak ditemukan judul 'Pasal 1' - bukan teks peraturan yang dikenali")
    header_title = loaded.header.get("title", "")
    type_, number, year, type_name = statute.type, statute.number, statute.year, statute.type_name
    if not (type_ and number and year) and header_title:
        type_, number, year, type_name = _identity(_collapse(header_title).upper())
    if not (type_ and number and year):
        m = _FILE_NAME_RE.match(loaded.source_name) or _FILE_NAME_RE.match(doc_id)
        if m:
            wanted = m.group("type").lower()
            match = next((t for t in _TYPES if t[1].lower() == wanted), None)
            if match:
                type_, type_name = match[1], match[2]
                number, year = m.group("number").upper(), int(m.group("year"))
    short = f"{type_} {number}/{year}" if type_ and number and year else doc_id
    if statute.title and type_name and number and year:
        title = f"{type_name} Nomor {number} Tahun {year} tentang {_smart_title(statute.title)}"
    else:
        title = header_title or short
    replaced_by = loaded.header.get("replaced_by") or loaded.header.get("replaced-by") or None
    chunks = statute_chunks(statute, doc_id, short)
    metadata = {
        "type": type_ or "",
        "pasal_count": str(len(statute.pasal)),
        "penjelasan_count": str(sum(1 for p in statute.pasal if p.penjelasan is not None)),
    }
    if statute.warnings:
        metadata["warnings"] = "; ".join(statute.warnings)
    if statute.ocr_log.repairs:
        metadata["ocr_repairs"] = str(len(statute.ocr_log.repairs))
    document = Document(
        id=doc_id,
        source_name=loaded.source_name,
        kind=DocKind.REGULATION,
        title=title,
        short_name=short,
        number=number,
        year=year,
        status=_status(loaded.header, loaded.path),
        replaced_by=replaced_by,
        content_hash=content_hash(loaded.raw or loaded.text),
        chunk_count=len(chunks),
        metadata=metadata,
    )
    return ParsedDocument(document=document, chunks=chunks, ocr_log=statute.ocr_log)
