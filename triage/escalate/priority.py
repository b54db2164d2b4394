"""The priority score that orders the queue (higher first, escalated mentions on top).

    score = label_weight[label] * confidence
          + sum(weight of each flag kind present)
          + min(reach_cap, reach_factor * log10(1 + followers))

Defaults (policy.toml): label weights complaint 2.0, troll 1.0, engagement 0.5; flag
weights threat 10, distress 9, safety 6, legal 5, personal-data 5, press 4, brigade 3,
surge 2, leader 2, reach 1.5, repeat 1; reach_factor 0.5 capped at 3.0 (a 1M-follower
author adds 3.0, a 100-follower one 1.0).  So a confident threat outranks any number of
ordinary complaints, and among equals the wider-reaching author comes first.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache

from triage.escalate.policy import Policy
from triage.verdict import Flag


def priority_score(policy: Policy, label: str | None, confidence: float,
                   flags: Iterable[Flag], followers: int) -> float:
    return priority_with(policy, label, confidence, flag_weight(policy, flags), followers)


def flag_weight(policy: Policy, flags: Iterable[Flag]) -> float:
    """The flags' part of the score: each kind's weight, once."""
    if not flags:
        return 0.0
    return sum(policy.flags[f.kind].weight for f in {f.kind: f for f in flags}.values()
               if f.kind in policy.flags)


def priority_with(policy: Policy, label: str | None, confidence: float, weight: float,
                  followers: int) -> float:
    """`priority_score` given `flag_weight` (worked out once for flags that recur)."""
    score = policy.label_weight.get(label or "", 0.0) * max(0.0, min(1.0, confidence))
    if weight:
        score += weight
    score += min(policy.reach_cap, policy.reach_factor * _log10p1(max(0, followers)))
    return round(score, 3)


@lru_cache(maxsize=4096)
def _log10p1(n: int) -> float:
    return math.log10(1 + n)
