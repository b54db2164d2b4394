"""The queue's fast paths (migration 0008, `triage.queue_query`) give the same answers
as the plain SQL they replace: trigger-kept counts, the trigram text index, split keyset
pages, id-set strategies, estimated totals and two-sided ranks."""

from __future__ import annotations

from dataclasses import replace

import pytest

import triage.queue_query as qq
from tests.conftest import make_mention
from triage.queue_query import PagedQueue, QueueView, Sort
from triage.store import QueueFilter, Store
from triage.verdict import Assessment, Flag, Verdict
from triage.workflow import State

WORDS = ("Refund please", "train late", "great staff", "worst service 100%", "boycott_them")


def verdict(label: str, p: float = 0.9) -> Verdict:
    probs = {k: (p if k == label else (1 - p) / 2) for k in ("troll", "complaint", "engagement")}
    return Verdict(label=label, probabilities=probs, model_version="test", uncertain=p < 0.6)


@pytest.fixture
def filled(tmp_path):
    """120 mentions with many ties in every sort key (priority 0..3, 6 timestamps)."""
    store = Store(tmp_path / "q.db")
    mentions = [make_mention(i, f"{WORDS[i % 5]} #{i}", author_followers=(i * 7) % 13,
                             platform="mastodon" if i % 4 else "bluesky")
                for i in range(1, 121)]
    for m in mentions:
        m.created_at = m.created_at.replace(hour=i_hour(m.platform_id))
    store.add_mentions(mentions)
    for i in range(1, 121):
        label = ("troll", "complaint", "engagement")[i % 3]
        flags = (Flag("legal", "test"),) if i % 10 == 0 else ()
        store.record_triage(i, verdict(label, 0.5 if i % 7 == 0 else 0.9),
                            Assessment(flags=flags, escalated=bool(flags), priority=i % 4))
    yield store
    store.close()


def i_hour(platform_id: str) -> int:
    return int(platform_id) % 6


def plain_ids(store: Store, view: QueueView) -> list[int]:
    """The reference: one ORDER BY over the old LIKE / IN filter, no fast path."""
    where, args = view.flt.where()
    order = ", ".join(f"{c} DESC" for c in view.sort.columns)
    return [r[0] for r in store.query(
        f"SELECT m.id FROM mentions m WHERE {where} ORDER BY {order}", args)]


def counted_by_hand(store: Store) -> dict[str, dict[str, int]]:
    labels = {r[0] or "untriaged": r[1] for r in store.query(
        "SELECT label, COUNT(*) FROM mentions GROUP BY label")}
    states = {r[0]: r[1] for r in store.query(
        "SELECT state, COUNT(*) FROM mentions GROUP BY state")}
    return {"label": labels, "state": states}


def test_counts_table_follows_every_kind_of_write(filled):
    store = filled
    assert store.counts() == counted_by_hand(store)
    store.add_mentions([make_mention(500, "new and untriaged")])
    store.relabel(3, "engagement", "officer")
    store.dismiss(4, "not_engaged", "officer")
    store.transition(5, State.ESCALATED, "officer")
    with store.write() as conn:
        conn.execute("UPDATE mentions SET uncertain = 1, platform = 'bluesky' WHERE id = 6")
        conn.execute("DELETE FROM flags WHERE mention_id = 7")
        conn.execute("DELETE FROM triage WHERE mention_id = 7")
        conn.execute("DELETE FROM mentions WHERE id = 7")
    assert store.counts() == counted_by_hand(store)
    assert store.counts()["label"]["untriaged"] == 1
    for flt in (QueueFilter(), QueueFilter(label="troll"), QueueFilter(label="uncertain"),
                QueueFilter(state="dismissed"), QueueFilter(include_closed=False),
                QueueFilter(platform="bluesky", label="complaint"),
                QueueFilter(flag="legal"), QueueFilter(text="refund")):
        where, args = flt.where()
        by_hand = store.query(f"SELECT COUNT(*) FROM mentions m WHERE {where}", args)[0][0]
        assert store.count(flt) == by_hand, flt


def test_text_index_follows_inserts_and_edits(filled):
    store = filled
    view = QueueView(QueueFilter(text="zebra crossing"))
    assert view.page(store) == []
    store.add_mentions([make_mention(900, "A ZEBRA Crossing near the station")])
    assert [i.id for i in view.page(store)] == [121]
    with store.write() as conn:
        conn.execute("UPDATE mentions SET text = 'nothing here' WHERE id = 121")
    assert view.page(store) == []
    assert view.count(store) == 0


@pytest.mark.parametrize("few", [2000, 3], ids=["default-threshold", "tiny-threshold"])
@pytest.mark.parametrize("flt", [
    QueueFilter(), QueueFilter(label="troll"), QueueFilter(label="uncertain"),
    QueueFilter(text="refund"), QueueFilter(text="100%"), QueueFilter(text="#11"),
    QueueFilter(text="em_"), QueueFilter(text="Ab"), QueueFilter(flag="legal"),
    QueueFilter(flag="legal", text="train"), QueueFilter(include_closed=False, label="complaint"),
], ids=repr)
def test_paged_queue_walks_the_same_rows_as_one_query(filled, monkeypatch, few, flt):
    monkeypatch.setattr(qq, "FTS_FEW", few)
    store = filled
    for sort in Sort:
        view = QueueView(flt, sort)
        expected = plain_ids(store, view)
        pager = PagedQueue(store, view, page_size=7)
        assert pager.exact_total() == len(expected)
        assert [pager.item(i).id for i in range(len(expected))] == expected
        assert pager.item(len(expected)) is None
        backwards = PagedQueue(store, view, page_size=7)  # the end first, then upwards
        backwards.exact_total()
        assert [backwards.item(i).id for i in reversed(range(len(expected)))] == \
            expected[::-1]
        for pos in (0, len(expected) // 2, len(expected) - 1):
            if expected:
                fresh = PagedQueue(store, view, page_size=7)
                assert fresh.index_of(expected[pos]) == pos
                item = fresh.view.contains(store, expected[pos])
                assert view.rank(store, item) == pos


def test_total_is_an_upper_bound_until_counted(filled, monkeypatch):
    monkeypatch.setattr(qq, "FTS_FEW", 3)
    view = QueueView(QueueFilter(text="refund"))
    pager = PagedQueue(filled, view, page_size=5)
    estimate = pager.total
    assert not pager.exact and estimate >= len(plain_ids(filled, view))
    assert pager.exact_total() == len(plain_ids(filled, view)) and pager.exact
    assert qq.exact_count(filled.path, view) == pager.total
    small = PagedQueue(filled, replace(view, flt=QueueFilter(text="#12")), page_size=50)
    assert small.total == 2 and small.exact  # a short first page is the whole view
