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
from triage.incidents import Cut, Incident, close_cut, get_incident, incident_events
from triage.mention import Mention
from triage.store import Store, _row_to_mention
from triage.timeutil import from_db
from triage.verdict import Flag

_ORDER = "m.created_at, m.id"
AUDIT_COLUMNS = ("seq", "at", "actor", "mention_id", "action", "before", "after", "detail",
                 "prev_hash", "hash")


_CHUNK = 2000


def iso_from_db(text: str | None) -> str | None:
    """A stored time as ``datetime.isoformat()`` writes it, without parsing.

    Stored times are ``to_db``'s fixed-width UTC form; anything else is parsed.
    """
    if not text:
        return None
    if len(text) == 27 and text[19] == "." and text[26] == "Z":
        return (text[:19] if text[20:26] == "000000" else text[:26]) + "+00:00"
    dt = from_db(text)
    return dt.isoformat() if dt else None


@dataclass(slots=True)
class ExportRecord:
    """A mention with everything that happened to it, as of the export's cut.

    ``row`` is the mentions row as a dict (every column, new ones included); writers
    read it directly rather than building a ``Mention`` per row (``mention`` does, for
    callers that want the domain object).
    """

    row: dict[str, Any]
    state: str
    dismiss_reason: str | None
    triage: dict[str, Any] | None = None
    flags: list[Flag] = field(default_factory=list)
    drafts: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
    incidents: list[int] = field(default_factory=list)

    @property
    def id(self) -> int:
        return int(self.row["id"])

    @property
    def created_at(self) -> str:
        """As stored: fixed-width UTC text, which sorts as time."""
        return str(self.row["created_at"])

    @property
    def mention(self) -> Mention:
        return _row_to_mention(self.row)  # type: ignore[arg-type]

    @property
    def ingested_at(self) -> str:
        return str(self.row["ingested_at"])

    @property
    def label(self) -> str | None:
        return self.row["label"]

    @property
    def confidence(self) -> float | None:
        return self.row["confidence"]

    @property
    def uncertain(self) -> bool:
        return bool(self.row["uncertain"])

    @property
    def escalated(self) -> bool:
        return bool(self.row["escalated"])

    @property
    def priority(self) -> float:
        return self.row["priority"]

    @property
    def extra(self) -> dict[str, Any]:
        """Columns other features added to ``mentions``: exported so nothing is lost."""
        return {k: v for k, v in self.row.items() if k not in _KNOWN}

    @property
    def flag_kinds(self) -> list[str]:
        return [f.kind for f in self.flags]

    def _last_transition(self, to: str) -> dict[str, Any] | None:
        for a in reversed(self.audit):
            if a["action"] == "transition" and a["after"] == to:
                return a
        return None

    @property
    def approval(self) -> dict[str, Any] | None:
        """Who approved the reply and when, with the draft they approved."""
        if not self.drafts:  # nothing was ever drafted (most mentions): no audit scan
            return None
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
        if not self.drafts:
            return None
        for a in self.audit:
            if a["action"] == "transition" and a["after"] == "sent":
                return from_db(a["at"])
        return None

    @property
    def time_to_first_reply(self) -> timedelta | None:
        sent = self.first_reply_at
        if sent is None:
            return None
        return sent - from_db(self.created_at)  # type: ignore[operator]

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


def _chunked(cursor: sqlite3.Cursor) -> Iterator[tuple[Any, ...]]:
    """Rows in fetchmany chunks: constant memory, far fewer calls than one at a time."""
    while rows := cursor.fetchmany(_CHUNK):
        yield from rows


class _Side:
    """One side cursor, advanced in lockstep with the mentions cursor.

    Rows are tuples whose first column is the mention id; ``take`` returns the other
    columns of each matching row as a dict keyed by column name.
    """

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self.names = tuple(d[0] for d in cursor.description)[1:]
        self._rows = _chunked(cursor)
        self._next: tuple[Any, ...] | None = next(self._rows, None)

    def take(self, mention_id: int) -> list[dict[str, Any]]:
        nxt = self._next
        if nxt is None or nxt[0] != mention_id:
            return []
        out = []
        names, rows = self.names, self._rows
        while nxt is not None and nxt[0] == mention_id:
            out.append(dict(zip(names, nxt[1:], strict=True)))
            nxt = next(rows, None)
        self._next = nxt
        return out


class ExportSource:
    """A read-only snapshot of the database to export from (use as a context manager)."""

    def __init__(self, store: Store, flt: ExportFilter | None = None) -> None:
        self.filter = flt or ExportFilter()
        self._own = str(store.path) != ":memory:"
        if self._own:
            uri = f"file:{store.path.resolve()}?mode=ro"
            self.conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
        else:
            self.conn = store.conn
        self.conn.execute("BEGIN")
        self.incident: Incident | None = None
        self.cut: Cut | None = None
        if self.filter.incident_id is not None:
            self.incident = get_incident(self.conn, self.filter.incident_id)
            if self.incident.closed:
                self.cut = close_cut(self.conn, self.incident.id)
        self.head: ChainHead = self.cut.head if self.cut else current_head(self.conn)
        # every cursor finds the mentions the same way: by the narrowest condition
        self._where = self.filter.where(self.filter.driver(self.conn))

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
        where, args = self._where
        return int(self.conn.execute(f"SELECT COUNT(*) FROM mentions m WHERE {where}",
                                     args).fetchone()[0])

    def _cursor(self, sql: str, args: list[Any]) -> sqlite3.Cursor:
        cur = self.conn.cursor()
        cur.row_factory = None  # plain tuples: the cheapest rows sqlite3 makes
        return cur.execute(sql, args)

    def _side(self, select: str, table: str, alias: str, extra: str = "",
              extra_args: tuple[Any, ...] = (), order: str = "") -> _Side:
        where, args = self._where
        sql = (f"SELECT {alias}.mention_id, {select} FROM {table} {alias} JOIN mentions m"
               f" ON m.id = {alias}.mention_id WHERE {where}{extra} ORDER BY {_ORDER}{order}")
        return _Side(self._cursor(sql, [*args, *extra_args]))

    def records(self, *, with_triage: bool = True) -> Iterator[ExportRecord]:
        """Every selected mention in (created_at, id) order, assembled in lockstep.

        ``with_triage`` False skips the model's verdict details (probabilities,
        explanation), which only the JSONL record carries.
        """
        where, args = self._where
        cut = self.cut
        audit_cols = ", ".join(f"a.{c}" for c in AUDIT_COLUMNS)
        triage = self._side("t.*", "triage", "t") if with_triage else None
        flags = self._side("f.kind, f.reason", "flags", "f", order=", f.id")
        drafts = self._side("d.*", "drafts", "d",
                            " AND d.created_at <= ?" if cut else "", (cut.at,) if cut else (),
                            order=", d.id")
        audit = self._side(audit_cols, "audit", "a", " AND a.seq <= ?" if cut else "",
                           (cut.seq,) if cut else (), order=", a.seq")
        members = self._side("im.incident_id", "incident_mentions", "im",
                             order=", im.incident_id")
        cur = self._cursor(f"SELECT m.* FROM mentions m WHERE {where} ORDER BY {_ORDER}", args)
        names = tuple(d[0] for d in cur.description)
        id_at = names.index("id")
        for values in _chunked(cur):
            mid = values[id_at]
            row = dict(zip(names, values, strict=True))
            audit_rows = audit.take(mid)
            state = _state_as_of(audit_rows) if cut is not None else row["state"]
            t = triage.take(mid) if triage is not None else None
            yield ExportRecord(
                row=row,
                state=state,
                dismiss_reason=row["dismiss_reason"] if state == "dismissed" else None,
                triage=_triage(t[0]) if t else None,
                flags=[Flag(f["kind"], f["reason"]) for f in flags.take(mid)],
                drafts=[_draft(d) for d in drafts.take(mid)],
                audit=audit_rows,
                incidents=[r["incident_id"] for r in members.take(mid)],
            )

    def incident_events(self) -> list[dict[str, Any]]:
        """The incident's phase changes and close, up to the cut (few; in memory)."""
        if self.incident is None:
            return []
        return incident_events(self.conn, self.incident.id,
                               self.cut.seq if self.cut else None)

    def global_audit(self) -> Iterator[dict[str, Any]]:
        """Audit entries that belong to no mention (ingest batches, mutes, closes)."""
        extra, args = (" AND seq <= ?", (self.cut.seq,)) if self.cut else ("", ())
        cols = ", ".join(AUDIT_COLUMNS)
        for row in self.conn.execute(
                f"SELECT {cols} FROM audit WHERE mention_id IS NULL{extra} ORDER BY seq", args):
            yield dict(row)


_JSON_COLUMNS = ("probabilities", "explanation", "findings")


def _side_row(row: dict[str, Any]) -> dict[str, Any]:
    """Every column of a triage or draft row (new columns included), JSON decoded."""
    row.pop("mention_id", None)
    for key in _JSON_COLUMNS:
        if isinstance(row.get(key), str):
            row[key] = json.loads(row[key])
    return row


def _triage(row: dict[str, Any]) -> dict[str, Any]:
    out = _side_row(row)
    if "uncertain" in out:
        out["uncertain"] = bool(out["uncertain"])
    return out


def _draft(row: dict[str, Any]) -> dict[str, Any]:
    return _side_row(row)


# mentions columns that the record carries elsewhere (Mention fields or named keys)
_KNOWN = {"id", "platform", "platform_id", "url", "author_handle", "author_name",
          "author_followers", "text", "created_at", "in_reply_to_id", "language", "raw",
          "ingested_at", "state", "source", "author_created_at", "dismiss_reason", "label",
          "confidence", "uncertain", "flag_kinds", "escalated", "priority"}
