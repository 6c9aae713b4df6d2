"""Parse a curated FAQ file (YAML list or CSV table) into reviewed answers and chunks.

Each entry has id, question, answer and optionally variants, sources and reviewed (YYYY-MM-DD).
A file with any defect is rejected whole, with the file and line of the first defect, so a
half-valid FAQ never replaces a good one.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from ingest.detect import canonical_faq_key
from ingest.models import IngestError, LoadedText, ParsedDocument
from knowledge.models import Chunk, DocKind, DocStatus, Document, ReviewedAnswer, content_hash, make_chunk_id

_REQUIRED = ("id", "question", "answer")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class _Entry:
    """One FAQ entry as read, with the line numbers needed for error messages."""

    line: int
    fields: dict[str, object]
    lines: dict[str, int] = field(default_factory=dict)  # field -> line of its value


def _body_line_offset(loaded: LoadedText) -> int:
    """Lines the header block took off the top, so errors cite lines of the file itself."""
    try:
        full = loaded.raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError:
        return 0
    if loaded.raw and full.endswith(loaded.text) and loaded.text:
        return full[: len(full) - len(loaded.text)].count("\n")
    return 0


def _read_yaml(loaded: LoadedText, offset: int) -> list[_Entry]:
    """Entries of a YAML FAQ; every scalar stays a string (dates are checked by us, with a line)."""
    try:
        root = yaml.compose(loaded.text, Loader=yaml.BaseLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + offset if mark else None
        problem = " ".join(str(exc.problem or exc).split())
        raise IngestError(loaded.path, f"YAML tidak valid: {problem}", line) from None
    except yaml.YAMLError as exc:
        raise IngestError(loaded.path, f"YAML tidak valid: {exc}") from None
    if root is None:
        raise IngestError(loaded.path, "file FAQ tidak berisi entri")
    if isinstance(root, yaml.MappingNode):
        # Also accept {faq: [...]} / {entries: [...]}: a single list under one key.
        lists = [v for _, v in root.value if isinstance(v, yaml.SequenceNode)]
        if len(lists) == 1:
            root = lists[0]
    if not isinstance(root, yaml.SequenceNode):
        line = root.start_mark.line + 1 + offset
        raise IngestError(loaded.path, "FAQ YAML harus berupa daftar entri (- id: ...)", line)
    constructor = yaml.constructor.BaseConstructor()
    entries: list[_Entry] = []
    for node in root.value:
        line = node.start_mark.line + 1 + offset
        if not isinstance(node, yaml.MappingNode):
            raise IngestError(loaded.path, "entri FAQ harus berupa pemetaan (id, question, answer, ...)", line)
        fields: dict[str, object] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = canonical_faq_key(key_node.value if isinstance(key_node, yaml.ScalarNode) else "")
            if key in fields:
                line = key_node.start_mark.line + 1 + offset
                raise IngestError(loaded.path, f"kunci '{key}' ditulis dua kali dalam satu entri", line)
            fields[key] = constructor.construct_object(value_node, deep=True)
            lines[key] = value_node.start_mark.line + 1 + offset
        entries.append(_Entry(line=line, fields=fields, lines=lines))
    return entries


def _split_cell(value: str, delimiter: str) -> list[str]:
    """Variants/sources inside one CSV cell, separated by ";" or "|" (or new lines)."""
    seps = "|\n" if delimiter == ";" else ";|\n"
    return [p.strip() for p in re.split("[" + re.escape(seps) + "]", value) if p.strip()]


def _read_csv(loaded: LoadedText, offset: int) -> list[_Entry]:
    """Entries of a CSV FAQ (first row = column names; "," or ";" or tab delimited)."""
    text = loaded.text
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    entries: list[_Entry] = []
    columns: list[str] = []
    previous_end = 0
    try:
        for row in reader:
            start = previous_end + 1 + offset
            previous_end = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if not columns:
                columns = [canonical_faq_key(c) for c in row]
                missing = [c for c in _REQUIRED if c not in columns]
                if missing:
                    reason = f"kolom wajib tidak ada: {', '.join(missing)} (kolom: {', '.join(row)})"
                    raise IngestError(loaded.path, reason, start)
                continue
            if len(row) > len(columns):
                raise IngestError(loaded.path, f"baris berisi {len(row)} kolom, header hanya {len(columns)}", start)
            fields: dict[str, object] = {}
            for name, cell in zip(columns, row):
                cell = cell.strip()
                fields[name] = _split_cell(cell, delimiter) if name in ("variants", "sources") else cell
            entries.append(_Entry(line=start, fields={k: v for k, v in fields.items() if v not in ("", [])}, lines={}))
    except csv.Error as exc:
        raise IngestError(loaded.path, f"CSV tidak valid: {exc}", reader.line_num + offset) from None
    return entries


def _string_list(loaded: LoadedText, entry: _Entry, key: str) -> list[str]:
    """A list-of-strings field (a single string is a one-item list)."""
    value = entry.fields.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise IngestError(loaded.path, f"'{key}' harus berupa daftar teks", entry.lines.get(key, entry.line))
    return [" ".join(v.split()) for v in value if v.strip()]


def _validate(loaded: LoadedText, entries: list[_Entry]) -> list[ReviewedAnswer]:
    """Check every entry; raise on the first defect, else return the reviewed answers."""
    if not entries:
        raise IngestError(loaded.path, "file FAQ tidak berisi entri")
    answers: list[ReviewedAnswer] = []
    first_line: dict[str, int] = {}
    for entry in entries:
        for key in _REQUIRED:
            value = entry.fields.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                raise IngestError(loaded.path, f"entri FAQ tanpa '{key}'", entry.line)
            if not isinstance(value, str):
                raise IngestError(loaded.path, f"'{key}' harus berupa teks", entry.lines.get(key, entry.line))
        entry_id = str(entry.fields["id"]).strip()
        if re.search(r"\s", entry_id):
            reason = f"id FAQ tidak boleh mengandung spasi: {entry_id!r}"
            raise IngestError(loaded.path, reason, entry.lines.get("id", entry.line))
        if entry_id in first_line:
            reason = f"id FAQ ganda {entry_id!r} (pertama di baris {first_line[entry_id]})"
            raise IngestError(loaded.path, reason, entry.line)
        first_line[entry_id] = entry.line
        reviewed_raw = entry.fields.get("reviewed")
        reviewed: date | None = None
        if reviewed_raw not in (None, ""):
            where = entry.lines.get("reviewed", entry.line)
            text = str(reviewed_raw).strip() if isinstance(reviewed_raw, str) else ""
            try:
                if not _ISO_DATE.match(text):
                    raise ValueError
                reviewed = date.fromisoformat(text)
            except ValueError:
                raise IngestError(
                    loaded.path, f"tanggal 'reviewed' tidak valid: {reviewed_raw!r} (format YYYY-MM-DD)", where
                ) from None
        answers.append(
            ReviewedAnswer(
                id=entry_id,
                question=" ".join(str(entry.fields["question"]).split()),
                answer=str(entry.fields["answer"]).strip(),
                variants=_string_list(loaded, entry, "variants"),
                sources=_string_list(loaded, entry, "sources"),
                reviewed=reviewed,
                origin="faq",
                doc_id=None,
            )
        )
    return answers


def _title(loaded: LoadedText) -> str:
    """Header title, else one from the file name: "faq-perizinan.yaml" -> "FAQ Perizinan"."""
    if loaded.header.get("title"):
        return loaded.header["title"]
    words = [w for w in re.split(r"[-_\s]+", Path(loaded.source_name).stem) if w and w.lower() != "faq"]
    return " ".join(["FAQ", *(w.capitalize() for w in words)])


def parse_faq(loaded: LoadedText, doc_id: str) -> ParsedDocument:
    """One reviewed answer and one chunk per FAQ entry; any defect rejects the whole file."""
    offset = _body_line_offset(loaded)
    entries = _read_csv(loaded, offset) if loaded.fmt == "csv" else _read_yaml(loaded, offset)
    answers = _validate(loaded, entries)
    status_value = loaded.header.get("status", "").strip().lower()
    status = next((s for s in DocStatus if status_value.startswith(s.value)), DocStatus.BERLAKU)
    document = Document(
        id=doc_id,
        source_name=loaded.source_name,
        kind=DocKind.FAQ,
        title=_title(loaded),
        short_name=loaded.header.get("short_name") or loaded.header.get("short name") or "FAQ",
        status=status,
        content_hash=content_hash(loaded.raw or loaded.text),
        metadata=dict(loaded.header),
    )
    chunks: list[Chunk] = []
    for ordinal, answer in enumerate(answers):
        answer.doc_id = doc_id
        text = f"T: {answer.question}\nJ: {answer.answer}"
        locator = f"FAQ: {answer.question}"
        chunks.append(
            Chunk(
                id=make_chunk_id(doc_id, locator, text),
                doc_id=doc_id,
                text=text,
                locator=locator,
                section=answer.id,
                ordinal=ordinal,
                # variants ride in the heading so both indexes see how applicants phrase it
                heading="\n".join([answer.question, *answer.variants]),
            )
        )
    document.chunk_count = len(chunks)
    return ParsedDocument(document=document, chunks=chunks, reviewed_answers=answers)
