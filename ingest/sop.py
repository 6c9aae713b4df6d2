"""Split an SOP or guide (Markdown-ish text) into citable sections.

A section is what a "## N. Title" heading opens: it is cited "SOP Pengaduan §N" and its chunk
holds the heading line and the whole body, so an officer sees the full clause. Sections longer
than `MAX_CHARS` are split between numbered steps or paragraphs, never inside a step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.models import IngestError, LoadedText, ParsedDocument
from knowledge.models import Chunk, DocKind, DocStatus, Document, content_hash, make_chunk_id
from knowledge.units import pack

MAX_CHARS = 1500

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
# "1. Saluran", "2) Penanganan", "A. Umum", "IV. Koordinasi", "3.2 Rincian"
_NUMBERED_TITLE = re.compile(r"^(?P<num>\d+(?:\.\d+)*|[A-Z]|[IVXLC]{1,6})(?:[.)]|(?<=\d)(?=\s))\s+(?P<title>.+)$")
_STEP = re.compile(r"^\s*(?P<num>\d{1,3})[.)]\s+\S")
_BULLET = re.compile(r"^\s*[-*\u2022]\s+\S")
# "Unit: ...", "Status dokumen: ...": short labelled lines in the intro are document metadata.
_META_LINE = re.compile(r"^(?P<key>[A-Z][A-Za-z/ ]{1,30}?)\s*:\s*(?P<value>\S.*)$")

_DOC_TYPES = ("sop", "panduan", "pedoman", "petunjuk", "juknis", "juklak", "prosedur", "standar", "maklumat")
# Words every licensing SOP title carries; they do not tell one SOP from another.
_GENERIC = {
    "pengelolaan", "pelayanan", "perizinan", "berusaha", "pemenuhan", "penyelenggaraan",
    "pendaftaran", "pengurusan", "permohonan", "prosedur", "operasional", "standar", "tata", "cara",
    "teknis", "pelaksanaan", "kabupaten", "kota", "provinsi", "dinas", "dokumen", "umum",
    "melalui", "tentang", "dan", "atau", "untuk", "bagi", "di", "ke", "dari", "pada", "dengan",
    "yang", "dalam", "secara", "serta", "oleh", "the", "of", "for", "on",
}
_STATUS_WORDS = {
    "berlaku": DocStatus.BERLAKU,
    "aktif": DocStatus.BERLAKU,
    "diubah": DocStatus.DIUBAH,
    "direvisi": DocStatus.DIUBAH,
    "dicabut": DocStatus.DICABUT,
    "tidak berlaku": DocStatus.DICABUT,
    "kedaluwarsa": DocStatus.DICABUT,
}


@dataclass
class _Section:
    label: str  # "§2"
    title: str  # "Penanganan"
    heading_line: str  # "2. Penanganan" (markers stripped)
    body: list[str] = field(default_factory=list)


def derive_short_name(title: str) -> str:
    """Readable citation name from a title: "SOP Pengelolaan Pengaduan Pelayanan" -> "SOP Pengaduan"."""
    # Quoted nicknames and parentheticals ("Lantunan Salawat Takwa") are not part of the name.
    clean = re.sub(r"\([^)]*\)|\"[^\"]*\"|\u201c[^\u201d]*\u201d", " ", title)
    words = re.findall(r"[\w][\w/\-]*", clean)
    if not words:
        return "SOP"
    prefix = "SOP"
    if words[0].lower() in _DOC_TYPES:
        prefix = words[0] if words[0].isupper() else words[0].capitalize()
        words = words[1:]
        if prefix.lower() == "standar" and words and words[0].lower() == "operasional":
            prefix = "SOP"  # "Standar Operasional Prosedur ..." is an SOP
    significant = [w for w in words if w.lower() not in _GENERIC]
    return " ".join([prefix, *significant[:3]])


def _doc_status(header: dict[str, str], intro: list[str]) -> DocStatus:
    """Status from the header `status` key or an intro line "Status dokumen: berlaku ..."."""
    candidates = [header.get("status", "")]
    for line in intro:
        m = _META_LINE.match(line.strip())
        if m and m.group("key").strip().lower().startswith("status"):
            candidates.append(m.group("value"))
    for value in candidates:
        low = value.strip().lower()
        # the longest phrase first, so "tidak berlaku" is not read as "berlaku"
        for word in sorted(_STATUS_WORDS, key=len, reverse=True):
            if low.startswith(word):
                return _STATUS_WORDS[word]
    return DocStatus.BERLAKU


def _units(lines: list[str]) -> list[tuple[str, int | None]]:
    """Split section body lines into units: a numbered step (with its wrapped lines) or a paragraph."""
    units: list[tuple[str, int | None]] = []
    current: list[str] = []
    number: int | None = None

    def flush() -> None:
        nonlocal current, number
        if any(ln.strip() for ln in current):
            units.append(("\n".join(current).strip("\n"), number))
        current, number = [], None

    for line in lines:
        if not line.strip():
            flush()
            continue
        step = _STEP.match(line)
        if step or _BULLET.match(line):
            flush()
            number = int(step.group("num")) if step else None
        current.append(line)
    flush()
    return units


def _split_long(text: str, limit: int) -> list[str]:
    """Split one over-long unit at sentence ends (only when a single step exceeds the limit)."""
    return pack(re.split(r"(?<=[.;:!?])\s+", text), limit, merge_below=None)


def _pack(units: list[tuple[str, int | None]], limit: int) -> list[list[tuple[str, int | None]]]:
    """Greedily pack consecutive units into parts no longer than `limit` characters."""
    parts: list[list[tuple[str, int | None]]] = []
    current: list[tuple[str, int | None]] = []
    size = 0
    for text, number in units:
        pieces = [(text, number)] if len(text) <= limit else [(p, number) for p in _split_long(text, limit)]
        for piece in pieces:
            if current and size + 2 + len(piece[0]) > limit:
                parts.append(current)
                current, size = [], 0
            current.append(piece)
            size += len(piece[0]) + 2
    if current:
        parts.append(current)
    return parts


def _read_sections(body: str) -> tuple[str, list[str], list[_Section]]:
    """(title heading or "", intro lines, sections) of a Markdown-ish body."""
    lines = body.splitlines()
    headings = [(i, len(m.group(1)), m.group(2).strip()) for i, ln in enumerate(lines) if (m := _HEADING.match(ln))]
    title, title_idx = "", -1
    # The first heading is the document title when it is level 1, nothing but blank lines come
    # before it, and it is either the only level-1 heading or not itself numbered ("# 1. ...").
    if headings and headings[0][1] == 1 and not any(ln.strip() for ln in lines[: headings[0][0]]):
        level1 = [h for h in headings if h[1] == 1]
        if len(level1) == 1 or not _NUMBERED_TITLE.match(headings[0][2]):
            title, title_idx = headings[0][2], headings[0][0]
            headings = headings[1:]
    # Sections open at the shallowest level used at least twice ("# Lampiran" after "## 1."..."## 7."
    # must not swallow them); a shallower heading still closes the section before it.
    levels = sorted({h[1] for h in headings})
    section_level = next((lv for lv in levels if sum(h[1] == lv for h in headings) >= 2), levels[0] if levels else 0)
    starts = [h for h in headings if h[1] <= section_level]
    intro_end = starts[0][0] if starts else len(lines)
    intro = [ln for i, ln in enumerate(lines[:intro_end]) if i != title_idx]

    explicit = {m.group("num") for _, _, t in starts if (m := _NUMBERED_TITLE.match(t))}
    sections: list[_Section] = []
    used: set[str] = set()
    for ordinal, (idx, _level, text) in enumerate(starts, start=1):
        m = _NUMBERED_TITLE.match(text)
        if m:
            label, name = f"§{m.group('num')}", m.group("title").strip()
        else:
            # Unnumbered headings take their position, unless that number is spelled elsewhere.
            label, name = f"§{ordinal}", text
            if str(ordinal) in explicit:
                label = f"§{text}"
        if label in used:
            label = f"{label} ({ordinal})"
        used.add(label)
        end = starts[ordinal][0] if ordinal < len(starts) else len(lines)
        body = [_HEADING.sub(lambda hm: hm.group(2), ln) for ln in lines[idx + 1 : end]]  # "### Sub" -> "Sub"
        sections.append(_Section(label=label, title=name, heading_line=text, body=body))
    return title, intro, sections


def _intro_substance(intro: list[str]) -> str:
    """Intro text beyond labelled metadata lines ("Unit: ...", "Status dokumen: ...")."""
    rest = [ln for ln in intro if ln.strip() and not _META_LINE.match(ln.strip())]
    return "\n".join(rest).strip()


def _title_from_name(source_name: str) -> str:
    """Fallback title from a file name: "sop-pengaduan.md" -> "Sop Pengaduan" -> "SOP Pengaduan"."""
    words = re.split(r"[-_\s]+", Path(source_name).stem)
    acronyms = ("sop", "faq", "nib", "oss", "rba", "wa", "pbg", "slf", "kkpr", "lkpm")
    return " ".join(w.upper() if w.lower() in acronyms else w.capitalize() for w in words if w)


def _sop_document(loaded: LoadedText, doc_id: str, heading_title: str, intro: list[str]) -> Document:
    """The SOP's Document: title and short name from the header, the heading or the file name;
    "Key: value" lines of the intro become metadata."""
    header = loaded.header
    title = (header.get("title") or heading_title or header.get("page_title")
             or _title_from_name(loaded.source_name))
    short_name = header.get("short_name") or header.get("short name") or derive_short_name(title)
    metadata = {k: v for k, v in header.items()}
    for line in intro:
        m = _META_LINE.match(line.strip())
        if m:
            metadata.setdefault(m.group("key").strip().lower(), m.group("value").strip())
    return Document(
        id=doc_id,
        source_name=loaded.source_name,
        kind=DocKind.SOP,
        title=title,
        short_name=short_name,
        status=_doc_status(header, intro),
        replaced_by=header.get("replaced_by") or header.get("replaced by") or None,
        content_hash=content_hash(loaded.raw or loaded.text),
        metadata=metadata,
    )


def _section_pieces(sec: _Section, base: str) -> list[tuple[str, str]]:
    """(text, locator) of one section: whole, or packed parts ("langkah 3-5", "(lanjutan)")."""
    body = "\n".join(sec.body).strip("\n")
    full = f"{sec.heading_line}\n\n{body}".strip() if sec.heading_line else body
    if not full.strip():
        return []
    if len(full) <= MAX_CHARS:
        return [(full, base)]
    units = _units(sec.body)
    if sec.heading_line:
        units.insert(0, (sec.heading_line, None))
    pieces = []
    for i, part in enumerate(_pack(units, MAX_CHARS)):
        text = "\n\n".join(t for t, _ in part) if not any(n for _, n in part) else _join_units(part)
        numbers = [n for t, n in part if n is not None]
        if i == 0:
            locator = base
        elif numbers and len(numbers) == len(part) and numbers == sorted(set(numbers)):
            span = f"{numbers[0]}-{numbers[-1]}" if len(numbers) > 1 else f"{numbers[0]}"
            locator = f"{base} langkah {span}"
        else:
            locator = f"{base} (lanjutan)"
        pieces.append((text, locator))
    return pieces


def parse_sop(loaded: LoadedText, doc_id: str) -> ParsedDocument:
    """Split an SOP/guide into one chunk per section (long sections into several)."""
    heading_title, intro, sections = _read_sections(loaded.text)
    document = _sop_document(loaded, doc_id, heading_title, intro)
    title, short_name = document.title, document.short_name
    chunks: list[Chunk] = []

    def add(text: str, locator: str, section: str, heading: str) -> None:
        chunks.append(Chunk(id=make_chunk_id(doc_id, locator, text), doc_id=doc_id, text=text,
                            locator=locator, section=section, path=title,
                            ordinal=len(chunks), heading=heading))

    if sections:
        if _intro_substance(intro):
            add("\n".join(intro).strip(), f"{short_name} §0", "§0", "Pendahuluan")
    elif any(ln.strip() for ln in intro) and (heading_title == "" or _intro_substance(intro)):
        # No section headings: the whole text is one section, split by size like any other.
        sections = [_Section(label="§1", title=title, heading_line="", body=intro)]
    else:
        raise IngestError(loaded.path, "dokumen tidak berisi teks yang dapat dikutip (hanya judul/metadata)")
    for sec in sections:
        for text, locator in _section_pieces(sec, f"{short_name} {sec.label}"):
            add(text, locator, sec.label, sec.title)
    document.chunk_count = len(chunks)
    return ParsedDocument(document=document, chunks=chunks)


def _join_units(part: list[tuple[str, int | None]]) -> str:
    """Steps of one list stay on consecutive lines; paragraphs keep a blank line between them."""
    out = ""
    prev_step = False
    for text, number in part:
        is_step = number is not None or bool(_BULLET.match(text))
        sep = "\n" if (prev_step and is_step) else "\n\n"
        out = f"{out}{sep}{text}" if out else text
        prev_step = is_step
    return out
