"""Indonesian text processing for the lexical index: tokenise, drop stop words, stem (Sastrawi).

Stems are cached per word form: Sastrawi costs ~0.17 ms a word and corpora repeat words.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_TOKEN = re.compile(r"[0-9a-zà-ÿ]+(?:-[0-9a-zà-ÿ]+)*", re.IGNORECASE)

# Words Sastrawi lists as stop words that carry meaning in licensing questions
# ("masa berlaku", "paling lama 3 hari", "usaha kecil", "pertama kali").
_KEEP = {
    "lama", "hari", "masa", "kecil", "besar", "bulan", "baru", "awal", "akhir", "pertama",
    "tidak", "sendiri", "orang", "umum", "kali",
}


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    words = set(StopWordRemoverFactory().get_stop_words()) - _KEEP
    # Chat fillers and salutations that are never content.
    words |= {"pak", "bu", "min", "kak", "mas", "mbak", "ya", "yah", "sih", "dong", "deh", "nih",
              "tolong", "mohon", "terima", "kasih", "assalamualaikum", "selamat", "pagi", "siang",
              "sore", "malam", "the", "a", "an", "of", "to", "is", "are", "and", "or", "in", "for",
              "what", "how", "do", "does", "i", "my", "we", "our", "can", "you", "your", "it"}
    return frozenset(words)


@lru_cache(maxsize=1)
def root_words() -> frozenset[str]:
    """Sastrawi's list of Indonesian root words (ships with pysastrawi), lower case.

    Shared here so ingest (OCR repair) and the responder can read one copy of the list;
    responder/normalize.py still has its own loader of the same file (switching it to this
    one is a one-line change in that module).
    """
    import Sastrawi

    path = Path(Sastrawi.__file__).parent / "Stemmer" / "data" / "kata-dasar.txt"
    return frozenset(w.strip().lower() for w in path.read_text(encoding="utf-8").split() if w)


def is_dictionary_word(word: str) -> bool:
    """True when a lower-case word is a Sastrawi root or stems to one ("perizinan" → "izin")."""
    roots = root_words()
    if word in roots:
        return True
    if not word.isalpha() or len(word) <= 3:
        return False
    s = stem(word)
    return s != word and s in roots


@lru_cache(maxsize=1)
def _stemmer():
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Sastrawi stem of one lower-case word (numbers and codes are kept as they are)."""
    if not word.isalpha() or len(word) <= 3:
        return word
    return _stemmer().stem(word) or word


def words(text: str) -> list[str]:
    """Lower-case word tokens; hyphenated words also yield their parts ("ukl-upl" → ukl, upl)."""
    out: list[str] = []
    for m in _TOKEN.finditer(text.lower()):
        tok = m.group(0)
        out.append(tok)
        if "-" in tok:
            out.extend(p for p in tok.split("-") if p)
    return out


def analyse(text: str) -> list[str]:
    """Tokens for BM25: words minus stop words, stemmed."""
    stops = _stop_words()
    return [stem(w) for w in words(text) if w not in stops]
