"""Page-furniture removal and conservative OCR repair for Indonesian statute text.

Everything here is a pure function on lines or strings. The statute parser
(`ingest.statute_parser`) calls `strip_furniture` first and then uses the heading/ayat
helpers, which only *propose* readings: the parser accepts an OCR-repaired Pasal number
only when it is the number the Pasal sequence expects, so a reference such as
"Pasal 70." at the start of a wrapped line never becomes a heading.

Furniture recognised:
- "[PAGE n]" markers of OCR dumps;
- running heads "PRESIDEN" / "REPUBLIK INDONESIA" / "SALINAN" (fuzzy: OCR spells them
  "PRES IDEN", "FRESIDEN", "REPUBUK INDONESIA", ...);
- page numbers "-6-", "- 12 -", "_10_", "-t2-" (OCR reads 1 as t/l/r);
- the Setneg serial "SK No 253386 A", alone or glued to a line ("...SK No 251876 A",
  "SK No 251882 ABAB"): the text glued after it is the catchword of the next page;
- catchword stubs at a page foot ("35.Analisis...", "c. kehutanan .", "Pasal. . .")
  that repeat how the next page begins;
- lines that hold only a bare list/margin number ("1", "2", ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

PAGE_MARKER_RE = re.compile(r"^\s*\[PAGE\s+\d+\]\s*$", re.IGNORECASE)

# Page number: "-6-", "- 12 -", "_10_", "-t2-", "-27 -", "_ 186-"; OCR reads 1 as t/l/r/I/L.
PAGE_NUMBER_RE = re.compile(r"^\s*[-_–—~]+\s*([0-9tlrIiLOoSs]{1,4})\s*([-_–—~]*)\s*$")

# Setneg serial printed at every page foot: "SK No 253386 A", "SK No251850A", "SK No l93l 13 A",
# "SK No 2799588" (B read as 8), "sK No zsrgzg A". Up to 7 serial characters (OCR may read the
# class letter as a digit), an optional class letter, an optional stray comma/period.
SK_SERIAL_RE = re.compile(
    r"(?<![A-Za-z])[sS][kK]\s*N[oO0]\.?\s*(?:[0-9lIiOoSsZzgrtM'’]\s?){5,7}[AB48]?[,.]?(?![/\d-])"
)

_RUNNING_HEADS = ("PRESIDEN", "REPUBLIKINDONESIA", "PRESIDENREPUBLIKINDONESIA")
_BARE_NUMBER_RE = re.compile(r"^\s*\d{1,3}\s*$")
# Catchword stubs end in an ellipsis: "...", ". .", ". . .", "…" (possibly followed by 1-2 junk chars).
_ELLIPSIS_RE = re.compile(r"(?:\.\s*\.|…)")
_STUB_MAX_WORDS = 8


@dataclass(frozen=True)
class Line:
    """A body line that survived furniture removal, with its 1-based line number in the input."""

    no: int
    text: str


def is_page_marker(line: str) -> bool:
    """True for an OCR page marker such as "[PAGE 12]"."""
    return bool(PAGE_MARKER_RE.match(line))


def is_running_head(line: str) -> bool:
    """True for a running head line ("PRESIDEN", "REPUBLIK INDONESIA", "SALINAN"), OCR-tolerant."""
    stripped = line.strip()
    # "PRESIDEN REPUBLIK INDONESIA," with a comma is the preamble/signature, not furniture.
    if not stripped or stripped.endswith(",") or len(stripped) > 40:
        return False
    letters = re.sub(r"[^A-Za-z]", "", stripped).upper()
    if not letters:
        return False
    if letters == "SALINAN":
        return True
    # OCR may glue up to 3 junk characters in front ("IPRES IDEN", "hPRESIDEN", "(10)PRES IDEN").
    for skip in range(0, 4):
        cand = letters[skip:]
        for head in _RUNNING_HEADS:
            if abs(len(cand) - len(head)) <= 2 and fuzz.ratio(cand, head) >= 80:
                return True
    return False


def is_page_number(line: str) -> bool:
    """True for a page-number line: "-6-", "- 12 -", "_10_", "-t2-"."""
    m = PAGE_NUMBER_RE.match(line)
    if not m:
        return False
    # Without any real digit, require the closing dash too ("-t-" but not "-tl").
    return bool(re.search(r"\d", m.group(1))) or bool(m.group(2))


def split_serial(line: str) -> tuple[str, str] | None:
    """Split a line at an "SK No ..." serial: (text before, text after), or None without a serial."""
    m = SK_SERIAL_RE.search(line)
    if not m:
        return None
    return line[: m.start()].rstrip(), line[m.end() :].strip()


def is_furniture(line: str) -> bool:
    """True for a whole line that is page furniture and never content."""
    return (
        is_page_marker(line)
        or is_running_head(line)
        or is_page_number(line)
        or bool(_BARE_NUMBER_RE.match(line))
    )


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^0-9a-z]+", text.lower()) if w]


def is_continuation_stub(line: str, next_line: str | None) -> bool:
    """True when `line` at a page foot is the catchword that the next page begins with.

    A catchword either ends in an ellipsis ("Pasal. . .", "(4) Kode...", "6.Pemerintah...1")
    or repeats word for word the start of the next page ("c. kehutanan ." / "c. kehutanan;").
    """
    text = line.strip()
    if not text:
        return False
    m = _ELLIPSIS_RE.search(text)
    head = text[: m.start()] if m else text
    words = _words(head)
    if len(words) > _STUB_MAX_WORDS:
        return False
    if m and len(text) - m.end() <= 3:
        return True
    if not words or next_line is None:
        return False
    following = _words(next_line)
    return following[: len(words)] == words


def strip_trailing_catchword(line: str, next_line: str) -> str:
    """Cut a catchword glued to the end of a page's last line ("...utama; b. dapat . . .").

    Only a trailing run of words that ends in an ellipsis and repeats the start of the next
    page is cut; otherwise the line is returned unchanged.
    """
    text = line.rstrip()
    m = None
    for m in _ELLIPSIS_RE.finditer(text):
        pass
    if m is None or len(text) - m.end() > 3:
        return line
    # Start of the ellipsis run: walk back over dots and spaces.
    start = m.start()
    while start > 0 and text[start - 1] in ". ":
        start -= 1
    head = text[:start]
    spans = [m.start() for m in re.finditer(r"\S+", head)]
    following = _words(next_line)
    for k in range(min(len(spans), _STUB_MAX_WORDS), 0, -1):
        cut_at = spans[-k]
        words = _words(head[cut_at:])
        if words and following[: len(words)] == words:
            return head[:cut_at].rstrip()
    return line


def strip_furniture(lines: list[str]) -> list[Line]:
    """Remove page furniture from statute lines; return the content lines with their line numbers.

    A page break is any run of furniture lines (page marker, running head, page number,
    serial). Right after a "[PAGE n]" marker, everything up to the page-number line is
    furniture too (OCR sometimes puts margin labels there). The content line just before a
    break is dropped when it is a catchword stub of the next page.
    """
    out: list[Line] = []
    # True after a page break: the last content line may be a catchword stub of the next page.
    after_break = False
    i, n = 0, len(lines)
    while i < n:
        raw = lines[i].rstrip("\n")
        if is_page_marker(raw):
            head_end = _page_head_end(lines, i + 1)
            head = [(k, clean_page_head_line(lines[k])) for k in range(i + 1, head_end)]
            head = [(k, text) for k, text in head if text]
            if head and out:
                _drop_stub(out, head[0][1])
            out.extend(Line(k + 1, text) for k, text in head)
            after_break = not head
            i = head_end
            continue
        serial = split_serial(raw)
        if serial is not None:
            before, _after = serial  # text after the serial is the next page's catchword
            if before.strip() and not is_furniture(before):
                out.append(Line(i + 1, before))
            after_break = True
            i += 1
            continue
        if not raw.strip() or is_furniture(raw):
            if is_running_head(raw) or is_page_number(raw):
                after_break = True
            i += 1
            continue
        if after_break and out:
            _drop_stub(out, raw)
        after_break = False
        out.append(Line(i + 1, raw))
        i += 1
    return out


def _drop_stub(out: list[Line], next_text: str) -> None:
    """Remove the catchword at the foot of the page that `next_text` begins (in place)."""
    last = out[-1]
    if is_continuation_stub(last.text, next_text):
        out.pop()
        return
    cut = strip_trailing_catchword(last.text, next_text)
    if cut != last.text:
        out[-1] = Line(last.no, cut)


def _page_head_end(lines: list[str], start: int) -> int:
    """Index just past the page head that begins at `start` (the line after "[PAGE n]").

    The head runs to the page-number line when one comes within the first lines; without
    one, the head is empty here and running heads are dropped line by line.
    """
    for k in range(start, min(len(lines), start + 6)):
        if is_page_number(lines[k]):
            return k + 1
    return start


_GLUED_HEAD_RE = re.compile(r"(?<=[A-Za-z.,;:)])(?:[FP]R\.?ES\s?[IlT!t1O]?[DO]EN)\s*$")


def clean_page_head_line(line: str) -> str:
    """What remains of a line in a page head (before the page number): "" for furniture.

    The OCR sometimes puts margin labels ("(8)", "(e)") or a heading of the page body there,
    with the running head glued on ("...KEGIATAN USAHAFRESIDEN"): the body text is kept.
    """
    text = line.strip()
    if not text or is_furniture(text) or is_running_head(text.rstrip(",.")):
        return ""
    if len(text.replace(" ", "")) <= 4:  # margin labels such as "(8)", "(e)"
        return ""
    return _GLUED_HEAD_RE.sub("", text).rstrip()


# ---------------------------------------------------------------------------------------------
# OCR repair of numbers in headings and ayat labels
# ---------------------------------------------------------------------------------------------

# Characters OCR substitutes for digits in heading numbers ("Pasal lOO", "Pasal2lT", "55O").
_DIGIT_MAP = str.maketrans(
    {"l": "1", "I": "1", "i": "1", "L": "1", "|": "1", "!": "1", "t": "1", "r": "1",
     "O": "0", "o": "0", "Q": "0", "D": "0", "T": "7", "S": "5", "s": "5", "Z": "2", "z": "2"}
)
_PASAL_LINE_RE = re.compile(
    # OCR sometimes glues a column of ayat labels in front: "(4)Pasal 89".
    r"^\s*(?:\(\s*[0-9lIO]{1,2}\s*[)1l]?\s*)*Pa[sS5][aA][lLI1|]\s*[,.]?\s*"
    r"(?P<num>[0-9lIiL|!tOoQDTSsZz](?:\s?[0-9lIiL|!tOoQDTSsZz]){0,4})"
    r"(?P<suffix>[A-Z])?"
    r"(?P<rest>\s*\(\s*[1lI]\s*\).*)?\s*$"
)


@dataclass(frozen=True)
class HeadingReading:
    """One possible reading of a "Pasal N" heading line: number, insertion suffix, trailing text."""

    number: int
    suffix: str = ""
    rest: str = ""  # text glued after the number, e.g. "(1) Subsistem ..." in "Pasal 216(1) ..."
    exact: bool = False  # True when the number was printed with clean digits and no split


def repair_number(token: str) -> int | None:
    """Read an OCR-damaged number token: "1 1" → 11, "I24" → 124, "2lT" → 217, "55O" → 550."""
    cleaned = token.translate(_DIGIT_MAP).replace(" ", "")
    if not cleaned.isdigit():
        return None
    return int(cleaned)


def pasal_heading_readings(line: str) -> list[HeadingReading]:
    """Possible readings of a line as a "Pasal N" heading; empty when it cannot be one.

    The line must hold only the heading (body references like "Pasal 5 ayat (2) ..." or
    "Pasal 70." are never headings); the one exception is an ayat (1) glued after the number
    ("Pasal 216(1) Subsistem ..."). Several readings are returned when a trailing capital is
    either an insertion suffix ("Pasal 18A") or an OCR digit ("Pasal2lT" = 217).
    """
    m = _PASAL_LINE_RE.match(line)
    if not m:
        return []
    num, suffix, rest = m.group("num"), m.group("suffix") or "", (m.group("rest") or "").strip()
    exact = bool(re.fullmatch(r"\d+", num)) and line.strip().startswith("Pasal ")
    readings: list[HeadingReading] = []
    value = repair_number(num)
    if value is not None and value > 0:
        readings.append(HeadingReading(value, suffix, rest, exact))
    if not suffix and len(num) > 1 and num[-1] in "ILTSZOD":
        # "Pasal 28I" may be Pasal 28I (inserted) or 281: offer both, the sequence decides.
        value = repair_number(num[:-1])
        if value is not None and value > 0:
            readings.append(HeadingReading(value, num[-1], rest, False))
    return readings


# An ayat label at the start of a line: "(2) ", "( 1)", "(1O)", "(21 " (")" read as "1"),
# "(41Si..." (same, glued to the text). The label must begin with a digit.
_AYAT_START_RE = re.compile(
    r"^\s*\(\s*(?P<num>[0-9][0-9lIO]?)\s*(?:(?P<close>\))|(?P<one>[1l])(?=[A-Z])|(?=\s))\s*"
)


def ayat_label_readings(line: str) -> list[tuple[int, str]]:
    """Possible (ayat number, text after the label) readings of a line that starts like "(2)".

    "(2) ..." → [(2, ...)]; "( 1)" → [(1, ...)]; "(1O)" → [(10, ...)]; "(21 ..." → [(2, ...),
    (21, ...)] (")" read as "1", or a lost ")"; the ayat sequence decides).
    """
    m = _AYAT_START_RE.match(line)
    if not m:
        return []
    raw = m.group("num")
    rest = line[m.end() :]
    value = repair_number(raw)
    if not value:
        return []
    if m.group("close") or m.group("one"):
        return [(value, rest)]
    if len(raw) == 2 and raw[1] in "1l":
        return [(int(raw[0]), rest), (value, rest)] if raw[0] != "0" else [(value, rest)]
    return [(value, rest)]


def repair_ayat_start(line: str, expected: int | None = None) -> str:
    """Rewrite a damaged ayat label at the start of a line ("(21 Setelah" → "(2) Setelah").

    Without `expected` only certain repairs are made: "(21", "(41", "(71" (a two-digit label
    without ")" whose second digit is the misread ")"; from "(21" up, as "(11" may be ayat 11),
    a spaced "( 1)" and "O" read for 0 ("(1O)"). With `expected`, an ambiguous label is read
    as the expected ayat number when it can be. A "(21" inside a sentence is never touched.
    """
    m = _AYAT_START_RE.match(line)
    readings = ayat_label_readings(line) if m else []
    if not m or not readings:
        return line
    chosen = next((r for r in readings if r[0] == expected), None) if expected else None
    if chosen is None:
        raw = m.group("num")
        if m.group("close") or m.group("one"):
            chosen = readings[0]
        elif len(raw) == 2 and raw[1] in "1l" and raw[0] in "23456789":
            chosen = readings[0]
        elif len(raw) == 1:
            chosen = readings[0]  # "(2 text": only the ")" is missing
    if chosen is None:
        return line
    value, rest = chosen
    label = f"({value})"
    if m.group(0).strip() == label or line.lstrip().startswith(label):
        return line  # already clean: keep the line byte for byte
    sep = "" if not rest or rest[0] in ",.;:)" else " "
    return f"{label}{sep}{rest}".rstrip()
