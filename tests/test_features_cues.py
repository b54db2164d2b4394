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
