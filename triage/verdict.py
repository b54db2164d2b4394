"""What triage concludes about one mention: the classifier's verdict and the flags."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from math import isfinite

from triage.jsontext import encoder

LABELS = ("troll", "complaint", "engagement")
_JSON = encoder()


@dataclass(frozen=True, slots=True)
class Verdict:
    """The classifier's answer, with enough to explain and audit it."""

    label: str
    probabilities: dict[str, float]
    model_version: str
    uncertain: bool = False
    # (feature, weight) pairs that pushed the verdict most, strongest first
    explanation: tuple[tuple[str, float], ...] = ()
    # probabilities and explanation as the JSON the store keeps, when worked out
    # already (the triage helper process does it, off the store loop)
    encoded: tuple[str, str] | None = field(default=None, compare=False, repr=False)

    @property
    def confidence(self) -> float:
        return self.probabilities.get(self.label, 0.0)

    def stored_json(self) -> tuple[str, str]:
        """(probabilities, explanation) as stored in the triage table."""
        if self.encoded is not None:
            return self.encoded
        return encode_for_store(self.probabilities, self.explanation)


def encode_for_store(probabilities: dict[str, float],
                     explanation: tuple[tuple[str, float], ...]) -> tuple[str, str]:
    return _JSON(probabilities), explanation_text(explanation)


def explanation_text(explanation: tuple[tuple[str, float], ...]) -> str:
    # tuples encode as JSON arrays: the same text as lists, without making them
    return _JSON(explanation)


def probabilities_encoder(classes: Sequence[str]) -> Callable[[Sequence[float]], str]:
    """`_JSON(dict(zip(classes, row)))` for rows of Python floats (an array's
    `tolist()`), from a format string (the helper process encodes one per mention;
    this costs less than half): a float's JSON is its repr, except NaN and the
    infinities, which go the ordinary way."""
    template = "{" + ", ".join(f"{_JSON(c)}: %r" for c in classes) + "}"

    def encode(row: Sequence[float]) -> str:
        if isfinite(sum(row)):
            return template % tuple(row)
        return _JSON(dict(zip(classes, row, strict=True)))

    return encode


@dataclass(frozen=True, slots=True)
class Flag:
    """Something leadership may need to see, with a reason an officer can read."""

    kind: str
    reason: str


@dataclass(frozen=True, slots=True)
class Assessment:
    """Everything escalation decides for one mention."""

    flags: tuple[Flag, ...] = ()
    escalated: bool = False
    priority: float = 0.0
    # flags may ask that no templated reply is drafted (threat, distress)
    no_auto_draft: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
