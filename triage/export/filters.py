"""Which mentions an export covers: incident, time window, state, flag, label, leader.

The filter becomes one SQL condition over ``mentions m`` so the main cursor and the
side cursors (flags, drafts, audit) select exactly the same mentions while streaming.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from triage.timeutil import to_db

LEADER_FLAG = "leader"


@dataclass(frozen=True, slots=True)
class ExportFilter:
    """Empty fields do not filter; ``leader`` keeps mentions flagged ``leader``."""

    incident_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    state: str | None = None
    flag: str | None = None
    label: str | None = None
    leader: bool = False

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        args: list[Any] = []
        if self.incident_id is not None:
            clauses.append(
                "m.id IN (SELECT mention_id FROM incident_mentions WHERE incident_id = ?)")
            args.append(self.incident_id)
        if self.since is not None:
            clauses.append("m.created_at >= ?")
            args.append(to_db(self.since))
        if self.until is not None:
            clauses.append("m.created_at < ?")
            args.append(to_db(self.until))
        if self.state:
            clauses.append("m.state = ?")
            args.append(self.state)
        if self.label:
            clauses.append("m.label = ?")
            args.append(self.label)
        for kind in (self.flag, LEADER_FLAG if self.leader else None):
            if kind:
                clauses.append("m.id IN (SELECT mention_id FROM flags WHERE kind = ?)")
                args.append(kind)
        return (" AND ".join(clauses) or "1"), args

    def describe(self) -> dict[str, Any]:
        """The filter as JSON-safe data, for export headers (stable key order)."""
        out: dict[str, Any] = {}
        if self.incident_id is not None:
            out["incident"] = self.incident_id
        if self.since is not None:
            out["since"] = to_db(self.since)
        if self.until is not None:
            out["until"] = to_db(self.until)
        for name in ("state", "flag", "label"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.leader:
            out["leader_mentioned"] = True
        return out
