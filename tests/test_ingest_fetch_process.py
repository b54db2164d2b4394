"""The fetch process: the same pages as fetching in this process, errors redacted,
and mentions that cross the process boundary unchanged."""

from __future__ import annotations

import pickle
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.fakeapis import FakeBluesky, FakeMastodon, TeamFiles, make_triager, write_config
from triage.ingest.fetch_process import FetchProcess
from triage.ingest.http import SourceError
from triage.ingest.mastodon import MalformedPage
from triage.ingest.streams import build_streams
from triage.ingest.watch import Watcher
from triage.mention import Mention

TOKEN = "masto-token-fp-9c1d"


def page_view(page) -> tuple:
    """Everything a page carries that the watch loop uses (a Bluesky walk's cursor
    carries the time it started, which differs between two walks)."""
    cursor = re.sub(r'"since": "[^"]*"', '"since": ""', page.cursor or "")
    return ([(m.key, m.text, m.created_at, m.author_handle, m.author_name,
              m.author_followers, m.url, m.in_reply_to_id, m.language, m.raw_json(),
              m.source, m.author_created_at, m.id) for m in page.mentions],
            [(b.raw, b.error) for b in page.bad], cursor, page.fetched, page.skipped)


@pytest.fixture
def fakes():
    with FakeMastodon(token=TOKEN) as masto, FakeBluesky() as sky:
        for i in range(23):
            s = masto.add_status(f"acme order {i} is <b>late</b> #acme", author=i % 5,
                                 tags=("acme",), followers=i * 10)
            if i % 7 == 0:
                masto.add_notification(s)
            sky.add_post(f"acme sky {i} ✨", author=i % 4, followers=i)
        masto.add_status("", reblog=masto.statuses[0], html="<p>acme boost</p>")
        masto.add_raw({"content": "<p>acme no date</p>", "created_at": "not a time"})
        yield masto, sky


def test_pages_from_the_fetch_process_equal_pages_fetched_here(tmp_path, fakes):
    masto, sky = fakes
    cfg = write_config(tmp_path / "team.toml", TeamFiles(masto, sky).toml(
        hashtags=("acme",), notifications=True, page_limit=5))
    here = {s.key: s for group in build_streams(cfg).values() for s in group}
    masto_pages = list(here["masto:search:acme"].pages(None))
    expected = {key: [page_view(p) for p in stream.pages(None)] for key, stream in here.items()}
    assert set(expected) == {"masto:search:acme", "masto:tag:acme", "masto:notifications",
                             "sky:search:acme"}
    assert any(view[1] for pages in expected.values() for view in pages)  # a quarantined item
    fetcher = FetchProcess(cfg, depth=2)   # fewer credits than pages: flow control works
    try:
        assert fetcher.start()
        for key, pages in expected.items():
            got = [page_view(p) for p in fetcher.pages(key, None)]
            assert got == pages, key
        # from a stored cursor: only what lies beyond it
        cursor = masto_pages[1].cursor
        got = [page_view(p) for p in fetcher.pages("masto:search:acme", cursor)]
        assert got == expected["masto:search:acme"][2:]
    finally:
        fetcher.close()


def test_a_walk_left_early_stops_and_the_next_walk_starts_clean(tmp_path, fakes):
    masto, sky = fakes
    cfg = write_config(tmp_path / "team.toml", TeamFiles(masto, sky).toml(page_limit=5))
    fetcher = FetchProcess(cfg, depth=1)
    try:
        assert fetcher.start()
        walk = fetcher.pages("masto:search:acme", None)
        first = next(walk)
        walk.close()   # the store loop failed: stop after the request in flight
        again = list(fetcher.pages("masto:search:acme", None))
        assert page_view(again[0]) == page_view(first)
        assert sum(len(p.mentions) for p in again) == 23
    finally:
        fetcher.close()


def test_errors_arrive_as_the_same_exceptions_with_secrets_redacted(tmp_path, fakes):
    masto, sky = fakes
    masto.fault("/api/v1/notifications", "leaky401")
    masto.fault("/api/v2/search", "truncated", times=10)
    cfg = write_config(tmp_path / "team.toml", TeamFiles(masto, sky).toml(
        notifications=True, attempts=1))
    fetcher = FetchProcess(cfg)
    try:
        assert fetcher.start()
        with pytest.raises(SourceError) as err:
            list(fetcher.pages("masto:notifications", None))
        assert err.value.status == 401
        assert TOKEN not in str(err.value) and "[redacted]" in str(err.value)
        with pytest.raises(MalformedPage) as bad:
            list(fetcher.pages("masto:search:acme", None))
        assert bad.value.key == "masto:search:acme" and bad.value.raw
        # the process is still there for the next stream
        assert sum(len(p.mentions) for p in fetcher.pages("sky:search:acme", None)) == 23
    finally:
        fetcher.close()


def test_watch_with_a_fetch_process_stores_what_the_thread_stores(tmp_path, store, fakes):
    masto, sky = fakes
    cfg = write_config(tmp_path / "team.toml", TeamFiles(masto, sky).toml(
        hashtags=("acme",), notifications=True, page_limit=4))
    w = Watcher.from_config(cfg, make_triager(store), fetch_process=True)
    try:
        assert w.fetcher is not None
        stats = w.run_once()
    finally:
        w.close()
    assert (stats["masto"].new, stats["masto"].quarantined, stats["sky"].new) == (23, 1, 23)
    assert store.query("SELECT COUNT(*) FROM mentions")[0][0] == 46
    assert w.run_once()["sky"].new == 0   # without the process: from the stored cursors


@pytest.mark.parametrize("created", [
    datetime(2026, 3, 1, 12, 30, 5, 123456, tzinfo=UTC),
    datetime(2026, 3, 1, 12, 30, 5, 7, tzinfo=timezone(timedelta(hours=-5))),
    datetime(2026, 3, 1, 12, 30, 5),   # naive, as some callers build them
])
def test_a_mention_survives_pickling_field_for_field(created):
    m = Mention("mastodon", "https://x/1", "text ✨\nline two", created, "user@x.social",
                "User", 42, "https://x/@user/1", "99", "en", {"id": "1", "n": [1, 2]},
                "masto:search:acme", created - timedelta(days=3), 17)
    back = pickle.loads(pickle.dumps([m, m], protocol=5))[0]
    assert back.created_at == m.created_at   # the same instant (aware ones come back UTC)
    assert back.created_at.tzinfo is (UTC if created.tzinfo else None)
    assert back.author_created_at == m.author_created_at
    assert back.raw_json() == m.raw_json()
    for name in ("platform", "platform_id", "text", "author_handle", "author_name",
                 "author_followers", "url", "in_reply_to_id", "language", "source", "id"):
        assert getattr(back, name) == getattr(m, name), name
