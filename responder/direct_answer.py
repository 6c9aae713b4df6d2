"""The direct answer: one sentence (or one list) of the cited passages that answers the question.

Chosen by question type (responder/qtype.py) among the sentences of the relevant pieces, in the
passage's own words: a duration with its starting point, an amount or the statement that no fee
is charged, the authority, the list of requirements, the "X adalah …" clause, the numbered
steps of the SOP section that matches, or a plain "wajib / dapat / dilarang" statement. A
sentence qualifies only from a piece that is itself relevant, so a type cue never pulls in an
unrelated passage; when no sentence shows the cue, the most relevant sentence is the answer.
Sentences are ranked by their salience (responder/salience.py: words, phrases, meaning and the
passage's retrieval rank, with learned weights) plus the cue of the type. A long sentence that
holds a lettered list is given as its lead and every item's head (responder/condense.py) rather
than cut after item a.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from knowledge.models import Hit
from knowledge.textproc import analyse
from responder.condense import item_limits, lettered_items
from responder.crossref import clean_quote, trim_dangling
from responder.pieces import Piece, Relevance, sentence_locator, whole_sentences
from responder.salience import SentenceScore
from responder.textcut import shorten, strip_marker
from responder.yesno import yes_no_prefix

Cosines = Callable[[list[str]], list[float]]  # texts -> each one's cosine to the question

_NUM_TIME = r"\d+\s*(?:\([^)]{2,40}\)\s*)?(?:hari|jam|bulan|tahun|minggu|menit)\b"
_STRONG = {
    "duration": re.compile(rf"{_NUM_TIME}|\bpukul\s+\d|\b\d{{1,2}}[.:]\d{{2}}\s*[–-]\s*\d{{1,2}}[.:]\d{{2}}",
                           re.I),
    "amount": re.compile(r"tidak\s+(?:di)?pungut\w*\s+biaya|tidak\s+dikena(?:kan|i)\s+(?:biaya|tarif)|"
                         r"\bgratis\b|tanpa\s+biaya|bebas\s+biaya|\bRp\.?\s?\d|tidak\s+dipungut", re.I),
    "who": re.compile(r"(?<!\d)(?:\+62|0)8\d{7,11}(?!\d)|\boleh\s+(?:[A-Z]\w+|kepala|menteri|gubernur|bupati|wali\s?kota|lembaga|"
                      r"pemerintah|dinas|petugas|perangkat|instansi|pejabat|tim)\b|"
                      r"^(?:Menteri|Gubernur|Bupati|Wali\s?kota|Lembaga OSS|DPMPTSP\w*|Kepala\s\w+|"
                      r"Pemerintah\s(?:Pusat|Daerah)|Dinas\s\w+|Petugas)\b.{0,60}\b(?:menerbitkan|"
                      r"memberikan|menetapkan|melakukan|melaksanakan|berwenang)", re.I),
    "definition": re.compile(r"\b(?:adalah|yaitu|yakni)\b|yang\s+selanjutnya\s+disingkat", re.I),
}
_WEAK = {
    "duration": re.compile(r"\bpaling\s+(?:lama|lambat)\b|selambat-lambatnya|jangka\s+waktu|"
                           r"\bsejak\b|terhitung|masa\s+berlaku|\bsetiap\b|triwulan|semester|"
                           r"jam\s+(?:kerja|layanan)", re.I),
    "amount": re.compile(r"\b(?:biaya|tarif|retribusi|PNBP|dipungut|pembayaran|membayar|imbalan)\b",
                         re.I),
    "who": re.compile(r"\b(?:menerbitkan|diterbitkan|berwenang|kewenangan|ditetapkan\s+oleh|"
                      r"Menteri|Gubernur|Bupati|Wali\s?kota|Lembaga OSS|DPMPTSP\w*|Dinas|"
                      r"Pemerintah\s(?:Pusat|Daerah)|petugas)\b", re.I),
    "definition": re.compile(r"\bmerupakan\b|\bdisebut\b|\bberarti\b", re.I),
    "yesno": re.compile(r"\b(?:wajib|harus|dapat|boleh|dilarang|cukup|perlu|tidak\s+dipungut)\b", re.I),
}
# "Kepada siapa …", "ke siapa …", "to whom": the answer names the receiving party.
_TO_WHOM_Q = re.compile(r"\b(?:kepada|ke|pada|untuk)\s+siapa\b|\bto\s+whom\b", re.I)
_TO_WHOM = re.compile(r"\bkepada\s+((?:kepala|menteri|gubernur|bupati|wali\s?kota|lembaga|dinas|"
                      r"DPMPTSP|perangkat|pejabat|instansi|pemerintah|petugas|camat)\b(?:\s+\w+)?)", re.I)
_STARTING_POINT = re.compile(r"\b(?:sejak|terhitung|setelah|sebelum)\b", re.I)
# Words that introduce a list of requirements, documents or stages.
_LIST_CUE = re.compile(r"\b(?:syarat|persyaratan|dokumen|terdiri\s+atas|meliputi|berupa|paling\s+"
                       r"sedikit|melampirkan|melengkapi|kelengkapan|antara\s+lain|data|siapkan)\b", re.I)
_HOW_CUE = re.compile(r"\b(?:langkah|alur|tata\s+cara|prosedur|tahapan|mekanisme|cara|dengan\s+"
                      r"cara|sebagai\s+berikut|pendaftaran|pengajuan)\b", re.I)
# A sentence that tells how something is done ("PBG diajukan melalui SIMBG ...").
_HOW_SENTENCE = re.compile(r"\b(?:diajukan|mengajukan|ajukan|mendaftar|didaftarkan|dilakukan|"
                           r"diterbitkan|gunakan|menggunakan|melalui|buat|isi|pilih|unggah|periksa|"
                           r"minta|klik|buka|unduh|lengkapi|siapkan)\b", re.I)
# An inline list: "… terdiri atas: a. x; b. y; dan c. z." (markers may be absent after the colon).
_INLINE_LIST = re.compile(r"^(?P<lead>[^:]{10,}?:)\s*(?P<body>.+)$", re.S)
_ITEM_SPLIT = re.compile(r";\s*(?:(?:dan/atau|dan|atau)\s+)?(?=(?:[a-z]|\d{1,2})\.\s)|(?<=[.;])\s+(?=\d{1,2}\.\s)")
# The opening of a statute's definitions article ("Dalam Peraturan Pemerintah ini yang dimaksud dengan:").
_DEFINITIONS_OPENING = re.compile(r"^Dalam\s[^:]{3,80}?\syang\s+dimaksud\s+dengan\s*:\s*(?:\d{1,3}\.\s+)?", re.I)
_NUMBERED_LINE = re.compile(r"^\s*(\d{1,2}|[a-z])[.)]\s+(.+)$")

# The words that name a question's type rather than its topic: the type's cue already rewards
# them, so a sentence is judged on topic by the rest ("berapa lama pengaduan diselesaikan":
# pengaduan, selesai).
_TYPE_WORDS_TEXT = {
    "duration": "lama jangka waktu hari jam batas tenggat kapan berlaku masa sampai hingga",
    "amount": "biaya tarif bayar membayar gratis pungut pungutan retribusi ongkos harga",
    "who": "siapa instansi lembaga pihak berwenang kewenangan nomor kontak hubungi",
    "list": "saja aja kelengkapan jenis",
    "definition": "arti pengertian definisi maksud dimaksud",
    "how": "cara langkah prosedur alur tahapan mekanisme",
    "yesno": "wajib harus boleh bisa dapat perlu dilarang",
}
_MAX_SENTENCE = 450  # a direct answer this long is kept whole: its end often names what was asked
# A piece this close to the best one (relevance ratio) may hold the answer: the cosine of a
# short ayat can be low while its words are exactly the question's.
_RELEVANT = 0.45
_ON_TOPIC = 0.7  # weighted share of the question's words a sentence must hold to get a verdict
_CUE_BONUS = 0.5  # beyond salience, a sentence that shows its type's cue answers first
_MAX_ITEM = 170
_MAX_ITEMS = 8
_INLINE_MAX = 320
_LIST_ROOM = 480  # characters the items of a condensed lettered list share

_MARGIN_CAP = 3.0  # a lead this wide is as sure as the scores can tell
# The sentence's own meaning: its e5 cosine to the question (as a passage), times this weight,
# among the best five candidates. Chosen with `lantunan train salience`'s split of training/qa
# (5-candidate window and weight 25 picked on the fitting two thirds: a sentence holding an
# answer fact ranks first 0.572 -> 0.590; on the held-back third 0.540 -> 0.582).
_SENTENCE_MEANING = 25.0
_RESCORE_TOP = 5
_RESCORE_CHARS = 600  # what is embedded of a long candidate (e5 reads 512 tokens at most)


@dataclass
class DirectAnswer:
    """The answering sentence (or list) and where it comes from."""

    qtype: str
    piece: Piece  # the piece it is quoted from (its hit is the citation)
    text: str  # the sentence or the list's lead, cleaned for the applicant
    source: str  # the sentence as it stands in the passage
    locator: str
    items: list[str] = field(default_factory=list)  # list items / steps, cleaned
    strength: float = 0.0  # how plainly it shows the cue of its type (0 = fallback)
    salience: float = 0.0  # its candidate score (a logit: salience plus the type's cue)
    margin: float = 0.0  # how far it leads the best other sentence (capped; a sure pick is wide)

    @property
    def full_text(self) -> str:
        """The direct answer with its items, for length and overlap checks."""
        return " ".join([self.text, *self.items])


@dataclass
class _Candidate:
    piece: Piece
    sentence: str
    strength: float
    score: float
    items: list[str] = field(default_factory=list)
    lead: str = ""
    as_read: str = ""  # the sentence as the applicant reads it (what its own meaning is read from)


def _content_terms(question: str) -> set[str]:
    return set(analyse(question))


def _strength(qtype: str, sentence: str, q_terms: set[str], question: str, on_topic: bool = True) -> float:
    """How plainly a sentence shows the cue of the question type (0..1)."""
    body = strip_marker(sentence)
    if qtype == "definition":
        m = re.search(r"\b(?:adalah|yaitu|yakni|merupakan)\b", body, re.I)
        if m:
            subject = set(analyse(body[: m.start()]))
            return 1.0 if subject & q_terms else 0.5
        return 0.4 if _WEAK["definition"].search(body) else 0.0
    if qtype == "yesno":
        if on_topic and yes_no_prefix(question, body):
            return 1.0
        return 0.6 if _WEAK["yesno"].search(body) else 0.0
    strong, weak = _STRONG.get(qtype), _WEAK.get(qtype)
    if qtype == "who" and _TO_WHOM_Q.search(question):
        # "Kepada siapa bupati mendelegasikan …?" is answered by "… kepada kepala DPMPTSP",
        # not by "… oleh bupati" or "… dilimpahkan kepada bupati": the question names the giver.
        if any(not set(analyse(m.group(1))) & q_terms for m in _TO_WHOM.finditer(body)):
            return 1.0
        return 0.5 if _WEAK["who"].search(body) else 0.0
    value = 1.0 if strong and strong.search(body) else (0.5 if weak and weak.search(body) else 0.0)
    if qtype == "duration" and value and _STARTING_POINT.search(body):
        value += 0.2
    return value


def _inline_list(sentence: str, cue: re.Pattern[str]) -> tuple[str, list[str]] | None:
    """(lead, items) when a sentence holds a list after a colon: lettered or numbered items, or
    (after a lead that names a list or stages) items separated by semicolons or commas."""
    m = _INLINE_LIST.match(strip_marker(sentence))
    if not m:
        return None
    body = m.group("body").strip()
    items = [i.strip(" ;") for i in _ITEM_SPLIT.split(body) if i.strip(" ;")]
    if len(items) < 2 and not cue.search(m.group("lead")):
        return None  # "NIK tidak valid: pastikan …; bila …" is advice, not a list
    if len(items) < 2:
        items = [i.strip() for i in re.split(r";\s*(?:(?:dan/atau|dan|atau)\s+)?", body) if i.strip()]
    if len(items) < 2 and cue.search(m.group("lead")):
        # "… siapkan: NIK yang aktif, NPWP, email, …, serta rencana modal." (a comma list)
        items = [i.strip() for i in re.split(r",\s*(?:(?:serta|dan|atau)\s+)?|\s+serta\s+", body) if i.strip()]
        if len(items) < 3:
            return None
    if len(items) < 2:
        return None
    return m.group("lead").strip(), items


def _sop_blocks(hit: Hit) -> list[tuple[str, list[str]]]:
    """Numbered runs of lines in an SOP/FAQ passage, each with its lead line or the heading."""
    blocks: list[tuple[str, list[str]]] = []
    lead, items = "", []
    heading = hit.chunk.heading.strip().lstrip("#0123456789. ").strip()
    lines = hit.chunk.text.splitlines()
    if lines and heading and heading in lines[0]:
        lines = lines[1:]  # "4. Langkah pendaftaran" is the section's title, not its first item
    for line in lines:
        if _NUMBERED_LINE.match(line):
            items.append(line.strip())
            continue
        if items:
            blocks.append((lead or heading, items))
            lead, items = "", []
        if line.strip():
            lead = line.strip() if line.strip().endswith(":") else ""
    if items:
        blocks.append((lead or heading, items))
    return [(ld, it) for ld, it in blocks if len(it) >= 2]


def _clean_items(items: list[str], passage: str) -> list[str]:
    """List items for the reply: their own marker kept, references cleaned, each kept short."""
    out = []
    for item in items[:_MAX_ITEMS]:
        m = _NUMBERED_LINE.match(item)
        marker = f"{m.group(1)}. " if m else ""
        body = clean_quote(strip_marker(item), passage).rstrip(".;")
        out.append(marker + shorten(body, _MAX_ITEM))
    return out


def pick_direct(qtype: str, question: str, pieces: list[Piece], hits: list[Hit],
                rel: Relevance, cosine: Cosines | None = None) -> DirectAnswer | None:
    """The sentence or list that answers a question of type `qtype`, in the passage's words.

    With `cosine` (each text's e5 cosine to the question, responder/drafting.py), the best
    `_RESCORE_TOP` candidates are weighed again by their own meaning: the salience signals read
    a sentence's words and its passage's meaning, and cannot tell two ayat of one Pasal apart
    by what they say.
    """
    if not pieces:
        return None
    q_terms = _content_terms(question) | rel.q_terms
    topic = (rel.q_terms - _type_words(qtype)) or rel.q_terms
    scores = {id(p): _resolved_score(p, hits, rel) for p in pieces}
    best_rel = max(scores.values()) or 1.0
    relevant = sorted((p for p in pieces if scores[id(p)] >= _RELEVANT * best_rel),
                      key=lambda p: -scores[id(p)])[:12]
    scorer = SentenceScore(question, rel, pieces, hits, topic)
    cands: list[_Candidate] = []
    for p in relevant:
        passage = hits[p.hit_index].chunk.text
        for sent in whole_sentences(p.text, passage):
            if len(analyse(strip_marker(sent))) < 2:
                continue  # a bare label: "(3)", "Ayat (1) Cukup jelas."
            # Judged as the applicant will read it: "Pemeriksaan sebagaimana dimaksud pada ayat (1)"
            # is about what ayat (1) names.
            as_read = clean_quote(sent, passage)
            sgain = rel.topic_gain(set(analyse(as_read)), topic)
            on_topic = sgain >= _ON_TOPIC
            strength = _strength(qtype, sent, q_terms, question, on_topic) if qtype != "other" else 0.0
            listed = _inline_list(sent, _HOW_CUE if qtype == "how" else _LIST_CUE) \
                if qtype in ("list", "how") else None
            items: list[str] = []
            lead = ""
            if listed:
                lead, items = listed
                cue = _HOW_CUE if qtype == "how" else _LIST_CUE
                strength = 1.0 if cue.search(lead) else 0.6
            elif qtype in ("list", "how"):
                cue = (_HOW_SENTENCE if qtype == "how" else _LIST_CUE).search(sent)
                strength = 0.4 if cue else 0.0
            # The sentence's salience (words, phrases, meaning, rank: responder/salience.py),
            # then how plainly it answers the question's type.
            score = scorer.score(p, as_read, strength, sent) + _CUE_BONUS * strength
            cands.append(_Candidate(p, sent, strength, score, items, lead, as_read))
    if qtype in ("list", "how"):
        cands.extend(_block_candidates(qtype, relevant, hits, scores, scorer))
    if not cands:
        return None
    pool = cands
    if cosine is not None:
        pool = sorted(cands, key=lambda c: -c.score)[:_RESCORE_TOP]
        meaning = cosine([(c.as_read or f"{c.lead} {c.sentence}")[:_RESCORE_CHARS] for c in pool])
        top_meaning = max(meaning)
        for c, m in zip(pool, meaning):
            c.score += _SENTENCE_MEANING * (m - top_meaning)
    best = max(pool, key=lambda c: c.score)
    direct = _as_direct(qtype, question, best, hits, rel, topic)
    # The confidence probe reads how clearly this sentence won: a narrow win over another
    # sentence is where the facts asked for are most often in the runner-up.
    others = [c.score for c in pool if c.sentence != best.sentence]
    direct.salience = round(best.score, 4)
    direct.margin = round(min(best.score - max(others), _MARGIN_CAP) if others else _MARGIN_CAP, 4)
    return direct


def _type_words(qtype: str) -> set[str]:
    return set(analyse(_TYPE_WORDS_TEXT.get(qtype, ""))) | set(_TYPE_WORDS_TEXT.get(qtype, "").split())


def _resolved_score(p: Piece, hits: list[Hit], rel: Relevance) -> float:
    """A piece's relevance as the applicant reads it, cross-references completed from its passage."""
    resolved = clean_quote(p.text, hits[p.hit_index].chunk.text)
    as_read = 0.55 * rel.meaning(p) + 0.45 * rel.text_gain(resolved) + 0.05 / (1 + p.hit_index)
    return max(rel.score(p), as_read)


def _block_candidates(qtype: str, relevant: list[Piece], hits: list[Hit], scores: dict[int, float],
                      scorer: SentenceScore) -> list[_Candidate]:
    """Numbered SOP runs (steps, document lists) of the relevant passages as candidates."""
    out: list[_Candidate] = []
    cue = _HOW_CUE if qtype == "how" else _LIST_CUE
    seen: set[int] = set()
    for p in relevant:
        if p.hit_index in seen or p.kind == "regulation":
            continue
        seen.add(p.hit_index)
        hit = hits[p.hit_index]
        siblings = [q for q in relevant if q.hit_index == p.hit_index]
        for lead, items in _sop_blocks(hit):
            block = " ".join(items)
            inside = [q for q in siblings if strip_marker(q.text)[:30] in f"{lead} {block}"]
            if not inside:
                continue
            piece = max(inside, key=lambda q: scores[id(q)])
            heading = hit.chunk.heading
            if not (cue.search(lead) or cue.search(heading)):
                continue  # a numbered section of mixed notes: its best line competes on its own
            strength = 1.0
            score = scorer.score(piece, f"{heading} {lead} {block}", strength, items[0])
            # A list answers better than any one sentence of it.
            out.append(_Candidate(piece, block, strength, score + _CUE_BONUS * strength + 0.05, items, lead))
    return out


def _as_direct(qtype: str, question: str, c: _Candidate, hits: list[Hit], rel: Relevance,
               topic: set[str]) -> DirectAnswer:
    passage = hits[c.piece.hit_index].chunk.text
    locator = sentence_locator(c.piece, c.sentence)
    if c.items:
        whole = clean_quote(strip_marker(c.sentence), passage)
        if c.lead and c.lead in c.sentence and len(whole) <= _INLINE_MAX:
            return DirectAnswer(qtype, c.piece, whole, c.sentence, locator, [], c.strength)
        lead = clean_quote(c.lead, passage).rstrip(".:")
        return DirectAnswer(qtype, c.piece, lead + ":", c.sentence, locator,
                            _clean_items(c.items, passage), c.strength)
    text = clean_quote(strip_marker(c.sentence), passage)
    if qtype == "definition":
        text = _DEFINITIONS_OPENING.sub("", text)
    keep = 0
    cue = _STRONG.get(qtype) or _WEAK.get(qtype)
    if cue:
        m = cue.search(text)
        if m:
            keep = m.end()
            sp = _STARTING_POINT.search(text, m.end()) if qtype == "duration" else None
            if sp:
                nxt = re.search(r"[;,.](?=\s|$)", text[sp.end():])
                keep = sp.end() + (nxt.start() if nxt else len(text) - sp.end())
    limit = max(_MAX_SENTENCE, min(keep + 5, 420))
    listed = lettered_items(text) if len(text) > limit else None
    items: list[str] = []
    if listed:
        # A long sentence holding a lettered list: every item's head, not item a. alone.
        text = listed[0]
        about = lambda item: rel.topic_gain(set(analyse(item)), topic)  # noqa: E731
        limits = item_limits(listed[1], _LIST_ROOM, about)
        items = [trim_dangling(shorten(i, n)) for i, n in zip(listed[1][:_MAX_ITEMS], limits)]
    else:
        text = shorten(text, limit, keep)
    if qtype == "yesno":
        # A verdict only when the sentence is about what was asked (all its main words), so
        # "tidak wajib LKPM" never answers a question about SPPL.
        on_topic = rel.topic_gain(set(analyse(text)), topic) >= _ON_TOPIC
        prefix = yes_no_prefix(question, text) if on_topic else ""
        if prefix:
            text = f"{prefix}. {text}"
    return DirectAnswer(qtype, c.piece, text, c.sentence, locator, items, c.strength)
