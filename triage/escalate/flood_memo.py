"""What a flood's batches remember from one to the next, checked against the store.

In a flood every batch's surge reaches back a window (an hour) for its incident's
members, and its incident already holds most of them.  Reading that window again, and
looking every id up among the incident's members again, grows with the flood: 0.4 s
each of a 20k-mention flood into a store of 200k.  So the rows read stay here between
batches, and before each use they are checked against the store by a fingerprint
(count, sum and a hashed sum of the ids) that SQLite works out from an index alone:
a batch that rolled back, another connection's writes, a relabel or a new brigade flag
change it, and the memo is read afresh.  Nothing is trusted that the store does not
confirm.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

from triage.escalate.history import negative_rows, negative_summary

# a multiplicative hash of an id (Knuth's constant), summed: together with the count
# and the plain sum, two different sets of ids give the same three only by design
_MIX = 2654435761
_MOD = 1 << 32
_LAST = 1 << 62   # sorts after any id: (t, _LAST) bounds every row at time t


def fingerprint_sql(column: str) -> str:
    """SQL for the fingerprint of the ids in `column` (see `fingerprint`)."""
    return (f"COUNT(*), COALESCE(SUM({column}), 0),"
            f" COALESCE(SUM({column} * {_MIX} % {_MOD}), 0)")


def fingerprint(ids: Iterable[int]) -> tuple[int, int, int]:
    count = total = mixed = 0
    for i in ids:
        count += 1
        total += i
        mixed += i * _MIX % _MOD
    return count, total, mixed


def _plus(a: tuple[int, int, int], b: tuple[int, int, int], sign: int = 1
          ) -> tuple[int, int, int]:
    return a[0] + sign * b[0], a[1] + sign * b[1], a[2] + sign * b[2]


class NegativeTimeline:
    """The stored negative, non-brigade mentions of a recent span as (time in µs, id),
    oldest first: `between(lo, hi)` reads from the store only what it does not hold."""

    def __init__(self) -> None:
        self._of: int | None = None   # id() of the store the rows come from
        self._lo = self._hi = 0
        self._rows: list[tuple[int, int]] = []   # the stored ones in (_lo, _hi]
        self._print = (0, 0, 0)                  # their ids' fingerprint, kept up to date

    def between(self, store, lo: int, hi: int) -> list[tuple[int, int]]:
        """(time, id) of the stored negative mentions in (lo, hi], oldest first."""
        if self._rows_hold(store) and self._lo <= hi and lo <= self._hi:
            if lo < self._lo:
                older = negative_rows(store, lo, self._lo)
                self._rows[:0] = older
                self._print = _plus(self._print, fingerprint(i for _, i in older))
                self._lo = lo
            if hi > self._hi:
                newer = negative_rows(store, self._hi, hi)
                self._rows += newer
                self._print = _plus(self._print, fingerprint(i for _, i in newer))
                self._hi = hi
            if self._lo < lo:   # a flood moves on: the older rows are not asked for again
                cut = bisect_right(self._rows, (lo, _LAST))
                self._print = _plus(self._print, fingerprint(i for _, i in self._rows[:cut]),
                                    -1)
                del self._rows[:cut]
                self._lo = lo
        else:
            self._rows = negative_rows(store, lo, hi)
            self._print = fingerprint(i for _, i in self._rows)
            self._lo, self._hi = lo, hi
        rows = self._rows
        return rows[:bisect_right(rows, (hi, _LAST))]

    def stored(self, rows: Iterable[tuple[int, int]]) -> None:
        """The batch being stored adds these negative mentions (time, id): those inside
        the span join it, so that the next batch's check finds what the store has."""
        inside = [r for r in rows if self._lo < r[0] <= self._hi]
        if inside:
            self._rows = sorted(self._rows + inside)
            self._print = _plus(self._print, fingerprint(i for _, i in inside))

    def _rows_hold(self, store) -> bool:
        if self._lo == self._hi or self._of != id(store):
            self._of = id(store)
            return False
        return negative_summary(store, self._lo, self._hi, fingerprint_sql("id")) == self._print


class IncidentMembers:
    """The member ids of the incident a flood keeps extending: `found` answers which
    of a batch's ids it holds already without a look-up per id."""

    def __init__(self) -> None:
        self._incident: tuple[int, int] | None = None   # id() of the connection, incident
        self._ids: set[int] = set()
        self._print = (0, 0, 0)
        self._asked: tuple[int, int] | None = None   # the incident last looked up by id

    def found(self, conn, incident_id: int, ids: list[int]) -> set[int] | None:
        """The ids among `ids` that are members of the incident, or None when that is
        cheaper to look up (a long incident, a handful of ids, asked about once)."""
        key = (id(conn), incident_id)
        row = conn.execute(f"SELECT {fingerprint_sql('mention_id')} FROM incident_mentions"
                           " WHERE incident_id = ?", (incident_id,)).fetchone()
        if key != self._incident or tuple(row) != self._print:
            # asked again (a flood going on, say after a restart): worth holding
            if row[0] > 4 * len(ids) + 1000 and key != self._asked:
                self._incident, self._asked = None, key
                return None
            self._incident = key
            self._ids = {r[0] for r in conn.execute(
                "SELECT mention_id FROM incident_mentions WHERE incident_id = ?",
                (incident_id,))}
            self._print = fingerprint(self._ids)
        held = self._ids
        return {i for i in ids if i in held}

    def added(self, conn, incident_id: int, ids: Iterable[int]) -> None:
        """The batch being stored makes these ids (not members before) members."""
        if (id(conn), incident_id) == self._incident:
            ids = list(ids)
            self._ids.update(ids)
            self._print = _plus(self._print, fingerprint(ids))
