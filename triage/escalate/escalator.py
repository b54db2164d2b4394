"""First-cut escalation: keyword rules and reach.  The policy issue deepens this."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from triage.mention import Mention
from triage.verdict import Assessment, Flag, Verdict

_RULES = {
    "threat": [r"\b(kill|hurt|slash|burn down|waiting for (him|her|you))\b"],
    "legal": [r"\b(sue|lawyer|solicitor|see you in court|regulator)\b"],
    "press": [r"\b(journalist|reporter|for a story|comment)\b"],
}
_ESCALATE = {"threat", "legal", "press"}


@dataclass
class Escalator:
    reach_threshold: int = 100_000

    @classmethod
    def load(cls) -> Escalator:
        return cls()

    def assess_batch(self, mentions: Sequence[Mention], verdicts: Sequence[Verdict],
                     store: object | None = None) -> list[Assessment]:
        return [self.assess(m, v) for m, v in zip(mentions, verdicts, strict=True)]

    def assess(self, mention: Mention, verdict: Verdict) -> Assessment:
        flags = []
        low = mention.text.lower()
        for kind, patterns in _RULES.items():
            for pattern in patterns:
                hit = re.search(pattern, low)
                if hit:
                    flags.append(Flag(kind, f"matched '{hit.group(0)}'"))
                    break
        if mention.author_followers >= self.reach_threshold:
            flags.append(Flag("reach", f"author has {mention.author_followers:,} followers"))
        escalated = any(f.kind in _ESCALATE for f in flags)
        priority = (2.0 if escalated else 0.0) + (verdict.label == "complaint") * 1.0
        return Assessment(flags=tuple(flags), escalated=escalated, priority=priority)
