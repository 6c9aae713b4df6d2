"""The learned decision layer: shipped artefacts load without training, `lantunan train`
reproduces them, every look-alike pair lands on its side, every reason has an officer text."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from lantunan.cli import main
from responder.judge import load_judge
from responder.judge.data import DEFAULT_DIR, load_lookalikes, load_messages
from responder.judge.intent import ARTEFACT_DIR, CLASSES, HANDOFF_REASONS, IntentModel
from responder.judge.train_intent import _embed
from responder.normalize import normalise
from responder.replies import REASON_MESSAGES


@pytest.fixture(scope="module")
def shipped() -> IntentModel:
    return IntentModel.load(ARTEFACT_DIR)


def _side(label: str) -> str:
    return "handoff" if label in HANDOFF_REASONS else label


def _predict(model: IntentModel, texts: list[str]):
    return model.predict_many(texts, [normalise(t).text for t in texts], _embed(texts))


def test_artefacts_load_without_training_and_match_the_data(shipped: IntentModel) -> None:
    judge = load_judge(ARTEFACT_DIR)
    assert judge.intent.classes == list(CLASSES)
    assert 0 < judge.intent.handoff_threshold < 1
    assert 0 < judge.answerability.threshold < 1
    # Auto-send is allowed only at the stated precision on cross-validation; where no
    # threshold reaches it, the threshold lies above 1 and nothing is sent alone.
    conf = judge.confidence.card["cv"]
    assert conf["cv_precision"] >= conf["precision_target"] == 0.95
    assert (judge.confidence.threshold <= 1) == (conf["cv_coverage"] > 0)
    # The shipped model was trained on exactly the data in training/ (retrain when it changes).
    messages = load_messages(DEFAULT_DIR)
    digest = hashlib.sha256("\n".join(f"{m.label}\t{m.text}" for m in messages).encode()).hexdigest()
    assert shipped.card["data_sha256"] == digest
    cv = shipped.card["cv"]
    assert cv["handoff_recall"] >= 0.95 and cv["route_accuracy"] >= 0.9


def test_every_lookalike_pair_lands_on_its_side(shipped: IntentModel) -> None:
    pairs = load_lookalikes(DEFAULT_DIR)
    assert len(pairs) >= 400
    texts = [m.text for p in pairs for m in (p.first, p.second)]
    labels = [m.label for p in pairs for m in (p.first, p.second)]
    wrong = [(t, lab, p.route) for t, lab, p in zip(texts, labels, _predict(shipped, texts))
             if p.route != _side(lab)]
    assert wrong == []


def test_train_reproduces_the_shipped_model(tmp_path: Path, shipped: IntentModel) -> None:
    assert main(["train", "intent", "--quick", "--out", str(tmp_path)]) == 0
    retrained = IntentModel.load(tmp_path)
    messages = load_messages(DEFAULT_DIR)
    sample = [m.text for m in messages[::15]]  # a fixed sample across every file
    before, after = _predict(shipped, sample), _predict(retrained, sample)
    assert [p.route for p in before] == [p.route for p in after]
    assert [p.reason for p in before] == [p.reason for p in after]
    a = np.array([[p.probabilities[c] for c in CLASSES] for p in before])
    b = np.array([[p.probabilities[c] for c in CLASSES] for p in after])
    assert np.abs(a - b).max() < 1e-3


@pytest.mark.parametrize("message, route, reason", [
    ("Assalamualaikum pak, selamat pagi", "smalltalk", None),
    ("syarat bikin nib perorangan apa aja?", "answer", None),
    ("saya mau bicara langsung dengan petugas, bukan bot", "handoff", "human_requested"),
    ("berapa harga cabai di pasar Paringin hari ini?", "handoff", "out_of_scope"),
])
def test_clear_messages_take_their_route(shipped: IntentModel, message: str, route: str,
                                         reason: str | None) -> None:
    p = _predict(shipped, [message])[0]
    assert (p.route, p.reason) == (route, reason)
    assert abs(sum(p.probabilities.values()) - 1.0) < 1e-4


def test_every_reason_has_an_indonesian_officer_sentence() -> None:
    decision_codes = {"low_confidence", "unverified_citation", "revoked_source", "no_passage",
                      "llm_failed", "llm_dont_know", "llm_citation_invalid",
                      "below_auto_threshold", "office_hours", "smalltalk"}
    for code in set(HANDOFF_REASONS) | decision_codes:
        assert REASON_MESSAGES[code].strip() and code not in REASON_MESSAGES[code]


def test_answerability_rises_with_coverage() -> None:
    probe = load_judge(ARTEFACT_DIR).answerability
    low = {"dense_top": 0.78, "bm25_top": 1.0, "term_coverage": 0.2, "unknown_terms": 0.6}
    high = {"dense_top": 0.88, "bm25_top": 3.0, "term_coverage": 1.0, "unknown_terms": 0.0}
    assert probe.probability(high) > probe.probability(low)
