"""What a message says socially: salam, greeting, thanks, acknowledgement, and what is left.

Read by :func:`responder.replies.smalltalk_reply`
(which answers a salam with "Waalaikumsalam" and thanks with "sama-sama").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from responder import lexicon
from responder.normalize import Normalised

_TOKEN = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
# A phrase with the polite words and particles that may follow it, and its question mark.
_TRAIL = (r"((\s*,)?\s+(" + "|".join(sorted(lexicon.ADDRESS_TERMS | lexicon.PARTICLES)) +
          r"))*\s*[?!.]*")


def _phrases(phrases: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(re.escape(p) for p in phrases) + r")\b" + _TRAIL)


_GREETING_QUESTION = _phrases(lexicon.GREETING_QUESTIONS)
_ASK_OPENER = _phrases(lexicon.ASK_OPENERS)
_THANKS_MARKERS = {"kasih", "thank", "thanks", "nuwun", "syukron", "nuhun", "alhamdulillah"}
_FAREWELLS = {"wassalamualaikum", "wassalam", "bye", "dadah", "jumpa"}


@dataclass
class Social:
    """Social content of a message and the tokens that are not social."""

    salam: bool = False
    greeting: bool = False
    time_greeting: str | None = None  # "pagi", "siang", "sore", "malam"
    thanks: bool = False
    ack: bool = False
    farewell: bool = False
    ask_intent: bool = False  # "mau tanya": a question is announced, not yet asked
    question_mark: bool = False  # a "?" left once greeting questions are removed
    leftover: list[str] = field(default_factory=list)

    @property
    def any_social(self) -> bool:
        """True when the message greets, thanks, acknowledges or says goodbye."""
        return (self.salam or self.greeting or self.thanks or self.ack or self.farewell
                or self.ask_intent)

    @property
    def only_social(self) -> bool:
        """True when the message is nothing but greeting/thanks/acknowledgement."""
        return self.any_social and not self.leftover and not self.question_mark


def _symbols_only(text: str) -> bool:
    """True for messages made of emoji/symbols (👍, 🙏) with no letters or digits."""
    chars = [c for c in text if not c.isspace()]
    return bool(chars) and all(unicodedata.category(c).startswith(("S", "P")) for c in chars) \
        and any(unicodedata.category(c) == "So" for c in chars)


def analyse_social(n: Normalised) -> Social:
    """Split a normalised message into its social part and the rest."""
    s = Social()
    text = _GREETING_QUESTION.sub(" ", n.text)
    if text != n.text:
        s.greeting = True
    stripped = _ASK_OPENER.sub(" ", text)
    if stripped != text:
        s.ask_intent = True
    text = stripped
    s.question_mark = "?" in text
    social_words = (lexicon.GREETING_WORDS | lexicon.THANKS_WORDS | lexicon.ACK_WORDS
                    | lexicon.ADDRESS_TERMS | lexicon.PARTICLES)
    tokens = [m.group(0) for m in _TOKEN.finditer(text)]
    for i, tok in enumerate(tokens):
        if tok in lexicon.SALAM_WORDS:
            if tok in _FAREWELLS:
                s.farewell = True
            else:
                s.salam = True
        elif tok in lexicon.TIME_GREETINGS:
            if s.time_greeting is None:
                s.time_greeting = tok
        elif tok in lexicon.GREETING_WORDS:
            s.greeting = True
        elif tok in _THANKS_MARKERS:
            s.thanks = True
        elif tok in _FAREWELLS:
            s.farewell = True
        elif tok in lexicon.ACK_WORDS:
            s.ack = True
        if tok not in social_words and tok not in lexicon.SALAM_WORDS and tok not in _FAREWELLS:
            s.leftover.append(tok)
    if s.time_greeting:
        s.greeting = True
    if not tokens and _symbols_only(n.original):
        s.ack = True
    return s
