"""Cross-references in quoted law: resolved to what they point to, or trimmed.

A quoted ayat often reads "Pemeriksaan sebagaimana dimaksud pada ayat (1) dilakukan paling lama
5 (lima) Hari": for an applicant the reference is noise unless it says what it points to. When
the referred ayat is in the same passage and holds the phrase the reference qualifies
("Pemeriksaan dokumen usulan kegiatan pemanfaatan ruang"), the phrase is completed from it;
otherwise the reference is cut, which leaves a grammatical sentence because Indonesian statutes
use "sebagaimana dimaksud ..." as a parenthetical modifier. References to other Pasal are always
cut: they point outside the quote. Words are only ever removed or copied from the same passage,
so the verification of citations (responder/verify.py) still finds every word in the source.

Quotes also lose dangling list openers at their end ("...; dan d." / "; dan" / "a.").
"""

from __future__ import annotations

import re

# One reference target: "Pasal 18", "ayat (2)", "huruf b", "angka 3"; tolerant of OCR-damaged
# ayat labels ("ayat (21" for "ayat (2)") so that they are trimmed too.
_ITEM = (r"(?:Pasal\s*\d+[A-Z]?|ayat\s*\(\s*[\dlI]{1,2}(?:[a-z](?=\)))?\s*[)1lI]?|huruf\s+[a-z]{1,2}\b|"
         r"angka\s+\d{1,3}\b)")
_JOIN = r"(?:\s*(?:,|dan|atau|sampai\s+dengan|s\.d\.?)?\s*)"
_REF = re.compile(
    r"\s*,?\s*sebagaimana\s*(?:telah\s+)?(?:di)?maksud(?:kan)?\s*(?:pada|dalam|di\s*dalam)\s*"
    rf"(?P<items>{_ITEM}(?:{_JOIN}{_ITEM})*)",
    re.IGNORECASE,
)
_SAME_PASAL_AYAT = re.compile(r"^ayat\s*\(\s*(\d{1,2}[a-z]?)\s*\)$", re.IGNORECASE)
_AYAT_START = re.compile(r"(?:^|(?<=[.;:]\s)|(?<=[a-z]\s)(?<!ayat\s)(?=\(\d{1,2}[a-z]?\)\s+[A-Z][a-z]))"
                         r"\((\d{1,2}[a-z]?)\)\s")
# Words that end the phrase a reference qualifies when it is completed from the referred ayat.
_PHRASE_STOP = frozenset(
    "sebagaimana yang dan atau untuk dalam pada oleh kepada sejak paling wajib harus dapat "
    "tidak telah akan sesuai dengan bagi di ke dari melalui serta terhadap diajukan dilakukan "
    "dilaksanakan diberikan diterbitkan ditetapkan disampaikan diterima merupakan adalah "
    "apabila jika dalam hal setelah sebelum secara".split()
)
_VERBISH = re.compile(r"^(?:di|me|mem|men|meng|meny|ber|ter)[a-z]{3,}$")
_MAX_PHRASE_WORDS = 6

# A list marker or conjunction left hanging at the end of a quote.
_DANGLING = re.compile(
    r"(?:(?:^|[;:,])\s*(?:(?:dan|atau|serta)\s+)?|\s(?:dan|atau|serta)\s+)(?:[a-z]|\d{1,2})\.$"  # "; dan d."
    r"|(?:[\s;,:]+(?:dan|atau|serta)?)$"  # "...; dan" / "...;" / "... :"
    r"|(?:\s+(?:dan|atau|serta|yang|dengan|untuk|pada|dalam|sebagaimana))$",  # "... dan"
    re.IGNORECASE,
)


def ayat_texts(passage: str) -> dict[str, str]:
    """The ayat of a passage by label: {"1": "Pemeriksaan ...", "2": "..."}."""
    starts = list(_AYAT_START.finditer(passage))
    out: dict[str, str] = {}
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(passage)
        out.setdefault(m.group(1), passage[m.end():end].strip())
    return out


def _head_words(before: str, max_words: int = 3) -> list[str]:
    """The last words before a reference (the phrase it qualifies), without punctuation."""
    words = re.findall(r"[\w-]+", before)
    return words[-max_words:]


def _completion(head: list[str], referred: str) -> str | None:
    """Words that follow `head` in the referred ayat, up to a function word or verb."""
    if not head:
        return None
    for n in range(len(head), 0, -1):
        pattern = r"\b" + r"\s+".join(re.escape(w) for w in head[-n:]) + r"\b"
        m = re.search(pattern, referred, re.IGNORECASE)
        if not m:
            continue
        extra: list[str] = []
        for word in re.findall(r"\S+", referred[m.end():]):
            bare = word.strip(",;:.()")
            low = bare.lower()
            if not bare or low in _PHRASE_STOP or _VERBISH.match(low) or not re.fullmatch(r"[\w-]+", bare):
                break
            extra.append(bare)
            if len(extra) >= _MAX_PHRASE_WORDS or word[-1] in ",;:.":
                break
        return " ".join(extra) or None
    return None


def resolve_references(text: str, passage: str = "") -> str:
    """Complete or cut every "sebagaimana dimaksud ..." of a quote taken from `passage`."""
    ayat = ayat_texts(passage) if passage else {}

    def repl(m: re.Match[str]) -> str:
        items = " ".join(m.group("items").split())
        same = _SAME_PASAL_AYAT.match(items)
        if same and same.group(1) in ayat:
            before = text[: m.start()]
            completion = _completion(_head_words(before), ayat[same.group(1)])
            after = " ".join(text[m.end():].split()[:2]).lower()
            if completion and completion.lower() not in before[-80:].lower() \
                    and not completion.lower().startswith(after):
                return " " + completion + " "
        return " "

    out = _REF.sub(repl, text)
    out = re.sub(r"\s+([,.;:)])", r"\1", out)
    out = re.sub(r",\s*,", ",", out)
    return re.sub(r"[ \t]{2,}", " ", out).strip()


def has_dangling_reference(text: str) -> bool:
    """True when a "sebagaimana dimaksud ..." to a Pasal/ayat is left in the text."""
    return bool(_REF.search(text))


def trim_dangling(text: str) -> str:
    """Cut list markers and conjunctions hanging at the end of a quote; end it with a full stop."""
    out = text.rstrip()
    for _ in range(4):
        cut = _DANGLING.sub("", out).rstrip()
        if cut == out:
            break
        out = cut
    if out and out[-1] not in ".!?)\"'…":
        out = out.rstrip(",;:") + "."
    return out


def clean_quote(text: str, passage: str = "") -> str:
    """A quote ready for an applicant: references resolved or trimmed, no dangling markers."""
    return trim_dangling(resolve_references(text, passage))
