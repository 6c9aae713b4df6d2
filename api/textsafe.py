"""Make untrusted text storable: lone surrogates and NUL characters are replaced, never raised on.

JSON may legally escape a lone UTF-16 surrogate (``"\\ud800"``); Python decodes it into a str
that cannot be encoded as UTF-8, so SQLite, PostgreSQL and every log line fail on it. NUL is
valid UTF-8 but PostgreSQL text columns refuse it. Both become U+FFFD, the Unicode replacement
character, so the rest of the message survives.
"""

from __future__ import annotations

import re
from typing import Any

REPLACEMENT = "\ufffd"
_BAD = re.compile("[\ud800-\udfff\x00]")
# WhatsApp payloads nest about eight levels; anything much deeper is not from the platform.
MAX_JSON_DEPTH = 32


def needs_cleaning(text: str) -> bool:
    """True when ``text`` holds a lone surrogate or NUL."""
    return _BAD.search(text) is not None


def clean_text(text: str) -> str:
    """``text`` with lone surrogates and NUL replaced by U+FFFD (valid pairs are joined)."""
    if not needs_cleaning(text):
        return text
    # Round-trip through UTF-16: a surrogate pair becomes its character, a lone half U+FFFD.
    joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return joined.replace("\x00", REPLACEMENT)


def clean_json(value: Any) -> tuple[Any, bool]:
    """A copy of a decoded JSON value with every string (keys too) cleaned; and whether any
    string changed. Iterative, so no depth can exhaust the stack."""
    changed = False

    def fix(s: str) -> str:
        nonlocal changed
        if needs_cleaning(s):
            changed = True
            return clean_text(s)
        return s

    if isinstance(value, str):
        return fix(value), changed
    if not isinstance(value, (dict, list)):
        return value, False
    root: Any = {} if isinstance(value, dict) else []
    stack: list[tuple[Any, Any]] = [(value, root)]
    while stack:
        src, dst = stack.pop()
        items = src.items() if isinstance(src, dict) else enumerate(src)
        for k, v in items:
            if isinstance(v, dict):
                child: Any = {}
                stack.append((v, child))
            elif isinstance(v, list):
                child = []
                stack.append((v, child))
            elif isinstance(v, str):
                child = fix(v)
            else:
                child = v
            if isinstance(dst, dict):
                dst[fix(k) if isinstance(k, str) else k] = child
            else:
                dst.append(child)
    return root, changed


def json_depth_exceeds(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when the JSON text nests arrays/objects deeper than ``limit`` (scanned before
    parsing, so a hostile body never reaches the recursive decoder)."""
    # Fast path: a body with fewer brackets than the limit cannot nest that deep.
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    depth = 0
    in_string = False
    escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False
