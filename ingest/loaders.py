"""Read a source file (PDF, DOCX, Markdown, text, HTML, FAQ YAML/CSV) into `LoadedText`.

Every loader returns plain text in which headings are Markdown `#` lines, so one splitter
serves SOPs whatever format they arrived in. Problems become `IngestError`s that name the file.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path

from ingest.header import split_header
from ingest.models import IngestError, LoadedText

# extension -> format name stored in LoadedText.fmt
_FORMATS: dict[str, str] = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
    ".html": "html",
    ".htm": "html",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".csv": "csv",
}
SUPPORTED_EXTENSIONS: tuple[str, ...] = tuple(sorted(_FORMATS))

# Fewer letters/digits than this in a whole PDF means it is a scan without a text layer.
_MIN_PDF_CHARS = 20


def _unsupported(path: Path) -> IngestError:
    """The error for a file whose extension no loader handles."""
    ext = path.suffix.lower() or "(tanpa ekstensi)"
    return IngestError(
        str(path), f"ekstensi {ext} tidak didukung; yang didukung: {', '.join(SUPPORTED_EXTENSIONS)}"
    )


def _decode_utf8(path: Path, raw: bytes) -> str:
    """Strict UTF-8 (a BOM is allowed); a bad byte names its offset and line."""
    if b"\x00" in raw:
        offset = raw.index(b"\x00")
        line = raw[:offset].count(b"\n") + 1
        raise IngestError(str(path), f"berkas biner, bukan teks (byte NUL pada offset {offset})", line)
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise IngestError(
            str(path),
            f"file bukan UTF-8: byte tidak valid 0x{raw[exc.start]:02x} pada offset {exc.start}; "
            "simpan ulang sebagai UTF-8",
            line,
        ) from None
    # One newline convention, so line numbers and paragraph splitting agree everywhere.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _load_pdf(path: Path, raw: bytes) -> str:
    """Text layer of every page (pypdf); a scan without text is an error, not an empty doc."""
    from pypdf import PdfReader

    # pypdf logs every recoverable defect; the curator only needs our one message.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(str(path), "PDF terenkripsi dengan kata sandi; buka kuncinya dahulu")
        pages = [page.extract_text() or "" for page in reader.pages]
    except IngestError:
        raise
    except Exception as exc:  # pypdf raises many types for broken files
        raise IngestError(str(path), f"PDF rusak atau tidak dapat dibaca ({type(exc).__name__}: {exc})") from None
    text = "\n".join(p.strip("\n") for p in pages)
    if sum(ch.isalnum() for ch in text) < _MIN_PDF_CHARS:
        raise IngestError(
            str(path),
            f"PDF tidak memiliki lapisan teks (hasil pindai?); {len(pages)} halaman tanpa teks - "
            "jalankan OCR terlebih dahulu",
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _docx_heading_level(style_name: str) -> int:
    """Markdown level of a Word paragraph style: "Title" -> 1, "Heading 2" -> 2, else 0."""
    name = style_name.strip().lower()
    if name == "title":
        return 1
    match = re.fullmatch(r"(?:heading|judul)\s*(\d)", name)
    return int(match.group(1)) if match else 0


def _load_docx(path: Path, raw: bytes) -> str:
    """Paragraphs and tables in document order; Word headings become `#` lines."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(raw))
        blocks = list(document.iter_inner_content())
    except Exception as exc:  # a zip that is not a Word document, a truncated file ...
        raise IngestError(str(path), f"DOCX rusak atau tidak dapat dibaca ({type(exc).__name__}: {exc})") from None
    lines: list[str] = []
    step = 0  # Word keeps list numbers in numbering.xml, not in the text: rebuild them
    for block in blocks:
        if isinstance(block, Table):
            step = 0
            for row in block.rows:
                cells = [" ".join(c.text.split()) for c in row.cells]
                # merged cells repeat: keep each distinct cell text once
                unique = [c for i, c in enumerate(cells) if c and c not in cells[:i]]
                if unique:
                    lines.append(" | ".join(unique))
            lines.append("")
            continue
        text = block.text.strip()
        style = block.style.name if block.style is not None else ""
        level = _docx_heading_level(style)
        if not text:
            lines.append("")
            continue
        if level:
            step = 0
            lines += ["", "#" * level + " " + " ".join(text.split()), ""]
        elif style.lower().startswith("list number"):
            step += 1
            lines.append(f"{step}. {text}")
        elif style.lower().startswith("list"):
            lines.append(f"- {text}")
        else:
            step = 0
            lines += [text, ""]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"


class _HtmlToText(HTMLParser):
    """Visible text of an HTML page with headings as `#` lines and list items as lines."""

    _SKIP = {"script", "style", "nav", "noscript", "template", "svg", "iframe", "head"}
    _BLOCK = {
        "p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote",
        "table", "tr", "ul", "ol", "dl", "dt", "dd", "pre", "hr", "form", "figure", "figcaption",
        "address", "body",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.title: list[str] = []
        self.in_title = False
        self.lists: list[list] = []  # stack of [tag, counter]
        self.pre = 0
        self.first_cell = True
        self.after_marker = False  # "<li><p>text</p></li>": keep the text on the marker's line

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        if tag in self._SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        if re.fullmatch(r"h[1-6]", tag):
            self.parts.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag in ("ul", "ol"):
            self.lists.append([tag, 0])
            self.parts.append("\n")
        elif tag == "li":
            marker = "- "
            if self.lists and self.lists[-1][0] == "ol":
                self.lists[-1][1] += 1
                marker = f"{self.lists[-1][1]}. "
            fresh_line = bool(self.parts) and self.parts[-1].endswith("\n")
            self.parts.append(("" if fresh_line else "\n") + marker)
            self.after_marker = True
            return
        elif self.after_marker and (tag in self._BLOCK or tag == "br"):
            return
        elif tag == "br":
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("" if self.first_cell else " | ")
            self.first_cell = False
        elif tag in self._BLOCK:
            if tag == "tr":
                self.first_cell = True
            if tag == "pre":
                self.pre += 1
            self.parts.append(self._gap(tag))

    def _gap(self, tag: str) -> str:
        """Paragraph-like blocks get a blank line, except inside lists (steps stay together)."""
        return "\n\n" if tag in ("p", "pre", "table", "blockquote") and not self.lists else "\n"

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in self._SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if re.fullmatch(r"h[1-6]", tag):
            self.parts.append("\n\n")
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self.parts.append("\n\n")
        elif tag in self._BLOCK:
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
            self.parts.append(self._gap(tag))

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        if self.skip:
            return
        if self.after_marker:
            if not data.strip():
                return
            data = data.lstrip()
            self.after_marker = False
        self.parts.append(data if self.pre else re.sub(r"\s+", " ", data))

    def text(self) -> str:
        """The collected text: one line per block, blank lines between paragraphs."""
        lines = [ln.strip() if not self.pre else ln.rstrip() for ln in "".join(self.parts).split("\n")]
        text = "\n".join(re.sub(r"[ \t]+", " ", ln) for ln in lines)
        return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


def _decode_html(path: Path, raw: bytes) -> str:
    """UTF-8, or the charset the page declares in a <meta> tag."""
    try:
        return _decode_utf8(path, raw)
    except IngestError:
        match = re.search(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_\-]+)""", raw[:4096], re.I)
        if not match:
            raise
        try:
            return raw.decode(match.group(1).decode("ascii")).replace("\r\n", "\n")
        except (LookupError, UnicodeDecodeError):
            raise IngestError(
                str(path), f"HTML tidak dapat didekode dengan charset {match.group(1).decode('ascii')}"
            ) from None


def _load_html(path: Path, raw: bytes) -> tuple[str, str]:
    """(text, page title) of an HTML file."""
    parser = _HtmlToText()
    parser.feed(_decode_html(path, raw))
    parser.close()
    return parser.text(), " ".join("".join(parser.title).split())


def load_file(path: Path) -> LoadedText:
    """Read one file into `LoadedText` (header block parsed out); raise `IngestError` if unusable."""
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise _unsupported(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise IngestError(str(path), "file tidak ditemukan") from None
    except OSError as exc:
        raise IngestError(str(path), f"file tidak dapat dibaca ({exc.strerror or exc})") from None
    if not raw.strip():
        raise IngestError(str(path), "file kosong")
    page_title = ""
    if fmt == "pdf":
        text = _load_pdf(path, raw)
    elif fmt == "docx":
        text = _load_docx(path, raw)
    elif fmt == "html":
        text, page_title = _load_html(path, raw)
    else:
        text = _decode_utf8(path, raw)
    header, body = split_header(text)
    if page_title:
        # <title> often carries site furniture ("Panduan | Situs Dinas"); an <h1> wins over it.
        header.setdefault("page_title", page_title)
    if not body.strip():
        reason = "file kosong (hanya blok header, tanpa isi)" if header else "file kosong"
        raise IngestError(str(path), reason)
    return LoadedText(path=str(path), source_name=path.name, text=body, header=header, raw=raw, fmt=fmt)


def _hidden(rel: Path) -> bool:
    """Dot files/folders and Office lock files ("~$report.docx") are not documents."""
    return any(part.startswith(".") or part.startswith("~$") for part in rel.parts)


# Notes about a folder (README.md, SOURCES.md, LICENSE...) describe the documents, they are
# not knowledge themselves: skipped when a folder is expanded, ingested when named explicitly.
_FOLDER_NOTES = {"readme", "sources", "license", "licence", "changelog", "contributing"}


def _folder_note(path: Path) -> bool:
    return path.stem.lower() in _FOLDER_NOTES


def iter_files(paths: Iterable[Path]) -> tuple[list[Path], list[IngestError]]:
    """Expand folders recursively (sorted); return (files to load, errors for named paths)."""
    files: list[Path] = []
    errors: list[IngestError] = []
    seen: set[Path] = set()

    def add(p: Path) -> None:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            files.append(p)

    for given in paths:
        path = Path(given)
        if path.is_dir():
            # Inside a folder unsupported files (images, SOURCES.json ...) are skipped silently.
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if child.is_file() and not _hidden(rel) and child.suffix.lower() in _FORMATS \
                        and not _folder_note(child):
                    add(child)
        elif path.is_file():
            if path.suffix.lower() in _FORMATS:
                add(path)
            else:
                errors.append(_unsupported(path))
        else:
            errors.append(IngestError(str(path), "file atau folder tidak ditemukan"))
    return files, errors
