"""Statute text as lines: furniture stripped, run-together markers split, BAB/Bagian/Paragraf.

`preprocess` turns raw statute text into furniture-free `Line`s (page headers, footers and
catchwords removed by `ingest.furniture`), splitting markers that born-digital copies run
together and re-attaching ayat labels that PDF extraction left alone on a line.
`StructureTracker` follows the BAB / Bagian / Paragraf headings between Pasal headings.
"""

from __future__ import annotations

import re

from ingest.furniture import Line, ayat_label_readings, pasal_heading_readings, repair_number, strip_furniture

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


def is_reference_context(prev: Line | None, nxt: Line | None = None) -> bool:
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


def preprocess(text: str) -> list[Line]:
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


def find_line(lines: list[Line], pattern: re.Pattern[str], start: int = 0, stop: int | None = None) -> int:
    stop = len(lines) if stop is None else stop
    for i in range(start, stop):
        if pattern.match(lines[i].text):
            return i
    return -1


class StructureTracker:
    """Follows BAB / Bagian / Paragraf headings; they take effect at the next Pasal heading."""

    def __init__(self) -> None:
        self.current = {"bab": "", "bagian": "", "paragraf": ""}
        self.pending: dict[str, str] = {}
        self.title_level: str | None = None  # level whose title lines are being collected
        self.title_lines = 0

    def heading(self, line: Line, prev: Line | None, nxt: Line | None) -> bool:
        """Consume a structure heading line; False when the line is not one."""
        text = line.text
        if is_reference_context(prev, nxt):
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

