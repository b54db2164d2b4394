"""Mastodon ingest against a fake instance: paging, cursors, boosts, quarantine."""

from __future__ import annotations

import json

import pytest

from tests.fakeapis import FakeMastodon, TeamFiles, make_triager, write_config
from triage.ingest.cursors import get_cursor
from triage.ingest.mastodon import parse_status
from triage.ingest.quarantine import quarantined
from triage.ingest.watch import Watcher
from triage.mention import MentionError

TOKEN = "masto-token-abc123"


@pytest.fixture
def masto():
    with FakeMastodon(token=TOKEN) as m:
        yield m


def watcher(tmp_path, store, masto, **kw):
    cfg = write_config(tmp_path / "team.toml", TeamFiles(masto).toml(**kw))
    return Watcher.from_config(cfg, make_triager(store), sleep=lambda s: None)


def count(store):
    return store.query("SELECT COUNT(*) FROM mentions")[0][0]


def test_search_pages_forward_and_commits_the_cursor_with_its_batch(tmp_path, store, masto):
    for i in range(25):
        masto.add_status(f"acme order {i} is late", author=i)
    masto.add_status("unrelated post")
    w = watcher(tmp_path, store, masto, page_limit=10)
    stats = w.run_once()["masto"]
    assert (stats.fetched, stats.new, stats.pages, stats.errors) == (25, 25, 3, [])
    assert count(store) == 25
    searches = masto.seen("/api/v2/search")
    assert [r.query["min_id"][0] for r in searches][1:] == [
        masto.statuses[9]["id"], masto.statuses[19]["id"]]
    assert get_cursor(store, "masto:search:acme") == masto.statuses[24]["id"]
    # new posts later: only they are fetched
    masto.add_status("acme again")
    stats = w.run_once()["masto"]
    assert (stats.fetched, stats.new) == (1, 1)


def test_same_post_from_search_tag_and_notifications_is_stored_once(tmp_path, store, masto):
    s = masto.add_status("acme is down #acme", tags=("acme",))
    masto.add_notification(s)
    masto.add_notification(masto.add_status("hi team", author=4), kind="favourite")
    w = watcher(tmp_path, store, masto, hashtags=("acme",), notifications=True)
    stats = w.run_once()["masto"]
    assert stats.new == 1 and stats.duplicates == 2 and stats.errors == []
    assert count(store) == 1
    notif = masto.seen("/api/v1/notifications")[0]
    assert notif.query["types[]"] == ["mention"]
    assert notif.headers["Authorization"] == f"Bearer {TOKEN}"
    assert set(r[0] for r in store.query("SELECT source FROM cursors")) == {
        "masto:search:acme", "masto:tag:acme", "masto:notifications"}


def test_tag_timeline_follows_the_link_header(tmp_path, store, masto):
    for i in range(7):
        masto.add_status(f"post {i} #brand", tags=("brand",))
    w = watcher(tmp_path, store, masto, terms=(), hashtags=("brand",), page_limit=5)
    stats = w.run_once()["masto"]
    assert stats.new == 7
    assert get_cursor(store, "masto:tag:brand") == masto.statuses[-1]["id"]


def test_boosts_are_not_new_mentions(tmp_path, store, masto):
    original = masto.add_status("acme launches")
    masto.add_status("", reblog=original, html="<p>acme launches</p>")
    stats = watcher(tmp_path, store, masto).run_once()["masto"]
    assert (stats.new, stats.skipped, stats.quarantined) == (1, 1, 0)


def test_html_is_plain_text_with_breaks_and_link_text(tmp_path, store, masto):
    masto.add_status("", html='<p>acme <a href="https://x.example/1" rel="nofollow">'
                              '<span class="invisible">https://</span>x.example/1</a><br>'
                              'line two</p><p>para &amp; two</p>', followers=4321,
                     spoiler_text="")
    watcher(tmp_path, store, masto).run_once()
    m = store.get_mention(1)
    # the invisible "https://" span is part of the link text: the full address is kept
    assert m.text == "acme https://x.example/1\nline two\n\npara & two"
    assert m.author_followers == 4321
    assert m.author_created_at is not None and m.author_created_at.year == 2024
    assert m.raw["id"] == masto.statuses[0]["id"]  # local id kept for replying
    assert m.raw == masto.statuses[0]   # the whole item, as the server sent it


def test_a_malformed_item_is_quarantined_and_the_rest_of_the_page_stored(tmp_path, store,
                                                                          masto):
    masto.add_status("acme one")
    masto.add_raw({"content": "<p>acme no uri</p>", "created_at": "2026-11-20T00:00:00Z",
                   "account": {"acct": "x"}})
    masto.add_raw({"uri": "https://fake.social/s/9", "content": "<p>acme</p>",
                   "created_at": "last tuesday", "account": {"acct": "y"}})
    masto.add_status("acme two")
    w = watcher(tmp_path, store, masto)
    stats = w.run_once()["masto"]
    assert (stats.new, stats.quarantined) == (2, 2)
    rows = quarantined(store)
    errors = " | ".join(r["error"] for r in rows)
    assert "missing field 'uri'" in errors and "'last tuesday' is not an ISO-8601" in errors
    assert all(json.loads(r["raw"]).get("content") for r in rows)
    # the cursor moved past the bad items: they are not fetched (or quarantined) again
    assert w.run_once()["masto"].fetched == 0
    assert len(quarantined(store)) == 2


def test_a_truncated_page_is_quarantined_and_the_cursor_kept(tmp_path, store, masto):
    masto.add_status("acme one")
    masto.fault("/api/v2/search", "truncated")
    w = watcher(tmp_path, store, masto)
    stats = w.run_once()["masto"]
    assert stats.new == 0 and "not valid JSON" in stats.errors[0]
    assert get_cursor(store, "masto:search:acme") is None
    assert "acme one" in quarantined(store)[0]["raw"]
    stats = w.run_once()["masto"]
    assert stats.new == 1 and stats.errors == []


def test_a_failing_source_does_not_stop_the_others(tmp_path, store, masto):
    from tests.fakeapis import FakeBluesky

    with FakeBluesky() as sky:
        sky.add_post("acme rocks")
        masto.fault("/api/v2/search", "500", times=10)
        cfg = write_config(tmp_path / "team.toml", TeamFiles(masto, sky).toml(attempts=2))
        result = Watcher.from_config(cfg, make_triager(store), sleep=lambda s: None).run_once()
    assert "gave up after 2 tries" in result["masto"].errors[0]
    assert result["sky"].new == 1 and result["sky"].errors == []


def test_parse_status_names_the_missing_field():
    with pytest.raises(MentionError, match="'created_at'"):
        parse_status({"id": "1", "uri": "u", "content": "x", "account": {"acct": "a"}},
                     instance_host="h", source="s")


def test_pages_fetched_before_a_failure_are_kept_with_their_cursor(tmp_path, store, masto):
    for i in range(15):
        masto.add_status(f"acme {i}")
    w = watcher(tmp_path, store, masto, page_limit=10, attempts=2)

    first_page = masto.statuses[9]["id"]
    masto.fault("/api/v2/search", "slow", seconds=0)  # page 1 answers normally
    masto.fault("/api/v2/search", "503", times=2)  # page 2 fails both tries
    stats = w.run_once()["masto"]
    assert stats.new == 10 and "gave up" in stats.errors[0]
    assert get_cursor(store, "masto:search:acme") == first_page
    assert w.run_once()["masto"].new == 5


def test_every_batch_the_last_included_is_prepared_before_it_is_stored(tmp_path, store, masto):
    """The last pages of a round are classified ahead (in the helper process when
    there is one) like the others, not in the store loop: a quiet round is all tail."""
    for i in range(35):
        masto.add_status(f"acme order {i} is late", author=i)
    w = watcher(tmp_path, store, masto, page_limit=10)
    prepared: list[int] = []
    stored: list[bool] = []
    prepare, ingest = w.triager.prepare, w.triager.ingest

    def spy_prepare(mentions):
        prepared.append(len(mentions))
        return prepare(mentions)

    def spy_ingest(mentions, actor="import", prepared=None):
        stored.append(prepared is not None)
        return ingest(mentions, actor=actor, prepared=prepared)

    w.triager.prepare, w.triager.ingest = spy_prepare, spy_ingest
    w.batch_size = 20   # pages of 10: pages 1-2 are one batch, pages 3-4 (15 mentions) the tail
    stats = w.run_once()["masto"]
    assert stats.new == 35 and count(store) == 35
    assert sum(prepared) == 35 and prepared[-1] == 15
    assert stored and all(stored)


def test_the_cycle_collector_runs_less_often_only_while_polling(tmp_path, store, masto):
    import gc

    from triage.heap import BACKLOG_THRESHOLD

    masto.add_status("acme order late")
    w = watcher(tmp_path, store, masto)
    seen = []
    real_commit = w._commit

    def commit(*args):
        seen.append(gc.get_threshold()[0])
        real_commit(*args)

    w._commit = commit
    before = gc.get_threshold()
    assert w.run_once()["masto"].new == 1
    assert seen == [BACKLOG_THRESHOLD]   # while the batch was stored
    assert gc.get_threshold() == before
