"""The fetch process: the same pages as fetching in this process, errors redacted,
and mentions that cross the process boundary unchanged."""

from __future__ import annotations

import os
import pickle
import re
import signal
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.fakeapis import FakeBluesky, FakeMastodon, TeamFiles, make_triager, write_config
from triage.ingest.fetch_process import FetchProcess
from triage.ingest.http import SourceError
from triage.ingest.lanes import lane
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


def event_view(event) -> tuple:
    kind, key, payload = event
    if kind == "page":
        return kind, key, page_view(payload)
    if kind == "failed":
        return kind, key, type(payload).__name__, str(payload)
    return kind, key


def by_stream(events) -> dict[str, list[tuple]]:
    """Events per stream, in order (streams of different sources interleave)."""
    out: dict[str, list[tuple]] = {}
    for event in events:
        out.setdefault(event[1], []).append(event_view(event))
    return out


def walks(cfg, cursors=None) -> list[list[tuple[str, str | None]]]:
    return [[(s.key, (cursors or {}).get(s.key)) for s in group]
            for group in build_streams(cfg).values()]


def test_a_round_in_the_fetch_process_equals_one_walked_here(tmp_path, fakes):
    masto, sky = fakes
    cfg = write_config(tmp_path / "team.toml", TeamFiles(masto, sky).toml(
        hashtags=("acme",), notifications=True, page_limit=5))
    here = build_streams(cfg)
    expected = by_stream(e for group in here.values() for e in lane([(s, None) for s in group]))
    assert set(expected) == {"masto:search:acme", "masto:tag:acme", "masto:notifications",
                             "sky:search:acme"}
    assert all(events[-1] == ("done", key) for key, events in expected.items())
    assert any(e[2][1] for events in expected.values() for e in events if e[0] == "page")
    fetcher = FetchProcess(cfg, depth=2)   # fewer credits than pages: flow control works
    try:
        assert fetcher.start()
        assert by_stream(fetcher.round(walks(cfg))) == expected
        # from stored cursors: only what lies beyond them
        first = next(here["masto"][0].pages(None))
        got = by_stream(fetcher.round(walks(cfg, {"masto:search:acme": first.cursor})))
        assert got["masto:search:acme"] == expected["masto:search:acme"][1:]
        assert got["sky:search:acme"] == expected["sky:search:acme"]
    finally:
        fetcher.close()


def test_a_round_left_early_stops_and_the_next_round_starts_clean(tmp_path, fakes):
    masto, sky = fakes
    cfg = write_config(tmp_path / "team.toml", TeamFiles(masto, sky).toml(page_limit=5))
    fetcher = FetchProcess(cfg, depth=1)
    try:
        assert fetcher.start()
        events = fetcher.round(walks(cfg))
        first = next(events)
        events.close()   # the store loop failed: stop after the requests in flight
        again = by_stream(fetcher.round(walks(cfg)))
        assert again[first[1]][0] == event_view(first)
        assert again == by_stream(e for group in build_streams(cfg).values()
                                  for e in lane([(s, None) for s in group]))
    finally:
        fetcher.close()


def test_failures_arrive_as_the_same_exceptions_with_secrets_redacted(tmp_path, fakes):
    masto, sky = fakes
    masto.fault("/api/v2/search", "truncated", times=10)
    masto.fault("/api/v1/notifications", "leaky401")
    cfg = write_config(tmp_path / "team.toml", TeamFiles(masto, sky).toml(
        hashtags=("acme",), notifications=True, attempts=1))
    fetcher = FetchProcess(cfg)
    try:
        assert fetcher.start()
        events = list(fetcher.round(walks(cfg)))
    finally:
        fetcher.close()
    failed = {key: exc for kind, key, exc in events if kind == "failed"}
    assert isinstance(failed["masto:search:acme"], MalformedPage)
    assert failed["masto:search:acme"].raw
    refused = failed["masto:notifications"]
    assert isinstance(refused, SourceError) and refused.status == 401
    assert TOKEN not in str(refused) and "[redacted]" in str(refused)
    # the tag stream between them was walked; Bluesky went on regardless
    assert ("done", "masto:tag:acme", None) in events
    assert sum(len(p.mentions) for kind, key, p in events if key == "sky:search:acme"
               and kind == "page") == 23


def test_watch_with_a_fetch_process_stores_what_the_thread_stores(tmp_path, store, fakes):
    masto, sky = fakes
    cfg = write_config(tmp_path / "team.toml", TeamFiles(masto, sky).toml(
        hashtags=("acme",), notifications=True, page_limit=4))
    w = Watcher.from_config(cfg, make_triager(store), fetch_process=True)
    try:
        # one process per source, knowing only that source (and its secrets)
        assert [[src.name for src in f.cfg.sources] for f in w.fetchers] == [["masto"], ["sky"]]
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


def test_a_fetch_process_killed_mid_round_is_reported_and_replaced(tmp_path, store):
    with FakeMastodon(token=TOKEN) as masto, FakeBluesky() as sky:
        for i in range(60):
            masto.add_status(f"acme post {i}", author=i)
            sky.add_post(f"acme sky {i}", author=i)
        masto.delay = sky.delay = 0.02
        cfg = write_config(tmp_path / "team.toml", TeamFiles(masto, sky).toml(page_limit=5))
        w = Watcher.from_config(cfg, make_triager(store), fetch_process=True)
        w.batch_size = 5
        killed = []
        real_commit = w._commit

        def commit_then_kill(stream, *rest):
            real_commit(stream, *rest)
            if not killed and stream.source == "masto":
                killed.append(w.fetchers[0].pid)
                os.kill(w.fetchers[0].pid, signal.SIGKILL)

        w._commit = commit_then_kill
        try:
            first = w.run_once()
            assert first["masto"].errors == [
                "masto:search:acme: the fetch process stopped unexpectedly; it is started"
                " again next round"]
            assert 0 < first["masto"].new < 60
            # the other source has a process of its own: it went on to the end
            assert (first["sky"].errors, first["sky"].new) == ([], 60)
            masto.delay = sky.delay = 0.0
            second = w.run_once()   # a new process, from the stored cursor
        finally:
            w.close()
    assert second["masto"].errors == [] and w.fetchers == []
    assert first["masto"].new + second["masto"].new == 60
    assert second["masto"].duplicates == 0 and second["sky"].new == 0
    assert store.query("SELECT COUNT(*) FROM mentions")[0][0] == 120
