"""Which mentions an export covers: incident, time window, state, flag, label, leader.

The filter becomes one SQL condition over ``mentions m`` so the main cursor and the
side cursors (flags, drafts, audit) select exactly the same mentions while streaming.
"""

from __future__ import annotations

import sqlite3
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

    def where(self, driver: str | None = None) -> tuple[str, list[Any]]:
        """The filter as SQL over ``mentions m``.  `driver` (see `driver`) names the
        condition SQLite is to find the rows by; the others are written so that no index
        serves them (a unary ``+``, a correlated EXISTS).  None leaves it to SQLite."""
        clauses: list[str] = []
        args: list[Any] = []

        def column(name: str, kind: str) -> str:
            return f"m.{name}" if driver in (None, kind) else f"+m.{name}"

        def member(table: str, key: str, kind: str) -> str:
            if driver in (None, kind):
                return f"m.id IN (SELECT mention_id FROM {table} WHERE {key} = ?)"
            return f"EXISTS (SELECT 1 FROM {table} s WHERE s.mention_id = m.id AND s.{key} = ?)"

        if self.incident_id is not None:
            clauses.append(member("incident_mentions", "incident_id", "incident"))
            args.append(self.incident_id)
        if self.since is not None:
            clauses.append(f"{column('created_at', 'time')} >= ?")
            args.append(to_db(self.since))
        if self.until is not None:
            clauses.append(f"{column('created_at', 'time')} < ?")
            args.append(to_db(self.until))
        if self.state:
            clauses.append(f"{column('state', 'state')} = ?")
            args.append(self.state)
        if self.label:
            clauses.append(f"{column('label', 'label')} = ?")
            args.append(self.label)
        for kind, name in self._flag_kinds():
            clauses.append(member("flags", "kind", name))
            args.append(kind)
        return (" AND ".join(clauses) or "1"), args

    def driver(self, conn: sqlite3.Connection) -> str | None:
        """Of two or more conditions, the one that selects the fewest mentions, counted
        from the indexes (each count stops at the smallest so far).

        Without statistics SQLite guesses, and for "the last day's trolls" it took the
        label index and read every troll ever stored: 2 s at a million mentions, where
        the day's mentions by time take 30 ms.  None with fewer than two conditions."""
        counts: list[tuple[str, str, list[Any]]] = []
        if self.incident_id is not None:
            counts.append(("incident", "SELECT 1 FROM incident_mentions WHERE incident_id = ?",
                           [self.incident_id]))
        for kind, name in self._flag_kinds():
            counts.append((name, "SELECT 1 FROM flags WHERE kind = ?", [kind]))
        if self.since is not None or self.until is not None:
            lo = to_db(self.since) if self.since is not None else ""
            counts.append(("time", "SELECT 1 FROM mentions WHERE created_at >= ?"
                           + (" AND created_at < ?" if self.until is not None else ""),
                           [lo] + ([to_db(self.until)] if self.until is not None else [])))
        for name in ("state", "label"):
            if getattr(self, name):
                counts.append((name, f"SELECT 1 FROM mentions WHERE {name} = ?",
                               [getattr(self, name)]))
        if len(counts) < 2:
            return None
        best, fewest = None, None
        for name, sql, args in counts:
            cap = "" if fewest is None else f" LIMIT {fewest + 1}"
            n = conn.execute(f"SELECT COUNT(*) FROM ({sql}{cap})", args).fetchone()[0]
            if fewest is None or n < fewest:
                best, fewest = name, n
        return best

    def _flag_kinds(self) -> list[tuple[str, str]]:
        """(flag kind, condition name) of the flag conditions given."""
        given = ((self.flag, "flag"), (LEADER_FLAG if self.leader else None, "leader"))
        return [(kind, name) for kind, name in given if kind]

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
