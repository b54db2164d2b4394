"""Opening the queue on a database whose search index is behind catches it up in a
worker (its own connection), and the free-text filter is complete meanwhile."""

from tests.test_tui_flows import SIZE, make_app
from tests.tui_fixtures import build_small_db
from triage.store import Store


async def test_queue_catches_up_the_search_index(tmp_path):
    path = tmp_path / "q.db"
    build_small_db(path)
    with Store(path) as s:
        assert s.search_backlog() > 0   # mentions stored by ingest, not indexed yet
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
    with Store(path) as s:
        assert s.search_backlog() == 0
        s.conn.execute("INSERT INTO mentions_fts (mentions_fts) VALUES ('integrity-check')")
