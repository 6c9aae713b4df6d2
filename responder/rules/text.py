"""Small text helpers shared by the rules: sentences, questions, hypotheticals, first person."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from responder.normalize import Normalised

_SENTENCE_END = re.compile(r"(?<=[.!?;\n])\s+|\n+")
_CONDITIONAL = re.compile(
    r"\b(kalau|jika|jikalau|apabila|bila|bilamana|seandainya|andaikan|andai|misalnya|misal|"
    r"umpama|umpamanya|if|suppose|supposing|in case)\b"
)
_QUESTION_WORD = re.compile(
    r"\b(apa|apakah|bagaimana|berapa|kapan|siapa|mengapa|kenapa|mana|bisakah|bolehkah|"
    r"haruskah|perlukah|wajibkah|adakah|what|how|when|where|who|why|which|can|could|do|does|"
    r"is|are|should)\b"
)
_FIRST_PERSON = re.compile(r"\b(saya|kami|aku|my|we|our|me|us|i'm|i'd)\b|\bi\b(?!-)")


def fold(text: str) -> str:
    """Lower-case, Unicode-normalised text (for cues looked up in the original wording)."""
    return unicodedata.normalize("NFKC", text).replace("’", "'").lower()


def both(n: Normalised) -> str:
    """Normalised text and the folded original, so cues match either wording."""
    return n.text + "\n" + fold(n.original)


def sentences(text: str) -> list[str]:
    """Rough sentence split on end punctuation and line breaks."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def is_hypothetical(sentence: str) -> bool:
    """True for conditional sentences ("kalau petugas minta uang, ..."): they ask about rules."""
    return bool(_CONDITIONAL.search(sentence))


def is_question(text: str) -> bool:
    """True when the text asks something (question mark or question word)."""
    return "?" in text or bool(_QUESTION_WORD.search(text))


def has_first_person(text: str) -> bool:
    """True when the writer speaks of themselves (saya, kami, my, ...)."""
    return bool(_FIRST_PERSON.search(text))


def find_all(patterns: Iterable[tuple[str, re.Pattern[str]]], text: str) -> list[str]:
    """Labels of the patterns that match `text`."""
    return [label for label, pattern in patterns if pattern.search(text)]


def compile_all(patterns: dict[str, str]) -> list[tuple[str, re.Pattern[str]]]:
    """Compile a label -> regex table."""
    return [(label, re.compile(rx)) for label, rx in patterns.items()]


_RULE_QUESTION = re.compile(
    r"^\W*(apakah|apa benar|apa boleh|apa bisa|bolehkah|bisakah|haruskah|wajibkah|perlukah|"
    r"benarkah|is|are|can|could|do|does|should|may)\b"
)


def is_rule_question(sentence: str) -> bool:
    """True for yes/no questions about what is allowed ("apakah petugas boleh ...?")."""
    return bool(_RULE_QUESTION.search(sentence))
