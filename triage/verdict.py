"""What triage concludes about one mention: the classifier's verdict and the flags."""

from __future__ import annotations

from dataclasses import dataclass, field

LABELS = ("troll", "complaint", "engagement")


@dataclass(frozen=True, slots=True)
class Verdict:
    """The classifier's answer, with enough to explain and audit it."""

    label: str
    probabilities: dict[str, float]
    model_version: str
    uncertain: bool = False
    # (feature, weight) pairs that pushed the verdict most, strongest first
    explanation: tuple[tuple[str, float], ...] = ()

    @property
    def confidence(self) -> float:
        return self.probabilities.get(self.label, 0.0)


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
