"""Posting approved replies: only approved, only when on, never twice, audited."""

from __future__ import annotations

import pytest

from tests.fakeapis import FakeMastodon, TeamFiles, make_triager, write_config
from triage.ingest.http import HttpClient, RetryPolicy
from triage.ingest.posting import PostingError, idempotency_key, post_reply
from triage.ingest.watch import Watcher

TOKEN = "post-token-xyz987"


@pytest.fixture
def setup(tmp_path, store):
    with FakeMastodon(token=TOKEN) as masto:
        masto.add_status("acme my refund is late", author=5)
        text = TeamFiles(masto).toml(posting=True, timeout=0.3)
        cfg = write_config(tmp_path / "team.toml", text)
        Watcher.from_config(cfg, make_triager(store), sleep=lambda s: None).run_once()
        yield masto, cfg, store


def approve(store, mid=1):
    store.add_draft(mid, "Sorry about that, we're on it.", "officer")
    store.submit_for_approval(mid, "officer")
    store.approve(mid, "leader")


def test_posts_the_approved_draft_once_and_audits_the_answer(setup):
    masto, cfg, store = setup
    approve(store)
    posted = post_reply(store, cfg, 1, "leader")
    req = masto.seen("/api/v1/statuses")[0]
    local_id = store.get_mention(1).raw["id"]
    assert req.body == {"status": "Sorry about that, we're on it.", "in_reply_to_id": local_id,
                        "visibility": "unlisted", "language": "en"}
    draft_id = store.latest_draft(1)["id"]
    assert req.headers["Idempotency-Key"] == idempotency_key(1, draft_id)
    assert req.headers["Authorization"] == f"Bearer {TOKEN}"
    assert store.state_of(1).value == "sent"
    entry = [e for e in store.audit_entries(1) if e["after"] == "sent"][0]
    assert f'"status_id": "{posted.status_id}"' in entry["detail"]
    assert posted.url in entry["detail"]
    with pytest.raises(PostingError, match="'sent', not 'approved'"):
        post_reply(store, cfg, 1, "leader")


def test_a_timed_out_post_is_retried_with_the_same_key_and_not_doubled(setup):
    masto, cfg, store = setup
    approve(store)
    masto.fault("/api/v1/statuses", "slow", seconds=0.6)  # made, but answered too late
    client = HttpClient(policy=RetryPolicy(attempts=3, backoff_base=0.01, timeout=0.3))
    post_reply(store, cfg, 1, "leader", client=client)
    posts = masto.seen("/api/v1/statuses")
    assert len(posts) == 2 and len({p.headers["Idempotency-Key"] for p in posts}) == 1
    assert len(masto.posted) == 1
    assert sum(1 for s in masto.statuses if s["in_reply_to_id"]) == 1


def test_only_approved_mentions_are_posted(setup):
    masto, cfg, store = setup
    with pytest.raises(PostingError, match="only approved replies"):
        post_reply(store, cfg, 1, "leader")
    assert masto.seen("/api/v1/statuses") == []


def test_posting_is_off_unless_the_config_turns_it_on(setup, tmp_path):
    masto, _cfg, store = setup
    approve(store)
    off = write_config(tmp_path / "off.toml", TeamFiles(masto).toml(posting=False))
    with pytest.raises(PostingError, match="posting is off"):
        post_reply(store, off, 1, "leader")
    assert masto.seen("/api/v1/statuses") == []
    assert store.state_of(1).value == "approved"
