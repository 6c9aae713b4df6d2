"""Statute parser: the Pasal headings by sequence, ayat, and the Penjelasan.

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
from dataclasses import dataclass

from ingest.furniture import HeadingReading, Line, ayat_label_readings, pasal_heading_readings, repair_ayat_start
from ingest.ocr_repair import repair_statute
from ingest.statute import Pasal, Statute, collapse, identity, title_of
from ingest.statute_lines import StructureTracker, find_line, is_reference_context, preprocess

log = logging.getLogger(__name__)

_RESYNC_WINDOW = 3  # how many missing Pasal headings the parser will step over
_CLOSING_RE = re.compile(r"^\s*(?:Agar setiap\b|Ditetapkan di\b|Disahkan di\b)")
_PENJELASAN_RE = re.compile(r"^\s*PENJELASAN(?:\s+ATAS\b.*)?\s*$")
_UMUM_RE = re.compile(r"^\s*(?:I\.\s*)?UMUM\s*$")
_PASAL_DEMI_PASAL_RE = re.compile(r"^\s*(?:II\.\s*)?PASAL\s+DEMI\s+PASAL\s*$")
# The statute's heading ends where the considerations begin.
_PREAMBLE_END_RE = re.compile(r"^\s*(?:Menimbang|DENGAN RAHMAT)\b")
# The Penjelasan ends at the gazette line (or an annex that follows it).
_END_RE = re.compile(r"^\s*(?:TAMBAHAN\s+LEMBARAN\s+(?:NEGARA|DAERAH)|BERITA\s+DAERAH|LAMPIRAN)\b")
_CUKUP_JELAS_RE = re.compile(
    r"(?:\b(?:Ayat|Huruf|Angka)\s*\(?[0-9A-Za-z ]{1,4}\)?|\bCukup\s+jelas\s*\.?|[.;,\s])",
    re.IGNORECASE,
)


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
    tracker = StructureTracker()
    prev: tuple[int, str] | None = None
    prev_line: Line | None = None
    for i, line in enumerate(lines):
        accepted = None
        for reading in pasal_heading_readings(line.text):
            if _accepts(reading.number, reading.suffix, prev):
                accepted = reading
                break
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if accepted is not None and is_reference_context(prev_line, nxt):
            accepted = None
        if accepted is None and prev is not None and not is_reference_context(prev_line, nxt):
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
    return collapse(" ".join(lines))


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


def _body_pasal(body_lines: list[Line], warnings: list[str]) -> tuple[list[Pasal], list[Line]]:
    """The batang tubuh's Pasal, and the preamble lines before Pasal 1 (heading, Menimbang)."""
    sections, preamble = _split_sections(body_lines, True, warnings, "batang tubuh")
    # The last Pasal ends at the closing formula ("Agar setiap orang mengetahuinya ...").
    if sections:
        last = sections[-1]
        cut = find_line(last.lines, _CLOSING_RE)
        if cut >= 0:
            last.lines = last.lines[:cut]
    return [_build_pasal(s) for s in sections], preamble


def _attach_penjelasan(pasal: list[Pasal], pen_sections: list[_Section], warnings: list[str]) -> None:
    """Give each Pasal its "Pasal N" text from the PENJELASAN; warn about orphans."""
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


def _penjelasan(pen_lines: list[Line], pasal: list[Pasal], warnings: list[str]) -> tuple[str, str]:
    """Read the PENJELASAN part into the Pasal; return (its heading text, Penjelasan Umum)."""
    if not pen_lines:
        return "", ""
    umum_at = find_line(pen_lines, _UMUM_RE, 0, 60)
    head_stop = umum_at if umum_at >= 0 else min(len(pen_lines), 12)
    pen_head = collapse(" ".join(l.text for l in pen_lines[:head_stop]))
    end = find_line(pen_lines, _END_RE)
    pen_lines = pen_lines if end < 0 else pen_lines[:end]
    pdp = find_line(pen_lines, _PASAL_DEMI_PASAL_RE)
    pen_sections, pen_pre = _split_sections(
        pen_lines[pdp + 1 :] if pdp >= 0 else pen_lines, False, warnings, "penjelasan"
    )
    umum_lines = pen_lines[umum_at + 1 : pdp] if umum_at >= 0 and pdp > umum_at else []
    if not umum_lines and umum_at >= 0:
        umum_lines = [l for l in pen_pre if l.no > pen_lines[umum_at].no]
    _attach_penjelasan(pasal, pen_sections, warnings)
    # Paragraph units separated by blank lines, so chunking can cut between them.
    return pen_head, "\n\n".join(_paragraphs([l.text for l in umum_lines]))


def parse_statute(text: str, repair_ocr: bool = True) -> Statute:
    """Parse statute text (header block already removed) into a `Statute`.

    With `repair_ocr` the Pasal and Penjelasan texts are repaired (`ingest.ocr_repair`) and
    the changes, with the raw passages, are kept in `Statute.ocr_log`.
    """
    lines = preprocess(text)
    warnings: list[str] = []
    pen_start = find_line(lines, _PENJELASAN_RE)
    body_lines = lines if pen_start < 0 else lines[:pen_start]
    pen_lines = [] if pen_start < 0 else lines[pen_start:]
    pasal, preamble = _body_pasal(body_lines, warnings)

    # Identity: the heading before "Menimbang"; else the "PENJELASAN ATAS ..." heading.
    stop = find_line(preamble, _PREAMBLE_END_RE)
    head_text = collapse(" ".join(l.text for l in preamble[: stop if stop >= 0 else 40]))
    type_, number, year, type_name = identity(head_text)
    title = title_of(head_text)
    pen_head, umum = _penjelasan(pen_lines, pasal, warnings)
    if type_ is None and pen_head:
        type_, number, year, type_name = identity(pen_head)
    if not title and pen_head:
        title = title_of(pen_head)
    for w in warnings:
        log.warning("statute parse: %s", w)
    statute = Statute(type=type_, number=number, year=year, title=title, pasal=pasal,
                      penjelasan_umum=umum, type_name=type_name, warnings=warnings)
    if repair_ocr:
        statute.ocr_log = repair_statute(statute)
    return statute
