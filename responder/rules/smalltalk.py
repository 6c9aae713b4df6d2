"""smalltalk: a greeting, thanks or acknowledgement alone ("Assalamualaikum", "makasih pak 🙏").

A greeting followed by a question is not small talk: the question is answered. The classifier
uses this rule only when no other rule fired.
"""

from __future__ import annotations

from responder.normalize import Normalised
from responder.rules.base import Rule
from responder.rules.social import analyse_social


def detect(n: Normalised) -> list[str]:
    """Kinds of social content when the message is nothing else."""
    social = analyse_social(n)
    if not social.only_social:
        return []
    kinds = [name for name in ("salam", "greeting", "thanks", "ack", "farewell", "ask_intent")
             if getattr(social, name)]
    return kinds


rule = Rule("smalltalk", detect)
