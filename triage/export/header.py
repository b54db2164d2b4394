"""What every export states about itself: scope, incident, chain head, how to verify."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from triage.audit_verify import ChainHead
from triage.incidents import Incident
from triage.timeutil import to_db

FORMAT_VERSION = "calmreply-export/1"


@dataclass(frozen=True, slots=True)
class ExportHeader:
    scope: dict[str, Any]
    head: ChainHead
    mentions: int
    redacted: bool
    incident: Incident | None = None
    # None for a closed incident: its export must be reproducible byte for byte
    generated_at: datetime | None = None

    @property
    def verify_command(self) -> str:
        return self.head.verify_command

    def to_record(self, shape_text=lambda s: s) -> dict[str, Any]:
        incident = self.incident.to_record() if self.incident else None
        if incident and incident.get("summary"):
            incident["summary"] = shape_text(incident["summary"])
        out: dict[str, Any] = {
            "type": "header", "format": FORMAT_VERSION, "scope": self.scope,
            "incident": incident, "mentions": self.mentions, "redacted": self.redacted,
            "chain_head": self.head.to_record(), "verify": self.verify_command,
        }
        if self.generated_at is not None:
            out["generated_at"] = to_db(self.generated_at)
        return out
