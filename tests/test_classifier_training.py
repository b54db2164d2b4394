"""Training: deterministic, corrections change a retrained model, card contents."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import joblib
import numpy as np
import pytest

from triage.classifier import CARD_FILE, CARD_MD_FILE, MODEL_FILE, Classifier
from triage.training import TrainingDataError, data_hash, train, training_files

TROLL = ["you are a pathetic {w}", "what an idiot this {w} is", "shut up {w} nobody asked",
         "all {w} fans are brain dead sheep", "the ceo is a lying {w} clown"]
COMPLAINT = ["my {w} order never arrived, still waiting for a refund",
             "charged twice for my {w} bill and no response from support",
             "the {w} app has been down for 3 days, fix it",
             "flight {w} delayed again and my bag is lost",
             "been on hold an hour about my {w} account"]
ENGAGEMENT = ["thanks for the quick help with my {w}, great service",
              "love the new {w} feature, well done team",
              "what time does the {w} store open on sunday?",
              "congrats on the {w} launch, looks amazing",
              "is the {w} plan available in scotland?"]
WORDS = ["phone", "train", "pizza", "bank", "router", "laptop", "ticket"]


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for label, templates in (("troll", TROLL), ("complaint", COMPLAINT),
                             ("engagement", ENGAGEMENT)):
        with (folder / f"{label}.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["text", "label", "source", "notes"])
            for t in templates:
                for word in WORDS:
                    w.writerow([t.format(w=word), label, "test/template", ""])
    return folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def tiny_model(corpus: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("model")
    train(out, folder=corpus)
    return out


def test_training_is_deterministic(corpus: Path, tiny_model: Path, tmp_path: Path) -> None:
    train(tmp_path, folder=corpus)
    first, second = joblib.load(tiny_model / MODEL_FILE), joblib.load(tmp_path / MODEL_FILE)
    assert np.array_equal(first["coef"], second["coef"])
    assert first["temperature"] == second["temperature"]


def test_card_records_data_and_figures(corpus: Path, tiny_model: Path) -> None:
    card = json.loads((tiny_model / CARD_FILE).read_text())
    assert card["training_data_hash"] == data_hash(training_files(corpus))
    assert card["class_counts"] == {"complaint": 35, "engagement": 35, "troll": 35}
    assert card["corrections_used"] == 0
    assert set(card["cross_validation"]["per_class"]) == {"troll", "complaint", "engagement"}
    assert 0.0 <= card["cross_validation"]["macro_f1"] <= 1.0
    md = (tiny_model / CARD_MD_FILE).read_text()
    assert "Intended use" in md and "unpickling can run code" in md


def test_a_correction_changes_the_retrained_verdict(corpus: Path, tiny_model: Path,
                                                    tmp_path: Path) -> None:
    text = "wow the zorblax gizmo thing"
    before = Classifier.load(tiny_model).predict_one(text).label
    wanted = "troll" if before != "troll" else "engagement"
    card = train(tmp_path, corrections=[(text, wanted)] * 1, folder=corpus)
    assert card["corrections_used"] == 1
    assert Classifier.load(tmp_path).predict_one(text).label == wanted


def test_bad_training_row_names_file_and_line(tmp_path: Path) -> None:
    folder = write_corpus(tmp_path / "data")
    with (folder / "troll.csv").open("a", encoding="utf-8") as fh:
        fh.write('"some text","trolll","x",""\n')
    with pytest.raises(TrainingDataError, match=r"troll\.csv:37"):
        train(tmp_path / "out", folder=folder)


def test_held_out_contrast_sets_are_never_trained_on() -> None:
    """The contrast sets in training_data/held_out/ measure the model; training must
    not read them (nor count them in the data hash)."""
    from triage.evaluation import read_labelled
    from triage.paths import training_data_dir
    from triage.training import training_files

    held = sorted((training_data_dir() / "held_out").glob("*.csv"))
    assert [p.name for p in held] == ["contrast_service.csv", "contrast_troll.csv"]
    trained = {p.resolve() for p in training_files()}
    assert trained and not trained & {p.resolve() for p in held}
    for path in held:
        texts, labels, _sources = read_labelled(path)
        assert len(texts) > 900 and set(labels) <= {"troll", "complaint", "engagement"}
