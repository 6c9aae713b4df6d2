"""Measure the OCR repair on a statute file: suspicious tokens before and after, repairs by kind.

`ocr_report(path)` parses the file twice through the real parser (with and without
`ingest.ocr_repair`), chunks both the way ingest does, and runs the detector of
`ingest.ocr_vocab.suspicious_tokens` over the chunk texts. It has no CLI of its own;
`eval/ocr_measure.py` prints it for a folder.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ingest.ocr_repair import RepairLog
from ingest.ocr_vocab import DocVocabulary, Suspect, suspicious_tokens
from knowledge.textproc import is_dictionary_word


@dataclass
class TextStats:
    """Detector figures for one version (raw or repaired) of a document's chunk texts."""

    tokens: int
    suspects: list[Suspect] = field(default_factory=list)
    rare_unknown: int = 0  # tokens that are neither dictionary words nor printed ≥ 3 times

    @property
    def per_1000(self) -> float:
        """Suspicious tokens per 1,000 tokens."""
        return 1000 * len(self.suspects) / self.tokens if self.tokens else 0.0

    def by_kind(self) -> dict[str, int]:
        """Suspicious tokens by detector kind."""
        return dict(Counter(s.kind for s in self.suspects))


@dataclass
class OcrReport:
    """Before/after detector figures and the repair log of one statute file."""

    path: str
    name: str  # "PP 28/2025"
    before: TextStats
    after: TextStats
    log: RepairLog

    @property
    def reduction(self) -> float:
        """Share of suspicious tokens the repair removed (0..1; 1.0 when there were none)."""
        n = len(self.before.suspects)
        return 1.0 if n == 0 else 1 - len(self.after.suspects) / n


def text_stats(texts: list[str]) -> TextStats:
    """Run the detector over chunk texts, with the vocabulary of those same texts."""
    vocab = DocVocabulary(texts)
    suspects = [s for t in texts for s in suspicious_tokens(t, vocab)]
    rare = 0
    for t in texts:
        for tok in t.split():
            w = tok.strip("()[].,;:'\"!?").lower()
            if w.isalpha() and len(w) > 2 and vocab.count(w) < 3 and not is_dictionary_word(w):
                rare += 1
    return TextStats(sum(len(t.split()) for t in texts), suspects, rare)


def ocr_report(path: Path | str) -> OcrReport:
    """Detector figures before and after OCR repair for one statute file (txt, md, pdf, ...)."""
    from ingest.loaders import load_file
    from ingest.statute_chunks import statute_chunks
    from ingest.statute_parser import parse_statute

    path = Path(path)
    loaded = load_file(path)
    raw = parse_statute(loaded.text, repair_ocr=False)
    fixed = parse_statute(loaded.text)
    name = fixed.short_name or path.stem
    before = text_stats([c.text for c in statute_chunks(raw, path.stem, name)])
    after = text_stats([c.text for c in statute_chunks(fixed, path.stem, name)])
    return OcrReport(str(path), name, before, after, fixed.ocr_log)
