"""Bluesky ingest against a fake PDS: sessions, expiry, cursor walks, profiles."""

from __future__ import annotations

import json

import pytest

from tests.fakeapis import FakeBluesky, TeamFiles, make_triager, write_config
from triage.ingest.cursors import get_cursor, set_cursor
from triage.ingest.quarantine import quarantined
from triage.ingest.watch import Watcher


@pytest.fixture
def sky():
    with FakeBluesky() as s:
        yield s


def watcher(tmp_path, store, sky, **kw):
    cfg = write_config(tmp_path / "team.toml", TeamFiles(bluesky=sky).toml(**kw))
    return Watcher.from_config(cfg, make_triager(store), sleep=lambda s: None)


def test_walks_all_pages_then_moves_since_to_the_newest(tmp_path, store, sky):
    for i in range(23):
        sky.add_post(f"acme support is slow {i}", author=i % 4, followers=100 + i % 4)
    w = watcher(tmp_path, store, sky, page_limit=10)
    stats = w.run_once()["sky"]
    assert (stats.new, stats.pages, stats.errors) == (23, 3, [])
    searches = sky.seen("/xrpc/app.bsky.feed.searchPosts")
    assert [r.query.get("cursor") for r in searches] == [None, ["10"], ["20"]]
    assert all(r.query["sort"] == ["latest"] for r in searches)
    state = json.loads(get_cursor(store, "sky:search:acme"))
    assert "walk" not in state and state["since"] == sky.posts[-1]["indexedAt"]
    m = store.get_mention(1)
    assert m.platform == "bluesky" and m.url.startswith("https://bsky.app/profile/author")
    assert m.author_followers in (100, 101, 102, 103)
    assert m.author_created_at is not None
    assert m.raw == next(p for p in sky.posts if p["uri"] == m.platform_id)  # as sent
    # next poll: only the boundary post comes back, and it is a duplicate
    sky.add_post("acme again")
    stats = w.run_once()["sky"]
    assert (stats.new, stats.duplicates) == (1, 1)


def test_profiles_are_batched_by_25_and_cached(tmp_path, store, sky):
    for i in range(60):
        sky.add_post(f"acme {i}", author=i)
    w = watcher(tmp_path, store, sky)
    w.run_once()
    calls = sky.seen("/xrpc/app.bsky.actor.getProfiles")
    assert [len(c.query["actors"]) for c in calls] == [25, 25, 10]
    sky.add_post("acme more", author=3)
    w.run_once()
    assert len(sky.seen("/xrpc/app.bsky.actor.getProfiles")) == 3  # author 3 is cached


def test_an_expired_session_is_refreshed_and_nothing_is_lost(tmp_path, store, sky):
    for i in range(30):
        sky.add_post(f"acme {i}", author=i)
    w = watcher(tmp_path, store, sky, page_limit=10)
    sky.access_uses = 2  # every access token dies after two calls
    sky.fault("/xrpc/app.bsky.feed.searchPosts", "expired")
    stats = w.run_once()["sky"]
    assert (stats.new, stats.errors) == (30, [])
    assert len(sky.seen("/xrpc/com.atproto.server.refreshSession")) >= 2
    assert len(sky.seen("/xrpc/com.atproto.server.createSession")) == 1


def test_an_expired_refresh_token_logs_in_again(tmp_path, store, sky):
    sky.add_post("acme one")
    w = watcher(tmp_path, store, sky)
    w.run_once()
    with sky.lock:
        sky.sessions.clear()  # the server forgot every session: access and refresh dead
    sky.add_post("acme two")
    sky.fault("/xrpc/app.bsky.feed.searchPosts", "expired")
    stats = w.run_once()["sky"]
    assert stats.new == 1 and stats.errors == []
    assert len(sky.seen("/xrpc/com.atproto.server.createSession")) == 2


def test_a_bad_app_password_is_a_clear_error(tmp_path, store, sky):
    w = watcher(tmp_path, store, sky)
    sky.password = "something-else"  # the server no longer accepts the configured one
    stats = w.run_once()["sky"]
    assert "refused handle 'team.bsky.social'" in stats.errors[0]


def test_a_restart_mid_walk_resumes_at_the_saved_cursor(tmp_path, store, sky):
    for i in range(25):
        sky.add_post(f"acme {i}")
    since = "2000-01-01T00:00:00.000Z"
    set_cursor(store, "sky:search:acme",
               json.dumps({"since": since, "walk": {"cursor": "20", "top": since}}))
    stats = watcher(tmp_path, store, sky, page_limit=10).run_once()["sky"]
    assert stats.new == 5  # only the rest of the walk (the 5 oldest)
    first = sky.seen("/xrpc/app.bsky.feed.searchPosts")[0]
    assert first.query["cursor"] == ["20"] and first.query["since"] == [since]
    assert json.loads(get_cursor(store, "sky:search:acme"))["since"] > since


def test_malformed_posts_are_quarantined_the_rest_stored(tmp_path, store, sky):
    sky.add_post("acme fine")
    sky.add_raw({"uri": "at://did:plc:x/app.bsky.feed.post/1",
                 "author": {"did": "did:plc:x", "handle": "x.bsky.social"},
                 "record": {"text": "acme", "createdAt": "not a date"},
                 "indexedAt": "2026-11-20T00:00:00Z"})
    sky.add_raw({"uri": "at://did:plc:y/app.bsky.feed.post/2", "indexedAt": "2026-11-20T00:00Z",
                 "author": {"did": "did:plc:y", "handle": "y.bsky.social"}})
    sky.add_post("acme also fine")
    w = watcher(tmp_path, store, sky)
    stats = w.run_once()["sky"]
    assert (stats.new, stats.quarantined) == (2, 2)
    errors = " | ".join(r["error"] for r in quarantined(store))
    assert "'not a date' is not an ISO-8601 time" in errors
    assert "missing field 'record'" in errors
    w.run_once()
    assert len(quarantined(store)) == 2  # seen again at the boundary, not re-quarantined
