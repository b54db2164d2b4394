"""Recompute the audit hash chain and name every entry that was edited, deleted or moved.

The triggers in the schema stop ordinary edits, but anyone with the file and the
sqlite3 shell can drop them.  So verification never trusts a stored hash: it
recomputes each entry's hash from its fields and the previous entry's hash, and
checks that the sequence has no gaps.  It streams the log (constant memory).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from triage.audit_chain import FIELDS, GENESIS, entry_hash

_COLUMNS = ", ".join((*FIELDS, "prev_hash", "hash"))
_MAX_PROBLEMS = 50


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The last audit entry: what an export pins so a reader can check it later."""

    seq: int
    hash: str

    @property
    def verify_command(self) -> str:
        return f"calmreply audit verify --head {self.seq}:{self.hash}"

    def to_record(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash}

    @classmethod
    def parse(cls, text: str) -> ChainHead:
        seq, sep, digest = text.partition(":")
        if not sep or not seq.strip().isdigit() or len(digest.strip()) != 64:
            raise ValueError(f"--head {text!r}: expected SEQ:HASH as printed in an export, "
                             "e.g. 42:3f1c…(64 hex digits)")
        return cls(int(seq), digest.strip().lower())


def current_head(conn: sqlite3.Connection) -> ChainHead:
    row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    return ChainHead(int(row[0]), str(row[1])) if row else ChainHead(0, GENESIS)


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken place in the chain; ``seq`` names the entry an auditor should look at."""

    seq: int
    kind: str  # edited | deleted | reordered | swapped | head
    message: str


@dataclass
class VerifyReport:
    entries: int = 0
    head: ChainHead = ChainHead(0, GENESIS)
    problems: list[Problem] = field(default_factory=list)
    truncated: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        if self.ok:
            return [f"audit log intact: {self.entries} entries, chain head seq "
                    f"{self.head.seq} {self.head.hash}"]
        out = [f"audit log BROKEN: {len(self.problems)} problem(s) in {self.entries} entries"]
        out += [f"  seq {p.seq}: {p.kind} — {p.message}" for p in self.problems]
        if self.truncated:
            out.append(f"  (stopped after {_MAX_PROBLEMS} problems)")
        return out


def _entry(row: sqlite3.Row | tuple) -> dict[str, Any]:
    return dict(zip((*FIELDS, "prev_hash", "hash"), tuple(row), strict=True))


def _content_ok(e: dict[str, Any], seq: int | None = None, prev: str | None = None) -> bool:
    fields = dict(e)
    if seq is not None:
        fields["seq"] = seq
    return entry_hash(e["prev_hash"] if prev is None else prev, fields) == e["hash"]


def _rows(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    for row in conn.execute(f"SELECT {_COLUMNS} FROM audit ORDER BY seq"):
        yield _entry(row)


def _written_as(conn: sqlite3.Connection, e: dict[str, Any]) -> int | None:
    """For an entry that no longer fits its place: the seq it was originally written as.

    Its hash covers its original seq, so a candidate seq is confirmed by recomputing.
    Candidates: one after the entry its link points to, and the neighbourhood.
    """
    seq = int(e["seq"])
    candidates: list[int] = []
    if e["prev_hash"] == GENESIS:
        candidates.append(1)
    else:
        row = conn.execute("SELECT seq FROM audit WHERE hash = ?", (e["prev_hash"],)).fetchone()
        if row is not None:
            candidates += [int(row[0]) + 1, int(row[0]) - 1, int(row[0])]
    candidates += [seq + d for d in range(-10, 11) if d]
    for candidate in candidates:
        if candidate > 0 and candidate != seq and _content_ok(e, seq=candidate):
            return candidate
    return None


def verify(conn: sqlite3.Connection, expected_head: ChainHead | None = None) -> VerifyReport:
    """Walk the whole chain once; every problem names the seq it concerns."""
    report = VerifyReport()
    prev_hash, prev_seq, prev_moved = GENESIS, 0, False
    edited: list[dict[str, Any]] = []
    for e in _rows(conn):
        report.entries += 1
        seq = int(e["seq"])
        content_ok = _content_ok(e)
        moved = False
        problem: Problem | None = None
        if seq > prev_seq + 1:
            gap = f"{prev_seq + 1}" if seq == prev_seq + 2 else f"{prev_seq + 1}–{seq - 1}"
            problem = Problem(prev_seq + 1, "deleted",
                              f"entry {gap} is missing (the chain jumps from seq {prev_seq} "
                              f"to {seq})")
        elif e["prev_hash"] != prev_hash:
            original = None if content_ok else _written_as(conn, e)
            if original is not None:
                moved = True
                problem = Problem(seq, "reordered",
                                  f"this entry was written as seq {original} and has been "
                                  "moved here")
            elif prev_moved and content_ok:
                problem = None  # the break is explained by the moved entry before it
            elif content_ok and prev_seq:
                problem = Problem(prev_seq, "edited",
                                  f"seq {prev_seq} was changed and its hash recomputed "
                                  f"(seq {seq} still links to its original hash)")
            else:
                problem = Problem(seq, "edited", "its link to the previous entry was changed")
        elif not content_ok:
            problem = Problem(seq, "edited",
                              "its content no longer matches its hash "
                              f"(now: action {e['action']!r} by {e['actor']!r})")
            edited.append(e)
        if problem is not None:
            if len(report.problems) >= _MAX_PROBLEMS:
                report.truncated = True
            else:
                report.problems.append(problem)
        prev_hash, prev_seq, prev_moved = e["hash"], seq, moved
        report.head = ChainHead(seq, e["hash"])
    _name_swaps(report, edited)
    _check_head(conn, report, expected_head)
    return report


def _name_swaps(report: VerifyReport, edited: list[dict[str, Any]]) -> None:
    """Two 'edited' entries whose contents fit each other's place were swapped."""
    if len(edited) < 2 or len(edited) > _MAX_PROBLEMS:
        return
    by_seq = {int(e["seq"]): e for e in edited}
    swapped: dict[int, int] = {}
    for a in edited:
        for b in edited:
            if a is b:
                continue
            # a's content (with b's seq and link) hashes to b's stored hash
            moved = {**a, "seq": b["seq"], "prev_hash": b["prev_hash"], "hash": b["hash"]}
            if _content_ok(moved):
                swapped[int(a["seq"])] = int(b["seq"])
    if not swapped:
        return
    kept = []
    for p in report.problems:
        other = swapped.get(p.seq)
        if p.kind == "edited" and other is not None and p.seq in by_seq:
            kept.append(Problem(p.seq, "swapped",
                                f"holds the content written as seq {other} "
                                f"(seq {p.seq} and seq {other} were swapped)"))
        else:
            kept.append(p)
    report.problems = kept


def _check_head(conn: sqlite3.Connection, report: VerifyReport,
                expected: ChainHead | None) -> None:
    if expected is None or expected.seq == 0:
        return
    row = conn.execute("SELECT hash FROM audit WHERE seq = ?", (expected.seq,)).fetchone()
    if row is None:
        report.problems.append(Problem(
            expected.seq, "deleted",
            f"the export's chain head (seq {expected.seq}) is not in the database: entries "
            f"after seq {report.head.seq} were deleted, or this is another database"))
    elif row[0] != expected.hash:
        report.problems.append(Problem(
            expected.seq, "edited",
            "the entry at the export's chain head has a different hash than the export "
            "records"))
