"""Features of one applicant message for the intent model: meaning, words, and exact shapes.

Three blocks, concatenated into one sparse row:
- meaning: the e5 query vector of the applicant's own wording (the same vector retrieval uses,
  so a request embeds its text once), scaled so it weighs about as much as the word blocks;
- words: hashed character n-grams (within word boundaries, robust to typos and Banjar
  spellings) and hashed word uni-/bigrams of the normalised text. Hashing needs no fitted
  vocabulary, so the shipped artefact is only the model's weights;
- shapes: a few counts no n-gram sees, because they are about digits, not words: digit runs
  of NIK/NPWP/NIB length, phone numbers, e-mail addresses, sizes and floor counts (what an
  applicant writes when asking for a calculation of their own fee), question marks, length.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

from responder.guards import digit_runs, has_email, phone_numbers

CHAR_FEATURES = 2**16
WORD_FEATURES = 2**15

_SIZE = re.compile(r"\d+(?:[.,]\d+)?\s*(?:m2|m²|meter persegi|meter|m\b|ha\b|hektar|x\s*\d)",
                   re.IGNORECASE)
_FLOORS = re.compile(r"\b(\d+|dua|tiga|empat|satu)\s*(lantai|lt\b|tingkat|storey|story|floor)",
                     re.IGNORECASE)
_MONEY = re.compile(r"\b(rp\.?\s*\d|\d+\s*(?:rb|ribu|jt|juta|k)\b)", re.IGNORECASE)
SHAPE_NAMES = ["digits16", "digits15", "digits13", "digits_other_long", "phone", "email",
               "size", "floors", "money", "question_marks", "log_chars", "log_words"]


@dataclass(frozen=True)
class FeatureSpec:
    """How rows are built; stored with the model so training and serving agree."""

    embed_scale: float = 1.0
    shape_scale: float = 0.5


@lru_cache(maxsize=1)
def _char_vectorizer() -> HashingVectorizer:
    return HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), n_features=CHAR_FEATURES,
                             alternate_sign=False, norm="l2", lowercase=True)


@lru_cache(maxsize=1)
def _word_vectorizer() -> HashingVectorizer:
    return HashingVectorizer(analyzer="word", ngram_range=(1, 2), n_features=WORD_FEATURES,
                             alternate_sign=False, norm="l2", lowercase=True,
                             token_pattern=r"(?u)\b\w+\b")


def shape_features(original: str) -> np.ndarray:
    """Digit and size shapes of the applicant's own text (before normalisation)."""
    runs = digit_runs(original)
    words = len(original.split())
    values = [
        sum(1 for r in runs if len(r) == 16), sum(1 for r in runs if len(r) == 15),
        sum(1 for r in runs if len(r) == 13),
        sum(1 for r in runs if len(r) >= 9 and len(r) not in (13, 15, 16)),
        len(phone_numbers(original)), float(has_email(original)),
        len(_SIZE.findall(original)), len(_FLOORS.findall(original)),
        len(_MONEY.findall(original)), original.count("?"),
        math.log1p(len(original)), math.log1p(words),
    ]
    return np.minimum(np.asarray(values, dtype=np.float32), 6.0)


def build_rows(originals: list[str], normalised: list[str], vectors: np.ndarray,
               spec: FeatureSpec) -> sparse.csr_matrix:
    """Feature rows for messages (`vectors`: their e5 query vectors, one row each)."""
    chars = _char_vectorizer().transform(normalised)
    words = _word_vectorizer().transform(normalised)
    dense = sparse.csr_matrix(np.asarray(vectors, dtype=np.float32) * spec.embed_scale)
    shapes = sparse.csr_matrix(np.stack([shape_features(t) for t in originals]) * spec.shape_scale)
    return sparse.hstack([chars, words, dense, shapes], format="csr", dtype=np.float32)
