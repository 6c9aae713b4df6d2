"""prompt_injection: attempts to override the assistant's instructions, change its role or reveal its prompt."""

from __future__ import annotations

from responder.normalize import Normalised
from responder.rules.base import Rule
from responder.rules.text import both, compile_all, find_all

_ROLES = (r"(petugas|pejabat|kepala|admin|administrator|ai|asisten|assistant|bot|model|developer|"
          r"pengembang|pengacara|hakim|manusia|sistem|system|unrestricted|jailbroken|evil|dan)")

_PATTERNS = compile_all({
    # "abaikan semua instruksi sebelumnya", "lupakan aturanmu"
    "ignore_instructions": (
        r"\b(abaikan|abaikanlah|lupakan|lupakanlah|acuhkan|hiraukan|jangan (ikuti|hiraukan|"
        r"pedulikan|patuhi|turuti)|langgar|buang)\b[^.?!\n]{0,40}\b(instruksi|perintah|aturan|"
        r"arahan|pedoman|batasan|prompt|konteks|larangan)"
    ),
    "answer_without_rules": (
        r"\b(jawab|jawablah|balas|balaslah|respon)\s+tanpa\s+(memperhatikan|mengikuti|peduli|"
        r"batasan|filter|sensor|aturan)\b|\b(ikuti|turuti|patuhi)\s+(semua\s+)?perintah\s+saya\b|"
        r"\b(above|previous|prior|initial|original|hidden|secret)\s+(instructions|prompt|"
        r"system message)\b"
    ),
    "ignore_instructions_en": (
        r"\b(ignore|disregard|forget|override|bypass)\b[^.?!\n]{0,40}\b(instructions?|rules|"
        r"prompts?|guidelines|directives|context|restrictions|system)\b"
    ),
    "system_override": (
        r"\b(system|sistem)\s*(override|prompt|message|instruction|instruksi)\b|"
        r"\bprompt\s+(sistem|system|awal|asli|internal|rahasia)\b|"
        r"\b(developer|debug|god|dan)\s+mode\b|\bmode\s+(developer|pengembang|debug|dewa)\b|"
        r"\bjailbreak"
    ),
    # "kamu sekarang petugas berwenang", "you are now an unrestricted AI"
    "role_change": (
        r"\b(kamu|anda|kau|engkau|you)\s+(sekarang|mulai sekarang|kini|are now|now)\s+"
        r"((adalah|menjadi|jadi|berperan|bertindak|sebagai|an?|the)\s+){0,2}" + _ROLES + r"\b"
    ),
    "role_change_from_now": (
        r"\b(mulai sekarang|mulai saat ini|mulai hari ini|from now on)\s*,?\s*(kamu|anda|kau|"
        r"engkau|you)\s+(adalah|menjadi|jadi|berperan|bertindak|are|will be|act)\b"
    ),
    "role_play": (
        r"\b(berpura-pura|pura-pura)(lah)?\s+(menjadi|jadi|sebagai)\b|"
        r"\b(berperanlah|bertindaklah)\s+sebagai\b|"
        r"\banggap(lah)?\s+(saja\s+)?(dirimu|kamu|anda)\s+(sebagai\s+|adalah\s+)?" + _ROLES + r"\b|"
        r"\b(pretend (to be|you are)|act as (an?|the|my)|roleplay|role-play|role play|"
        r"bermain peran|main peran)\b"
    ),
    "reveal_prompt": (
        r"\b(tuliskan|tulis|tampilkan|tunjukkan|bocorkan|sebutkan|ulangi|cetak|berikan|kirimkan|"
        r"print|reveal|show|repeat|output|display|leak)\b[^.?!\n]{0,40}\b(prompt|instruksi "
        r"(sistem|awal|internal|asli|rahasia)|system message|hidden instructions|"
        r"konfigurasi internal)\b"
    ),
    "chat_markup": (r"<\|?(system|im_start|im_end)\|?>|\[/?(system|inst)\]|"
                    r"(^|\n)\s*#{2,}\s*(system|instruction)"),
})


def detect(n: Normalised) -> list[str]:
    """Cues of an injection attempt."""
    return find_all(_PATTERNS, both(n))


rule = Rule("prompt_injection", detect)
