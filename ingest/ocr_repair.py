"""OCR repair of statute body text, guided by the document's own vocabulary.

Scanned statutes reach us with glued words ("dalamhasil"), split words ("P erizinan"),
digits and letters swapped ("24O", "2o2r", "men5rusun", "Pasal2l") and ayat references whose
")" was read as "1" ("ayat (21,"). `OcrRepairer.repair` rewrites one passage in passes, each
conservative in its own way:

1. spacing   — a clean number glued to a word ("Pasal22", "66ayat", "(1)huruf");
2. ayat_ref  — "(21" → "(2)" only after "ayat" and only when the Pasal referred to (named
               just before, else the current one) has fewer than 21 ayat;
3. number    — look-alike letters inside a figure ("24O", "lI2", "Rp10.OO0,OO", "2o2r") only in
               a numeric context (after Pasal/ayat/Tahun/Nomor, before a unit, or beside a
               spelled-out number that must agree); "Pasal 24I" only when Pasal 241 exists and
               no Pasal 24I does;
4. split / glued / misread — words are changed only into forms the document itself prints
               cleanly (or Sastrawi roots), see `ingest.ocr_vocab`.

Every change is returned as a `Repair` record (before, after, reason) so ingest can log it;
the caller keeps the raw text for audit. `repair_statute` applies this to a parsed statute.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ingest.number_words import figure_value
from ingest.ocr_figures import glued_figure, referenced_pasal, spelled_after
from ingest.ocr_vocab import (
    DIGIT_LOOKALIKES,
    HURUF_GLUE_RE,
    SLASH_LOOKALIKES,
    DocVocabulary,
    is_legit_mixed,
    split_core,
)


class Statute(Protocol):
    """What the repair needs of ``ingest.regulation.Statute``. A protocol, because the parser
    imports this module: naming the class would make an import cycle."""

    pasal: list[Any]
    penjelasan_umum: str


@dataclass(frozen=True)
class Repair:
    """One change to the text: what was there, what is there now, and why."""

    kind: str  # spacing | ayat_ref | number | split | glued | misread
    before: str
    after: str
    reason: str
    where: str = ""  # "Pasal 21", "Penjelasan Pasal 21", "Penjelasan Umum"
    context: str = ""  # the words around it, before the change


# Words after which a figure is a number (a reference, an amount, a period).
_NUMERIC_PREV = frozenset({
    "pasal", "ayat", "tahun", "nomor", "angka", "sebesar", "dari", "bawah", "atas", "lama",
    "lambat", "dengan", "luas", "lebih", "kurang", "maksimal", "minimal", "paling", "sampai",
})
_UNITS_NEXT = frozenset({"km2", "m2", "m3", "ha", "hari", "jam", "bulan", "tahun", "ayat", "huruf",
                         "persen", "kali", "orang", "gt", "meter", "kilometer"})
_FIGURE_RE = re.compile(r"^[0-9OolI|]+(?:[.,][0-9OolI]+)*$")
_PERCENT_RE = re.compile(r"^(?P<n>[0-9OolI]+(?:,[0-9OolI]+)?)(?P<p>o/o|oh|%o|7o|%)$")
_RP_RE = re.compile(r"^Rp(?P<n>[0-9Oo][0-9Oo.,]*)$")
_TIMES_RE = re.compile(r"^(?P<n>[0-9lI])x(?P<m>\d+)$")
_YEAR_MAP = str.maketrans({"r": "1", "t": "1", "Z": "2", "z": "2", "S": "5", "|": "1"})
_AYAT_RE = re.compile(r"^\((?P<d>[1-9])(?P<x>[1lI])(?P<rest>[^)\d].*)?$")
# A closed ayat label with a quote-like speck after it, before punctuation: "(2)',".
_STRAY_QUOTE_RE = re.compile(r"^(?P<label>\(\d{1,2}\))['’`]+(?P<punct>[,;.:]?)$")
_EXTERNAL_RE = re.compile(r"^(?:Undang-Undang|Peraturan|UU|Perpres|Permen)")

# Glue between a clean number and a word, or between a label and a word.
_SPACING: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(?P<a>[A-Za-z]{3,})(?P<b>[0-9OolI.,]*\d[0-9OolI.,]*(?:o/o|oh)?[.,;:)]*)$"), "word+number"),
    (re.compile(r"^(?P<a>\d+)(?P<b>[A-Za-z]{3,}[.,;:]*)$"), "number+word"),
    (re.compile(r"^(?P<a>\(\d{1,2}\)[.,;]?)(?P<b>[A-Za-z]{2,}.*)$"), "label+word"),
    (re.compile(r"^(?P<a>.*[A-Za-z][.,;])(?P<b>\(\d{1,2}\).*)$"), "word+label"),
    (re.compile(r"^(?P<a>\d+[,;]|\(\d{1,2}\)[,;])(?P<b>[A-Za-z]{2,}.*)$"), "comma"),
    (re.compile(r"^(?P<a>\d+)(?P<b>\([a-z]+.*)$"), "number+words"),
    (re.compile(r"^(?P<a>ayat)(?P<b>\(.*)$", re.IGNORECASE), "ayat+label"),
)


@dataclass
class OcrRepairer:
    """Repairs passages of one document; `ayat_count(pasal)` says how many ayat a Pasal has."""

    vocab: DocVocabulary
    ayat_count: Callable[[str], int | None] = lambda _label: None
    pasal_labels: frozenset[str] = frozenset()
    repairs: list[Repair] = field(default_factory=list)

    def repair(self, text: str, where: str = "") -> str:
        """The repaired passage; each change is appended to `self.repairs`."""
        # The word pass runs twice: a split in one place can expose a neighbour ("danf
        # ataulzin" → "danf atau lzin" → "dan/atau Izin").
        for step in (self._spacing, self._numbers, self._ayat_refs, self._words, self._words):
            text = step(text, where)
        return text

    # --- plumbing ---------------------------------------------------------------------------------
    def _log(self, kind: str, toks: list[str], i: int, after: str, reason: str, where: str,
             width: int = 1) -> None:
        before = " ".join(toks[i:i + width])
        ctx = " ".join(toks[max(0, i - 6):i] + [f"[[{before}]]"] + toks[i + width:i + width + 6])
        self.repairs.append(Repair(kind, before, after, reason, where, ctx))

    @staticmethod
    def _tokens(text: str) -> tuple[list[str], list[str]]:
        parts = re.split(r"(\s+)", text)
        return parts[0::2], parts[1::2] + [""]

    @staticmethod
    def _join(toks: list[str], seps: list[str]) -> str:
        return "".join(t + s for t, s in zip(toks, seps, strict=True)).strip()

    # --- passes ---------------------------------------------------------------------------------
    def _spacing(self, text: str, where: str) -> str:
        toks, seps = self._tokens(text)
        for i, tok in enumerate(toks):
            new = tok
            for _round in range(3):
                for pattern, reason in _SPACING:
                    m = pattern.match(new.split(" ")[-1])
                    if not m:
                        continue
                    a, b = m.group("a"), m.group("b")
                    word = a if a[:1].isalpha() and reason != "ayat+label" else b
                    core = split_core(word)[1]
                    if reason in ("word+number", "number+word") and not (
                            self.vocab.known(core) or core.lower() in _NUMERIC_PREV):
                        continue
                    head = new.rsplit(" ", 1)[0] + " " if " " in new else ""
                    new = f"{head}{a} {b}"
                    break
                else:
                    break
            if new != tok:
                self._log("spacing", toks, i, new, "a space lost between a number or label and a word", where)
                toks[i] = new
        return self._join(toks, seps)

    def _ayat_refs(self, text: str, where: str) -> str:
        toks, seps = self._tokens(text)
        for i, tok in enumerate(toks):
            stray = _STRAY_QUOTE_RE.match(tok)
            if stray:  # "ayat (2)'," → "ayat (2),": a speck read as a quote after the label
                new = stray.group("label") + stray.group("punct")
                self._log("ayat_ref", toks, i, new, "a stray quote after a closed ayat label", where)
                toks[i] = new
                continue
            m = _AYAT_RE.match(tok)
            if not m or i == 0:
                continue
            prev = [split_core(t)[1].lower() for t in toks[max(0, i - 4):i]]
            if prev[-1] != "ayat" and not (prev[-1] in ("dan", "atau", "dengan") and "ayat" in prev):
                continue
            after = toks[i + 1:i + 5]
            if any(_EXTERNAL_RE.match(t) for t in after[:3]) and "ini" not in after:
                continue  # "ayat (2) Undang-Undang ...": another statute, whose ayat we do not know
            pasal = referenced_pasal(toks, i) or where.replace("Penjelasan ", "")
            count = self.ayat_count(pasal)
            two_digit = int(m.group("d") + "1")
            if count is None or count >= two_digit:
                continue  # ayat (21) may exist: ambiguous
            rest = re.sub(r"^[lr']+", "", m.group("rest") or "")
            rest = rest[1:] if rest.startswith(".,") else rest
            new = f"({m.group('d')})" + (" " + rest if rest[:1].isalpha() else rest)
            self._log("ayat_ref", toks, i, new,
                      f"')' read as '1': {pasal} has {count} ayat, so no ayat ({two_digit})", where)
            toks[i] = new
        return self._join(toks, seps)

    def _numbers(self, text: str, where: str) -> str:
        toks, seps = self._tokens(text)
        for i, tok in enumerate(toks):
            lead, core, trail = split_core(tok)
            glued = glued_figure(core, spelled_after(toks, i), self.vocab)
            if glued:  # "lamaT (tujuh)": the words in brackets confirm the figure
                self._log("glued_figure", toks, i, lead + glued + trail, "look-alike letter for the "
                          "figure the words in brackets spell, glued to a word", where)
                toks[i] = lead + glued + trail
                continue
            if not re.search(r"\d", core) or not re.search(r"[A-Za-z|/%]", core):
                continue
            if "(" in lead and ")" not in trail:
                continue  # an ayat label whose ")" was misread: the ayat pass decides
            prev = split_core(toks[i - 1])[1].lower() if i else ""
            nxt = toks[i + 1] if i + 1 < len(toks) else ""
            spelled = spelled_after(toks, i)
            fixed = self._read_figure(core, prev, nxt, spelled)
            if fixed is None or fixed == core:
                continue
            reason = "look-alike letters in a figure"
            if spelled is not None:
                reason += f" (agrees with the words '{spelled[2]}')"
            elif prev:
                reason += f" after '{prev}'"
            self._log("number", toks, i, lead + fixed + trail, reason, where)
            toks[i] = lead + fixed + trail
        return self._join(toks, seps)

    def _read_figure(self, core: str, prev: str, nxt: str,
                     spelled: tuple[float, bool, str] | None) -> str | None:
        """The clean figure for a damaged one, or None when the reading is not certain."""
        if is_legit_mixed(core) and not core.startswith("Rp"):
            return None
        m = _TIMES_RE.match(core)
        if m:
            n = m.group("n").translate(DIGIT_LOOKALIKES)
            ok = spelled is not None and spelled[0] == int(n)
            return f"{n}x{m.group('m')}" if ok else None
        m = _PERCENT_RE.match(core)
        if m:
            n = m.group("n").translate(DIGIT_LOOKALIKES)
            if spelled is None or not spelled[1] or figure_value(n) != spelled[0]:
                return None  # "57o" is 5% only where the words say "lima persen"
            return f"{n}%"
        m = _RP_RE.match(core)
        if m:
            n = m.group("n").translate(DIGIT_LOOKALIKES)
            value = figure_value(n)
            if value is None or (spelled is not None and spelled[0] != value):
                return None
            return f"Rp{n}"
        if prev == "tahun" and len(core) == 4:
            # In a year OCR also reads 1 as r/t and 2 as Z ("2o2r", "ZOZ|"): 19xx/20xx only.
            year = core.translate(DIGIT_LOOKALIKES).translate(_YEAR_MAP)
            return year if re.fullmatch(r"(?:19|20)\d\d", year) else None
        if not _FIGURE_RE.match(core):
            return None
        fixed = core.translate(DIGIT_LOOKALIKES)
        value = figure_value(fixed)
        if value is None:
            return None
        if spelled is not None:
            return fixed if spelled[0] == value else None
        if prev == "pasal":
            # "Pasal 24I": an inserted Pasal 24I, or Pasal 241? The statute decides.
            if f"Pasal {fixed}" not in self.pasal_labels or f"Pasal {core}" in self.pasal_labels:
                return None
            return fixed
        nxt_core = split_core(nxt)[1].lower()
        if prev in _NUMERIC_PREV or nxt_core in _UNITS_NEXT:
            return fixed
        return None

    def _words(self, text: str, where: str) -> str:
        toks, seps = self._tokens(text)
        v = self.vocab
        i, looks = 0, 0
        while i < len(toks):
            lead, core, trail = split_core(toks[i])
            nxt = toks[i + 1] if i + 1 < len(toks) else ""
            nlead, ncore, ntrail = split_core(nxt)
            prev = split_core(toks[i - 1])[1].lower() if i else ""
            # "danf atau" → "dan/atau": a slash read as a letter at the end of a word.
            if core and core[-1] in SLASH_LOOKALIKES and not trail and not nlead and ncore:
                slashed = f"{core[:-1]}/{ncore}"
                if v.slashed.get(slashed.lower(), 0) >= 2 and v.count(core) * 3 < v.slashed[slashed.lower()]:
                    self._merge(toks, seps, i, lead + slashed + ntrail, "misread",
                                f"'/' read as '{core[-1]}'; the document prints '{slashed}'", where)
                    continue
            if not trail and not nlead and core.isalpha() and ncore.isalpha() and i + 2 < len(toks):
                # "me nter i" → "menteri": three pieces of one word.
                tlead, tcore, ttrail = split_core(toks[i + 2])
                joined = core + ncore + tcore
                if not tlead and tcore.isalpha() and len(ncore) <= 5 and len(tcore) <= 3 \
                        and v.count(joined) >= 3 and not v.known(ncore, 2):
                    self._merge(toks, seps, i, lead + joined + ttrail, "split",
                                f"'{joined}' is a word; its pieces are not", where, width=3)
                    continue
            if not trail and not nlead and core.isalpha() and ncore.isalpha() \
                    and prev not in ("huruf", "angka", "ayat"):
                joined = v.split_join(core, ncore)
                if joined:
                    self._merge(toks, seps, i, lead + joined + ntrail, "split",
                                f"'{joined}' is a word; a piece alone is not", where)
                    continue
            new = self._fix_word(core) if looks < 3 else None  # never loop on one token
            if new is not None:
                looks += 1
                kind, fixed, reason = new
                self._log(kind, toks, i, lead + fixed + trail, reason, where)
                # Split glued words into tokens of their own: each may need a second look
                # ("pemeganglzin" → "pemegang" + "lzin" → "Izin").
                parts = (lead + fixed + trail).split(" ")
                toks[i:i + 1] = parts
                seps[i:i + 1] = [" "] * (len(parts) - 1) + [seps[i]]
                continue
            i, looks = i + 1, 0
        return self._join(toks, seps)

    def _fix_word(self, core: str) -> tuple[str, str, str] | None:
        """(kind, replacement, reason) for a damaged word, or None."""
        v = self.vocab
        if not core or " " in core or not re.search(r"[A-Za-z]", core):
            return None
        m = HURUF_GLUE_RE.match(core)
        if m:
            return "glued", f"{m.group('w')} {m.group('l')}", "a list letter glued to 'huruf'/'angka'"
        if core.isalpha() or "-" in core or re.search(r"\d", core):
            if not re.search(r"\d", core) and not v.in_dictionary(core.lower()):
                fix = v.misread_fix(core)
                if fix:
                    seen = max(v.count(fix), v.slashed.get(fix, 0))
                    return "misread", v.cased(fix, core), \
                        f"letter-shape confusion; the document prints '{fix}' {seen} times"
                a_b = v.is_glued(core)
                if a_b:
                    a, b = a_b
                    return "glued", f"{a} {b}", (
                        f"two words run together: '{a.lower()}' ({v.count(a)}x) + '{b.lower()}' "
                        f"({v.count(b)}x), printed apart {v.bigrams[(a.lower(), b.lower())]}x")
            elif re.search(r"\d", core) and not is_legit_mixed(core) \
                    and len(re.sub(r"[^A-Za-z]", "", core)) >= 2:
                fix = v.misread_fix(core)  # "men5rusun", "ha1", "tu1uh"
                if fix and not re.search(r"\d", fix):
                    reason = f"digit read for letters; the document prints '{fix}'"
                    return "misread", v.cased(fix, core), reason
        return None

    def _merge(self, toks: list[str], seps: list[str], i: int, new: str, kind: str,
               reason: str, where: str, width: int = 2) -> None:
        self._log(kind, toks, i, new, reason, where, width=width)
        toks[i:i + width] = [new]
        seps[i:i + width] = [seps[i + width - 1]]


@dataclass
class RepairLog:
    """A document's repairs and, for audit, the raw text of every passage that changed."""

    repairs: list[Repair] = field(default_factory=list)
    raw: dict[str, str] = field(default_factory=dict)  # where ("Pasal 21") → text before repair

    def counts(self) -> dict[str, int]:
        """Number of repairs by kind."""
        out: dict[str, int] = {}
        for r in self.repairs:
            out[r.kind] = out.get(r.kind, 0) + 1
        return out

    def to_json(self) -> dict:
        """A JSON-ready form (for the per-document audit file next to the catalog)."""
        return {"counts": self.counts(), "repairs": [vars(r) for r in self.repairs], "raw": self.raw}


def repair_statute(statute: Statute) -> RepairLog:
    """Repair a parsed statute's Pasal, ayat and Penjelasan texts in place; return the log.

    The vocabulary is the statute's own text. Only statutes pass through here: SOPs and FAQ
    are written by the office and are not OCR.
    """
    before = _passages(statute)
    texts = [p.text for p in statute.pasal] + [p.penjelasan or "" for p in statute.pasal]
    texts.append(statute.penjelasan_umum)
    counts = {p.label: len(p.ayat) for p in statute.pasal}
    fixer = OcrRepairer(DocVocabulary(texts), counts.get, frozenset(counts))
    for p in statute.pasal:
        p.intro = fixer.repair(p.intro, p.label) if p.intro else p.intro
        p.ayat = [(label, fixer.repair(t, p.label)) for label, t in p.ayat]
        if p.ayat or p.intro:
            pieces = ([p.intro] if p.intro else []) + [f"{label} {t}".strip() for label, t in p.ayat]
            p.text = " ".join(pieces)
        else:
            p.text = fixer.repair(p.text, p.label)
        if p.penjelasan:
            p.penjelasan = fixer.repair(p.penjelasan, f"Penjelasan {p.label}")
    if statute.penjelasan_umum:
        paras = statute.penjelasan_umum.split("\n\n")
        statute.penjelasan_umum = "\n\n".join(fixer.repair(t, "Penjelasan Umum") for t in paras)
    after = _passages(statute)
    raw = {k: t for k, t in before.items() if after.get(k) != t}
    return RepairLog(fixer.repairs, raw)


def _passages(statute: Statute) -> dict[str, str]:
    out = {p.label: p.text for p in statute.pasal}
    out.update({f"Penjelasan {p.label}": p.penjelasan for p in statute.pasal if p.penjelasan})
    if statute.penjelasan_umum:
        out["Penjelasan Umum"] = statute.penjelasan_umum
    return out
