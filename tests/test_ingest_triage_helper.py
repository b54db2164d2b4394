"""The helper process classifies and rule-checks the next batch; results are the same
as working in this process, and the pipeline falls back when there is no helper."""

from tests.conftest import make_mention
from tests.fakeapis import make_triager


def batch(start: int, n: int = 40):
    texts = ["you are a clown and your ceo is a fraud", "my refund never arrived, 3 weeks",
             "love the new release, thanks team", "see you in court, I am calling my lawyer",
             "I will slash the tyres of your ceo"]
    return [make_mention(start + i, texts[i % len(texts)] + f" #{start + i}",
                         author_followers=(i * 50_000) % 300_000) for i in range(n)]


def rows(store):
    return [tuple(r) for r in store.query(
        "SELECT m.platform_id, m.label, round(m.confidence, 6), m.flag_kinds, m.priority,"
        " m.state, t.explanation, t.probabilities, t.model_version, t.uncertain"
        " FROM mentions m JOIN triage t ON t.mention_id = m.id"
        " ORDER BY m.id")]


def test_prepared_batches_match_unprepared_ones(tmp_path):
    from triage.store import Store

    here, there = Store(tmp_path / "a.db"), Store(tmp_path / "b.db")
    plain, helped = make_triager(here), make_triager(there)
    assert helped.start_helper() is True   # two cores here: a helper process starts
    try:
        for start in (0, 100):
            plain.ingest(batch(start))
            prepared = helped.prepare(batch(start))
            helped.ingest(batch(start), prepared=prepared)
        # a batch prepared before part of it was stored: nothing doubled, nothing lost
        prepared = helped.prepare(batch(200))
        helped.ingest(batch(200)[:10])
        report = helped.ingest(batch(200), prepared=prepared)
        plain.ingest(batch(200)[:10])
        plain.ingest(batch(200))
    finally:
        helped.close()
    assert report.new == 30 and report.duplicates == 10
    assert rows(there) == rows(here)
    kinds = {k for r in rows(here) for k in r[3].split(",") if k}
    assert {"legal", "threat", "reach"} <= kinds


def test_without_a_helper_prepare_works_in_process(tmp_path):
    from triage.store import Store

    store = Store(tmp_path / "c.db")
    triager = make_triager(store)
    triager.helper.enabled = False
    assert triager.start_helper() is False
    report = triager.ingest(batch(0), prepared=triager.prepare(batch(0)))
    assert report.new == 40


def _key_lookups(store):
    seen: list[str] = []
    store.conn.set_trace_callback(
        lambda sql: seen.append(sql) if "platform_id IN" in sql else None)
    return seen


def test_a_batch_prepared_while_the_one_before_is_stored_is_not_looked_up_again(tmp_path):
    """The watch loop prepares batch 2 before batch 1 is stored; batch 2's unseen posts
    are then those less batch 1's, known without asking the store."""
    from triage.store import Store

    store = Store(tmp_path / "d.db")
    triager = make_triager(store)
    triager.helper.enabled = False
    first, second = batch(0), batch(20)          # posts 20..39 are in both
    p1, p2 = triager.prepare(first), triager.prepare(second)
    assert len(p2.mentions) == 40
    triager.ingest(first, prepared=p1)
    lookups = _key_lookups(store)
    report = triager.ingest(second, prepared=p2)
    assert (report.new, report.duplicates) == (20, 20)
    assert lookups == []
    assert store.count() == 60
    assert len({r[0] for r in store.query("SELECT platform_id FROM mentions")}) == 60


def test_posts_stored_by_anyone_else_meanwhile_are_looked_up(tmp_path):
    """Another connection, or other code on the same one, may store some of a prepared
    batch's posts before it is stored: those are then found in the store."""
    from triage.store import Store

    store = Store(tmp_path / "e.db")
    other = Store(tmp_path / "e.db")
    triager = make_triager(store)
    triager.helper.enabled = False
    for start, writer in ((0, other), (100, store)):
        posts = batch(start)
        prepared = triager.prepare(posts)
        writer.add_mentions(batch(start)[:5])      # the same posts, stored elsewhere
        lookups = _key_lookups(store)
        report = triager.ingest(posts, prepared=prepared)
        assert (report.new, report.duplicates) == (35, 5)
        assert lookups
        store.conn.set_trace_callback(None)
    assert store.count() == 80


class _Watching:
    """Stands in for the helper's future: notes whether the store was inside a write
    transaction when its verdicts were waited for."""

    def __init__(self, future, store, seen: list[bool]) -> None:
        self.future, self.store, self.seen = future, store, seen

    def result(self):
        self.seen.append(self.store.conn.in_transaction)
        return self.future.result()


def test_the_helper_is_waited_for_before_the_write_transaction(tmp_path):
    """Waiting inside the transaction would hold the store's lock and SQLite's write
    lock idle: the search indexer and other writers (an approval in the queue) wait."""
    from triage.ingest.source import Page
    from triage.ingest.watch import SourceStats, Watcher
    from triage.store import Store

    store = Store(tmp_path / "f.db")
    triager = make_triager(store)
    assert triager.start_helper() is True
    seen: list[bool] = []
    try:
        prepared = triager.prepare(batch(0))
        prepared.judged.future = _Watching(prepared.judged.future, store, seen)
        assert triager.ingest(batch(0), prepared=prepared).new == 40
        # the watch loop's commit holds the page's cursor in the same transaction
        watcher = Watcher(triager, {})
        posts = batch(100)
        prepared = triager.prepare(posts)
        prepared.judged.future = _Watching(prepared.judged.future, store, seen)
        stats = SourceStats()
        watcher._commit(_Stream(), [Page(mentions=posts, cursor="c1", fetched=40)],
                        prepared, stats)
    finally:
        triager.close()
    assert seen == [False, False]
    assert stats.new == 40 and store.count() == 80


class _Stream:
    key = "test:search:acme"
    source = "test"
