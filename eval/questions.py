"""Load and validate evaluation question files (JSONL, one question per line).

The format is described in shared/eval/README.md. Every problem is reported with the file name
and line number so a curator can fix a hand-written question file quickly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from ingest.models import IngestError

ACTIONS = ("answer", "handoff", "smalltalk")
HANDOFF_REASONS = (
    "complaint", "case_status", "personal_data", "fee_calculation", "human_requested",
    "out_of_scope", "unclear", "legal_dispute", "prompt_injection",
)


class QuestionFileError(IngestError, ValueError):
    """A question file that cannot be used; the message names the file and line (the same
    "path:line: reason" shape as an ingest error)."""


@dataclass
class GoldEntry:
    """A passage that supports the answer: source file name, locator, verbatim phrases."""

    doc: str
    locator: str = ""
    must_contain: list[str] = field(default_factory=list)


@dataclass
class Question:
    """One evaluation item."""

    id: str
    question: str
    received_at: datetime
    expected_action: str
    handoff_reason: str | None = None
    gold: list[GoldEntry] = field(default_factory=list)
    answer_facts: list[list[str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    line: int = 0


def _str_list(value: object, what: str, path: str, line: int) -> list[str]:
    """Validate a list of non-empty strings."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise QuestionFileError(path, f"'{what}' must be a list of non-empty strings", line)
    return list(value)


def parse_question(obj: object, path: str, line: int, default_tz: tzinfo) -> Question:
    """Validate one decoded JSON object and build a Question."""
    if not isinstance(obj, dict):
        raise QuestionFileError(path, "each line must be a JSON object", line)
    for key in ("id", "question", "expected_action"):
        if not isinstance(obj.get(key), str) or not obj[key].strip():
            raise QuestionFileError(path, f"missing or empty field '{key}'", line)
    action = obj["expected_action"]
    if action not in ACTIONS:
        raise QuestionFileError(
            path, f"expected_action '{action}' is not one of {', '.join(ACTIONS)}", line)
    reason = obj.get("handoff_reason")
    if reason is not None:
        if action != "handoff":
            raise QuestionFileError(path, "handoff_reason is set but expected_action is not "
                                          "'handoff'", line)
        if reason not in HANDOFF_REASONS:
            raise QuestionFileError(
                path, f"handoff_reason '{reason}' is not one of {', '.join(HANDOFF_REASONS)}", line)
    raw_time = obj.get("received_at")
    if raw_time is None:
        received = datetime.now(default_tz)
    else:
        try:
            received = datetime.fromisoformat(str(raw_time))
        except ValueError:
            raise QuestionFileError(
                path, f"received_at '{raw_time}' is not an ISO 8601 date-time", line) from None
        if received.tzinfo is None:
            # A naive time is read in the office time zone, as the README's times are WITA.
            received = received.replace(tzinfo=default_tz)
    gold_raw = obj.get("gold") or []
    if not isinstance(gold_raw, list):
        raise QuestionFileError(path, "'gold' must be a list", line)
    gold: list[GoldEntry] = []
    for entry in gold_raw:
        if not isinstance(entry, dict) or not isinstance(entry.get("doc"), str):
            raise QuestionFileError(path, "each gold entry needs a 'doc' file name", line)
        phrases = _str_list(entry.get("must_contain") or [], "gold.must_contain", path, line)
        if not phrases:
            raise QuestionFileError(path, f"gold entry for '{entry['doc']}' has no must_contain "
                                          "phrase", line)
        gold.append(GoldEntry(doc=entry["doc"], locator=str(entry.get("locator") or ""),
                              must_contain=phrases))
    facts_raw = obj.get("answer_facts") or []
    if not isinstance(facts_raw, list):
        raise QuestionFileError(path, "'answer_facts' must be a list of lists", line)
    facts = [_str_list(group, "answer_facts[]", path, line) for group in facts_raw]
    if any(not group for group in facts):
        raise QuestionFileError(path, "an answer_facts group is empty", line)
    tags = _str_list(obj.get("tags") or [], "tags", path, line)
    return Question(id=obj["id"], question=obj["question"], received_at=received,
                    expected_action=action, handoff_reason=reason, gold=gold,
                    answer_facts=facts, tags=tags, line=line)


def load_questions(path: Path, default_tz: str = "Asia/Makassar") -> list[Question]:
    """Read a JSONL question file; raise QuestionFileError naming the file and line."""
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise QuestionFileError(name, "question file not found")
    tz = ZoneInfo(default_tz)
    questions: list[Question] = []
    seen: dict[str, int] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise QuestionFileError(name, f"not UTF-8 text ({exc.reason})") from None
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise QuestionFileError(name, f"invalid JSON: {exc.msg}", number) from None
        question = parse_question(obj, name, number, tz)
        if question.id in seen:
            raise QuestionFileError(
                name, f"duplicate id '{question.id}' (first on line {seen[question.id]})", number)
        seen[question.id] = number
        questions.append(question)
    if not questions:
        raise QuestionFileError(name, "no questions in file")
    return questions
