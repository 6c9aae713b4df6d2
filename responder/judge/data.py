"""The project's own training data (training/ in the checkout; see training/DATA_CARD.md).

Labelled messages live in ``training/messages/*.jsonl`` (one object a line: text, label,
register, topic); look-alike pairs across each boundary in ``training/lookalikes*.jsonl``;
question–answer items over the shared corpus in ``training/qa/*.jsonl``. Nothing here comes
from ../shared/eval/dev.jsonl, which stays held-out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from responder.judge.intent import CLASSES

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "training"


class TrainingDataError(ValueError):
    """A training file is missing or malformed (the message names file and line)."""


@dataclass(frozen=True)
class Message:
    """One labelled applicant message."""

    text: str
    label: str
    register: str = ""
    topic: str = ""
    source: str = ""


@dataclass(frozen=True)
class LookalikePair:
    """Two messages that share words but belong on different sides of a boundary."""

    boundary: str
    first: Message
    second: Message


@dataclass
class QAItem:
    """A question over the corpus with its gold passages and answer facts."""

    id: str
    question: str
    gold: list[dict]
    answer_facts: list[list[str]]
    register: str = ""
    qtype: str = ""
    topic: str = ""
    extra: dict = field(default_factory=dict)


def _read_jsonl(path: Path) -> list[tuple[int, dict]]:
    rows = []
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TrainingDataError(f"{path}:{no}: not JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise TrainingDataError(f"{path}:{no}: expected an object")
        rows.append((no, obj))
    return rows


def _message(obj: dict, where: str) -> Message:
    text, label = obj.get("text"), obj.get("label")
    if not isinstance(text, str) or not text.strip():
        raise TrainingDataError(f"{where}: 'text' must be a non-empty string")
    if label not in CLASSES:
        raise TrainingDataError(f"{where}: unknown label {label!r} (one of {', '.join(CLASSES)})")
    return Message(text.strip(), label, str(obj.get("register", "")), str(obj.get("topic", "")),
                   where.rsplit(":", 1)[0])


def load_lookalikes(root: Path = DEFAULT_DIR) -> list[LookalikePair]:
    """Every look-alike pair (files ``lookalikes*.jsonl``)."""
    pairs = []
    for path in sorted(root.glob("lookalikes*.jsonl")):
        for no, obj in _read_jsonl(path):
            where = f"{path}:{no}"
            sides = [v for k, v in obj.items() if k != "boundary" and isinstance(v, dict)]
            if len(sides) != 2:
                raise TrainingDataError(f"{where}: a pair needs two message objects")
            pairs.append(LookalikePair(str(obj.get("boundary", "")), _message(sides[0], where),
                                       _message(sides[1], where)))
    return pairs


def load_messages(root: Path = DEFAULT_DIR) -> list[Message]:
    """All labelled messages: the message files plus both sides of every look-alike pair.

    A text that appears twice keeps its first label; a text labelled two different ways is
    an error (the data would contradict itself).
    """
    files = sorted((root / "messages").glob("*.jsonl"))
    if not files:
        raise TrainingDataError(f"{root / 'messages'}: no *.jsonl training files")
    seen: dict[str, Message] = {}
    ordered: list[Message] = []

    def add(m: Message, where: str) -> None:
        key = " ".join(m.text.lower().split())
        if key in seen:
            if seen[key].label != m.label:
                raise TrainingDataError(f"{where}: {m.text[:60]!r} labelled {m.label} here and "
                                        f"{seen[key].label} in {seen[key].source}")
            return
        seen[key] = m
        ordered.append(m)

    for path in files:
        for no, obj in _read_jsonl(path):
            add(_message(obj, f"{path}:{no}"), f"{path}:{no}")
    for pair in load_lookalikes(root):
        for m in (pair.first, pair.second):
            add(m, m.source)
    return ordered


def load_qa(root: Path = DEFAULT_DIR) -> list[QAItem]:
    """Question–answer items over the corpus (``qa/*.jsonl``)."""
    items = []
    for path in sorted((root / "qa").glob("*.jsonl")):
        for no, obj in _read_jsonl(path):
            where = f"{path}:{no}"
            try:
                items.append(QAItem(id=str(obj["id"]), question=str(obj["question"]),
                                    gold=list(obj["gold"]), answer_facts=list(obj["answer_facts"]),
                                    register=str(obj.get("register", "")),
                                    qtype=str(obj.get("qtype", "")), topic=str(obj.get("topic", ""))))
            except (KeyError, TypeError) as exc:
                raise TrainingDataError(f"{where}: missing or malformed field ({exc})") from None
    return items
