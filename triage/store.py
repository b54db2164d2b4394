"""The embedded store: SQLite in WAL mode, migrated on open, audited on every change.

One writer process (import, watch) and any number of readers (the queue UI) can use
the same file at once; WAL lets readers keep their snapshot while a batch commits.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from triage.audit_chain import GENESIS, entry_hash, entry_hash_of
from triage.jsontext import encoder
from triage.mention import Mention
from triage.timeutil import from_db, to_db, utcnow
from triage.verdict import Assessment, Flag, Verdict
from triage.workflow import DismissReason, State, check_transition


class StoreError(RuntimeError):
    """A store problem an operator can act on (the message says what to do)."""


class NotFound(StoreError):
    pass


@dataclass(frozen=True, slots=True)
class AddResult:
    new: list[Mention]
    duplicates: int


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One row of the queue, already shaped for display (text is not yet sanitised)."""

    id: int
    platform: str
    state: str
    label: str | None
    confidence: float | None
    uncertain: bool
    flags: tuple[str, ...]
    escalated: bool
    priority: float
    author_handle: str
    author_followers: int
    created_at: datetime
    text: str

    @property
    def sort_key(self) -> tuple[int, float, int]:
        return (int(self.escalated), self.priority, self.id)


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the officer narrowed the queue to; empty fields do not filter."""

    label: str | None = None
    state: str | None = None
    flag: str | None = None
    platform: str | None = None
    incident_id: int | None = None
    text: str | None = None
    include_closed: bool = True

    @property
    def needs_rows(self) -> bool:
        """Flag, incident and free-text filters look beyond the mentions' own columns."""
        return bool(self.flag or self.incident_id is not None or self.text)

    def column_clauses(self, prefix: str = "m.") -> tuple[list[str], list[Any]]:
        """Conditions on label, state, platform and closed-ness: columns that both the
        mentions table and the `queue_counts` table carry."""
        clauses: list[str] = []
        args: list[Any] = []
        if self.label == "uncertain":
            clauses.append(f"{prefix}uncertain = 1")
        elif self.label:
            clauses.append(f"{prefix}label = ?")
            args.append(self.label)
        if self.state:
            clauses.append(f"{prefix}state = ?")
            args.append(self.state)
        if self.platform:
            clauses.append(f"{prefix}platform = ?")
            args.append(self.platform)
        if not self.include_closed:
            clauses.append(f"{prefix}state NOT IN ('sent', 'dismissed')")
        return clauses, args

    def where(self) -> tuple[str, list[Any]]:
        clauses, args = self.column_clauses("m.")
        if self.flag:
            clauses.append("m.id IN (SELECT mention_id FROM flags WHERE kind = ?)")
            args.append(self.flag)
        if self.incident_id is not None:
            clauses.append(
                "m.id IN (SELECT mention_id FROM incident_mentions WHERE incident_id = ?)"
            )
            args.append(self.incident_id)
        if self.text:
            clauses.append("(m.text LIKE ? ESCAPE '\\' OR m.author_handle LIKE ? ESCAPE '\\')")
            pattern = "%" + self.text.replace("\\", "\\\\").replace("%", "\\%").replace(
                "_", "\\_") + "%"
            args.extend([pattern, pattern])
        return (" AND ".join(clauses) or "1"), args


_MIGRATIONS = "triage.migrations"
# an encoder made once (`triage.jsontext`), for every audit entry's detail; raw
# payloads are encoded by `Mention.raw_json`
_DETAIL = encoder(ensure_ascii=False, sort_keys=True)
_QUEUE_COLUMNS = (
    "m.id, m.platform, m.state, m.label, m.confidence, m.uncertain, m.flag_kinds, "
    "m.escalated, m.priority, m.author_handle, m.author_followers, m.created_at, m.text"
)


def _migrations() -> list[tuple[int, str, str]]:
    found = []
    for entry in resources.files(_MIGRATIONS).iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def latest_schema_version() -> int:
    return _migrations()[-1][0]


class Store:
    """calmreply's database.  Thread-safe: the UI's worker threads share one Store."""

    def __init__(self, path: str | Path, *, migrate_to: int | None = None) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(
                str(path), timeout=30.0, isolation_level=None, check_same_thread=False
            )
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA busy_timeout=30000")
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{path} is not a calmreply database ({exc}); pass another --db path"
            ) from exc
        self._lock = threading.RLock()
        self._depth = 0
        self.migrate(migrate_to)

    # ---- lifecycle -------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def set_autocheckpoint(self, pages: int = 1000) -> None:
        """How many WAL pages a commit of this connection may leave before it copies
        them into the database file itself (0: never; another thread does it, see
        `triage.wal_checkpoint`).  1000 is SQLite's default."""
        with self._lock:
            self.conn.execute(f"PRAGMA wal_autocheckpoint={int(pages)}")

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self, target: int | None = None) -> None:
        """Apply every migration newer than the file's schema, each in its own transaction."""
        with self._lock:
            current = self.schema_version
            for version, name, sql in _migrations():
                if version <= current or (target is not None and version > target):
                    continue
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                    for statement in _split_sql(sql):
                        self.conn.execute(statement)
                    self.conn.execute(f"PRAGMA user_version={version}")
                    self.conn.execute("COMMIT")
                except sqlite3.Error as exc:
                    self.conn.execute("ROLLBACK")
                    raise StoreError(f"migration {name} failed: {exc}") from exc
            if self.schema_version >= 2:
                self._seal_audit()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (nested calls join the outer one)."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.conn
                finally:
                    self._depth -= 1
                return
            self.conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")
            finally:
                self._depth = 0

    def query(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.conn.execute(sql, args).fetchall()

    def tuples(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """`query` as plain tuples: for many rows read by position (no `Row` each)."""
        with self._lock:
            cursor = self.conn.execute(sql, args)
            cursor.row_factory = None
            return cursor.fetchall()

    # ---- audit -----------------------------------------------------------------
    def audit(self, actor: str, action: str, mention_id: int | None = None,
              before: str | None = None, after: str | None = None,
              detail: dict[str, Any] | None = None) -> int:
        """Append one entry to the hash-chained audit log; returns its sequence number."""
        return self.audit_many([(actor, action, mention_id, before, after, detail)])[-1]

    def audit_many(self, entries: Sequence[tuple[str, str, int | None, str | None,
                                                 str | None, dict[str, Any] | None]]
                   ) -> list[int]:
        """Append entries (actor, action, mention_id, before, after, detail) in one go.

        A batch of a thousand triaged mentions writes a thousand entries; chaining them
        in Python and inserting with one executemany keeps that cheap.
        """
        if not entries:
            return []
        with self.write() as conn:
            row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            prev = row["hash"] if row else GENESIS
            seq = row["seq"] if row else 0
            at = to_db(utcnow())
            rows = []
            for actor, action, mention_id, before, after, detail in entries:
                seq += 1
                text = _DETAIL(detail) if detail is not None else None
                digest = entry_hash_of(prev, (seq, at, actor, mention_id, action, before,
                                              after, text))
                rows.append((seq, at, actor, mention_id, action, before, after, text, prev,
                             digest))
                prev = digest
            conn.executemany(
                "INSERT INTO audit (seq, at, actor, mention_id, action, before, after, detail,"
                " prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
            return [r[0] for r in rows]

    def _seal_audit(self) -> None:
        """Hash rows written by a schema older than the hash chain."""
        rows = self.query("SELECT * FROM audit WHERE hash = '' ORDER BY seq")
        if not rows:
            return
        with self.write() as conn:
            prev_row = conn.execute(
                "SELECT hash FROM audit WHERE hash != '' AND seq < ? ORDER BY seq DESC LIMIT 1",
                (rows[0]["seq"],),
            ).fetchone()
            prev = prev_row["hash"] if prev_row else GENESIS
            for r in rows:
                entry = {f: r[f] for f in ("seq", "at", "actor", "mention_id", "action",
                                            "before", "after", "detail")}
                digest = entry_hash(prev, entry)
                conn.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?",
                             (prev, digest, r["seq"]))
                prev = digest

    def audit_entries(self, mention_id: int | None = None) -> list[dict[str, Any]]:
        if mention_id is None:
            rows = self.query("SELECT * FROM audit ORDER BY seq")
        else:
            rows = self.query("SELECT * FROM audit WHERE mention_id = ? ORDER BY seq",
                              (mention_id,))
        return [dict(r) for r in rows]

    # ---- mentions --------------------------------------------------------------
    def add_mentions(self, mentions: Iterable[Mention], actor: str = "import", *,
                     triage: Sequence[tuple[Verdict, Assessment]] | None = None,
                     unseen: bool = False) -> AddResult:
        """Store new mentions in one transaction; known (platform, id) pairs are skipped.

        Known keys are looked up in one query per chunk and the rest inserted with one
        executemany: inside the write transaction no other writer can take row ids, so
        the new rows' ids follow on from the current maximum.

        `triage`, one (verdict, assessment) per mention, stores them already triaged
        (state triaged, label and priority set): updating a million-row table's queue
        indexes a second time costs more than the insert.  `record_arrival` then adds
        what only escalation knows.  `unseen` says the caller has just run `unseen`
        in this transaction: the mentions are all new, distinct posts.
        """
        batch = list(mentions)
        if triage is not None and len(triage) != len(batch):
            raise ValueError("add_mentions: one (verdict, assessment) per mention")
        fresh: list[Mention] = []
        judged: list[tuple[Verdict, Assessment] | None] = []
        seen: set[tuple[str, str]] = set()
        now = to_db(utcnow())
        with self.write() as conn:
            if unseen:
                fresh = batch
                judged = list(triage) if triage is not None else [None] * len(batch)
            else:
                keys = [m.key for m in batch]
                known = self._known_keys(keys)
                for i, (m, key) in enumerate(zip(batch, keys, strict=True)):
                    if key in known or key in seen:
                        continue
                    seen.add(key)
                    fresh.append(m)
                    judged.append(triage[i] if triage is not None else None)
            if fresh:
                start = self.max_mention_id() + 1
                columns = [_triage_columns(j) for j in judged]
                conn.executemany(
                    "INSERT INTO mentions (id, platform, platform_id, url, author_handle,"
                    " author_name, author_followers, text, created_at, in_reply_to_id, language,"
                    " raw, ingested_at, source, author_created_at, label, confidence, uncertain,"
                    " flag_kinds, escalated, priority, state) VALUES"
                    " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [(start + i, m.platform, m.platform_id, m.url, m.author_handle,
                      m.author_name, m.author_followers, m.text, to_db(m.created_at),
                      m.in_reply_to_id, m.language,
                      m.raw_json(), now, m.source,
                      to_db(m.author_created_at) if m.author_created_at else None, *c)
                     for i, (m, c) in enumerate(zip(fresh, columns, strict=True))])
                for i, m in enumerate(fresh):
                    m.id = start + i
                # label, state, uncertain of each row, counted as COALESCE(label, '')
                groups = Counter((m.platform, c[0] or "", c[6], c[2])
                                 for m, c in zip(fresh, columns, strict=True))
                conn.executemany(
                    "INSERT INTO queue_counts (platform, label, state, uncertain, n)"
                    " VALUES (?,?,?,?,?) ON CONFLICT (platform, label, state, uncertain)"
                    " DO UPDATE SET n = n + excluded.n",
                    [(*key, n) for key, n in groups.items()])
                self.audit(actor, "ingest", None, None, None,
                           {"count": len(fresh), "first_id": fresh[0].id,
                            "last_id": fresh[-1].id})
        return AddResult(new=fresh, duplicates=len(batch) - len(fresh))

    def record_arrival(self, results: Sequence[tuple[Mention, Verdict, Assessment]],
                       actor: str = "triage") -> None:
        """The side of triage that `add_mentions(triage=...)` does not write: the
        verdict's detail, the flags' reasons, and each mention's audited move out of new
        (the same entries `record_triage_many` writes)."""
        if not results:
            return
        now = to_db(utcnow())
        with self.write() as conn:
            _write_verdicts(conn, [(m.id, v) for m, v, _a in results], now)
            conn.executemany(
                "INSERT OR IGNORE INTO flags (mention_id, kind, reason) VALUES (?,?,?)",
                [(m.id, f.kind, f.reason) for m, _v, a in results for f in a.flags])
            self.audit_many([_triage_transition(actor, m.id, v, a) for m, v, a in results])

    # ---- search index -------------------------------------------------------------
    def search_backlog(self) -> int:
        """How many mentions the search index has not caught up with yet."""
        if self.schema_version < 10:
            return 0
        return int(self.query(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM mentions)"
            " - (SELECT indexed_upto FROM search_state WHERE id = 1)")[0][0])

    def index_search(self, chunk: int = 2000, limit: int | None = None) -> int:
        """Index mentions the search index has not caught up with; returns how many.

        Ingest leaves indexing to this (migration 0010): each chunk is one short write
        transaction, so a reader or the ingest loop waits at most one chunk.  Run it
        from a background thread with its own `Store` to use the second core.
        """
        if self.schema_version < 10:
            return 0
        done = 0
        while limit is None or done < limit:
            step = chunk if limit is None else min(chunk, limit - done)
            with self.write() as conn:
                upto = int(conn.execute(
                    "SELECT indexed_upto FROM search_state WHERE id = 1").fetchone()[0])
                top = self.max_mention_id()
                if top <= upto:
                    break
                end = min(top, upto + step)
                cur = conn.execute(
                    "INSERT INTO mentions_fts (rowid, text, author_handle) SELECT id, text,"
                    " author_handle FROM mentions WHERE id > ? AND id <= ?", (upto, end))
                conn.execute("UPDATE search_state SET indexed_upto = ? WHERE id = 1", (end,))
                done += max(cur.rowcount, 0)
        return done

    def recount(self) -> None:
        """Rebuild `queue_counts` from the rows (after inserting mentions by hand-written
        SQL, which bypasses the per-batch counting of `add_mentions`)."""
        with self.write() as conn:
            conn.execute("DELETE FROM queue_counts")
            conn.execute(
                "INSERT INTO queue_counts (platform, label, state, uncertain, n)"
                " SELECT platform, COALESCE(label, ''), state, uncertain, COUNT(*)"
                " FROM mentions GROUP BY platform, COALESCE(label, ''), state, uncertain")

    def next_ids(self, n: int) -> range:
        """The ids the next `n` inserted mentions get (stable inside one `write()`)."""
        start = self.max_mention_id() + 1
        return range(start, start + n)

    def unseen(self, mentions: Iterable[Mention]) -> list[Mention]:
        """The mentions not stored yet, each post once (the first copy in the batch)."""
        batch = list(mentions)
        keys = [m.key for m in batch]
        with self._lock:
            known = self._known_keys(keys)
        out, seen = [], set()
        for m, key in zip(batch, keys, strict=True):
            if key not in known and key not in seen:
                seen.add(key)
                out.append(m)
        return out

    def _known_keys(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        known: set[tuple[str, str]] = set()
        by_platform: dict[str, list[str]] = {}
        for platform, pid in keys:
            by_platform.setdefault(platform, []).append(pid)
        for platform, pids in by_platform.items():
            for i in range(0, len(pids), 500):
                chunk = pids[i:i + 500]
                marks = ",".join("?" * len(chunk))
                known.update((platform, r[0]) for r in self.conn.execute(
                    f"SELECT platform_id FROM mentions WHERE platform = ? AND platform_id IN"
                    f" ({marks})", [platform, *chunk]))
        return known

    def record_triage(self, mention_id: int, verdict: Verdict, assessment: Assessment,
                      actor: str = "triage") -> None:
        """Store the verdict and flags, and move a new mention to triaged (or escalated)."""
        self.record_triage_many([(mention_id, verdict, assessment)], actor=actor)

    def record_triage_many(self, results: Sequence[tuple[int, Verdict, Assessment]],
                           actor: str = "triage") -> None:
        """Triage results for a batch, written with a handful of executemany calls.

        New mentions move to triaged (or escalated, when a flag demands it) and each
        move is audited; mentions already further along keep their state.
        """
        if not results:
            return
        now = to_db(utcnow())
        ids = [mid for mid, _v, _a in results]
        with self.write() as conn:
            _write_verdicts(conn, [(mid, v) for mid, v, _a in results], now)
            conn.executemany("DELETE FROM flags WHERE mention_id = ?", [(mid,) for mid in ids])
            conn.executemany(
                "INSERT INTO flags (mention_id, kind, reason) VALUES (?,?,?)",
                [(mid, f.kind, f.reason) for mid, _v, a in results for f in a.flags])
            conn.executemany(
                "UPDATE mentions SET label = ?, confidence = ?, uncertain = ?, flag_kinds = ?,"
                " escalated = ?, priority = ? WHERE id = ?",
                [(v.label, v.confidence, int(v.uncertain), ",".join(f.kind for f in a.flags),
                  int(a.escalated), a.priority, mid) for mid, v, a in results])
            states = self._states(ids)
            moves, audits = [], []
            for mid, v, a in results:
                if states.get(mid) != State.NEW:
                    continue
                entry = _triage_transition(actor, mid, v, a)
                moves.append((entry[4], mid))
                audits.append(entry)
            conn.executemany("UPDATE mentions SET state = ? WHERE id = ?", moves)
            self.audit_many(audits)

    def _states(self, ids: Sequence[int]) -> dict[int, State]:
        found: dict[int, State] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for r in self.conn.execute(
                    f"SELECT id, state FROM mentions WHERE id IN ({marks})", chunk):
                found[r[0]] = State(r[1])
        return found

    def state_of(self, mention_id: int) -> State:
        row = self.query("SELECT state FROM mentions WHERE id = ?", (mention_id,))
        if not row:
            raise NotFound(f"no mention with id {mention_id}")
        return State(row[0]["state"])

    def _set_state(self, mention_id: int, current: State, target: State, actor: str,
                   detail: dict[str, Any] | None = None, reason: str | None = None) -> None:
        check_transition(mention_id, current, target)
        with self.write() as conn:
            conn.execute(
                "UPDATE mentions SET state = ?, dismiss_reason = ? WHERE id = ?",
                (target.value, reason if target == State.DISMISSED else None, mention_id),
            )
            self.audit(actor, "transition", mention_id, current.value, target.value,
                       {**(detail or {}), **({"reason": reason} if reason else {})})

    def transition(self, mention_id: int, target: State | str, actor: str,
                   *, reason: str | None = None,
                   detail: dict[str, Any] | None = None) -> None:
        """Move a mention along the workflow, or raise IllegalTransition; always audited."""
        target = State(target)
        if target == State.DISMISSED:
            if reason is None:
                raise ValueError("dismissing needs a reason: " +
                                 ", ".join(r.value for r in DismissReason))
            reason = DismissReason(reason).value
        with self.write():
            self._set_state(mention_id, self.state_of(mention_id), target, actor,
                            detail=detail, reason=reason)

    def dismiss(self, mention_id: int, reason: DismissReason | str, actor: str) -> None:
        self.transition(mention_id, State.DISMISSED, actor, reason=str(DismissReason(reason)))

    def relabel(self, mention_id: int, new_label: str, actor: str) -> None:
        """An officer's correction: changes the queue now and feeds the next training."""
        from triage.verdict import LABELS

        if new_label not in LABELS:
            raise ValueError(f"unknown label {new_label!r}; use one of {', '.join(LABELS)}")
        with self.write() as conn:
            row = conn.execute("SELECT text, label FROM mentions WHERE id = ?",
                               (mention_id,)).fetchone()
            if row is None:
                raise NotFound(f"no mention with id {mention_id}")
            conn.execute(
                "INSERT INTO corrections (mention_id, text, old_label, new_label, actor, at)"
                " VALUES (?,?,?,?,?,?)",
                (mention_id, row["text"], row["label"], new_label, actor, to_db(utcnow())),
            )
            conn.execute("UPDATE mentions SET label = ?, confidence = 1.0, uncertain = 0"
                         " WHERE id = ?", (new_label, mention_id))
            self.audit(actor, "relabel", mention_id, row["label"], new_label)

    def corrections(self) -> list[tuple[str, str]]:
        """(text, label) pairs the officers corrected; the latest correction wins."""
        rows = self.query(
            "SELECT c.text, c.new_label FROM corrections c JOIN (SELECT mention_id,"
            " MAX(id) AS id FROM corrections GROUP BY mention_id) last ON last.id = c.id"
            " ORDER BY c.id")
        return [(r[0], r[1]) for r in rows]

    # ---- drafts ----------------------------------------------------------------
    def add_draft(self, mention_id: int, text: str, author: str, *, variant: str = "",
                  findings: Sequence[dict[str, Any]] = (),
                  override_reason: str | None = None) -> int:
        """Save a draft and move the mention to drafted (audited with the draft id)."""
        with self.write() as conn:
            state = self.state_of(mention_id)
            cur = conn.execute(
                "INSERT INTO drafts (mention_id, text, author, created_at, variant, findings,"
                " override_reason) VALUES (?,?,?,?,?,?,?)",
                (mention_id, text, author, to_db(utcnow()), variant,
                 json.dumps(list(findings), ensure_ascii=False), override_reason),
            )
            draft_id = int(cur.lastrowid or 0)
            self._set_state(mention_id, state, State.DRAFTED, author,
                            detail={"draft_id": draft_id, "variant": variant})
            return draft_id

    def latest_draft(self, mention_id: int) -> dict[str, Any] | None:
        rows = self.query("SELECT * FROM drafts WHERE mention_id = ? ORDER BY id DESC LIMIT 1",
                          (mention_id,))
        if not rows:
            return None
        d = dict(rows[0])
        d["findings"] = json.loads(d["findings"])
        return d

    def submit_for_approval(self, mention_id: int, actor: str,
                            override_reason: str | None = None) -> None:
        self.transition(mention_id, State.AWAITING_APPROVAL, actor,
                        detail={"override_reason": override_reason} if override_reason else None)

    def draft_for_approval(self, mention_id: int, approver: str) -> dict[str, Any]:
        """The draft `approver` is about to approve; four-eyes: never their own."""
        draft = self.latest_draft(mention_id)
        if draft is None:
            raise StoreError(f"mention {mention_id} has no draft to approve")
        if draft["author"] == approver:
            raise PermissionError(
                f"{approver} wrote this draft and cannot approve it: another person must"
                " (four-eyes rule)")
        return draft

    def approve(self, mention_id: int, approver: str) -> None:
        """Four-eyes: the person who wrote the current draft can never approve it."""
        draft = self.draft_for_approval(mention_id, approver)
        self.transition(mention_id, State.APPROVED, approver,
                        detail={"draft_id": draft["id"]})

    # ---- reads -----------------------------------------------------------------
    def get_mention(self, mention_id: int) -> Mention:
        rows = self.query("SELECT * FROM mentions WHERE id = ?", (mention_id,))
        if not rows:
            raise NotFound(f"no mention with id {mention_id}")
        return _row_to_mention(rows[0])

    def triage_of(self, mention_id: int) -> dict[str, Any] | None:
        rows = self.query("SELECT * FROM triage WHERE mention_id = ?", (mention_id,))
        if not rows:
            return None
        d = dict(rows[0])
        d["probabilities"] = json.loads(d["probabilities"])
        d["explanation"] = [tuple(e) for e in json.loads(d["explanation"])]
        return d

    def flags_of(self, mention_id: int) -> list[Flag]:
        rows = self.query("SELECT kind, reason FROM flags WHERE mention_id = ? ORDER BY id",
                          (mention_id,))
        return [Flag(r["kind"], r["reason"]) for r in rows]

    def queue_page(self, flt: QueueFilter | None = None,
                   after: tuple[int, float, int] | None = None, limit: int = 100,
                   before: tuple[int, float, int] | None = None) -> list[QueueItem]:
        """A page of the queue in priority order, by keyset (no OFFSET scans)."""
        flt = flt or QueueFilter()
        where, args = flt.where()
        order = "DESC"
        if after is not None:
            where += " AND (m.escalated, m.priority, m.id) < (?, ?, ?)"
            args.extend(after)
        elif before is not None:
            where += " AND (m.escalated, m.priority, m.id) > (?, ?, ?)"
            args.extend(before)
            order = "ASC"
        sql = (f"SELECT {_QUEUE_COLUMNS} FROM mentions m WHERE {where} ORDER BY "
               f"m.escalated {order}, m.priority {order}, m.id {order} LIMIT ?")
        rows = self.query(sql, [*args, limit])
        items = [_row_to_item(r) for r in rows]
        if order == "ASC":
            items.reverse()
        return items

    def count(self, flt: QueueFilter | None = None) -> int:
        flt = flt or QueueFilter()
        counted = _counted_where(flt) if self.schema_version >= 8 else None
        if counted is not None:  # from the trigger-kept totals: no scan of a million rows
            where, args = counted
            return int(self.query(
                f"SELECT COALESCE(SUM(n), 0) FROM queue_counts WHERE {where}", args)[0][0])
        where, args = flt.where()
        return int(self.query(f"SELECT COUNT(*) FROM mentions m WHERE {where}", args)[0][0])

    def counts(self) -> dict[str, dict[str, int]]:
        """Mentions per label and per state, for the queue header."""
        if self.schema_version >= 8:  # trigger-kept totals (migration 0008)
            rows = self.query("SELECT label, state, n FROM queue_counts WHERE n > 0")
            labels: dict[str, int] = {}
            states: dict[str, int] = {}
            for label, state, n in rows:
                labels[label or "untriaged"] = labels.get(label or "untriaged", 0) + n
                states[state] = states.get(state, 0) + n
            return {"label": labels, "state": states}
        by_label = {r[0] or "untriaged": r[1] for r in self.query(
            "SELECT label, COUNT(*) FROM mentions GROUP BY label")}
        by_state = {r[0]: r[1] for r in self.query(
            "SELECT state, COUNT(*) FROM mentions GROUP BY state")}
        return {"label": by_label, "state": by_state}

    def max_mention_id(self) -> int:
        return int(self.query("SELECT COALESCE(MAX(id), 0) FROM mentions")[0][0])

    def change_mark(self) -> tuple[int, int]:
        """(SQLite's data_version, the highest mention id): while both stay put, no
        other connection has committed anything and no mention was added here."""
        with self._lock:
            version = self.conn.execute("PRAGMA data_version").fetchone()[0]
            return int(version), self.max_mention_id()

    def mentions_by_author(self, platform: str, handle: str, limit: int = 20,
                           exclude_id: int | None = None) -> list[Mention]:
        # The case-folded author index (migration 0012) finds the author; the exact
        # handle is checked on its rows.  `+author_handle`: a plain `author_handle = ?`
        # lets SQLite substitute the value inside `lower(author_handle)` (constant
        # propagation), the term no longer matches the index expression, and every
        # mention of the platform is read (0.7 s at a million).
        rows = self.query(
            "SELECT * FROM mentions INDEXED BY mentions_author_nocase WHERE platform = ?"
            " AND lower(author_handle) = lower(?) AND +author_handle = ? AND id != ?"
            " ORDER BY created_at DESC LIMIT ?",
            (platform, handle, handle, exclude_id or -1, limit))
        return [_row_to_mention(r) for r in rows]

    # ---- claims ----------------------------------------------------------------
    def claim(self, mention_id: int, holder: str, minutes: int = 15) -> str:
        """Claim a mention for drafting; returns the holder (who may be someone else)."""
        now = utcnow()
        with self.write() as conn:
            row = conn.execute("SELECT holder, expires_at FROM claims WHERE mention_id = ?",
                               (mention_id,)).fetchone()
            if row and row["holder"] != holder and from_db(row["expires_at"]) > now:
                return str(row["holder"])
            conn.execute(
                "INSERT OR REPLACE INTO claims (mention_id, holder, expires_at) VALUES (?,?,?)",
                (mention_id, holder, to_db(now + timedelta(minutes=minutes))))
            if not row or row["holder"] != holder:
                self.audit(holder, "claim", mention_id)
            return holder

    def release(self, mention_id: int, holder: str) -> None:
        with self.write() as conn:
            conn.execute("DELETE FROM claims WHERE mention_id = ? AND holder = ?",
                         (mention_id, holder))

    def claim_holder(self, mention_id: int) -> str | None:
        rows = self.query("SELECT holder, expires_at FROM claims WHERE mention_id = ?",
                          (mention_id,))
        if rows and from_db(rows[0]["expires_at"]) > utcnow():
            return str(rows[0]["holder"])
        return None

    # ---- mutes -----------------------------------------------------------------
    def mute_author(self, platform: str, handle: str, actor: str) -> None:
        with self.write() as conn:
            conn.execute("INSERT OR IGNORE INTO muted_authors VALUES (?,?,?,?)",
                         (platform, handle, actor, to_db(utcnow())))
            self.audit(actor, "mute", None, None, f"{platform}:{handle}")

    def is_muted(self, platform: str, handle: str) -> bool:
        return bool(self.query("SELECT 1 FROM muted_authors WHERE platform = ? AND handle = ?",
                               (platform, handle)))


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    buf: list[str] = []
    for line in script.splitlines():
        stripped = line.strip()
        if stripped.startswith("--") or not stripped:
            continue
        buf.append(line)
        candidate = "\n".join(buf)
        if stripped.endswith(";") and sqlite3.complete_statement(candidate):
            statements.append(candidate)
            buf = []
    if buf and "\n".join(buf).strip():
        statements.append("\n".join(buf))
    return statements


def _row_to_mention(r: sqlite3.Row) -> Mention:
    keys = r.keys()
    return Mention(
        id=r["id"], platform=r["platform"], platform_id=r["platform_id"], text=r["text"],
        created_at=from_db(r["created_at"]),  # type: ignore[arg-type]
        author_handle=r["author_handle"], author_name=r["author_name"],
        author_followers=r["author_followers"], url=r["url"],
        in_reply_to_id=r["in_reply_to_id"], language=r["language"],
        raw=json.loads(r["raw"] or "{}"),
        source=r["source"] if "source" in keys else "",
        author_created_at=from_db(r["author_created_at"]) if "author_created_at" in keys
        else None,
    )


def _row_to_item(r: sqlite3.Row) -> QueueItem:
    return QueueItem(
        id=r[0], platform=r[1], state=r[2], label=r[3], confidence=r[4], uncertain=bool(r[5]),
        flags=tuple(k for k in (r[6] or "").split(",") if k), escalated=bool(r[7]),
        priority=r[8], author_handle=r[9], author_followers=r[10],
        created_at=from_db(r[11]),  # type: ignore[arg-type]
        text=r[12],
    )


def _counted_where(flt: QueueFilter) -> tuple[str, list[Any]] | None:
    """The filter as a condition on `queue_counts`, or None when it needs the rows
    themselves (flag, incident, free text)."""
    if flt.needs_rows:
        return None
    clauses, args = flt.column_clauses(prefix="")
    return (" AND ".join(clauses) or "1"), args


def _write_verdicts(conn: sqlite3.Connection, rows: Sequence[tuple[int | None, Verdict]],
                    now: str) -> None:
    """The triage table's row per mention: the verdict with its probabilities and reasons."""
    conn.executemany(
        "INSERT OR REPLACE INTO triage (mention_id, label, probabilities, model_version,"
        " triaged_at, uncertain, explanation) VALUES (?,?,?,?,?,?,?)",
        [(mid, v.label, probs, v.model_version, now, int(v.uncertain), why)
         for mid, v in rows for probs, why in (v.stored_json(),)])


# the states a triaged mention is stored in, as text (an Enum's `.value` is a
# descriptor look-up, and ingest writes three per mention)
_NEW, _TRIAGED, _ESCALATED = State.NEW.value, State.TRIAGED.value, State.ESCALATED.value


def _triage_transition(actor: str, mention_id: int | None, verdict: Verdict,
                       assessment: Assessment) -> tuple:
    """The audit entry for a mention's move out of new once triaged (for `audit_many`)."""
    return (actor, "transition", mention_id, _NEW,
            _ESCALATED if assessment.escalated else _TRIAGED,
            {"label": verdict.label, "confidence": round(verdict.confidence, 4),
             "model": verdict.model_version, "flags": [f.kind for f in assessment.flags]})


def _triage_columns(judged: tuple[Verdict, Assessment] | None) -> tuple[Any, ...]:
    """label, confidence, uncertain, flag_kinds, escalated, priority, state of a mention
    stored with its triage (or untriaged, when `judged` is None)."""
    if judged is None:
        return (None, None, 0, "", 0, 0.0, _NEW)
    v, a = judged
    return (v.label, v.confidence, int(v.uncertain),
            ",".join(f.kind for f in a.flags) if a.flags else "",
            int(a.escalated), a.priority, _ESCALATED if a.escalated else _TRIAGED)
