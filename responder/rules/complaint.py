"""complaint: the applicant complains about their own experience of the service.

Per the SOP Pengaduan, complaints are never answered by the assistant. Four kinds of evidence,
looked for sentence by sentence (a conditional sentence asks about rules, not about an event):

* money demanded by an official, or demanded of the applicant (pungli, "uang bensin");
* an official's misconduct (rude, shouting, making the applicant come back again and again);
* frustration with the service ("lambat sekali pelayanannya", "gimana sih kerja dinas ini");
* an explicit objection or demand for action ("saya keberatan", "tolong ditindak").

An announced intention to complain ("mau komplain", "I want to complain") is a complaint too,
unless the message only asks how complaining works (channels, confidentiality, deadlines,
rights): those questions are answered from the SOP and the law.
"""

from __future__ import annotations

import re

from responder.normalize import Normalised
from responder.rules.base import Rule
from responder.rules.text import (compile_all, find_all, fold, has_first_person,
                                  is_hypothetical, is_question, is_rule_question, sentences)

_OFFICIAL = (r"(petugas\w*|pegawai\w*|staf\w*|staff|oknum|pejabat|operator\w*|orang dinas|"
             r"orang kantor|cs|customer service|front office|loket|admin\w*|dinas|kantor|"
             r"surveyor|tim survei|verifikator|officer|official|staff)")
_MONEY_DEMAND = (r"(minta|meminta|memintai|menarik|memungut|menagih|memeras|memalak|menyuruh "
                 r"bayar|suruh bayar|asked for|demanded)")
_INCIDENTS = compile_all({
    "official_demanded_money": (
        r"\b" + _OFFICIAL + r"\b[^.?!\n]{0,60}\b" + _MONEY_DEMAND + r"\b[^.?!\n]{0,40}"
        r"\b(uang|biaya|bayaran|imbalan|rp|ribu|juta|rupiah|pelicin|fee|money|bribe)\b"
    ),
    "money_demanded_of_me": (
        r"\b(dimintai|diminta|disuruh|dipaksa|dipalak|diperas|ditagih)\s+(untuk\s+)?"
        r"(bayar|membayar|uang|biaya|imbalan|pungutan|setor|menyetor)\b|"
        r"\b(kena|terkena|dikenai|dikenakan)\s+(pungli|pungutan liar)\b|"
        # the applicant already paid an official or a broker
        r"\b(sudah|telah|udah)\s+(bayar|membayar|memberi|kasih|transfer|menyerahkan)\b"
        r"[^.?!\n]{0,40}"
        r"\b(ke|kepada|pada)\s+(petugas|pegawai|oknum|orang dinas|orang kantor|staf|calo)\b"
    ),
    "official_misconduct": (
        r"\b" + _OFFICIAL + r"\b[^.?!\n]{0,60}\b(kasar|tidak sopan|judes|ketus|jutek|membentak|"
        r"marah-marah|memarahi|cuek|mempersulit|menghina|melecehkan|mengancam|sombong|"
        r"tidak ramah|tidak profesional|rude|impolite)\b|"
        r"\b(petugas|pegawai|staf|operator)\w*\s+([\w-]+\s+)?(lambat|lelet|lamban)\b|"
        r"\b(dibentak|dimarahi|dipersulit|diabaikan|dilempar-lempar|dicuekin|dicuekkan|"
        r"dihina|diancam|disuruh bolak-balik)\b"
    ),
    "service_frustration": (
        r"\b(lambat|lelet|ribet|berbelit-belit|bertele-tele)\s+(sekali|banget|amat)\b|"
        r"\b(sangat|terlalu|kok)\s+(lambat|lelet|ribet|berbelit-belit)\b|"
        r"\b(kok|terlalu)\s+lama\b|\bkelamaan\b|"
        r"\b(kecewa|mengecewakan|kesal|kesel|jengkel|dongkol|tidak becus|payah|parah)\b|"
        r"\b(susah|sulit|tidak bisa)\s+dihubungi\b|"
        r"\btidak\s+(pernah\s+)?(dibalas|direspon|direspons|ditanggapi|digubris|dilayani)\b|"
        r"\btidak\s+ada\s+(respon|respons|tanggapan|balasan)\b|"
        r"\b(bagaimana|gimana)\s+sih\s+(kerja|kinerja|pelayanan|layanan|dinas|kalian|petugas|"
        r"ini)\b|"
        r"\b(so slow|very slow|disappointed|unacceptable|frustrat\w*)\b"
    ),
    "objection": (
        # "saya keberatan" as the clause's subject ("tetangga saya keberatan" is someone else)
        r"(^|[,;:]\s*|\b(dan|tapi|jadi|pak|bu|admin)\s+)(saya|kami)\s+(sangat\s+)?"
        r"(keberatan|tidak terima|dirugikan)\b|"
        r"\b(tolong|mohon|harap|minta)\s+(segera\s+)?(ditindak|ditegur|diberi sanksi|dipecat|"
        r"diproses secara hukum)\b|\bminta pertanggungjawaban\b"
    ),
})
# Only frustration aimed at the service counts ("internet saya lambat sekali" does not).
_SERVICE = re.compile(r"\b(pelayanan\w*|layanan\w*|dinas|petugas\w*|pegawai\w*|kantor|oss|"
                      r"sistem|izin\w*|permohonan\w*|proses\w*|kalian|admin|service|office)\b")
_DESIRE = r"(mau|ingin|akan|hendak|mo)"
_INTENT = compile_all({
    "intent_to_complain": (
        r"\b(komplain|complain|complaining)\b|"
        r"^\W*(mengadu|pengaduan|keluhan|aduan|complaint)\s*:|"
        r"\b" + _DESIRE + r"\s+(mengadu|mengadukan|protes|menyampaikan\s+(keluhan|pengaduan|"
        r"komplain)|mengajukan\s+(keluhan|pengaduan))\b|"
        # "lapor" alone is ambiguous (LKPM is "dilaporkan" too): only reports about the service.
        r"\b" + _DESIRE + r"\s+(melapor|melaporkan|lapor)\b[^.?!\n]{0,30}\b(pungli|pungutan|"
        r"petugas|pegawai|oknum|pelayanan|calo|dinas|kecurangan|penyimpangan|ombudsman|"
        r"inspektorat)|"
        r"\b(saya|kami)\s+(mengadu|mengeluh|mengadukan)\b|"
        r"\b(file|make|lodge|submit)\s+a\s+complaint\b|\bwant\s+to\s+(complain|report)\b"
    ),
})
# A question about how complaining works: channels, confidentiality, deadlines, rights, costs.
_PROCEDURE = re.compile(
    r"\b(bagaimana cara|caranya|cara\s+(mengadu|melapor|lapor|komplain|menyampaikan)|lewat mana|"
    r"melalui apa|lewat apa|ke mana|di mana|prosedur\w*|mekanisme\w*|alur\w*|syarat\w*|"
    r"aturan\w*|menurut|dirahasiakan|rahasia|identitas|berapa lama|batas waktu|hak\s|"
    r"dikenai biaya|sarana\w*|saluran\w*|how (do|can) i|where (do|can) i|procedure)\b"
)


def _told_as_event(pattern: re.Pattern[str], sentence: str) -> bool:
    """True when the cue sits in a clause that is a statement, not a question."""
    clauses = [c for c in re.split(r"[,;:]", sentence) if pattern.search(c)]
    if not clauses:  # the cue spans clauses: judge the sentence
        return not is_question(sentence)
    return any(not is_question(c) for c in clauses)


def detect(n: Normalised) -> list[str]:
    """Cues that the applicant is complaining about their own experience."""
    found: list[str] = []
    own = has_first_person(n.text)
    for sentence in sentences(n.text):
        # Conditional and yes/no sentences ask about rules, not about what happened.
        if is_hypothetical(sentence) or is_rule_question(sentence):
            continue
        for label, pattern in _INCIDENTS:
            if not pattern.search(sentence):
                continue
            if label == "service_frustration":
                # Frustration counts when aimed at the service, even as a rhetorical question.
                if _SERVICE.search(sentence):
                    found.append(label)
                continue
            # "Petugas yang kasar bisa dikenai sanksi apa?" asks about rules: a question that
            # never mentions the writer is no account of their experience. "Ada petugas minta
            # uang, itu boleh?" tells of an event in a clause that is no question.
            if own or label == "objection" or _told_as_event(pattern, sentence):
                found.append(label)
    if found:
        return sorted(set(found))
    intent: list[str] = []
    for sentence in sentences(n.text) + sentences(fold(n.original)):
        if not is_rule_question(sentence):
            intent.extend(find_all(_INTENT, sentence))
    if intent and not (is_question(n.text) and _PROCEDURE.search(n.text)):
        return sorted(set(intent))
    return []


rule = Rule("complaint", detect)
