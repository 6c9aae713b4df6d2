"""Optional LLM drafter: any OpenAI-compatible chat endpoint (Ollama, vLLM, llama.cpp, hosted) via LangChain.

The model only drafts; it never decides. Its text is cleaned, "tidak tahu" is recognised, and
`check_llm_draft` verifies every claim against the numbered passages it was given before the
pipeline may use it. Every transport failure becomes one `LLMError` with a stable code so the
pipeline can fall back to the offline drafter and record why.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field

from langchain_core.language_models.chat_models import BaseChatModel

from knowledge.models import Hit
from lantunan.settings import Settings
from responder.prompts import DONT_KNOW, build_messages
from responder.verify import Verification, verify

log = logging.getLogger(__name__)

_MARK = re.compile(r"\[(\d{1,3})\]")
# "[1, 2]" / "[1,2,3]" / "[1; 2]": verify() reads only single markers, so split grouped ones.
_GROUPED = re.compile(r"\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})+)\]")
_FENCE_OPEN = re.compile(r"^```[\w-]*[ \t]*\n?")
_FENCE_CLOSE = re.compile(r"\n?```\s*$")
# A leading label the model adds despite instructions: "Jawaban:", "**Jawaban**:", "Balasan -".
_LABEL = re.compile(r"^\s*[*_]{0,2}(?:jawaban|balasan|answer)[*_]{0,2}\s*[:\-–][*_]{0,2}\s*", re.IGNORECASE)
_HEADING = re.compile(r"^#{1,6}\s+", re.MULTILINE)
_DOUBLE_BOLD = re.compile(r"\*\*(.+?)\*\*")
# A "don't know" reply is short; a long answer that merely contains the phrase is not one.
_DONT_KNOW_MAX_WORDS = 12


class LLMError(Exception):
    """The LLM could not produce a draft: code is llm_timeout|llm_http_error|llm_unavailable|llm_empty."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass
class LLMDraft:
    """One cleaned model reply and what was found in it."""

    text: str
    cited: list[int] = field(default_factory=list)  # [n] markers, unique, in order of appearance
    dont_know: bool = False
    raw: str = ""
    latency_ms: float = 0.0


def clean_reply(raw: str) -> str:
    """Strip code fences and answer labels; WhatsApp-style bold; one marker per bracket."""
    text = raw.strip()
    text = _FENCE_OPEN.sub("", text, count=1)
    text = _FENCE_CLOSE.sub("", text, count=1).strip()
    text = _LABEL.sub("", text, count=1).strip()
    text = _HEADING.sub("", text)
    text = _DOUBLE_BOLD.sub(r"*\1*", text)  # WhatsApp bolds with single asterisks
    text = _GROUPED.sub(lambda m: "".join(f"[{n}]" for n in re.split(r"\s*[,;]\s*", m.group(1))), text)
    return text.strip()


def citations_in(text: str) -> list[int]:
    """Citation numbers in order of first appearance."""
    seen: list[int] = []
    for m in _MARK.findall(text):
        n = int(m)
        if n not in seen:
            seen.append(n)
    return seen


def is_dont_know(text: str) -> bool:
    """True when the reply is the agreed "tidak tahu" (allowing punctuation and a short preamble)."""
    plain = " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())
    if plain == DONT_KNOW:
        return True
    return DONT_KNOW in plain and not _MARK.search(text) and len(plain.split()) <= _DONT_KNOW_MAX_WORDS


def _content_text(content: object) -> str:
    """Message content as text (some servers return a list of content blocks)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for block in content:
            if isinstance(block, str):
                parts.append(block)
            elif isinstance(block, dict) and block.get("type") == "text":
                parts.append(str(block.get("text", "")))
        return "".join(parts)
    return ""


class LLMDrafter:
    """Drafts grounded replies with a chat model behind an OpenAI-compatible URL."""

    def __init__(self, settings: Settings, chat_model: BaseChatModel | None = None) -> None:
        self.settings = settings
        self._llm = chat_model
        if self._llm is None and settings.llm_base_url:
            from langchain_openai import ChatOpenAI

            # max_retries=0: the applicant is waiting and the offline drafter is a fallback,
            # so one failed call should fall back at once instead of retrying with backoff.
            self._llm = ChatOpenAI(
                base_url=settings.llm_base_url,
                model=settings.llm_model,
                api_key=settings.llm_api_key or "not-needed",  # local servers ignore the key
                timeout=settings.llm_timeout,
                max_retries=0,
                temperature=0,
            )

    @property
    def available(self) -> bool:
        """True when an endpoint is configured (or a chat model was given)."""
        return self._llm is not None

    def draft(self, question: str, passages: list[Hit]) -> LLMDraft:
        """Ask the model for a reply citing `passages` as [1]..[n]; raise LLMError on failure."""
        if self._llm is None:
            raise LLMError("llm_unavailable", "no LLM endpoint configured (LANTUNAN_LLM_BASE_URL)")
        if not passages:
            # Nothing to ground an answer in: the rules' only allowed reply, without a call.
            return LLMDraft(text=DONT_KNOW, dont_know=True)
        messages = build_messages(question, passages, self.settings)
        start = time.perf_counter()
        try:
            reply = self._llm.invoke(messages)
        except Exception as exc:  # noqa: BLE001 - mapped to stable codes below
            raise _as_llm_error(exc, self.settings) from exc
        latency_ms = (time.perf_counter() - start) * 1000.0
        raw = _content_text(reply.content)
        text = clean_reply(raw)
        if not text:
            raise LLMError("llm_empty", "the model returned an empty reply")
        dont_know = is_dont_know(text)
        log.info("llm draft: %d chars, cited=%s, dont_know=%s, %.0f ms",
                 len(text), citations_in(text), dont_know, latency_ms)
        return LLMDraft(
            text=DONT_KNOW if dont_know else text,
            cited=[] if dont_know else citations_in(text),
            dont_know=dont_know,
            raw=raw,
            latency_ms=latency_ms,
        )


def _as_llm_error(exc: Exception, settings: Settings) -> LLMError:
    """Map openai/httpx exceptions (as raised through LangChain) to an LLMError code."""
    import openai

    if isinstance(exc, openai.APITimeoutError):  # subclass of APIConnectionError: test first
        return LLMError("llm_timeout", f"no reply from {settings.llm_base_url} within {settings.llm_timeout:g} s")
    if isinstance(exc, openai.APIStatusError):
        return LLMError("llm_http_error", f"HTTP {exc.status_code} from {settings.llm_base_url}: {exc.message}")
    if isinstance(exc, openai.APIConnectionError):
        return LLMError("llm_unavailable", f"cannot reach {settings.llm_base_url}: {exc}")
    # A 200 with a body that is not a chat completion, or another client-side failure.
    return LLMError("llm_http_error", f"bad response from {settings.llm_base_url}: {type(exc).__name__}: {exc}")


def check_llm_draft(d: LLMDraft, passages: list[Hit], settings: Settings) -> Verification:
    """Verify every claim of an LLM draft against its passages; unknown [n] or "tidak tahu" fail."""
    result = verify(d.text, [p.chunk.text for p in passages], settings.support_threshold)
    if result.unknown_citations or d.dont_know:
        result.ok = False
    return result
