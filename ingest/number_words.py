"""Read the spelled-out numbers Indonesian statutes print after figures: "30 (tiga puluh)".

The OCR repair uses them as a second witness: a damaged figure is only rewritten when the
words beside it, if any, say the same number ("3O (tiga puluh)" → 30, while "57o (lima
persen)" reads 5%, never 57).
"""

from __future__ import annotations

import re

_UNITS = {
    "nol": 0, "satu": 1, "se": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6,
    "tujuh": 7, "delapan": 8, "sembilan": 9,
}
_NUMBER_WORDS = frozenset(set(_UNITS) | {
    "puluh", "belas", "ratus", "sepuluh", "sebelas", "seratus", "seribu", "koma",
    "ribu", "juta", "miliar", "milyar", "triliun"})
_SCALES = {"ribu": 1_000, "juta": 1_000_000, "miliar": 1_000_000_000, "milyar": 1_000_000_000,
           "triliun": 1_000_000_000_000}


def _small(words: list[str]) -> int | None:
    """Value of a number below 1,000 written in words ("dua ratus lima puluh"), or None."""
    total, cur = 0, None
    for w in words:
        if w in ("sepuluh", "sebelas", "seratus"):
            w = {"sepuluh": "satu puluh", "sebelas": "satu belas", "seratus": "satu ratus"}[w]
            for part in w.split():
                total, cur = _step(total, cur, part)
                if total is None:
                    return None
            continue
        total, cur = _step(total, cur, w)
        if total is None:
            return None
    return total + (cur or 0)


def _step(total: int | None, cur: int | None, w: str) -> tuple[int | None, int | None]:
    if total is None:
        return None, None
    if w in _UNITS:
        if cur is not None:
            return None, None
        return total, _UNITS[w]
    if w in ("puluh", "belas", "ratus"):
        if cur is None:
            return None, None
        if w == "puluh":
            return total + cur * 10, None
        if w == "belas":
            return total + cur + 10, None
        return total + cur * 100, None
    return None, None


def spelled_value(text: str) -> tuple[float, bool] | None:
    """(value, is_percent) of "(dua koma lima persen)"-style words; None when not a number."""
    all_words = re.findall(r"[a-z]+", text.lower())
    # The number is the leading run of number words; a unit may follow ("kilometer persegi").
    n = 0
    while n < len(all_words) and all_words[n] in _NUMBER_WORDS:
        n += 1
    words = all_words[:n]
    percent = n < len(all_words) and all_words[n] == "persen"
    if not words:
        return None
    frac = 0.0
    if "koma" in words:
        k = words.index("koma")
        digits = [_UNITS.get(w) for w in words[k + 1:]]
        if not digits or any(d is None for d in digits):
            return None
        frac = float("0." + "".join(str(d) for d in digits))
        words = words[:k]
    total, chunk = 0, []
    for w in words:
        if w in _SCALES or w in ("seribu",):
            scale = 1_000 if w == "seribu" else _SCALES[w]
            value = 1 if w == "seribu" else _small(chunk)
            if value is None:
                return None
            total += value * scale
            chunk = []
        else:
            chunk.append(w)
    rest = _small(chunk) if chunk else 0
    if rest is None:
        return None
    return total + rest + frac, percent


def figure_value(figure: str) -> float | None:
    """Value of a clean Indonesian figure: "2.000" → 2000, "2,5" → 2.5, "10.000.000,00"."""
    if not re.fullmatch(r"\d{1,3}(?:\.\d{3})*(?:,\d+)?|\d+(?:,\d+)?", figure):
        return None
    return float(figure.replace(".", "").replace(",", "."))
