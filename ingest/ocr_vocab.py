"""What counts as a word, a number and a damaged token in one OCR'd statute.

The OCR repair (`ingest.ocr_repair`) and its measurement (`ingest.ocr_report`) share these
definitions: a `DocVocabulary` built from the document's own text (how often each word is
printed cleanly there) plus Sastrawi's root list, the OCR glyph confusions we accept, and
`suspicious_tokens`, the detector the reduction is measured with.

The detector is deliberately wider than the repair: it flags every token that *looks*
damaged by shape or by vocabulary, whether or not the repair dares to touch it, so a
repair that is too timid shows up as tokens left behind.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from knowledge.textproc import is_dictionary_word, root_words

# Digit look-alikes OCR prints inside numbers: "24O" = 240, "2l" = 21, "lI2" = 112.
DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1"})

# Letter-shape confusions seen in scanned statutes, as (misread, real) pairs: "U" read as
# "Lr"/"Ll" ("perLrndang"), "y" as "5r"/"Jr" ("men5rusun"), "fi" as "li"/"h" ("sertilikat",
# "hnansial"), "m" as "rn", "I" as "l" ("lzin"), "v" as "u" ("seruice"), "/" as "l"/"f"/"I"
# ("danlatau", "kabupatenfkota"), "P" as "F" ("Pemerintah Fusat"). A word is only rewritten into a form the document itself
# prints cleanly (see `ingest.ocr_repair`), so a confusion listed here cannot invent words.
CONFUSIONS: tuple[tuple[str, str], ...] = (
    ("Lr", "u"), ("Ll", "u"), ("ll", "u"), ("rl", "u"), ("lr", "u"), ("rr", "u"), ("tr", "u"),
    ("Lr", "U"), ("Ll", "U"),
    ("5r", "y"), ("Jr", "y"), ("jr", "y"), ("5", "y"),
    ("li", "fi"), ("hk", "fik"), ("h", "fi"), ("fi", "ft"), ("fiu", "ftw"),
    ("rn", "m"), ("r4", "m"), ("4", "m"),
    ("l", "I"), ("l", "i"), ("I", "l"), ("1", "l"), ("1", "j"), ("t", "l"), ("l", "t"),
    ("u", "v"), ("F", "P"),
)
SLASH_LOOKALIKES = "lfI1"
_MULTI_GLYPH_RE = re.compile(r"li|hk|rn|ll|rl|lr|rr|5r|jr|r4")
_INITIAL_L_RE = re.compile(r"^l[b-df-hj-np-tv-z]")

# Short words that are words even where a small document never prints them twice.
FUNCTION_WORDS = frozenset({
    "di", "ke", "se", "dan", "atau", "yang", "ini", "itu", "pada", "dari", "oleh", "untuk", "dalam",
    "atas", "bagi", "ada", "tak", "pun", "juga", "agar", "jika", "bila", "serta", "secara",
})

# Parts that may be written glued to the next word in good Indonesian ("antarkementerian",
# "nonperseorangan", "subsektor"): never a reason to split.
BOUND_PREFIXES = frozenset({
    "antar", "non", "sub", "pasca", "pra", "multi", "inter", "supra", "swa", "tuna", "maha",
    "adi", "ekstra", "semi", "ko", "anti", "pan", "re", "de", "trans", "ultra", "mikro", "makro",
    "tele", "bio", "geo", "eko", "purna", "dwi", "tri", "catur", "panca", "serba", "tak", "infra",
})

# Compounds statutes print closed although the standard spelling is open: not glued by OCR
# ("walikota" in UU 25/2009 Pasal 6 and PP 28/2025 beside "wali kota").
PRINTED_COMPOUNDS = frozenset({"walikota"})

# Mixed letter/digit tokens that are legitimate: areas ("km2"), rupiah amounts, "3x24",
# codes such as "B3", "K3", "K9", "PM2,5", "SP4N-LAPOR", inserted Pasal numbers ("18A"), "ke-2".
_LEGIT_MIXED = re.compile(
    r"^(?:[kcd]?m[23²³]|Rp\d{1,3}(?:\.\d{3})*(?:,\d{2})?|\d+x\d+|\d+(?:[.,]\d+)?%"
    r"|[A-Z]{1,5}-?\d{1,4}(?:[.,]\d)?[A-Za-z]?(?:-[A-Z]{2,})*|\d{1,3}[A-HJ-NP-Z]|[a-z]+-\d+)$"
)
_LOOKALIKE_ONLY_LETTERS = re.compile(r"^[IlOL|]+\d")  # "I24", "L2": a damaged number, not a code
_CORE_RE = re.compile(r"^(?P<lead>[\"'“‘\[(]*)(?P<core>.*?)(?P<trail>[\"'”’\]).,;:!?]*)$")
_DAMAGED_AYAT_RE = re.compile(r"^(?:ayat)?\(\s*\d[1lI]?(?![\d)])|^\(\d[lI]\)|^\(\d{1,2}\)['’`]")
HURUF_GLUE_RE = re.compile(r"^(?P<w>[Hh]uruf|[Aa]ngka)(?P<l>[a-z])$")  # "hurufa" = "huruf a"
_WORD_RE = re.compile(r"^[A-Za-z]+(?:-[A-Za-z]+)*$")


def split_core(token: str) -> tuple[str, str, str]:
    """(leading punctuation, core, trailing punctuation) of a whitespace token."""
    m = _CORE_RE.match(token)
    assert m is not None  # the pattern matches every string
    return m.group("lead"), m.group("core"), m.group("trail")


class DocVocabulary:
    """Word counts over one document's clean-looking tokens, plus Sastrawi's dictionary."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.counts: Counter[str] = Counter()
        self.surface: dict[str, Counter[str]] = {}
        self.bigrams: Counter[tuple[str, str]] = Counter()
        self.slashed: Counter[str] = Counter()  # "dan/atau", "kabupaten/kota"
        for text in texts:
            prev = ""
            for tok in text.split():
                _lead, core, _trail = split_core(tok)
                if "/" in core and all(_WORD_RE.match(p) for p in core.split("/")):
                    self.slashed[core.lower()] += 1
                if not _WORD_RE.match(core):
                    prev = ""
                    continue
                low = core.lower()
                self.counts[low] += 1
                self.surface.setdefault(low, Counter())[core] += 1
                if prev:
                    self.bigrams[(prev, low)] += 1
                prev = low if not _trail else ""

    def count(self, word: str) -> int:
        """How often the lower-case word is printed as a word of its own in the document."""
        return self.counts.get(word.lower(), 0)

    def in_dictionary(self, word: str) -> bool:
        """True for a Sastrawi root or a word that stems to one."""
        return is_dictionary_word(word.lower())

    def known(self, word: str, min_count: int = 3) -> bool:
        """A word the document prints at least `min_count` times, or a dictionary word."""
        return self.count(word) >= min_count or self.in_dictionary(word)

    def part(self, word: str) -> bool:
        """A plausible half of a glued pair: printed alone twice, or a dictionary root ≥ 3 letters."""
        low = word.lower()
        return self.count(low) >= 2 or (len(low) >= 3 and self.in_dictionary(low))

    def cased(self, word: str, like: str) -> str:
        """`word` in the casing of the damaged token `like` it replaces.

        A token that begins with a glyph OCR confuses across case ("lzin" for "Izin", "IaIu"
        for "lalu") takes the casing the document mostly prints the word in.
        """
        forms = self.surface.get(word.lower())
        if like[:1] in "lI1|" and forms:
            if word.startswith("i") and like[:1] == "l":
                return "I" + word[1:]  # a capital I read as l: "lzin" = "Izin"
            return forms.most_common(1)[0][0]
        if like.isupper() and len(like) > 1:
            return word.upper()
        if like[:1].isupper():
            return word[:1].upper() + word[1:]
        return word

    # --- shapes of damage ----------------------------------------------------------------------
    def glued_split(self, word: str) -> tuple[str, str] | None:
        """Best (left, right) split of a token that is two known words run together, or None.

        Both halves must be words the document prints on their own (twice or more), or the
        pair must occur apart in the document, or one half is a common word and the other
        an exact Sastrawi root; a two-letter half must be a common function word. Compounds
        such as "menindaklanjuti" fail this: their halves ("menindak", "lanjuti") are not
        printed alone.
        """
        low = word.lower()
        if len(low) < 5 or self.in_dictionary(low):
            return None
        roots = root_words()
        best: tuple[float, tuple[str, str]] | None = None
        for i in range(2, len(low) - 1):
            a, b = low[:i], low[i:]
            if a in BOUND_PREFIXES:
                continue
            if (len(a) == 2 and self.count(a) < 20) or (len(b) == 2 and self.count(b) < 20):
                continue  # a two-letter half must be a common function word ("di", "ke")
            ca, cb, pair = self.count(a), self.count(b), self.bigrams[(a, b)]
            strong = (ca >= 2 and cb >= 2) or (pair >= 1 and self.part(a) and self.part(b))
            weak = (ca >= 10 and len(b) >= 5 and b in roots) or (cb >= 10 and len(a) >= 5 and a in roots)
            if not (strong or weak):
                continue
            score = min(ca, cb) + pair * 10
            if best is None or score > best[0]:
                best = (score, (word[:i], word[i:]))
        return best[1] if best else None

    def is_glued(self, word: str) -> tuple[str, str] | None:
        """The split of a glued token, when the document prints the pair apart more than joined."""
        a_b = self.glued_split(word)
        if a_b is None or word.lower() in PRINTED_COMPOUNDS:
            return None
        together = self.count(word)
        apart = self.bigrams[(a_b[0].lower(), a_b[1].lower())]
        return a_b if together <= 2 or together < apart else None

    def split_join(self, left: str, right: str) -> str | None:
        """The word that two adjacent pieces form ("P erizinan", "berpoten si"), or None.

        One piece must be a non-word (a lone capital letter counts as one) and the joined form
        a word the document prints at least three times, or a dictionary word that is not
        itself two words run together.
        """
        if (len(left) == 1 and not left.isupper()) or not right.islower():
            return None  # "huruf a", "dan f.": a lone lower-case letter is a label
        if len(right) < 2 and (self.known(left, 2) or self.count(left + right) < 10):
            return None  # "yan g" = "yang", but never "huruf b" or "dan f"
        def piece_ok(p: str) -> bool:
            return (len(p) > 1 and (self.known(p, 2) or p.lower() in FUNCTION_WORDS))
        if piece_ok(left) and piece_ok(right):
            return None
        joined = left + right
        low = joined.lower()
        if self.count(low) >= 2 and not self.is_glued(joined):
            return joined
        if len(low) >= 6 and self.in_dictionary(low):
            return joined
        return None

    def confusion_variants(self, word: str) -> list[str]:
        """Spellings one or two glyph confusions away from `word` (see CONFUSIONS)."""
        out: set[str] = set()
        frontier = {word}
        # Two confusions in one short word would reach too many words ("rest" → "resi").
        for _depth in range(2 if len(word) >= 6 else 1):
            nxt: set[str] = set()
            for w in frontier:
                for bad, good in CONFUSIONS:
                    start = w.find(bad)
                    while start >= 0:
                        nxt.add(w[:start] + good + w[start + len(bad):])
                        start = w.find(bad, start + 1)
            out |= nxt
            frontier = nxt
        out.discard(word)
        return sorted(out)

    def misread_fix(self, word: str) -> str | None:
        """The word (lower case) the document prints cleanly that a damaged token misreads."""
        low = word.lower()
        if self.in_dictionary(low) or len(low) < 3 or (_case_glue(word) and self.glued_split(word)):
            return None  # a case change inside marks glued words ("KEKatau"), not a misreading
        # Only a token that carries a typical multi-glyph misreading may become a dictionary
        # word the document does not print; proper names ("Pertamina") never do.
        dictionary_ok = not word[:1].isupper() and bool(_MULTI_GLYPH_RE.search(word.lower()))
        # No Indonesian word begins with "l" and a consonant: such a token is a capital I read
        # as l ("lzin", "lnstansi"), however rarely the document prints the word itself.
        initial_i = bool(_INITIAL_L_RE.match(word))
        scored: list[tuple[int, str]] = []
        for cand in self.confusion_variants(word):
            c = cand.lower()
            if "/" in c:
                n = self.slashed.get(c, 0)
            else:
                n = self.count(c)
                if n < 2:
                    # A long dictionary word the document happens not to repeat still beats a
                    # one-off non-word ("klarilikasi" → "klarifikasi").
                    n = 4 if dictionary_ok and len(c) >= 8 and self.in_dictionary(c) else 0
            # The reading must be printed cleanly far more often than the damaged form, or be
            # a dictionary word the document prints often while the token is no word at all
            # (a systematic misreading: "lzin" 53 times beside "Izin"/"izin" 40 times), or a
            # long dictionary word reached through a multi-glyph misreading that the document
            # prints at least as often as the damaged form ("penJrusunan" 3x, "penyusunan" 6x).
            systematic = (n >= 10 and not word.isupper() and "/" not in c and self.in_dictionary(c))
            multi = dictionary_ok and len(c) >= 8 and n >= self.count(low) and self.in_dictionary(c)
            initial = initial_i and c[:1] == "i" and len(c) >= 4 and self.in_dictionary(c) \
                and self.count(c) >= 1  # printed cleanly somewhere ("lgali" is no "igali")
            if initial:
                n = max(n, 4)
            if n and (n > 3 * self.count(low) or systematic or multi or initial):
                scored.append((n, cand))
        for i, ch in enumerate(word):
            if ch in SLASH_LOOKALIKES and 0 < i < len(word) - 1:
                cand = f"{word[:i]}/{word[i + 1:]}"
                n = self.slashed.get(cand.lower(), 0)
                if n >= 2 and n > self.count(low):  # "/" for a letter: rarer than a real misreading
                    scored.append((n, cand))
        if not scored:
            return None
        scored = [(n, c.lower()) for n, c in scored]
        scored.sort(key=lambda x: (-x[0], x[1]))
        # Two different readings of similar standing: ambiguous, leave the token alone.
        if len(scored) > 1 and scored[1][1] != scored[0][1] and scored[1][0] * 2 > scored[0][0]:
            return None
        return scored[0][1]


@dataclass(frozen=True)
class Suspect:
    """A token the detector flags, with the shape that made it suspicious."""

    kind: str  # mixed | ayat_ref | glued | split | misread
    token: str


def is_legit_mixed(core: str, prev: str = "") -> bool:
    """True for a letter+digit token that is not OCR damage (units, amounts, codes)."""
    if _LOOKALIKE_ONLY_LETTERS.match(core):
        return False
    return bool(_LEGIT_MIXED.match(core))


def suspicious_tokens(text: str, vocab: DocVocabulary) -> list[Suspect]:
    """Flag damaged-looking tokens in `text` (definition in ingest/OCR_REPAIR.md).

    - ayat_ref: "(21", "(41huruf", "(2l'," — an ayat label opened but not closed after a digit;
    - mixed: letters and digits in one token that is not a unit, amount or code ("24O", "2o2r",
      "men5rusun", "Pasal2l", "(1)huruf");
    - split: a word broken in two ("P erizinan", "berpoten si"): the joined form is a known
      word and one of the pieces is not;
    - glued: a token that is not a word but two known words run together ("dalamhasil",
      "KKPRditolak", "tentangCipta"), unless the document prints it that way more often
      than apart;
    - misread: a rare non-word that one or two glyph confusions turn into a word the document
      prints cleanly ("lzin", "perLrndang", "sertilikat", "danlatau").
    """
    out: list[Suspect] = []
    toks = text.split()
    skip_next = False
    for i, tok in enumerate(toks):
        if skip_next:
            skip_next = False
            continue
        lead, core, trail = split_core(tok)
        if _DAMAGED_AYAT_RE.match(tok.lstrip("[\"'")) or re.match(r"^ayat\(", core):
            out.append(Suspect("ayat_ref", tok))
            continue
        if re.search(r"\d", core) and re.search(r"[A-Za-z]", core):
            if not is_legit_mixed(core, toks[i - 1] if i else ""):
                out.append(Suspect("mixed", tok))
            continue
        if not _WORD_RE.match(core):
            continue
        nxt = toks[i + 1] if i + 1 < len(toks) else ""
        nlead, ncore, _nt = split_core(nxt)
        if not trail and not nlead and ncore.isalpha() and ncore.islower() and core.isalpha():
            joined = (core + ncore).lower()
            prev = split_core(toks[i - 1])[1].lower() if i else ""
            if prev not in {"huruf", "angka", "ayat"} and vocab.split_join(core, ncore):
                out.append(Suspect("split", f"{tok} {nxt}"))
                skip_next = True
                continue
        low = core.lower()
        if vocab.in_dictionary(low):
            continue
        if vocab.is_glued(core) or HURUF_GLUE_RE.match(core):
            out.append(Suspect("glued", tok))
            continue
        if vocab.misread_fix(core):
            out.append(Suspect("misread", tok))
    return out


def _case_glue(core: str) -> bool:
    """"tentangCipta", "KKPRditolak": a case change inside a token marks two words run together."""
    return bool(re.search(r"[a-z]{2}[A-Z][a-z]|[A-Z]{2}[a-z]{3}", core))
