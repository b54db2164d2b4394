"""The store: dedupe, migrations, the workflow's transitions and the audit log."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import make_mention, vm_steps
from triage.audit_chain import GENESIS, entry_hash
from triage.store import QueueFilter, Store, latest_schema_version
from triage.verdict import Assessment, Flag, Verdict
from triage.workflow import TRANSITIONS, IllegalTransition, State


def verdict(label="complaint", p=0.9):
    rest = (1 - p) / 2
    probs = {x: (p if x == label else rest) for x in ("troll", "complaint", "engagement")}
    return Verdict(label, probs, "test-model")


def test_wal_mode(store):
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_same_mention_twice_is_stored_once(store):
    first = store.add_mentions([make_mention(1), make_mention(2)])
    again = store.add_mentions([make_mention(1), make_mention(3)])
    assert len(first.new) == 2 and first.duplicates == 0
    assert [m.platform_id for m in again.new] == ["3"] and again.duplicates == 1
    assert store.count() == 3


def test_same_id_on_another_platform_is_another_mention(store):
    store.add_mentions([make_mention(1), make_mention(1, platform="bluesky")])
    assert store.count() == 2


def test_mention_round_trips_through_the_store(store):
    m = make_mention(7, text="line one\nline two 😀", in_reply_to_id="5", language="en",
                     raw={"id": "7", "extra": [1, 2]}, url="https://example.social/@a/7")
    store.add_mentions([m])
    back = store.get_mention(m.id)
    assert back.text == m.text and back.created_at == m.created_at
    assert back.raw == m.raw and back.in_reply_to_id == "5" and back.url == m.url
    assert back.created_at.tzinfo is not None


def test_migrates_an_older_schema_keeping_its_data(tmp_path):
    path = tmp_path / "old.db"
    old = Store(path, migrate_to=1)
    assert old.schema_version == 1
    old.conn.execute(
        "INSERT INTO mentions (platform, platform_id, text, created_at, ingested_at)"
        " VALUES ('mastodon', '1', 'from v1', '2026-01-01T00:00:00.000000Z',"
        " '2026-01-01T00:00:00.000000Z')")
    old.conn.execute("INSERT INTO audit (at, actor, mention_id, action) VALUES"
                     " ('2026-01-01T00:00:00.000000Z', 'old', 1, 'ingest')")
    old.close()

    new = Store(path)
    assert new.schema_version == latest_schema_version()
    assert new.get_mention(1).text == "from v1"
    assert new.state_of(1) == State.NEW
    # the old audit row was sealed into the hash chain
    row = new.audit_entries()[0]
    assert row["prev_hash"] == GENESIS and len(row["hash"]) == 64
    new.transition(1, State.TRIAGED, "tester")
    assert len(new.audit_entries()) == 2
    new.close()



def test_opening_a_store_does_not_read_the_whole_audit_log(tmp_path):
    """Sealing looks for rows written before the hash chain (hash = ''): without the
    partial index of migration 0014 every open read every audit entry."""
    path = tmp_path / "a.db"

    def open_steps() -> int:
        with Store(path) as store:
            return vm_steps(store, store._seal_audit)

    with Store(path) as store:
        store.audit_many([("t", "note", None, None, None, {"i": i}) for i in range(200)])
    few = open_steps()
    with Store(path) as store:
        store.audit_many([("t", "note", None, None, None, {"i": i}) for i in range(5000)])
    assert open_steps() <= few + 2

def _to_state(store: Store, mid: int, target: State) -> None:
    """Walk a fresh mention to `target` along legal moves."""
    paths = {
        State.NEW: [],
        State.TRIAGED: [State.TRIAGED],
        State.ESCALATED: [State.ESCALATED],
        State.DISMISSED: [State.DISMISSED],
        State.DRAFTED: [State.TRIAGED, State.DRAFTED],
        State.AWAITING_APPROVAL: [State.TRIAGED, State.DRAFTED, State.AWAITING_APPROVAL],
        State.APPROVED: [State.TRIAGED, State.DRAFTED, State.AWAITING_APPROVAL, State.APPROVED],
        State.SENT: [State.TRIAGED, State.DRAFTED, State.AWAITING_APPROVAL, State.APPROVED,
                     State.SENT],
    }
    for step in paths[target]:
        store.transition(mid, step, "walker",
                         reason="irrelevant" if step == State.DISMISSED else None)


@pytest.mark.parametrize("current,target", [
    (c, t) for c in State for t in TRANSITIONS[c]
])
def test_every_legal_transition_is_allowed_and_audited(store, current, target):
    store.add_mentions([make_mention(1)])
    _to_state(store, 1, current)
    before = len(store.audit_entries(1))
    store.transition(1, target, "officer",
                     reason="not_engaged" if target == State.DISMISSED else None)
    assert store.state_of(1) == target
    entries = store.audit_entries(1)
    assert len(entries) == before + 1
    last = entries[-1]
    assert (last["actor"], last["before"], last["after"]) == ("officer", current, target)


@pytest.mark.parametrize("current,target", [
    (c, t) for c in State for t in State if t not in TRANSITIONS[c]
])
def test_every_illegal_transition_raises_and_changes_nothing(store, current, target):
    store.add_mentions([make_mention(1)])
    _to_state(store, 1, current)
    before = store.audit_entries(1)
    with pytest.raises(IllegalTransition) as info:
        store.transition(1, target, "officer",
                         reason="duplicate" if target == State.DISMISSED else None)
    assert f"'{current}'" in str(info.value) and f"'{target}'" in str(info.value)
    assert store.state_of(1) == current
    assert store.audit_entries(1) == before


def test_dismiss_needs_a_known_reason(store):
    store.add_mentions([make_mention(1)])
    with pytest.raises(ValueError):
        store.transition(1, State.DISMISSED, "officer")
    with pytest.raises(ValueError):
        store.dismiss(1, "because", "officer")
    store.dismiss(1, "not_engaged", "officer")
    assert store.audit_entries(1)[-1]["detail"] == '{"reason": "not_engaged"}'


def test_four_eyes_drafter_cannot_approve(store):
    store.add_mentions([make_mention(1)])
    store.transition(1, State.TRIAGED, "triage")
    store.add_draft(1, "Sorry about that.", "alice")
    store.submit_for_approval(1, "alice")
    with pytest.raises(PermissionError, match="four-eyes"):
        store.approve(1, "alice")
    assert store.state_of(1) == State.AWAITING_APPROVAL
    store.approve(1, "dana")
    assert store.state_of(1) == State.APPROVED


def test_record_triage_moves_new_mentions_and_orders_queue(store):
    store.add_mentions([make_mention(i) for i in range(1, 4)])
    store.record_triage(1, verdict("engagement"), Assessment(priority=0.5))
    store.record_triage(2, verdict("complaint"),
                        Assessment(flags=(Flag("legal", "matched 'sue'"),), escalated=True,
                                   priority=3.0))
    store.record_triage(3, verdict("troll", 0.5), Assessment(priority=1.0))
    assert store.state_of(1) == State.TRIAGED
    assert store.state_of(2) == State.ESCALATED
    assert [i.id for i in store.queue_page()] == [2, 3, 1]
    assert store.flags_of(2) == [Flag("legal", "matched 'sue'")]
    assert [i.id for i in store.queue_page(QueueFilter(label="troll"))] == [3]
    assert [i.id for i in store.queue_page(QueueFilter(flag="legal"))] == [2]


def test_queue_pages_by_keyset(store):
    store.add_mentions([make_mention(i) for i in range(1, 26)])
    for i in range(1, 26):
        store.record_triage(i, verdict(), Assessment(priority=i % 5))
    seen, after = [], None
    while True:
        page = store.queue_page(limit=7, after=after)
        if not page:
            break
        seen += [i.id for i in page]
        after = page[-1].sort_key
    assert sorted(seen) == list(range(1, 26)) and len(seen) == 25
    everything = [i.id for i in store.queue_page(limit=100)]
    assert seen == everything
    back = store.queue_page(limit=3, before=store.queue_page(limit=10)[-1].sort_key)
    assert [i.id for i in back] == everything[6:9]


def test_audit_log_is_append_only_and_chained(store):
    store.add_mentions([make_mention(1)])
    store.transition(1, State.TRIAGED, "a")
    store.relabel(1, "troll", "b")
    entries = store.audit_entries()
    prev = GENESIS
    for e in entries:
        assert e["prev_hash"] == prev
        assert e["hash"] == entry_hash(prev, e)
        prev = e["hash"]
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.conn.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 1")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.conn.execute("DELETE FROM audit WHERE seq = 1")


def test_relabel_records_a_correction(store):
    store.add_mentions([make_mention(1, text="you lot are useless")])
    store.record_triage(1, verdict("troll"), Assessment())
    store.relabel(1, "complaint", "alice")
    assert store.corrections() == [("you lot are useless", "complaint")]
    assert store.queue_page()[0].label == "complaint"
    with pytest.raises(ValueError):
        store.relabel(1, "spam", "alice")


def test_claims_block_a_second_officer_until_released(store):
    store.add_mentions([make_mention(1)])
    assert store.claim(1, "alice") == "alice"
    assert store.claim(1, "bob") == "alice"
    assert store.claim_holder(1) == "alice"
    store.release(1, "alice")
    assert store.claim(1, "bob") == "bob"


def test_a_second_connection_sees_committed_writes(tmp_path):
    path = tmp_path / "shared.db"
    writer, reader = Store(path), Store(path)
    writer.add_mentions([make_mention(1)])
    assert reader.count() == 1
    writer.close()
    reader.close()


def test_not_a_database_gives_a_clear_error(tmp_path):
    from triage.store import StoreError

    bogus = tmp_path / "notes.db"
    bogus.write_text("this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a calmreply database"):
        Store(bogus)


def test_an_authors_other_mentions_match_the_handle_exactly_newest_first(store):
    from datetime import UTC, datetime, timedelta

    t0 = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
    authors = [("@Sam@x.social", "mastodon"), ("@sam@x.social", "mastodon"),
               ("@Sam@x.social", "mastodon"), ("@Sam@x.social", "bluesky"),
               ("@Sam@x.social", "mastodon"), ("@Samuel@x.social", "mastodon")]
    ms = [make_mention(i, author_handle=h, platform=p, created_at=t0 + timedelta(minutes=i))
          for i, (h, p) in enumerate(authors)]
    store.add_mentions(ms)
    got = store.mentions_by_author("mastodon", "@Sam@x.social", exclude_id=ms[4].id)
    assert [m.platform_id for m in got] == ["2", "0"]
    assert [m.platform_id for m in store.mentions_by_author("mastodon", "@Sam@x.social",
                                                            limit=1)] == ["4"]
    # one author index only (migration 0012): the case-folded one answers this too
    names = {r[0] for r in store.query("SELECT name FROM sqlite_master WHERE type = 'index'"
                                       " AND tbl_name = 'mentions'")}
    assert "mentions_author_nocase" in names and "mentions_author" not in names


def test_an_authors_other_mentions_are_found_without_reading_everyone_elses(store):
    """A plain `author_handle = ?` beside `lower(author_handle) = lower(?)` made SQLite
    fold the value into the expression and walk the whole platform (0.7 s a look-up at
    a million mentions, on every cursor move in the queue)."""
    def lookup():
        assert len(store.mentions_by_author("mastodon", "@Sam@x.social")) == 3

    store.add_mentions([make_mention(i, author_handle="@Sam@x.social") for i in range(3)])
    store.add_mentions([make_mention(100 + i, author_handle=f"@u{i}@x.social")
                        for i in range(300)])
    few = vm_steps(store, lookup)
    store.add_mentions([make_mention(1000 + i, author_handle=f"@v{i}@x.social")
                        for i in range(3000)])
    assert vm_steps(store, lookup) <= few + 2
