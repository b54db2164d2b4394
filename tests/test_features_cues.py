"""The hand-made cues fire on the kinds of post they describe, and not on look-alikes."""

from __future__ import annotations

import pytest

from triage.features import Vocabulary, cue_names, encode
from triage.normalise import normalise


def cues_of(text: str) -> set[str]:
    batch = encode([normalise(text)], Vocabulary(18, (2, 4)))
    names = cue_names()
    return {names[i] for i in batch.cues[0].nonzero()[0]}


@pytest.mark.parametrize("text, cue", [
    ("@Acme my router keeps rebooting every night", "fault report"),
    ("@Acme it's not letting me log in", "fault report"),
    ("@Acme I have an issue with my order", "fault report"),
    ("@Acme why does my app crash on the payment page", "fault report"),
    ("@Acme paid extra for next day delivery, it's day 4", "broken promise"),
    ("@Acme you promised a callback on monday", "broken promise"),
    ("@Acme what's the point of a priority line if nobody answers", "broken promise"),
    ("thanks @Acme for cancelling my flight with no warning", "thanks for a failure"),
    ("gotta love how the app logs me out every day", "thanks for a failure"),
    ("@Acme is the Leeds store open on sunday?", "question"),
    ("how do I change my address", "question"),
])
def test_cue_fires(text: str, cue: str) -> None:
    assert cue in cues_of(text)


@pytest.mark.parametrize("text, cue", [
    ("thanks @Acme for the quick help, all sorted", "thanks for a failure"),
    ("@Acme love the new menu", "thanks for a failure"),
    # a leading @handle is dropped, so these open with an auxiliary but are statements
    ("@Acme is the worst bank I have ever used", "question"),
    ("@Acme does it again, brilliant service", "question"),
    ("@Acme the delivery arrived early, great", "fault report"),
    ("@Acme the delivery arrived early, great", "broken promise"),
])
def test_cue_does_not_fire(text: str, cue: str) -> None:
    assert cue not in cues_of(text)


def test_sarcasm_phrase_counts_as_the_plain_alternation() -> None:
    """The sarcasm phrase is written for speed (one shared \\b, "/s" last); it must
    count exactly what the plain alternation of its phrases counts."""
    import random
    import re

    from triage.features import _PHRASES, CUE_LIST

    plain = re.compile(
        r"\bthanks for nothing\b|\boh (?:great|wonderful|brilliant|perfect)\b|/s\b|"
        r"\byeah right\b|\bslow clap\b|\bwell done\b.{0,20}\b(?:again|genius)\b|"
        r"\bwhat a (?:surprise|shock)\b|\bshocker\b|\bgenius\b")
    fast = _PHRASES[next(i for i, c in enumerate(CUE_LIST) if c.name == "sarcasm marker")]
    pieces = ["thanks for nothing", "oh great", "oh wonderful", "/s", "yeah right",
              "slow clap", "well done", "again", "genius", "what a surprise", "shocker",
              "x", "s", "oh", "well done /s genius", "geniuses", "a/s", "/sgenius"]
    rng = random.Random(3)
    for _ in range(5000):
        text = "".join(rng.choice(pieces) + rng.choice(["", " ", ".", "/"])
                       for _ in range(rng.randint(1, 8)))
        assert fast.findall(text) == plain.findall(text), text
    assert len(fast.findall("well done /s genius, oh great /s")) == 3
