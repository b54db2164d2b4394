"""A flood's batches share what they read (`triage.escalate.flood_memo`): the same
incidents and flags as reading everything afresh, at a cost that follows the flood,
not its square, and nothing trusted that the store no longer holds."""

from __future__ import annotations

import sqlite3
from copy import copy
from datetime import timedelta

import pytest

from tests.test_escalate_history import T0, LabelFromText, post, quiet_day
from triage.escalate import Escalator
from triage.escalate import incidents as escalate_incidents
from triage.escalate.flood_memo import IncidentMembers, NegativeTimeline, fingerprint
from triage.mention import Mention
from triage.pipeline import Triager
from triage.store import Store
from triage.timeutil import to_db


def flood(n: int, start_min: float = 24 * 60 + 30, minutes: float = 10, praise: int = 0
          ) -> list[Mention]:
    """`n` complaints over `minutes`; with `praise`, every praise-th is praise instead."""
    return [post(start_min + i * minutes / n,
                 f"{'engagement' if praise and i % praise == 0 else 'complaint'} outage {i}")
            for i in range(n)]


def outcome(store: Store) -> tuple:
    """What escalation left: each mention's flags, and each incident's members."""
    flags = sorted(store.tuples("SELECT m.platform_id, f.kind FROM flags f"
                                " JOIN mentions m ON m.id = f.mention_id"))
    members = sorted(store.tuples(
        "SELECT i.kind, i.opened_at, m.platform_id FROM incident_mentions im"
        " JOIN incidents i ON i.id = im.incident_id JOIN mentions m ON m.id = im.mention_id"))
    return flags, members


def test_a_flood_reads_its_window_once_not_once_per_batch(tmp_path, monkeypatch):
    """Each batch of a flood extends one incident with the negative mentions of the
    last hour; reading that hour again, and looking each of its ids up among the
    incident's members, grew with the square of the flood."""
    store = Store(tmp_path / "f.db")
    tr = Triager(store, LabelFromText(), Escalator.load())
    for m in range(0, len(day := quiet_day()), 50):
        tr.ingest(day[m:m + 50])
    rows_read, looked_up = [0], [0]
    tuples, found = store.tuples, escalate_incidents._found

    def counting_tuples(sql, args=()):
        out = tuples(sql, args)
        rows_read[0] += len(out)
        return out

    def counting_found(conn, select, key, ids):
        looked_up[0] += len(ids)
        return found(conn, select, key, ids)

    monkeypatch.setattr(store, "tuples", counting_tuples)
    monkeypatch.setattr(escalate_incidents, "_found", counting_found)
    posts = flood(2_000)
    for i in range(0, len(posts), 100):
        tr.ingest(posts[i:i + 100])
    monkeypatch.undo()
    _flags, members = outcome(store)
    assert sum(1 for kind, *_ in members if kind == "surge") >= 2_000
    # reading each batch's window afresh: ~19,000 rows and ~19,000 look-ups
    assert rows_read[0] < 2_000, rows_read
    assert looked_up[0] < 2_000, looked_up


DAY = quiet_day()
FLOOD = flood(600, start_min=24 * 60 + 30, praise=10)
LATE = [Mention("bluesky", f"late{i}", f"complaint late station {i}",
                T0 + timedelta(minutes=24 * 60 + 31 + i / 7), author_handle=f"@late{i}")
        for i in range(12)]


def perturbed_flood(tmp_path, name: str, carry_over: bool, monkeypatch) -> tuple:
    """A flood in batches, with what else happens to a store between them: another
    connection stores late posts from inside the flood's hour, an officer relabels a
    member and a praise, and one batch fails and is stored again.  With `carry_over`
    false every batch gets a new Escalator: nothing is remembered."""
    path = tmp_path / f"{name}.db"
    store = Store(path)
    policy = Escalator.load().policy
    tr = Triager(store, LabelFromText(), Escalator(policy))
    day, posts, late = ([copy(m) for m in ms] for ms in (DAY, FLOOD, LATE))
    for m in range(0, len(day), 50):
        tr.ingest(day[m:m + 50])
    for n, i in enumerate(range(0, len(posts), 60)):
        if not carry_over:
            tr.escalator = Escalator(policy)
        batch = posts[i:i + 60]
        if n == 3:   # a batch that fails after it was flagged: rolled back, then again
            real = store.add_mentions

            def failing(*a, real=real, **kw):
                real(*a, **kw)
                raise sqlite3.OperationalError("disk I/O error (test)")

            monkeypatch.setattr(store, "add_mentions", failing)
            with pytest.raises(sqlite3.OperationalError):
                tr.ingest(batch)
            monkeypatch.undo()
        tr.ingest(batch)
        if n == 4:   # another process stores posts from inside the flood's hour
            other = Store(path)
            Triager(other, LabelFromText(), Escalator(policy)).ingest(late)
            other.close()
        if n == 6:   # an officer relabels a flood member, and praise from the flood's hour
            for pid, label in ((posts[5].platform_id, "engagement"),
                               (posts[300].platform_id, "complaint")):
                mid = store.query("SELECT id FROM mentions WHERE platform_id = ?", (pid,))[0][0]
                store.relabel(mid, label, "officer")
    result = outcome(store)
    store.close()
    return result


def test_remembering_between_batches_changes_nothing(tmp_path, monkeypatch):
    remembered = perturbed_flood(tmp_path, "memo", True, monkeypatch)
    fresh = perturbed_flood(tmp_path, "fresh", False, monkeypatch)
    flags, members = remembered
    assert any(kind == "surge" for _pid, kind in flags)
    assert any(pid.startswith("late") for *_k, pid in members)   # the other process's
    assert ("surge", FLOOD[300].platform_id) in {(k, pid) for k, _at, pid in members}
    assert remembered == fresh


def test_the_timeline_rereads_when_the_store_changed_under_it(tmp_path):
    store = Store(tmp_path / "t.db")
    ms = [post(i, f"complaint {i}") for i in range(10)]
    Triager(store, LabelFromText(), Escalator.load()).ingest(ms)
    from triage.escalate.history import micros

    t = [micros(m.created_at) for m in ms]
    timeline = NegativeTimeline()
    first = timeline.between(store, t[0] - 1, t[-1])
    assert len(first) == 10
    assert timeline.between(store, t[0] - 1, t[-1]) == first
    # a row the timeline was told about but that the store does not hold (rolled back)
    timeline.stored([(t[4] + 1, 10**6)])
    assert timeline.between(store, t[0] - 1, t[-1]) == first
    # a relabel the timeline was not told about
    store.relabel(first[2][1], "engagement", "officer")
    assert [i for _, i in timeline.between(store, t[0] - 1, t[-1])] == \
        [i for _, i in first if i != first[2][1]]
    # asked for a later span: only its own rows
    assert timeline.between(store, t[6], t[-1]) == first[7:]


def test_incident_members_are_looked_up_when_the_incident_changed(tmp_path):
    store = Store(tmp_path / "m.db")
    ms = [post(i, f"complaint {i}") for i in range(6)]
    store.add_mentions(ms)
    ids = [r[0] for r in store.query("SELECT id FROM mentions ORDER BY id")]
    memo = IncidentMembers()
    at = to_db(ms[-1].created_at)
    with store.write():
        inc, added = escalate_incidents.open_or_extend(store, "surge", at, ids[:3], "S", "s",
                                                       180, members=memo)
    assert added == ids[:3]
    # another connection adds a member the memo never saw
    other = sqlite3.connect(tmp_path / "m.db")
    other.execute("INSERT INTO incident_mentions VALUES (?, ?)", (inc, ids[3]))
    other.commit()
    other.close()
    with store.write():
        _inc, added = escalate_incidents.open_or_extend(store, "surge", at, ids, "S", "s",
                                                        180, members=memo)
    assert added == ids[4:]


def test_fingerprints_agree_with_sqlite(tmp_path):
    store = Store(tmp_path / "p.db")
    from triage.escalate.flood_memo import fingerprint_sql

    ids = [1, 7, 2**31 + 5, 10**9 + 7]
    assert tuple(store.query(
        f"SELECT {fingerprint_sql('v')} FROM (SELECT column1 AS v FROM (VALUES "
        + ",".join(f"({i})" for i in ids) + "))")[0]) == fingerprint(ids)
    assert tuple(store.query(f"SELECT {fingerprint_sql('v')} FROM (SELECT 1 AS v) WHERE 0"
                             )[0]) == fingerprint([])


def test_a_long_incident_is_held_once_it_is_asked_about_again(tmp_path):
    """A handful of ids against a long incident are looked up one by one; asked about
    the same incident again (a flood still going on after a restart), it is held."""
    store = Store(tmp_path / "l.db")
    ms = [post(i / 10, f"complaint {i}") for i in range(3_000)]
    store.add_mentions(ms)
    ids = [r[0] for r in store.query("SELECT id FROM mentions ORDER BY id")]
    at = to_db(ms[-1].created_at)
    with store.write():
        escalate_incidents.open_or_extend(store, "surge", at, ids[:2_500], "S", "s", 180)
    memo = IncidentMembers()
    with store.write() as conn:
        inc = conn.execute("SELECT id FROM incidents").fetchone()[0]
        assert memo.found(conn, inc, ids[2_490:2_510]) is None   # 2,500 members, 20 ids
        assert memo.found(conn, inc, ids[2_490:2_520]) == set(ids[2_490:2_500])
        memo.added(conn, inc, ids[2_500:2_520])
        conn.executemany("INSERT INTO incident_mentions VALUES (?, ?)",
                         [(inc, i) for i in ids[2_500:2_520]])
        assert memo.found(conn, inc, ids[2_510:2_530]) == set(ids[2_510:2_520])
