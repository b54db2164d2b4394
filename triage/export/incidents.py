"""Incidents as the export sees them: list, show, and close with a summary.

Closing is what makes an incident's log final: the close is an audit entry, and an
export of a closed incident is cut at that entry (chain head, audit trail, drafts and
workflow state as they were at the close), so it is reproducible byte for byte however
much the database changes afterwards.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from triage.audit_verify import ChainHead
from triage.store import NotFound, Store, StoreError
from triage.timeutil import from_db, to_db, utcnow

CLOSE_ACTION = "incident_close"


@dataclass(frozen=True, slots=True)
class Cut:
    """Where a closed incident's export stops: the close entry's seq, hash and time."""

    seq: int
    hash: str
    at: str

    @property
    def head(self) -> ChainHead:
        return ChainHead(self.seq, self.hash)


@dataclass(frozen=True, slots=True)
class Incident:
    id: int
    kind: str
    title: str
    opened_at: datetime
    closed_at: datetime | None
    summary: str | None
    phase: str
    mentions: int = 0

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    def to_record(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "title": self.title,
                "opened_at": to_db(self.opened_at),
                "closed_at": to_db(self.closed_at) if self.closed_at else None,
                "summary": self.summary, "phase": self.phase, "mentions": self.mentions}


_SELECT = ("SELECT i.*, (SELECT COUNT(*) FROM incident_mentions im WHERE im.incident_id = i.id)"
           " AS n FROM incidents i")


def _incident(row: sqlite3.Row) -> Incident:
    return Incident(id=row["id"], kind=row["kind"], title=row["title"],
                    opened_at=from_db(row["opened_at"]),  # type: ignore[arg-type]
                    closed_at=from_db(row["closed_at"]), summary=row["summary"],
                    phase=row["phase"], mentions=int(row["n"]))


def list_incidents(conn: sqlite3.Connection) -> list[Incident]:
    return [_incident(r) for r in conn.execute(f"{_SELECT} ORDER BY i.opened_at, i.id")]


def get_incident(conn: sqlite3.Connection, incident_id: int) -> Incident:
    row = conn.execute(f"{_SELECT} WHERE i.id = ?", (incident_id,)).fetchone()
    if row is None:
        raise NotFound(f"no incident with id {incident_id}; `calmreply incident list` shows "
                       "them")
    return _incident(row)


def close_cut(conn: sqlite3.Connection, incident_id: int) -> Cut | None:
    """The audit entry that closed the incident, if it is closed."""
    row = conn.execute(
        "SELECT seq, hash, at FROM audit WHERE action = ? AND before = ? ORDER BY seq DESC"
        " LIMIT 1", (CLOSE_ACTION, f"incident:{incident_id}")).fetchone()
    return Cut(int(row[0]), str(row[1]), str(row[2])) if row else None


def close_incident(store: Store, incident_id: int, summary: str, actor: str) -> Incident:
    """Close an open incident with a summary for leadership; audited."""
    summary = summary.strip()
    if not summary:
        raise ValueError("closing an incident needs a summary (--summary \"what happened, "
                         "what we said\")")
    with store.write() as conn:
        incident = get_incident(conn, incident_id)
        if incident.closed:
            raise StoreError(f"incident {incident_id} was already closed at "
                             f"{to_db(incident.closed_at)}")  # type: ignore[arg-type]
        now = utcnow()
        conn.execute("UPDATE incidents SET closed_at = ?, summary = ? WHERE id = ?",
                     (to_db(now), summary, incident_id))
        store.audit(actor, CLOSE_ACTION, None, f"incident:{incident_id}", "closed",
                    {"incident_id": incident_id, "summary": summary,
                     "mentions": incident.mentions})
        return get_incident(conn, incident_id)
