"""Ingest flags a batch before inserting it (each row is written once, complete).

The reference is the older order, kept here: insert, flag with the rows stored,
record the triage.  Both orders must give every mention the same flags, reasons,
state and priority, and open the same incidents with the same members, on the demo
feed (threat, legal, press, reach, repeat, surge, brigade...), batch after batch.
"""

import pytest

from tests.conftest import incident_members as incident_mention_ids
from tests.conftest import incidents_of as list_incidents
from tests.test_escalate_demo import KeywordClassifier
from triage.escalate import Escalator
from triage.ingest.files import BadRecord, read_mentions
from triage.paths import demo_feed
from triage.pipeline import Triager
from triage.store import Store

pytestmark = pytest.mark.skipif(not demo_feed().is_file(), reason="demo feed not bundled")


def feed():
    return [m for m in read_mentions(demo_feed()) if not isinstance(m, BadRecord)]


def ingest_old_order(store, escalator, classifier, batch):
    with store.write():
        added = store.add_mentions(batch, actor="demo")
        verdicts = classifier.predict([m.text for m in added.new])
        assessments = escalator.assess_batch(added.new, verdicts, store)
        store.record_triage_many([(m.id, v, a) for m, v, a in
                                  zip(added.new, verdicts, assessments, strict=True)])


def snapshot(store):
    rows = store.query(
        "SELECT m.platform, m.platform_id, m.label, m.state, m.escalated, m.priority,"
        " m.flag_kinds, (SELECT group_concat(kind || ': ' || reason, ' | ') FROM"
        " (SELECT kind, reason FROM flags f WHERE f.mention_id = m.id ORDER BY kind))"
        " FROM mentions m ORDER BY m.platform, m.platform_id")
    keys = {r[0]: (r[1], r[2]) for r in store.query("SELECT id, platform, platform_id"
                                                       " FROM mentions")}
    incidents = [(i.kind, i.opened_at, sorted(keys[m] for m in
                                              incident_mention_ids(store, i.id)))
                 for i in list_incidents(store)]
    return [tuple(r) for r in rows], incidents


@pytest.mark.parametrize("batch_size", [37, 500])
def test_flagging_before_insert_matches_flagging_stored_rows(tmp_path, batch_size):
    mentions = feed()
    old = Store(tmp_path / "old.db")
    new = Store(tmp_path / "new.db")
    escalator, classifier = Escalator.load(), KeywordClassifier()
    triager = Triager(new, classifier, escalator)
    for i in range(0, len(mentions), batch_size):
        batch = mentions[i:i + batch_size]
        ingest_old_order(old, escalator, classifier, [m.__class__(**{
            f: getattr(m, f) for f in m.__dataclass_fields__ if f != "id"}) for m in batch])
        triager.ingest(batch, actor="demo")
    old_rows, old_incidents = snapshot(old)
    new_rows, new_incidents = snapshot(new)
    assert len(new_rows) == len(mentions)
    assert sum(1 for r in new_rows if r[6]) > 50, "the demo feed should flag many posts"
    assert {"surge", "brigade"} <= {k for k, _o, _m in new_incidents}
    assert new_rows == old_rows
    assert new_incidents == old_incidents
    # each move out of new is audited once per mention, as before
    for store in (old, new):
        assert store.query("SELECT COUNT(*) FROM audit WHERE action = 'transition'")[0][0] \
            == len(mentions)


def test_queue_counts_added_per_batch_match_the_rows(tmp_path):
    store = Store(tmp_path / "c.db")
    Triager(store, KeywordClassifier(), Escalator.load()).ingest(feed()[:200])
    counted = {tuple(r[:4]): r[4] for r in store.query(
        "SELECT platform, label, state, uncertain, n FROM queue_counts WHERE n > 0")}
    actual = {tuple(r[:4]): r[4] for r in store.query(
        "SELECT platform, COALESCE(label, ''), state, uncertain, COUNT(*) FROM mentions"
        " GROUP BY 1, 2, 3, 4")}
    assert counted == actual and sum(actual.values()) == 200
    # rows inserted by hand-written SQL are counted once `recount` runs
    store.conn.execute("INSERT INTO mentions (platform, platform_id, text, created_at,"
                       " ingested_at) VALUES ('other', 'x', 't', '2026-01-01T00:00:00.000000Z',"
                       " '2026-01-01T00:00:00.000000Z')")
    assert store.count() == 200
    store.recount()
    assert store.count() == 201

