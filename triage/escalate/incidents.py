"""Incidents: a surge or brigade groups its mentions so they are handled as one story.

The first detection opens an incident (kind ``surge`` or ``brigade``); later detections
within `merge_gap_minutes` of its latest mention extend it instead of opening another.
Times are the mentions' own, so a backfill builds the same incidents as live ingest.
Opening and extending are audited; `phase` (acknowledge, investigating, resolved)
selects the playbook's holding statement.  This module writes incidents; everything
reads them through the core (`triage.incidents`), whose vocabulary it uses.
"""

from __future__ import annotations

from collections.abc import Iterable

from triage.escalate.flood_memo import IncidentMembers
from triage.escalate.history import shift
from triage.incidents import EXTEND_ACTION, OPEN_ACTION, PHASE_ACTION, PHASES
from triage.timeutil import to_db, utcnow

ACTOR = "escalation"


def open_or_extend(store, kind: str, at: str, mention_ids: Iterable[int], title: str,
                   summary: str, merge_gap_minutes: float, *, opened_at: str | None = None,
                   members: IncidentMembers | None = None) -> tuple[int, list[int]]:
    """Group mentions into the open incident of `kind` near `at`, or open one.

    A new incident is opened at `opened_at` (a surge's onset) or else at its earliest
    mention.  `members` remembers an incident's members from one batch to the next.
    Returns (incident id, ids newly added).  Must run inside `store.write()`."""
    ids = sorted(set(mention_ids))
    if not ids:
        raise ValueError("an incident needs at least one mention")
    with store.write() as conn:
        # an open incident with a member inside the gap: found at its first such member
        # (a flood extends one incident batch after batch; reading all its members each
        # time to find the latest would grow with the flood)
        row = conn.execute(
            "SELECT i.id FROM incidents i WHERE i.kind = ? AND i.closed_at IS NULL"
            " AND EXISTS (SELECT 1 FROM incident_mentions im JOIN mentions m"
            " ON m.id = im.mention_id WHERE im.incident_id = i.id AND m.created_at >= ?)"
            " ORDER BY i.id DESC LIMIT 1",
            (kind, shift(at, minutes=-merge_gap_minutes))).fetchone()
        if row:
            incident_id = int(row[0])
            conn.execute("UPDATE incidents SET summary = ? WHERE id = ?", (summary, incident_id))
        else:
            first = opened_at or conn.execute(
                f"SELECT MIN(created_at) FROM mentions WHERE id IN ({','.join('?' * len(ids))})",
                ids).fetchone()[0] or at
            incident_id = int(conn.execute(
                "INSERT INTO incidents (kind, title, opened_at, summary, phase)"
                " VALUES (?,?,?,?,'acknowledge')", (kind, title, first, summary)).lastrowid)
            store.audit(ACTOR, OPEN_ACTION, None, None, str(incident_id),
                        {"incident": incident_id, "kind": kind, "title": title})
        known = members.found(conn, incident_id, ids) if members is not None else None
        if known is None:   # these ids only, not every member so far
            known = _found(conn, "SELECT mention_id FROM incident_mentions"
                           " WHERE incident_id = ?", incident_id, ids)
        added = [i for i in ids if i not in known]
        conn.executemany("INSERT OR IGNORE INTO incident_mentions VALUES (?, ?)",
                         [(incident_id, i) for i in added])
        if members is not None:
            members.added(conn, incident_id, added)
        if added and row:
            store.audit(ACTOR, EXTEND_ACTION, None, None, str(incident_id),
                        {"incident": incident_id, "added": len(added)})
    return incident_id, added


def add_flag(store, mention_ids: Iterable[int], kind: str, reason: str) -> int:
    """Flag mentions triaged in an earlier batch (the start of a surge or brigade)."""
    ids = list(mention_ids)
    if not ids:
        return 0
    with store.write() as conn:
        # a mention has one flag of a kind (UNIQUE)
        have = _found(conn, "SELECT mention_id FROM flags WHERE kind = ?", kind, ids)
        new = [mid for mid in dict.fromkeys(ids) if mid not in have]
        # a statement per batch, not two per mention: a surge flags thousands at once
        conn.executemany("INSERT OR IGNORE INTO flags (mention_id, kind, reason)"
                         " VALUES (?,?,?)", [(mid, kind, reason) for mid in new])
        conn.executemany(
            "UPDATE mentions SET flag_kinds = CASE WHEN flag_kinds = '' THEN ?"
            " ELSE flag_kinds || ',' || ? END WHERE id = ?", [(kind, kind, mid) for mid in new])
        n = len(new)
        if n:
            store.audit(ACTOR, "flag-added", None, None, kind,
                        {"kind": kind, "count": n, "reason": reason})
    return n


def _found(conn, select: str, key: object, ids: list[int]) -> set[int]:
    """The ids among `ids` that `select` (a query of mention_id for one key) finds, looked
    up 500 at a time: the cost follows `ids`, not the table."""
    out: set[int] = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        out.update(r[0] for r in conn.execute(
            f"{select} AND mention_id IN ({','.join('?' * len(chunk))})", (key, *chunk)))
    return out


def set_phase(store, incident_id: int, phase: str, actor: str) -> None:
    """Move an incident to another phase (audited); `resolved` also closes it."""
    if phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}; use one of {', '.join(PHASES)}")
    with store.write() as conn:
        row = conn.execute("SELECT phase FROM incidents WHERE id = ?", (incident_id,)).fetchone()
        if row is None:
            raise ValueError(f"no incident with id {incident_id}")
        conn.execute("UPDATE incidents SET phase = ?, closed_at = ? WHERE id = ?",
                     (phase, to_db(utcnow()) if phase == "resolved" else None, incident_id))
        store.audit(actor, PHASE_ACTION, None, row[0], phase, {"incident": incident_id})
