"""The shipped model: fresh, explained, and refused with a clear fix when unusable."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from triage.classifier import CARD_FILE, MODEL_FILE, Classifier, ModelError
from triage.paths import models_dir
from triage.training import current_data_hash
from triage.word_vectors import table_hash

SHIPPED = models_dir()


@pytest.fixture(scope="module")
def shipped() -> Classifier:
    return Classifier.load(SHIPPED)


def test_shipped_model_is_not_stale() -> None:
    card = json.loads((SHIPPED / CARD_FILE).read_text())
    assert card["training_data_hash"] == current_data_hash(), (
        "training_data/ changed since the shipped model was trained; run `calmreply train`")
    assert card["word_vectors"]["sha256"] == table_hash(), (
        "models/word-vectors.npz changed since the shipped model was trained; "
        "run `calmreply train`")


def test_verdict_has_probabilities_and_threshold(shipped: Classifier) -> None:
    v = shipped.predict_one("you are a pathetic idiot and everyone knows it")
    assert v.label == "troll"
    assert set(v.probabilities) == {"troll", "complaint", "engagement"}
    assert abs(sum(v.probabilities.values()) - 1.0) < 1e-6
    strict = Classifier(shipped.pipeline, shipped.version, shipped.card, uncertain_below=1.0)
    assert strict.predict_one("you are a pathetic idiot").uncertain


def test_explanation_names_real_features(shipped: Classifier) -> None:
    v = shipped.predict_one("you are a pathetic idiot")
    assert v.explanation, "a verdict must say what pushed it"
    names = [name for name, _ in v.explanation]
    assert all(w > 0 for _, w in v.explanation)
    assert not any(n.startswith("hashed feature") for n in names)
    assert any("idiot" in n or "pathetic" in n or "insult" in n for n in names), names
    for name in names:
        kind, _, shown = name.partition(" ")
        assert kind in {"word", "char", "feature"}
        if kind in {"word", "char"}:
            assert shown.strip("'") in "you are a pathetic idiot"


def test_complaint_and_engagement_basics(shipped: Classifier) -> None:
    labels = [v.label for v in shipped.predict([
        "@AirCo my flight was cancelled and I've been on hold for 2 hours, still no refund",
        "@AirCo thank you so much, the crew were lovely today!"])]
    assert labels == ["complaint", "engagement"]


def copy_model(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    shutil.copytree(SHIPPED, folder)
    return folder


def test_corrupt_model_gives_the_fix(tmp_path: Path) -> None:
    folder = copy_model(tmp_path)
    (folder / MODEL_FILE).write_bytes(b"\x80\x04this is not a pickle at all")
    with pytest.raises(ModelError, match="calmreply train"):
        Classifier.load(folder)


def test_truncated_model_gives_the_fix(tmp_path: Path) -> None:
    folder = copy_model(tmp_path)
    data = (folder / MODEL_FILE).read_bytes()
    (folder / MODEL_FILE).write_bytes(data[: len(data) // 3])
    with pytest.raises(ModelError, match="calmreply train"):
        Classifier.load(folder)


def test_missing_model_gives_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no model at .*calmreply train"):
        Classifier.load(tmp_path)


def test_other_sklearn_version_gives_the_fix(tmp_path: Path) -> None:
    folder = copy_model(tmp_path)
    card = json.loads((folder / CARD_FILE).read_text())
    card["sklearn_version"] = "0.24.2"
    (folder / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(ModelError, match="scikit-learn 0.24.2.*calmreply train"):
        Classifier.load(folder)


def test_cli_reports_corrupt_model_without_traceback(tmp_path: Path) -> None:
    folder = copy_model(tmp_path)
    (folder / MODEL_FILE).write_bytes(b"garbage")
    data = tmp_path / "eval.csv"
    data.write_text("text,label\nhello,engagement\n")
    proc = subprocess.run([sys.executable, "-m", "triage.cli", "evaluate", str(data),
                           "--model", str(folder)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "calmreply train" in proc.stderr
    assert "Traceback" not in proc.stderr
