"""`jsontext.encoder` gives exactly the text `JSONEncoder(...).encode` gives."""

import json
import math

import pytest

from triage.jsontext import encoder

VALUES = [
    {"troll": 0.12345678901234566, "complaint": 1e-300, "engagement": 0.5},
    [["w:late", 0.8123456789], ["c:negative", -0.31], ["w:naïve café ✨", 2]],
    ("0" * 64, 7, "2026-11-26T09:00:00.000000Z", "watch", 12, "transition", "new",
     "triaged", '{"label": "troll"}'),
    {"b": [1, 2.5, None, True, False], "a": {"z": "\u2028 \x00 \"quoted\" \\"}, "é": "ü"},
    "just a string \u2603", 42, 3.5, None, [], {}, [float("inf"), -math.inf],
]
OPTIONS = [
    {},
    {"ensure_ascii": False, "separators": (",", ":")},
    {"ensure_ascii": False, "sort_keys": True},
    {"ensure_ascii": False, "default": str},
]


@pytest.mark.parametrize("options", OPTIONS)
def test_same_text_as_the_standard_encoder(options):
    ours, theirs = encoder(**options), json.JSONEncoder(**options).encode
    for value in VALUES:
        assert ours(value) == theirs(value)
    assert ours(VALUES[0]) == ours(VALUES[0])   # the reused encoder keeps no state


def test_default_and_refusals_behave_as_the_standard_encoder():
    assert encoder(default=str)({"x": {1, 2}.__class__}) == json.dumps({"x": str(set)})
    with pytest.raises(TypeError):
        encoder()({"x": object()})
    assert encoder()({"x": 1}) == '{"x": 1}'   # still usable after a refusal


def test_stored_verdict_text_is_what_the_plain_encoder_gives() -> None:
    """The helper encodes verdicts with a format string and tuples as arrays; the text
    must be exactly what encoding the dict and the lists gives (NaN included)."""
    import json
    import random

    import numpy as np

    from triage.verdict import explanation_text, probabilities_encoder

    classes = ["complaint", "engagement", "troll"]
    encode = probabilities_encoder(classes)
    rng = random.Random(7)
    rows = np.array([[rng.random() * 10 ** rng.randint(-12, 0) for _ in classes]
                     for _ in range(2000)] + [[float("nan"), 0.5, 0.5],
                                              [float("inf"), 0.0, 1.0], [0.0, 0.0, 1.0]])
    for row in rows.tolist():
        assert encode(row) == json.dumps(dict(zip(classes, row, strict=True)))
    why = (("word 'café'", 1.25), ("feature 'praise or thanks'", 0.5), ('a "quote"', 1e-05))
    assert explanation_text(why) == json.dumps([list(w) for w in why])
