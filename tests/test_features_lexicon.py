"""Word valence from the VADER lexicon: what the two features see, and that the model uses
them without carrying the lexicon in its file."""

from __future__ import annotations

import json

import numpy as np
import pytest

from triage.classifier import CARD_FILE, MODEL_FILE, Classifier
from triage.features import VALENCE_NAMES, Vocabulary, cue_names, encode, valence_lexicon
from triage.normalise import normalise
from triage.paths import models_dir

NEGATIVE, POSITIVE = VALENCE_NAMES
SHIPPED = models_dir()


def valence(*texts: str) -> list[dict[str, float]]:
    batch = encode([normalise(t) for t in texts], Vocabulary(18, (2, 4)))
    names = cue_names()
    cols = [names.index(n) for n in VALENCE_NAMES]
    return [dict(zip(VALENCE_NAMES, row[cols].tolist(), strict=True)) for row in batch.cues]


def test_lexicon_is_read_from_the_package() -> None:
    lexicon = valence_lexicon()
    assert len(lexicon) > 7000
    assert lexicon["awful"] < 0 < lexicon["great"]


def test_negative_text_scores_negative_and_positive_text_positive() -> None:
    awful, great, neutral = valence("this is awful", "this is great", "the train leaves at 9")
    assert awful[NEGATIVE] > 0 and awful[POSITIVE] == 0
    assert great[POSITIVE] > 0 and great[NEGATIVE] == 0
    assert neutral == {NEGATIVE: 0, POSITIVE: 0}


def test_more_negative_words_score_higher_but_stay_below_one() -> None:
    one, three = valence("awful", "awful, horrible, hateful mess. I hate it")
    assert 0 < one[NEGATIVE] < three[NEGATIVE] < 1


@pytest.mark.parametrize("text", ["not good", "this is not really good", "it isn't good",
                                  "dont love it"])
def test_negation_flips_a_positive_word(text: str) -> None:
    (v,) = valence(text)
    assert v[NEGATIVE] > 0 and v[POSITIVE] == 0, v


def test_negation_reaches_three_words_and_stops_at_the_post() -> None:
    (far,) = valence("not the one I call good")
    assert far[POSITIVE] > 0 and far[NEGATIVE] == 0  # "good" is 5 words after "not"
    # "no" ends one post and "good" starts the next in the same batch: no flip across
    (a, b) = valence("no", "good")
    assert b[POSITIVE] > 0 and b[NEGATIVE] == 0
    assert a == {NEGATIVE: 0, POSITIVE: 0}


def test_emoji_count_by_the_words_of_their_name() -> None:
    angry, love = valence("\N{ANGRY FACE}", "\N{SMILING FACE WITH HEART-SHAPED EYES}")
    assert angry[NEGATIVE] > 0 and angry[POSITIVE] == 0
    assert love[POSITIVE] > 0


def test_vocabulary_reset_keeps_valence() -> None:
    vocab = Vocabulary(18, (2, 4))
    texts = [normalise(t) for t in ("this is awful", "not good")]
    before = encode(texts, vocab).cues
    vocab.clear()
    np.testing.assert_array_equal(encode(texts, vocab).cues, before)


@pytest.fixture(scope="module")
def shipped() -> Classifier:
    return Classifier.load(SHIPPED)


def test_explanation_names_the_lexicon_feature(shipped: Classifier) -> None:
    verdict = shipped.predict_one("what a horrendous, dreadful, miserable, hateful mess")
    names = [name for name, _ in verdict.explanation]
    assert f"feature '{NEGATIVE}'" in names, names


def test_model_file_does_not_carry_the_lexicon(shipped: Classifier) -> None:
    raw = (SHIPPED / MODEL_FILE).read_bytes()
    # (the word-piece list of the meaning features holds words, but no lexicon lines)
    assert b"horrendous\t" not in raw and b"vader_lexicon" not in raw.lower()
    labels = [v.label for v in shipped.predict(["you are a pathetic idiot",
                                                "thank you, the crew were lovely today!"])]
    assert labels == ["troll", "engagement"]


def test_card_names_the_lexicon_and_its_licence() -> None:
    card = json.loads((SHIPPED / CARD_FILE).read_text(encoding="utf-8"))
    assert "VADER" in card["lexicon"]["name"] and card["lexicon"]["licence"] == "MIT"
    assert card["lexicon"]["package"].startswith("vaderSentiment 3.")
