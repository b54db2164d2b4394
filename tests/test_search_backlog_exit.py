"""A large search index backlog (after an upgrade rebuilds the index, or a huge import)
is announced before a command waits for it, and Ctrl-C does not wait for it at all:
search is complete without the index, only slower."""

from __future__ import annotations

import logging

import pytest

from tests.test_escalate_history import LabelFromText
from triage.commands.core import import_file
from triage.escalate import Escalator
from triage.ingest.watch import Watcher
from triage.pipeline import Triager
from triage.store import Store

ROWS = 20_000


@pytest.fixture
def behind(tmp_path):
    """A store of ROWS mentions that the search index has not caught up with."""
    store = Store(tmp_path / "b.db")
    with store.write() as conn:
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
            " INSERT INTO mentions (platform, platform_id, text, created_at, ingested_at)"
            " SELECT 'mastodon', 'old' || i, 'refund delay ' || i,"
            " '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z' FROM n", (ROWS,))
        conn.execute("UPDATE search_state SET indexed_upto = 0")
    store.recount()
    yield store
    store.close()


def watcher(store: Store) -> Watcher:
    return Watcher(Triager(store, LabelFromText(), Escalator.load()), {})


def test_watch_interrupted_leaves_the_backlog_for_the_next_run(behind):
    with pytest.raises(KeyboardInterrupt), watcher(behind).upkeep():
        raise KeyboardInterrupt
    assert behind.search_backlog() > ROWS // 2   # it did not wait to index them all
    assert behind.search_backlog() <= ROWS


def test_watch_says_so_before_it_waits_for_a_large_backlog(behind, monkeypatch, caplog):
    monkeypatch.setattr("triage.ingest.watch.LOUD_BACKLOG", ROWS // 2)
    with caplog.at_level(logging.WARNING, logger="calmreply"), watcher(behind).upkeep():
        pass
    assert behind.search_backlog() == 0
    said = [r.getMessage() for r in caplog.records]
    assert any("mentions searchable before stopping" in m and "Ctrl-C" in m for m in said)


def test_a_small_backlog_is_caught_up_without_a_word(behind, caplog):
    with caplog.at_level(logging.WARNING, logger="calmreply"), watcher(behind).upkeep():
        pass
    assert behind.search_backlog() == 0
    assert not caplog.records


def test_import_says_so_before_it_waits_for_a_large_backlog(behind, tmp_path, monkeypatch):
    monkeypatch.setattr("triage.search_index.LOUD_BACKLOG", ROWS // 2)
    monkeypatch.setattr("triage.pipeline.Classifier.load", lambda *a, **k: LabelFromText())
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"id": "n1", "created_at": "2026-01-02T00:00:00Z",'
                    ' "text": "complaint new"}\n')
    said: list[str] = []
    report, bad = import_file(behind, feed, echo=said.append)
    assert report.new == 1 and not bad
    assert said == [f"making {ROWS + 1:,} mentions searchable (once, after an upgrade or a"
                    " large import); Ctrl-C leaves them for later, and search finds them"
                    " meanwhile, only slower"]
    assert behind.search_backlog() == 0
