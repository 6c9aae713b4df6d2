"""unclear: a message with no topic — a bare "halo?", "yang kemarin gimana pak", "mau tanya".

After greetings, thanks, polite address, particles and function words are set aside nothing
is left that a search could use. Pure greetings and thanks are small talk, not unclear; a
greeting asked as a question ("halo?") is someone waiting for an answer to something unsaid.
"""

from __future__ import annotations

from responder.lexicon import BACK_REFERENCES, FUNCTION_WORDS
from responder.normalize import Normalised
from responder.rules.base import Rule
from responder.rules.social import analyse_social


def detect(n: Normalised) -> list[str]:
    """Why the message has no usable content (empty list when it has some)."""
    social = analyse_social(n)
    if social.only_social:
        return []
    content = [t for t in social.leftover if t not in FUNCTION_WORDS and not t.isdigit()]
    if content:
        return []
    if any(t in BACK_REFERENCES for t in social.leftover):
        return ["refers_to_earlier_message"]
    if social.question_mark:
        return ["question_without_topic"]
    return ["no_topic"]


rule = Rule("unclear", detect)
