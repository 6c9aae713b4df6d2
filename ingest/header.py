"""The `# Key: value` header block that corpus files start with.

The shared corpus files open with lines such as ``# Title: ...`` and ``# Source: ...``; an
indented ``#   OMITTED: ...`` line continues the previous key. The block ends at the first
blank line. A Markdown file that opens with a heading (``# Panduan NIB``) has no header block.
"""

from __future__ import annotations

import re

# A key is a short label: letters, digits, spaces and a few punctuation marks, but no "."
# (so a prose comment such as "# Curated FAQ (sample). Each entry: id, ..." is not a key).
_KEY_LINE = re.compile(r"^#[ \t]?(?P<key>[A-Za-z][A-Za-z0-9 _/(),\-]{0,79}?)[ \t]*:(?:[ \t]+(?P<value>.*))?$")
# Keys that make a single key line a header on its own; with two or more key lines any key counts.
KNOWN_KEYS = frozenset(
    {
        "title", "judul", "source", "sumber", "kind", "jenis", "status", "short_name",
        "short name", "replaced_by", "replaced by", "number", "nomor", "year", "tahun",
        "unit", "source format", "completeness", "quality", "cleaning applied",
    }
)


def _is_continuation(line: str) -> bool:
    """An indented `#` line (two or more blanks after the hash) continues the previous key."""
    return line.startswith("#  ") or line.startswith("#\t") or line.strip() == "#"


def split_header(text: str) -> tuple[dict[str, str], str]:
    """Split `text` into (header dict with lower-cased keys, body); no header -> ({}, text)."""
    lines = text.splitlines(keepends=True)
    header: dict[str, str] = {}
    key_lines = 0
    last_key: str | None = None
    consumed = 0
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line.strip():
            consumed += 1  # the blank line that closes the block belongs to the header
            break
        if not line.startswith("#"):
            break
        match = None if _is_continuation(line) else _KEY_LINE.match(line)
        if match and not line.startswith("##"):
            last_key = " ".join(match.group("key").lower().split())
            value = (match.group("value") or "").strip()
            header[last_key] = value if last_key not in header else header[last_key] + "\n" + value
            key_lines += 1
        elif last_key is not None:
            extra = line.lstrip("#").strip()
            if extra:
                header[last_key] = (header[last_key] + "\n" + extra).strip()
        else:
            # The first line is not `# Key: value`: a Markdown title or a comment, not a header.
            return {}, text
        consumed += 1
    if not header:
        return {}, text
    if key_lines < 2 and not (header.keys() & KNOWN_KEYS):
        # One unfamiliar "# Something: else" line is more likely a Markdown heading.
        return {}, text
    return header, "".join(lines[consumed:])
