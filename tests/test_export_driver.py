"""An export with several conditions finds its mentions by the narrowest one: "the last
day's trolls" must not read every troll ever stored (2 s at a million mentions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import combinations

from tests.conftest import make_mention
from tests.test_escalate_history import LabelFromText
from triage.escalate import Escalator
from triage.escalate.incidents import open_or_extend
from triage.export import ExportFilter
from triage.export.records import ExportSource
from triage.pipeline import Triager
from triage.store import Store
from triage.timeutil import to_db

DAY = datetime(2026, 11, 20, tzinfo=UTC)
LABELS = ("troll", "complaint", "engagement")


def fill(store: Store, first: int, n: int, start: datetime, step: timedelta) -> list[int]:
    """`n` mentions from `start`, labels in turn, every fifth flagged leader."""
    ms = [make_mention(i, f"{LABELS[i % 3]} post {i}", created_at=start + step * (i - first))
          for i in range(first, first + n)]
    Triager(store, LabelFromText(), Escalator.load()).ingest(ms)
    ids = [m.id for m in ms]
    with store.write() as conn:
        conn.executemany("INSERT INTO flags (mention_id, kind, reason) VALUES (?, 'leader', 't')",
                         [(i,) for i in ids[::5]])
    return ids


def selected(store: Store, flt: ExportFilter, steps: list[int] | None = None) -> list[int]:
    with ExportSource(store, flt) as src:
        if steps is not None:
            src.conn.set_progress_handler(lambda: steps.append(1) and 0, 100)
        return [r.row["id"] for r in src.records(with_triage=False)]


def by_sqlite(store: Store, flt: ExportFilter) -> list[int]:
    """The mentions the filter selects when SQLite chooses how to find them."""
    where, args = flt.where()
    return sorted(r[0] for r in store.query(f"SELECT m.id FROM mentions m WHERE {where}", args))


def test_a_recent_window_costs_the_same_whatever_came_before(tmp_path):
    store = Store(tmp_path / "d.db")
    fill(store, 10**6, 40, DAY, timedelta(minutes=1))   # the day asked about
    cost = []
    for older in (2_000, 20_000):
        have = store.count() - 40
        fill(store, have, older - have, DAY - timedelta(days=300), timedelta(minutes=10))
        for flt in (ExportFilter(since=DAY, label="troll"),
                    ExportFilter(since=DAY, state="triaged"),
                    ExportFilter(since=DAY, leader=True)):
            steps: list[int] = []
            got = selected(store, flt, steps)
            assert got and sorted(got) == by_sqlite(store, flt)
            cost.append(len(steps))
    # the label, state or flag index drove these before: every troll, every mention
    assert all(b < 2 * a + 5 for a, b in zip(cost[:3], cost[3:], strict=True)), cost


def test_every_choice_selects_the_same_mentions(tmp_path):
    store = Store(tmp_path / "e.db")
    ids = fill(store, 1, 300, DAY, timedelta(minutes=7))
    with store.write():
        incident, _ = open_or_extend(store, "surge", to_db(DAY), ids[40:200], "S", "s", 180)
    store.dismiss(ids[50], "not_engaged", "officer")
    store.dismiss(ids[120], "not_engaged", "officer")
    conditions = dict(incident_id=incident, since=DAY + timedelta(hours=5),
                      until=DAY + timedelta(hours=20), state="dismissed", label="troll",
                      leader=True)
    for k in (2, 3):
        for names in combinations(conditions, k):
            flt = ExportFilter(**{n: conditions[n] for n in names})
            with ExportSource(store, flt) as src:
                chosen = flt.driver(src.conn)
                assert (chosen is None) == (set(names) == {"since", "until"})   # one window
            assert sorted(selected(store, flt)) == by_sqlite(store, flt), (names, chosen)


def test_the_narrowest_condition_drives(tmp_path):
    store = Store(tmp_path / "n.db")
    fill(store, 1, 300, DAY, timedelta(minutes=10))
    with ExportSource(store) as src:
        wide = ExportFilter(since=DAY - timedelta(days=1), leader=True)
        narrow = ExportFilter(since=DAY + timedelta(hours=49), leader=True)
        assert wide.driver(src.conn) == "leader"     # 60 flags against 300 mentions
        assert narrow.driver(src.conn) == "time"     # 1 mention against 60 flags
        assert ExportFilter(label="troll").driver(src.conn) is None   # nothing to choose
