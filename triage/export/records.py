"""Streaming record assembly: one ``ExportRecord`` per mention, in constant memory.

The mentions cursor and one cursor per side table (triage, flags, drafts, audit,
incident membership) run over the same filter in the same order (created_at, id) and
are merged in lockstep, so each mention is assembled from a handful of rows and then
dropped.  Nothing is ever ``fetchall``-ed.  All cursors share one read transaction on
a dedicated connection, so an export is one consistent snapshot even while the queue
keeps working.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from triage.audit_verify import ChainHead, current_head
from triage.export.filters import ExportFilter
from triage.export.incidents import Cut, Incident, close_cut, get_incident
from triage.mention import Mention
from triage.store import Store, _row_to_mention
from triage.timeutil import from_db
from triage.verdict import Flag

_ORDER = "m.created_at, m.id"
AUDIT_COLUMNS = ("seq", "at", "actor", "mention_id", "action", "before", "after", "detail",
                 "prev_hash", "hash")


@dataclass(slots=True)
class ExportRecord:
    """A mention with everything that happened to it, as of the export's cut."""

    mention: Mention
    ingested_at: str
    state: str
    dismiss_reason: str | None
    label: str | None
    confidence: float | None
    uncertain: bool
    escalated: bool
    priority: float
    triage: dict[str, Any] | None = None
    flags: list[Flag] = field(default_factory=list)
    drafts: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
    incidents: list[int] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def flag_kinds(self) -> list[str]:
        return [f.kind for f in self.flags]

    def _last_transition(self, to: str) -> dict[str, Any] | None:
        hits = [a for a in self.audit if a["action"] == "transition" and a["after"] == to]
        return hits[-1] if hits else None

    @property
    def approval(self) -> dict[str, Any] | None:
        """Who approved the reply and when, with the draft they approved."""
        entry = self._last_transition("approved")
        if entry is None:
            return None
        detail = json.loads(entry["detail"]) if entry["detail"] else {}
        return {"by": entry["actor"], "at": entry["at"], "draft_id": detail.get("draft_id")}

    @property
    def final_reply(self) -> dict[str, Any] | None:
        """The approved draft (the reply that went, or may go, out)."""
        approval = self.approval
        if approval is None:
            return None
        for d in self.drafts:
            if d["id"] == approval["draft_id"]:
                return d
        return self.drafts[-1] if self.drafts else None

    @property
    def first_reply_at(self) -> datetime | None:
        for a in self.audit:
            if a["action"] == "transition" and a["after"] == "sent":
                return from_db(a["at"])
        return None

    @property
    def time_to_first_reply(self) -> timedelta | None:
        sent = self.first_reply_at
        return sent - self.mention.created_at if sent else None

    @property
    def dismissal(self) -> dict[str, Any] | None:
        """Who left it unengaged, when and why (only while it is dismissed)."""
        if self.state != "dismissed":
            return None
        entry = self._last_transition("dismissed")
        return {"by": entry["actor"] if entry else None, "at": entry["at"] if entry else None,
                "reason": self.dismiss_reason}


def _state_as_of(audit: list[dict[str, Any]]) -> str:
    """The workflow state after the last transition before the cut."""
    for a in reversed(audit):
        if a["action"] == "transition" and a["after"]:
            return str(a["after"])
    return "new"


class _Side:
    """One side cursor, advanced in lockstep with the mentions cursor."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._rows = iter(cursor)
        self._next: sqlite3.Row | None = next(self._rows, None)

    def take(self, mention_id: int) -> list[sqlite3.Row]:
        out = []
        while self._next is not None and self._next["mention_id"] == mention_id:
            out.append(self._next)
            self._next = next(self._rows, None)
        return out


class ExportSource:
    """A read-only snapshot of the database to export from (use as a context manager)."""

    def __init__(self, store: Store, flt: ExportFilter | None = None) -> None:
        self.filter = flt or ExportFilter()
        self._own = str(store.path) != ":memory:"
        if self._own:
            uri = f"file:{store.path.resolve()}?mode=ro"
            self.conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        else:
            self.conn = store.conn
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("BEGIN")
        self.incident: Incident | None = None
        self.cut: Cut | None = None
        if self.filter.incident_id is not None:
            self.incident = get_incident(self.conn, self.filter.incident_id)
            if self.incident.closed:
                self.cut = close_cut(self.conn, self.incident.id)
        self.head: ChainHead = self.cut.head if self.cut else current_head(self.conn)

    def close(self) -> None:
        try:
            self.conn.execute("COMMIT")
        finally:
            if self._own:
                self.conn.close()

    def __enter__(self) -> ExportSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def reproducible(self) -> bool:
        """A closed incident's export must not carry a wall-clock time."""
        return self.cut is not None

    def count(self) -> int:
        where, args = self.filter.where()
        return int(self.conn.execute(f"SELECT COUNT(*) FROM mentions m WHERE {where}",
                                     args).fetchone()[0])

    def _side(self, select: str, table: str, alias: str, extra: str = "",
              extra_args: tuple[Any, ...] = (), order: str = "") -> _Side:
        where, args = self.filter.where()
        sql = (f"SELECT {select} FROM {table} {alias} JOIN mentions m ON m.id = "
               f"{alias}.mention_id WHERE {where}{extra} ORDER BY {_ORDER}{order}")
        return _Side(self.conn.execute(sql, [*args, *extra_args]))

    def records(self) -> Iterator[ExportRecord]:
        where, args = self.filter.where()
        cut = self.cut
        audit_cols = ", ".join(f"a.{c}" for c in AUDIT_COLUMNS)
        triage = self._side("t.*", "triage", "t")
        flags = self._side("f.mention_id, f.kind, f.reason", "flags", "f", order=", f.id")
        drafts = self._side("d.*", "drafts", "d",
                            " AND d.created_at <= ?" if cut else "", (cut.at,) if cut else (),
                            order=", d.id")
        audit = self._side(audit_cols, "audit", "a", " AND a.seq <= ?" if cut else "",
                           (cut.seq,) if cut else (), order=", a.seq")
        members = self._side("im.mention_id, im.incident_id", "incident_mentions", "im",
                             order=", im.incident_id")
        rows = self.conn.execute(f"SELECT m.* FROM mentions m WHERE {where} ORDER BY {_ORDER}",
                                 args)
        for row in rows:
            mid = row["id"]
            t = triage.take(mid)
            audit_rows = [dict(a) for a in audit.take(mid)]
            state = row["state"]
            if cut is not None:
                state = _state_as_of(audit_rows)
            yield ExportRecord(
                mention=_row_to_mention(row),
                ingested_at=row["ingested_at"],
                state=state,
                dismiss_reason=row["dismiss_reason"] if state == "dismissed" else None,
                label=row["label"], confidence=row["confidence"],
                uncertain=bool(row["uncertain"]), escalated=bool(row["escalated"]),
                priority=row["priority"],
                triage=_triage(t[0]) if t else None,
                flags=[Flag(f["kind"], f["reason"]) for f in flags.take(mid)],
                drafts=[_draft(d) for d in drafts.take(mid)],
                audit=audit_rows,
                incidents=[r["incident_id"] for r in members.take(mid)],
                extra=_extra(row),
            )

    def global_audit(self) -> Iterator[dict[str, Any]]:
        """Audit entries that belong to no mention (ingest batches, mutes, closes)."""
        extra, args = (" AND seq <= ?", (self.cut.seq,)) if self.cut else ("", ())
        cols = ", ".join(AUDIT_COLUMNS)
        for row in self.conn.execute(
                f"SELECT {cols} FROM audit WHERE mention_id IS NULL{extra} ORDER BY seq", args):
            yield dict(row)


_JSON_COLUMNS = ("probabilities", "explanation", "findings")


def _side_row(row: sqlite3.Row) -> dict[str, Any]:
    """Every column of a triage or draft row (new columns included), JSON decoded."""
    out = {k: row[k] for k in row.keys() if k != "mention_id"}
    for key in _JSON_COLUMNS:
        if isinstance(out.get(key), str):
            out[key] = json.loads(out[key])
    return out


def _triage(row: sqlite3.Row) -> dict[str, Any]:
    out = _side_row(row)
    if "uncertain" in out:
        out["uncertain"] = bool(out["uncertain"])
    return out


def _draft(row: sqlite3.Row) -> dict[str, Any]:
    return _side_row(row)


# mentions columns that the record carries elsewhere (Mention fields or named keys)
_KNOWN = {"id", "platform", "platform_id", "url", "author_handle", "author_name",
          "author_followers", "text", "created_at", "in_reply_to_id", "language", "raw",
          "ingested_at", "state", "source", "author_created_at", "dismiss_reason", "label",
          "confidence", "uncertain", "flag_kinds", "escalated", "priority"}


def _extra(row: sqlite3.Row) -> dict[str, Any]:
    """Columns other features added to ``mentions``: exported so nothing is lost."""
    return {k: row[k] for k in row.keys() if k not in _KNOWN}
