"""The word-piece table: shipped intact, splits words as the encoder does, carries meaning,
and a saved model (which holds it folded) scores exactly as the model that was trained."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.test_classifier_training import write_corpus
from triage.classifier import artifact, build_pipeline, pipeline_from_artifact
from triage.paths import models_dir
from triage.training import FEATURE_PARAMS, MODEL_PARAMS, load_rows, training_files
from triage.word_vectors import (
    CARD_FILE,
    TABLE_FILE,
    WordVectors,
    WordVectorsError,
    table_hash,
)

POSTS = ["@AirCo still no reimbursement after 3 weeks, this is theft",
         "you absolute clown, nobody wants your opinion 🤡",
         "congratulations on the launch, the new app is brilliant",
         "is the chargeback process the same for debit cards?", ""]


@pytest.fixture(scope="module")
def table() -> WordVectors:
    return WordVectors.load()


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_shipped_table_matches_its_card(table: WordVectors) -> None:
    card = json.loads((models_dir() / CARD_FILE).read_text(encoding="utf-8"))
    assert card["sha256"] == table_hash(), "word-vectors.npz does not match its card"
    assert (len(table.pieces), table.dims) == (card["pieces"], card["dims"])
    assert "Apache-2.0" in card["licence"] and card["limits"] and card["intended_use"]
    assert table.vectors.dtype == np.float32 and np.isfinite(table.vectors).all()


def test_words_split_into_pieces_like_the_encoder(table: WordVectors) -> None:
    pieces = table.pieces
    assert [pieces[i] for i in table.split("order")] == ["order"]
    split = [pieces[i] for i in table.split("chargebacks")]
    assert len(split) > 1 and split[0] == "charge" and all(p.startswith("##") for p in split[1:])
    assert table.split("café") == table.split("cafe")  # accents stripped, as the encoder does
    assert table.split("_emo_clown_face_") == table.split("clown") + table.split("face")
    assert table.split("_num_") == table.split("number")
    assert table.split("x" * 200) == [] and table.split("") == []
    assert table.vector("") is None


def test_vectors_carry_meaning_beyond_spelling(table: WordVectors) -> None:
    money = table.vector("money")
    assert _cos(money, table.vector("cash")) > 0.4 > 0.1 > _cos(money, table.vector("giraffe"))
    furious = table.vector("furious")
    assert _cos(furious, table.vector("angry")) > _cos(furious, table.vector("delighted"))
    late = table.vector("late")
    assert _cos(late, table.vector("delayed")) > _cos(late, table.vector("banana"))


def test_fold_is_the_linear_map_of_each_word(table: WordVectors) -> None:
    weights = np.random.default_rng(0).normal(size=(3, table.dims)).astype(np.float32)
    folded = table.fold(weights)
    for word in ("refund", "chargebacks", "_emo_clown_face_"):
        assert np.allclose(folded.vector(word), weights @ table.vector(word), atol=1e-4)


def test_saved_model_scores_as_the_trained_one(tmp_path: Path) -> None:
    """The artifact folds the meaning block into per-piece scores; nothing may change."""
    rows = load_rows(training_files(write_corpus(tmp_path / "corpus")))
    pipeline = build_pipeline(FEATURE_PARAMS, MODEL_PARAMS)
    pipeline.fit([t for t, _ in rows], [label for _, label in rows])
    features = pipeline.named_steps["features"]
    assert features.meaning_dims == 256
    saved = artifact(pipeline)
    assert saved["meaning_vectors"].shape == (len(features.meaning.pieces), 3)
    loaded = pipeline_from_artifact(saved, tmp_path / "model")
    assert loaded.named_steps["features"].meaning_dims == 3
    assert np.allclose(loaded.decision_function(POSTS), pipeline.decision_function(POSTS),
                       atol=1e-4)


def test_missing_table_is_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(WordVectorsError, match="git checkout models/"):
        WordVectors.load(tmp_path / TABLE_FILE)
    bad = tmp_path / TABLE_FILE
    bad.write_bytes(b"not a numpy archive")
    with pytest.raises(WordVectorsError, match="missing or damaged"):
        WordVectors.load(bad)


def test_train_without_the_table_says_what_to_do(tmp_path: Path) -> None:
    """`calmreply train` in a copy whose table is gone: one clear line, no traceback."""
    code = (
        "import sys, pathlib\n"
        "import triage.paths as p\n"
        f"real = p.data_dir\n"
        f"p.data_dir = lambda name: pathlib.Path({str(tmp_path)!r}) if name == 'models' "
        "else real(name)\n"
        "from triage.cli import main\n"
        f"sys.exit(main(['train', '--no-corrections', '--out', {str(tmp_path / 'out')!r}]))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "word-vector table" in done.stderr and "tools/build_word_vectors.py" in done.stderr


def test_vocabulary_caches_each_words_meaning_score(table: WordVectors) -> None:
    """With a meaning projection a Vocabulary keeps per word only its scores (k numbers),
    whether or not it also projects characters."""
    from triage.features import Vocabulary

    weights = np.random.default_rng(1).normal(size=(2, table.dims)).astype(np.float32)
    vocab = Vocabulary(18, (2, 4), None, table, weights)
    i = vocab.ids(["money"])[0]
    assert vocab.mean.shape[1] == 0
    assert np.allclose(vocab.proj[i], weights @ table.vector("money"), atol=1e-4)
