"""Search indexing runs after ingest (migration 0010), and search is exact meanwhile."""

import threading

from tests.conftest import make_mention
from triage.queue_query import QueueView
from triage.search_index import SearchIndexer
from triage.search_match import match_expression
from triage.store import QueueFilter, Store


def found(store, text):
    return sorted(i.platform_id if hasattr(i, "platform_id") else i.id
                  for i in QueueView(QueueFilter(text=text)).page(store, limit=1000))


def integrity(store):
    store.conn.execute("INSERT INTO mentions_fts (mentions_fts) VALUES ('integrity-check')")


def test_new_mentions_are_found_before_and_after_indexing(store):
    store.add_mentions([make_mention(i, f"the refund for order {i} is late") for i in range(30)]
                       + [make_mention(100, "a parcel went missing"),
                          make_mention(101, "great launch", author_handle="@Refundwatch@x.y")])
    assert store.search_backlog() == 32
    before = found(store, "REFUND")
    assert len(before) == 31   # 30 texts and one handle, case-insensitive
    assert found(store, "parcel went") == [31]
    assert store.index_search(chunk=7) == 32
    assert store.search_backlog() == 0
    assert found(store, "REFUND") == before
    assert found(store, "parcel went") == [31]
    # the index really answers now: with the tail empty, only its matches remain
    assert store.query("SELECT COUNT(*) FROM mentions_fts WHERE mentions_fts MATCH ?",
                       (match_expression("refund"),))[0][0] == 31
    integrity(store)


def test_edits_and_deletes_keep_the_index_consistent_on_both_sides_of_the_mark(store):
    store.add_mentions([make_mention(i, f"post number {i} about trains") for i in range(10)])
    store.index_search(limit=5)   # ids 1..5 indexed, 6..10 not
    assert store.search_backlog() == 5
    store.conn.execute("UPDATE mentions SET text = 'edited about buses' WHERE id IN (2, 8)")
    store.conn.execute("DELETE FROM mentions WHERE id IN (3, 9)")
    integrity(store)
    assert found(store, "buses") == [2, 8]
    assert found(store, "trains") == [1, 4, 5, 6, 7, 10]
    store.index_search()
    integrity(store)
    assert found(store, "buses") == [2, 8]
    assert found(store, "trains") == [1, 4, 5, 6, 7, 10]


def test_a_version_9_database_keeps_its_index_and_starts_with_no_backlog(tmp_path):
    old = Store(tmp_path / "v9.db", migrate_to=9)
    old.add_mentions([make_mention(i, f"old post {i} about fares") for i in range(5)])
    old.close()
    store = Store(tmp_path / "v9.db", migrate_to=12)
    assert store.search_backlog() == 0
    assert found(store, "fares") == [1, 2, 3, 4, 5]
    store.add_mentions([make_mention(9, "new post about fares")])
    assert store.search_backlog() == 1
    assert found(store, "fares") == [1, 2, 3, 4, 5, 6]


def fts_sql(store):
    return store.query("SELECT sql FROM sqlite_master WHERE name = 'mentions_fts'")[0][0]


def test_the_rowid_only_index_replaces_the_old_one_and_search_stays_exact(tmp_path):
    old = Store(tmp_path / "v12.db", migrate_to=12)
    old.add_mentions([make_mention(i, f"old post {i} about Fares") for i in range(5)]
                     + [make_mention(7, "far from home, res judicata")])
    old.index_search()
    assert "detail=none" not in fts_sql(old)
    old.close()
    store = Store(tmp_path / "v12.db")
    assert "detail=none" in fts_sql(store)
    # indexing starts again from the first row (the indexer catches up in chunks)...
    assert store.search_backlog() == 6
    assert found(store, "FARES") == [1, 2, 3, 4, 5]
    # ...and the rebuilt index gives the same answers
    assert store.index_search(chunk=4) == 6
    assert store.search_backlog() == 0
    assert found(store, "FARES") == [1, 2, 3, 4, 5]
    integrity(store)


def test_the_indexer_thread_catches_up_with_a_writer(tmp_path):
    path = tmp_path / "t.db"
    writer = Store(path)
    indexer = SearchIndexer(path, chunk=50, idle_seconds=0.05).start()
    done = threading.Event()

    def write():
        for b in range(20):
            writer.add_mentions([make_mention(b * 40 + i, f"batch {b} delay report")
                                 for i in range(40)])
            indexer.poke()
        done.set()

    t = threading.Thread(target=write)
    t.start()
    t.join()
    assert done.is_set()
    assert indexer.stop() == 800
    assert indexer.error is None
    assert writer.search_backlog() == 0
    integrity(writer)
    assert len(found(writer, "delay report")) == 800
