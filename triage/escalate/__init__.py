"""Escalation: decide what leadership must see, and how urgently (see `Escalator`).

The policy (`responses/policy.toml`, overridable per team) lists the flag kinds, their
phrases and thresholds; `Escalator.assess_batch` applies it to each ingested batch.
"""

from triage.escalate.escalator import Escalator
from triage.escalate.policy import FLAG_KINDS, Policy, PolicyError

__all__ = ["FLAG_KINDS", "Escalator", "Policy", "PolicyError"]
