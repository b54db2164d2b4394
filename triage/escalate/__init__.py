"""Escalation: decide what leadership must see, and how urgently (see `Escalator`)."""

from triage.escalate.escalator import Escalator

__all__ = ["Escalator"]
