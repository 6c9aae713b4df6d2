"""Normalise an applicant's chat message: abbreviations, Banjar, English terms, misspelt domain terms.

The result keeps the original untouched (officers see what the applicant wrote) and gives a
lower-case text in which ``gmn`` reads ``bagaimana``, ``ulun`` reads ``saya`` and ``kbil`` reads
``kbli``, so the lexical index and the classification rules see standard Indonesian.

Spelling repair is deliberately timid: only tokens of three or more letters that are neither
ordinary Indonesian (Sastrawi's root-word list, directly or after stemming) nor known slang or
English are repaired, and only towards a single unambiguous vocabulary word within a small
Damerau-Levenshtein distance. A wrong "correction" of an ordinary word costs more than a missed one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from responder import lexicon

# Letters/digits with inner hyphens or apostrophes ("ukl-upl", "assalamu'alaikum", "0812-5555").
_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_ELONGATED = re.compile(r"([a-z])\1{2,}")
# Clitics written with a hyphen ("PBG-nya") become separate words.
_HYPHEN_CLITIC = re.compile(r"(?<=\w)-(nya|ku|mu|lah|kah)\b")
_NUMBER_UNIT = re.compile(
    r"^(\d+(?:[.,]\d+)?)(rb|ribu|jt|juta|k|m2|m|meter|ha|hari|thn|tahun|lt|lantai|an)$"
)
_DIMENSION = re.compile(r"^(\d+(?:[.,]\d+)?)x(\d+(?:[.,]\d+)?)(m|m2)?$")
# Reduplication written with a digit: "nyampe2" -> "nyampe-nyampe", "kecil2an" -> "kecil-kecilan".
_REDUP = re.compile(r"^([a-z]{3,})2(an|nya)?$")
_UNIT_WORDS = {"rb": "ribu", "jt": "juta", "k": "ribu", "thn": "tahun", "lt": "lantai"}
_ENGLISH_MODE_SKIP = {"no", "am", "min", "tak", "lo", "lawan", "kek", "ja", "gin", "asa", "th",
                      "hr", "p", "ass", "biar", "tau", "kah", "pang"}
_PHRASE_MAX = 4
_ABBREVIATIONS = {"jl", "jln", "no", "dr", "drs", "ir", "hj", "st", "kab", "kec", "ds", "pt",
                  "cv", "ud", "bpk", "ibu", "sdr", "sdri", "prof", "kel", "rt", "rw", "gg"}


@dataclass
class Normalised:
    """A message before and after normalisation."""

    original: str
    text: str  # normalised, lower-case, punctuation kept
    tokens: list[str]
    corrections: list[tuple[str, str]] = field(default_factory=list)  # (written, read as)
    lang: str = "id"  # "en" when the message is mostly English


@lru_cache(maxsize=1)
def _root_words() -> frozenset[str]:
    """Sastrawi's list of Indonesian root words (ships with pysastrawi)."""
    import Sastrawi

    path = Path(Sastrawi.__file__).parent / "Stemmer" / "data" / "kata-dasar.txt"
    return frozenset(w.strip().lower() for w in path.read_text(encoding="utf-8").split() if w)


@lru_cache(maxsize=1)
def _stemmer():
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=50_000)
def is_ordinary_word(word: str) -> bool:
    """True for Indonesian words (root, affixed, colloquial), slang, function and English words."""
    if word in _known_words():
        return True
    roots = _root_words()
    if word in roots:
        return True
    if "-" in word:
        return all(is_ordinary_word(p) for p in word.split("-") if p)
    stem = _stemmer().stem(word)
    if stem and stem != word and stem in roots:
        return True
    return any(r in roots for r in _colloquial_roots(word))


# Jakarta-style colloquial affixes Sastrawi does not know: "dikirimin", "ngirim", "nyiapin".
_COLLOQUIAL_SUFFIXES = ("in", "an", "nya", "kan", "i")
_NASAL = {"ng": ("k", ""), "ny": ("s", "c"), "m": ("p", ""), "n": ("t", "")}


def _colloquial_roots(word: str) -> set[str]:
    """Candidate roots of a colloquially affixed word."""
    bases = {word}
    for prefix in ("di", "ke", "ter", "ber", "se", "nge"):
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            bases.add(word[len(prefix):])
    for nasal, subs in _NASAL.items():
        if word.startswith(nasal) and len(word) > len(nasal) + 2 and word[len(nasal)] in "aiueo":
            rest = word[len(nasal):]
            bases.update(s + rest for s in subs)
    out = set(bases)
    for base in bases:
        for suffix in _COLLOQUIAL_SUFFIXES:
            if base.endswith(suffix) and len(base) - len(suffix) >= 3:
                out.add(base[: -len(suffix)])
    return out


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    known: set[str] = set()
    for table in (lexicon.SLANG, lexicon.BANJAR, lexicon.ENGLISH_TERMS, lexicon.ENGLISH_GENERAL):
        known.update(table)
        for value in table.values():
            known.update(value.split())
    for phrase, value in lexicon.PHRASES.items():
        known.update(phrase.split())
        known.update(value.split())
    known |= (lexicon.ENGLISH_COMMON | lexicon.FUNCTION_WORDS | lexicon.PARTICLES
              | lexicon.ADDRESS_TERMS | lexicon.GREETING_WORDS | lexicon.THANKS_WORDS
              | lexicon.ACK_WORDS | lexicon.PINGS)
    # Acronyms that look like misspelt domain terms but are words of their own.
    known |= {"umkm", "nip", "ktp", "nik", "sim", "kk", "pns", "asn", "cpns", "bumn", "bumd",
              "pt", "cv", "ud", "pd", "hp", "wa", "sms", "pdf", "jpg", "ptsp", "kur", "pbb",
              "pph", "ppn", "spt", "bank", "skck", "rt", "rw", "kades", "desa", "andal", "ruko"}
    return frozenset(known)


def _fold(text: str) -> str:
    """Unicode-normalise (case kept: capitals tell proper names from misspelt terms)."""
    return unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")


def _deelongate(tok: str, vocab: frozenset[str] | set[str]) -> str:
    """Undo stretched letters: "halooo" -> "halo", "osss" -> "oss", "pakkk" -> "pak"."""
    if not _ELONGATED.search(tok):
        return tok
    double = _ELONGATED.sub(r"\1\1", tok)
    single = _ELONGATED.sub(r"\1", tok)
    for cand in (single, double):
        if cand in vocab or cand in _known_words() or cand in _root_words():
            return cand
    return double


def _is_english(tokens: list[str]) -> bool:
    words = [t for t in tokens if t.isalpha()]
    if len(words) < 3:
        return False
    hits = sum(1 for t in words if t in lexicon.ENGLISH_MARKERS)
    return hits >= 2 and hits / len(words) >= 0.2


def _map_token(tok: str, english: bool) -> str | None:
    """Replacement for one token from the fixed tables, or None when none applies."""
    if tok in lexicon.ENGLISH_TERMS:
        return lexicon.ENGLISH_TERMS[tok]
    if english:
        if tok in lexicon.ENGLISH_GENERAL:
            return lexicon.ENGLISH_GENERAL[tok]
        if tok in _ENGLISH_MODE_SKIP or tok in lexicon.ENGLISH_COMMON:
            return None
    if tok in lexicon.SLANG:
        return lexicon.SLANG[tok]
    if tok in lexicon.BANJAR:
        return lexicon.BANJAR[tok]
    m = _NUMBER_UNIT.match(tok)
    if m:
        unit = m.group(2)
        if unit == "an":  # "2022an", "90an": decade/approximation suffix, keep the number
            return m.group(1)
        return f"{m.group(1)} {_UNIT_WORDS.get(unit, unit)}"
    m = _DIMENSION.match(tok)
    if m:
        return f"{m.group(1)} x {m.group(2)}" + (f" {m.group(3)}" if m.group(3) else "")
    m = _REDUP.match(tok)
    if m:
        base, suffix = m.group(1), m.group(2) or ""
        base = lexicon.SLANG.get(base, lexicon.BANJAR.get(base, base))
        # Only words repeat ("apa2"); "miss2" or "pp2" are codes.
        if " " in base or not base or not is_ordinary_word(base):
            return None
        return f"{base}-{base}{suffix}"
    return None


class _Speller:
    """Repairs misspelt domain terms towards one vocabulary."""

    def __init__(self, vocabulary: Iterable[str] | None) -> None:
        words = {w.lower() for w in (vocabulary or ()) if w}
        words |= lexicon.DOMAIN_TERMS
        # Targets are real words: no digits, at least three characters.
        self.targets = [w for w in words if len(w) >= 3 and not any(c.isdigit() for c in w)]
        self.vocab = words

    def repair(self, tok: str) -> str | None:
        """The single vocabulary word this token most likely misspells, or None."""
        if len(tok) < 3 or not tok.replace("-", "").isalpha() or tok in self.vocab:
            return None
        if is_ordinary_word(tok):
            return None
        max_dist = 1 if len(tok) <= 7 else 2
        found = process.extract(tok, self.targets, scorer=DamerauLevenshtein.distance,
                                score_cutoff=max_dist, limit=5)
        if not found:
            return None
        best = min(d for _, d, _ in found)
        cands = [w for w, d, _ in found if d == best]
        if len(tok) == 3:
            # Three letters leave no room for guessing: only a swap of two letters ("pgb").
            cands = [w for w in cands if len(w) == 3 and sorted(w) == sorted(tok)]
        elif not all(w[0] == tok[0] for w in cands):
            # A different first letter is accepted only towards a known domain term ("skpr").
            cands = [w for w in cands if w[0] == tok[0] or w in lexicon.DOMAIN_TERMS]
        # An inflected form of the same word is no typo ("error" vs "errors", "izin" vs "izini").
        cands = [w for w in cands if not _inflection_of(tok, w)]
        if len(cands) > 1:
            domain = [w for w in cands if w in lexicon.DOMAIN_TERMS]
            cands = domain if len(domain) == 1 else []
        return cands[0] if len(cands) == 1 else None


_SPELLER_CACHE: list[tuple[object, int, _Speller]] = []


def _speller_for(vocabulary: Iterable[str] | None) -> _Speller:
    """A speller for this vocabulary; reused while the caller passes the same collection object."""
    if isinstance(vocabulary, (set, frozenset, list, tuple, dict)):
        for obj, size, speller in _SPELLER_CACHE:
            # Holding `obj` keeps its id from being reused by another object.
            if obj is vocabulary and size == len(vocabulary):
                return speller
        speller = _Speller(vocabulary)
        _SPELLER_CACHE[:] = [(vocabulary, len(vocabulary), speller)]
        return speller
    return _Speller(vocabulary)


def _inflection_of(a: str, b: str) -> bool:
    """True when one word is the other plus a common suffix."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    suffixes = {"s", "es", "i", "an", "kan", "nya", "in"}
    return long_.startswith(short) and long_[len(short):] in suffixes


def _banjar_pasal(tokens: list[str], i: int) -> bool:
    """Banjar "pasal" means "tentang" ("betakun pasal izin"), unless it names an article."""
    if tokens[i] != "pasal" or i + 1 >= len(tokens):
        return False
    nxt = tokens[i + 1]
    legal_next = {"berapa", "apa", "mana", "yang", "mengenai", "tentang", "ini", "itu",
                  "tersebut", "di", "dalam", "ke", "dan", "nomor", "no", "ayat", "demi"}
    return not (nxt[0].isdigit() or nxt in legal_next or re.fullmatch(r"[ivxlc]+", nxt))


def _sentence_start(text: str, start: int) -> bool:
    """True when only spaces, quotes or sentence punctuation precede position `start`."""
    before = text[:start].rstrip(" \t\"'(")
    if not before:
        return True
    if before[-1] == ".":
        # "Jl. A. Yani": a period after an initial or a common abbreviation ends no sentence.
        prev = re.findall(r"[^\W_]+$", before[:-1])
        return not (prev and (len(prev[0]) == 1 or prev[0].lower() in _ABBREVIATIONS))
    return before[-1] in "!?\n:"


def normalise(text: str, vocabulary: Iterable[str] | None = None) -> Normalised:
    """Normalise a chat message; `vocabulary` (the knowledge base's words) guides spelling."""
    original = text
    folded = _HYPHEN_CLITIC.sub(r" \1", _fold(text))
    matches = list(_TOKEN.finditer(folded))
    speller = _speller_for(vocabulary)
    raw = [_deelongate(m.group(0).lower(), speller.vocab) for m in matches]
    english = _is_english(raw)
    corrections: list[tuple[str, str]] = []
    pieces: list[str] = []
    pos = 0
    i = 0
    while i < len(matches):
        start = matches[i].start()
        pieces.append(folded[pos:start].lower())
        # Longest phrase first; phrases never span punctuation.
        replaced = False
        for n in range(min(_PHRASE_MAX, len(matches) - i), 1, -1):
            gaps = [folded[matches[j].end():matches[j + 1].start()] for j in range(i, i + n - 1)]
            if any(g.strip() for g in gaps):
                continue
            key = " ".join(raw[i:i + n])
            if key in lexicon.PHRASES:
                value = lexicon.PHRASES[key]
                if value != key:
                    corrections.append((key, value))
                pieces.append(value)
                pos = matches[i + n - 1].end()
                i += n
                replaced = True
                break
        if replaced:
            continue
        tok = raw[i]
        if not english and _banjar_pasal(raw, i):
            value: str | None = "tentang"
        else:
            value = _map_token(tok, english)
        written = matches[i].group(0)
        # A capitalised word inside a sentence is a name ("Aminah"), not a misspelt term;
        # all-capital words are acronyms and may be repaired ("KBIL").
        is_name = (written[:1].isupper() and not written.isupper()
                   and not _sentence_start(folded, matches[i].start()))
        if value is None and not english and not is_name:
            value = speller.repair(tok)
        if value is None:
            value = tok
        if value != written.lower():
            corrections.append((written.lower(), value))
        pieces.append(value)
        pos = matches[i].end()
        i += 1
    pieces.append(folded[pos:].lower())
    norm = re.sub(r"\s+", " ", "".join(pieces)).strip()
    # Dropped particles leave stray spaces before punctuation ("bayar kah?" -> "bayar ?").
    norm = re.sub(r"\s+([?!.,;:])", r"\1", norm)
    tokens = [m.group(0) for m in _TOKEN.finditer(norm)]
    return Normalised(original=original, text=norm, tokens=tokens, corrections=corrections,
                      lang="en" if english else "id")
