"""Figures the OCR pass reads with the help of their context: the spelled-out number in brackets
after a figure ("7 (tujuh)"), the Pasal an ayat reference belongs to, and a figure whose digit
was read as a letter and glued to the word before it ("paling lamaT (tujuh)" → "paling lama 7
(tujuh)").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ingest.number_words import spelled_value
from ingest.ocr_vocab import split_core

if TYPE_CHECKING:
    from ingest.ocr_vocab import DocVocabulary

# Letters a scan reads for digits at the end of a word (only ever applied where the words in
# brackets spell the number, so the reading is certain).
_TAIL_DIGITS = str.maketrans({"T": "7", "O": "0", "o": "0", "l": "1", "I": "1", "|": "1",
                              "S": "5", "Z": "2", "B": "8", "G": "6", "q": "9"})


def glued_figure(core: str, spelled: tuple[float, bool, str] | None,
                 vocab: DocVocabulary) -> str | None:
    """"lamaT" before "(tujuh)" → "lama 7": the token's tail, read as digits, is exactly the
    number the brackets spell, and what stays is a word the document knows while the whole
    token is not. None whenever any of that fails."""
    if spelled is None or spelled[1] or not core.isalpha() or spelled[0] != int(spelled[0]):
        return None
    digits = str(int(spelled[0]))
    head, tail = core[:-len(digits)], core[-len(digits):]
    if len(head) < 3 or tail.translate(_TAIL_DIGITS) != digits:
        return None
    if vocab.known(core, 2) or not vocab.known(head):
        return None
    return f"{head} {digits}"


_REF_FILLER_RE = re.compile(r"^(?:ayat|dan|atau|serta|huruf|[a-z]|\(\d{1,2}\)|\(\d[1lI])$")


def referenced_pasal(toks: list[str], i: int) -> str | None:
    """The Pasal an ayat reference at token i belongs to: "Pasal 21 ayat (1) dan ayat (21"."""
    for j in range(i - 1, max(-1, i - 12), -1):
        core = split_core(toks[j])[1]
        if j > 0 and re.fullmatch(r"\d{1,3}[A-Z]?", core) and split_core(toks[j - 1])[1].lower() == "pasal":
            return f"Pasal {core}"
        if not _REF_FILLER_RE.match(toks[j].lower().rstrip(",;")):
            return None
    return None


def spelled_after(toks: list[str], i: int) -> tuple[float, bool, str] | None:
    """The spelled-out number in parentheses right after token i: (value, percent, words)."""
    if i + 1 >= len(toks) or not toks[i + 1].startswith("("):
        return None
    words: list[str] = []
    for t in toks[i + 1:i + 12]:
        words.append(t)
        if ")" in t:
            break
    phrase = " ".join(words)
    phrase = phrase[: phrase.find(")") + 1] if ")" in phrase else phrase
    read = spelled_value(phrase)
    return (read[0], read[1], phrase) if read else None
