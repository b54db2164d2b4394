"""Incidents in the core: list, show and close one with a summary for leadership.

Escalation (``triage.escalate.incidents``) opens and extends incidents and moves their
phase; this module is what everything (escalation's tests included) reads them through,
and where they end.
Both share one table and one vocabulary: ``PHASES`` and the ``incident-*`` audit
actions below, each with ``{"incident": id}`` in its detail.

Closing is what makes an incident's log final: the close is an audit entry, and an
export of a closed incident is cut at that entry (chain head, audit trail, drafts and
workflow state as they were at the close), so it is reproducible byte for byte however
much the database changes afterwards.  An incident escalation moved to ``resolved``
is closed too (its phase entry is the cut) but has no summary until someone closes it
with one.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from triage.audit_verify import ChainHead
from triage.store import NotFound, Store, StoreError
from triage.timeutil import from_db, to_db, utcnow

PHASES = ("acknowledge", "investigating", "resolved")
CLOSED_PHASE = "resolved"
OPEN_ACTION = "incident-open"
EXTEND_ACTION = "incident-extend"
PHASE_ACTION = "incident-phase"
CLOSE_ACTION = "incident-close"


@dataclass(frozen=True, slots=True)
class Cut:
    """Where a closed incident's export stops: the closing entry's seq, hash and time."""

    seq: int
    hash: str
    at: str
    action: str = CLOSE_ACTION
    actor: str = ""

    @property
    def head(self) -> ChainHead:
        return ChainHead(self.seq, self.hash)

    @property
    def summarised(self) -> bool:
        """Closed with a summary (not only moved to ``resolved``)."""
        return self.action == CLOSE_ACTION


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


def _rows(conn: sqlite3.Connection, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    return cur.execute(sql, args).fetchall()


def list_incidents(conn: sqlite3.Connection, *, include_closed: bool = True) -> list[Incident]:
    """Every incident, oldest first (by when its first mention was posted)."""
    where = "" if include_closed else " WHERE i.closed_at IS NULL"
    return [_incident(r) for r in _rows(conn, f"{_SELECT}{where} ORDER BY i.opened_at, i.id")]


def get_incident(conn: sqlite3.Connection, incident_id: int) -> Incident:
    rows = _rows(conn, f"{_SELECT} WHERE i.id = ?", (incident_id,))
    if not rows:
        raise NotFound(f"no incident with id {incident_id}; `calmreply incident list` shows "
                       "them")
    return _incident(rows[0])


def mention_ids(conn: sqlite3.Connection, incident_id: int) -> list[int]:
    """The incident's mentions, by row id."""
    return [int(r[0]) for r in conn.execute(
        "SELECT mention_id FROM incident_mentions WHERE incident_id = ? ORDER BY mention_id",
        (incident_id,))]


def close_cut(conn: sqlite3.Connection, incident_id: int) -> Cut | None:
    """The audit entry that closed the incident (close, or phase moved to resolved).

    Only meaningful while the incident is closed; callers check ``Incident.closed``.
    """
    row = conn.execute(
        "SELECT seq, hash, at, action, actor FROM audit WHERE mention_id IS NULL"
        " AND (action = ? OR (action = ? AND after = ?))"
        " AND json_extract(detail, '$.incident') = ? ORDER BY seq DESC LIMIT 1",
        (CLOSE_ACTION, PHASE_ACTION, CLOSED_PHASE, incident_id)).fetchone()
    return Cut(int(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4])) if row else None


def incident_events(conn: sqlite3.Connection, incident_id: int,
                    upto_seq: int | None = None) -> list[dict[str, Any]]:
    """Phase changes and closes of one incident, oldest first, as audit rows.

    Opening and extending are left out: their audit time is when detection ran (a
    backfill runs days later), while the incident's own ``opened_at`` is its first
    mention's time.
    """
    rows = _rows(conn, "SELECT seq, at, actor, action, before, after, detail FROM audit"
                 " WHERE mention_id IS NULL AND action IN (?, ?) AND seq <= ?"
                 " AND json_extract(detail, '$.incident') = ? ORDER BY seq",
                 (PHASE_ACTION, CLOSE_ACTION, upto_seq if upto_seq is not None else 2**62,
                  incident_id))
    return [dict(r) for r in rows]


def close_incident(store: Store, incident_id: int, summary: str, actor: str) -> Incident:
    """Close an incident with a summary for leadership; audited, and final for exports.

    An incident already moved to ``resolved`` without a summary can be closed with one
    (that close becomes the export's cut); one closed with a summary cannot be again.
    """
    summary = summary.strip()
    if not summary:
        raise ValueError("closing an incident needs a summary (--summary \"what happened, "
                         "what we said\")")
    with store.write() as conn:
        incident = get_incident(conn, incident_id)
        cut = close_cut(conn, incident_id) if incident.closed else None
        if cut is not None and cut.summarised:
            raise StoreError(f"incident {incident_id} was already closed at "
                             f"{to_db(incident.closed_at)}")  # type: ignore[arg-type]
        conn.execute("UPDATE incidents SET closed_at = ?, summary = ?, phase = ? WHERE id = ?",
                     (to_db(utcnow()), summary, CLOSED_PHASE, incident_id))
        store.audit(actor, CLOSE_ACTION, None, incident.phase, CLOSED_PHASE,
                    {"incident": incident_id, "summary": summary,
                     "mentions": incident.mentions})
        return get_incident(conn, incident_id)


def next_phase(phase: str) -> str | None:
    """The phase after `phase` (acknowledge -> investigating -> resolved), or None."""
    i = PHASES.index(phase) if phase in PHASES else -1
    return PHASES[i + 1] if 0 <= i < len(PHASES) - 1 else None


def advance_phase(store: Store, incident_id: int, actor: str) -> tuple[str, str]:
    """Move an open incident one phase on (audited as ``incident-phase``).

    Returns (before, after).  A closed incident is refused rather than wrapped round, so
    a stray key press never reopens a story; moving to ``resolved`` closes it (the
    phase entry is its cut) and `close_incident` can still add the summary.
    """
    from triage.escalate.incidents import set_phase

    with store.write() as conn:
        incident = get_incident(conn, incident_id)
        after = next_phase(incident.phase)
        if after is None or incident.closed:
            raise StoreError(f"incident {incident_id} is {incident.phase} and closed; there "
                             "is no next phase")
        set_phase(store, incident_id, after, actor)
    return incident.phase, after

