"""The fast prediction path gives the Pipeline's answers, with explanations, in bulk."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tests.test_classifier_training import write_corpus
from triage.classifier import PARALLEL_FROM, Classifier
from triage.features import TextFeatures, content_of
from triage.normalise import normalise
from triage.training import train

POSTS = [
    "you are a pathetic idiot and everyone knows it",
    "@AirCo my flight was cancelled, been on hold 2 hours, STILL no refund!!!",
    "thank you sooooo much, the crew were lovely today 😍",
    "",
    "!!!",
    "ТНIS BANK IS A JOKE, charged me twice again",
    "what time does the pizza store open on sunday?",
    "all bank fans are brain dead sheep 🤡🤡",
]


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Classifier:
    corpus = write_corpus(tmp_path_factory.mktemp("corpus"))
    out = tmp_path_factory.mktemp("model")
    train(out, folder=corpus)
    return Classifier.load(out)


def test_fast_scores_equal_the_pipeline(model: Classifier) -> None:
    normalised = model.normalise(POSTS)
    X = model.pipeline.named_steps["features"].transform(normalised)
    expected = model.pipeline.named_steps["model"].decision_function(X)
    fast, _ = model.scorer().score(normalised, explain=False)
    assert np.allclose(fast, expected, atol=1e-4)
    probs = model.pipeline.named_steps["model"].predict_proba(X)
    got = np.array([[v.probabilities[c] for c in model.classes] for v in model.predict(POSTS)])
    assert np.allclose(got, probs, atol=1e-5)


def test_explanations_add_up_to_real_pushes(model: Classifier) -> None:
    """Each named term's weight is positive and names words that are in the post."""
    for post, verdict in zip(POSTS, model.predict(POSTS), strict=True):
        words = set(content_of(normalise(post)).lower().replace("!", " ! ").split())
        assert len(verdict.explanation) <= 5
        for name, weight in verdict.explanation:
            assert weight > 0
            kind, _, shown = name.partition(" ")
            assert kind in {"word", "feature"}, name
            if kind == "word":
                for part in re.findall(r"<[^>]*>|\S+", shown.strip("'")):
                    assert part.startswith("<") or any(part in w for w in words), (name, post)
    assert model.explain(POSTS[0]) == model.predict([POSTS[0]])[0].explanation


def test_elongation_is_folded_per_word(model: Classifier) -> None:
    features: TextFeatures = model.pipeline.named_steps["features"]
    a = features.transform(model.normalise(["this is sooooo slow"]))
    b = features.transform(model.normalise(["this is soo slow"]))
    assert (a != b).nnz == 0


def test_vocabulary_reset_keeps_answers(model: Classifier) -> None:
    before = model.predict(POSTS)
    model.scorer().vocab.clear()
    after = model.predict(POSTS)
    assert [v.label for v in before] == [v.label for v in after]
    assert [v.explanation for v in before] == [v.explanation for v in after]


def test_large_batches_use_a_helper_process_with_the_same_verdicts(model: Classifier) -> None:
    texts = [f"{POSTS[i % len(POSTS)]} {i}" for i in range(PARALLEL_FROM + 10)]
    alone = Classifier(model.pipeline, model.version, model.card, jobs=1).predict(texts)
    shared = Classifier(model.pipeline, model.version, model.card, jobs=2)
    try:
        together = shared.predict(texts)
        assert "_pool" in shared.__dict__
    finally:
        shared.close()
    assert [v.label for v in alone] == [v.label for v in together]
    assert [v.explanation for v in alone] == [v.explanation for v in together]
    assert np.allclose([v.probabilities["troll"] for v in alone],
                       [v.probabilities["troll"] for v in together])



def test_bulk_scoring_survives_a_script_without_a_main_guard(tmp_path):
    """A user script with no `if __name__ == "__main__"` cannot host a spawned helper
    process; scoring must still finish with the right answers."""
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    script = tmp_path / "score.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(repo)!r})\n"
        "from triage.classifier import Classifier\n"
        "clf = Classifier.load()\n"
        "one = clf.predict(['the app is broken again'])[0].label\n"
        "many = clf.predict(['the app is broken again'] * 2500, explain=False)\n"
        "assert len(many) == 2500 and {v.label for v in many} == {one}\n"
        "print('done')\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "done" in proc.stdout
