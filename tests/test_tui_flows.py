"""Pilot tests for the officer's and the leader's flows, asserting on typed Messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui_fixtures import StubPlaybook, add, build_small_db, frozen_now
from tests.tui_screen_text import screen_text
from triage.ingest.config import TeamConfig
from triage.store import Store
from triage.workflow import State
from tui.app import CalmReplyApp
from tui.messages import (
    ActionRefused,
    AuthorMuted,
    BulkApplied,
    ClaimRefused,
    DraftApproved,
    DraftReturned,
    DraftSubmitted,
    FilterChanged,
    MentionClaimed,
    MentionDismissed,
    MentionRelabelled,
    QueueChanged,
    ReplySent,
)
from tui.queue_table import QueueTable

SIZE = (120, 36)


@pytest.fixture
def db(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    path = tmp_path / "q.db"
    return path, build_small_db(path)


class Recorder(list):
    def __call__(self, message) -> None:
        self.append(message)

    def of(self, kind):
        return [m for m in self if isinstance(m, kind)]


def make_app(path: Path, user: str = "officer", **kw) -> CalmReplyApp:
    kw.setdefault("team", TeamConfig(None))
    kw.setdefault("playbook", StubPlaybook())
    return CalmReplyApp(path, user, clock=frozen_now, **kw)


async def select(pilot, mention_id: int) -> None:
    table = pilot.app.screen.query_one(QueueTable)
    index = table.pager.index_of(mention_id)
    assert index is not None, f"mention {mention_id} is not in the view"
    table.cursor = index
    await pilot.pause()
    assert table.selected.id == mention_id


async def submit_draft(path: Path, mid: int, user: str = "officer") -> Recorder:
    rec = Recorder()
    async with make_app(path, user).run_test(size=SIZE, message_hook=rec) as pilot:
        await select(pilot, mid)
        await pilot.press("enter")
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "DraftScreen"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "QueueScreen"
    return rec


async def test_draft_submit_approve_send(db):
    path, ids = db
    mid = ids["complaint"]
    rec = await submit_draft(path, mid)
    submitted = rec.of(DraftSubmitted)
    assert [(m.mention_id, m.actor) for m in submitted] == [(mid, "officer")]
    assert rec.of(MentionClaimed)[0].mention_id == mid

    rec = Recorder()
    async with make_app(path, "lead").run_test(size=SIZE, message_hook=rec) as pilot:
        await pilot.press("p")
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "ApprovalsScreen"
        assert "Draft by officer" in screen_text(pilot.app)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("escape")
        await select(pilot, mid)
        await pilot.press("s")
        await pilot.pause()
    assert [m.mention_id for m in rec.of(DraftApproved)] == [mid]
    assert [(m.mention_id, m.actor) for m in rec.of(ReplySent)] == [(mid, "lead")]
    with Store(path) as s:
        assert s.state_of(mid) == State.SENT
        assert s.claim_holder(mid) is None
        actions = [(e["actor"], e["after"]) for e in s.audit_entries(mid)
                   if e["action"] == "transition"]
    assert actions[-3:] == [("officer", "awaiting_approval"), ("lead", "approved"),
                            ("lead", "sent")]


async def test_return_with_comment_reaches_the_drafter(db):
    path, ids = db
    mid = ids["complaint"]
    await submit_draft(path, mid)
    rec = Recorder()
    async with make_app(path, "lead").run_test(size=SIZE, message_hook=rec) as pilot:
        await pilot.press("p", "r")
        await pilot.pause()
        await pilot.press(*"Please add the case reference", "enter")
        await pilot.pause()
    returned = rec.of(DraftReturned)
    assert [(m.mention_id, m.comment) for m in returned] == [
        (mid, "Please add the case reference")]
    with Store(path) as s:
        assert s.state_of(mid) == State.DRAFTED
    async with make_app(path, "officer").run_test(size=SIZE) as pilot:
        await select(pilot, mid)
        assert "returned by lead: Please add the case" in screen_text(pilot.app)


async def test_four_eyes_refusal(db):
    path, ids = db
    mid = ids["complaint"]
    await submit_draft(path, mid)
    rec = Recorder()
    async with make_app(path, "officer").run_test(size=SIZE, message_hook=rec) as pilot:
        await pilot.press("p", "a")
        await pilot.pause()
    refused = rec.of(ActionRefused)
    assert refused and "four-eyes" in refused[0].reason
    assert not rec.of(DraftApproved)
    with Store(path) as s:
        assert s.state_of(mid) == State.AWAITING_APPROVAL


async def test_edit_and_approve_keeps_the_drafter_and_names_the_editor(db):
    path, ids = db
    mid = ids["complaint"]
    await submit_draft(path, mid)
    rec = Recorder()
    async with make_app(path, "lead").run_test(size=SIZE, message_hook=rec) as pilot:
        await pilot.press("p", "e")
        await pilot.pause()
        await pilot.press("end", *" Thank you.", "ctrl+s")
        await pilot.pause()
    assert [m.mention_id for m in rec.of(DraftApproved)] == [mid]
    with Store(path) as s:
        draft = s.latest_draft(mid)
        assert draft["author"] == "officer" and draft["edited_by"] == "lead"
        assert "Thank you." in draft["text"]
        assert s.state_of(mid) == State.APPROVED
        assert any(e["action"] == "leader_edit" and e["actor"] == "lead"
                   for e in s.audit_entries(mid))


async def test_non_approver_is_refused_when_a_team_is_configured(db):
    path, ids = db
    await submit_draft(path, ids["complaint"])
    rec = Recorder()
    app = make_app(path, "intern", team=TeamConfig(None, approvers=("lead",)))
    async with app.run_test(size=SIZE, message_hook=rec) as pilot:
        await pilot.press("p", "a")
        await pilot.pause()
    assert "not an approver" in rec.of(ActionRefused)[0].reason


async def test_tone_findings_need_an_override_reason(db):
    path, ids = db
    mid = ids["complaint"]
    rec = Recorder()
    async with make_app(path).run_test(size=SIZE, message_hook=rec) as pilot:
        await select(pilot, mid)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("end", *" CALM DOWN!!", "ctrl+s")
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "PromptScreen"
        await pilot.press("enter")  # an empty reason is not accepted
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "PromptScreen"
        await pilot.press(*"customer used caps first", "enter")
        await pilot.pause()
    assert [m.mention_id for m in rec.of(DraftSubmitted)] == [mid]
    with Store(path) as s:
        draft = s.latest_draft(mid)
        assert draft["override_reason"] == "customer used caps first"
        assert draft["findings"]


async def test_claim_conflict_between_two_app_instances(db):
    path, ids = db
    mid = ids["complaint"]
    rec1, rec2 = Recorder(), Recorder()
    app1, app2 = make_app(path, "alice"), make_app(path, "bob")
    async with app1.run_test(size=SIZE, message_hook=rec1) as p1:
        await select(p1, mid)
        await p1.press("enter")
        await p1.pause()
        assert type(app1.screen).__name__ == "DraftScreen"
        async with app2.run_test(size=SIZE, message_hook=rec2) as p2:
            await select(p2, mid)
            assert "claimed by alice" in screen_text(app2)
            await p2.press("enter")
            await p2.pause()
            assert type(app2.screen).__name__ == "QueueScreen"
            assert [(m.mention_id, m.holder) for m in rec2.of(ClaimRefused)] == [(mid, "alice")]
            await p1.press("escape")  # alice leaves: the claim is released
            await p1.pause()
            await p2.press("enter")
            await p2.pause()
            assert type(app2.screen).__name__ == "DraftScreen"


async def test_an_expired_claim_does_not_block(db):
    path, ids = db
    mid = ids["complaint"]
    with Store(path) as s:
        s.claim(mid, "alice", minutes=-1)  # a claim left behind, already expired
    rec = Recorder()
    async with make_app(path, "bob").run_test(size=SIZE, message_hook=rec) as pilot:
        await select(pilot, mid)
        await pilot.press("enter")
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "DraftScreen"
    assert not rec.of(ClaimRefused)


async def test_dismiss_not_engaged_mute_and_one_key_dismiss(db):
    path, ids = db
    rec = Recorder()
    async with make_app(path).run_test(size=SIZE, message_hook=rec) as pilot:
        await select(pilot, ids["troll4"])
        await pilot.press("d", "n")
        await pilot.pause()
        await select(pilot, ids["troll5"])
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
    assert [(m.mention_id, m.reason) for m in rec.of(MentionDismissed)] == [
        (ids["troll4"], "not_engaged"), (ids["troll5"], "not_engaged")]
    assert rec.of(AuthorMuted)[0].handle == "@brigade@example.social"
    with Store(path) as s:
        assert s.state_of(ids["troll4"]) == State.DISMISSED
        assert s.is_muted("mastodon", "@brigade@example.social")
        reasons = [e["detail"] for e in s.audit_entries(ids["troll5"])]
        assert any("not_engaged" in (d or "") for d in reasons)


async def test_bulk_dismiss_a_brigade_with_confirmation(db):
    path, ids = db
    trolls = [ids[f"troll{n}"] for n in range(4, 9)]
    rec = Recorder()
    async with make_app(path).run_test(size=SIZE, message_hook=rec) as pilot:
        await select(pilot, trolls[-1])  # the brigade sits together, newest first
        await pilot.press("space", "space", "space", "D")
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n")  # changed our mind: nothing happens
        await pilot.pause()
        assert not rec.of(BulkApplied)
        await pilot.press("D", "y")
        await pilot.pause()
    bulk = rec.of(BulkApplied)
    assert len(bulk) == 1 and sorted(bulk[0].mention_ids) == sorted(trolls[-3:])
    with Store(path) as s:
        assert [s.state_of(t) == State.DISMISSED for t in trolls] == [False, False, True,
                                                                       True, True]


async def test_relabel_creates_a_correction(db):
    path, ids = db
    rec = Recorder()
    async with make_app(path).run_test(size=SIZE, message_hook=rec) as pilot:
        await select(pilot, ids["thanks"])
        await pilot.press("l", "c")
        await pilot.pause()
    assert [(m.mention_id, m.label) for m in rec.of(MentionRelabelled)] == [
        (ids["thanks"], "complaint")]
    with Store(path) as s:
        assert ("Thanks for sorting my problem so quickly!", "complaint") in s.corrections()


async def test_filters_by_label_text_and_clear(db):
    path, ids = db
    rec = Recorder()
    async with make_app(path).run_test(size=SIZE, message_hook=rec) as pilot:
        table = pilot.app.screen.query_one(QueueTable)
        assert table.pager.total == 12
        await pilot.press("f", "l", "t")
        await pilot.pause()
        assert table.pager.total == 5
        assert {table.pager.item(i).label for i in range(5)} == {"troll"}
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("slash", *"court", "enter")
        await pilot.pause()
        assert table.pager.total == 1 and table.selected.id == ids["legal"]
        await pilot.press("f", "f", "1")  # flag filter: first flag kind (legal)
        await pilot.pause()
        assert table.pager.total == 1
        await pilot.press("f", "c")
        await pilot.pause()
        assert table.pager.total == 12
    assert [m.total for m in rec.of(FilterChanged)] == [5, 12, 1, 1, 12]


async def test_sort_by_reach_puts_the_big_account_first(db):
    path, ids = db
    async with make_app(path).run_test(size=SIZE) as pilot:
        await pilot.press("o")  # newest
        await pilot.press("o")  # reach
        await pilot.pause()
        table = pilot.app.screen.query_one(QueueTable)
        assert table.pager.item(0).id == ids["big"]


async def test_live_arrival_keeps_the_officers_selection(db):
    path, ids = db
    with Store(path) as s:  # enough rows that the selection sits in a scrolled view
        for n in range(60):
            add(s, 200 + n, f"filler {n}", "engagement")
    rec = Recorder()
    app = make_app(path, poll_seconds=0.05)
    async with app.run_test(size=SIZE, message_hook=rec) as pilot:
        await select(pilot, ids["thanks"])
        table = app.screen.query_one(QueueTable)
        assert table.scroll_offset.y > 0
        before_index = table.cursor
        line_on_screen = table.cursor - int(table.scroll_offset.y)
        with Store(path) as writer:  # another process: `calmreply watch`
            for n in range(3):
                add(writer, 100 + n, f"new escalation {n}", "complaint", escalated=True)
        await pilot.pause(0.3)
        assert table.pager.total == 75
        assert table.selected.id == ids["thanks"]
        assert table.cursor == before_index + 3
        assert table.cursor - int(table.scroll_offset.y) == line_on_screen
        assert "new escalation" not in screen_text(app)  # arrived above, off screen
        await pilot.press("home")
        await pilot.pause()
        assert "new escalation" in screen_text(app)
    changed = rec.of(QueueChanged)
    assert changed and sum(m.new_mentions for m in changed) == 3


async def test_markup_and_escape_sequences_are_shown_literally(db):
    path, ids = db
    rec = Recorder()
    app = make_app(path)
    async with app.run_test(size=SIZE, message_hook=rec) as pilot:
        await select(pilot, ids["inject"])
        text = screen_text(app)
        assert "[bold red]HACKED[/]" in text
        assert "[@click=app.quit]quit[/]" in text
        assert "\x1b" not in text and "\u202e" not in text
        assert "evil.example" not in text  # the OSC 8 target is stripped, not linked
        await pilot.click(QueueTable, offset=(60, 2))
        await pilot.pause()
        assert app.is_running
        for strip in app.screen._compositor.render_strips():
            for seg in strip:
                assert not (seg.style and seg.style.link)
                assert "app.quit" not in str(seg.style.meta if seg.style else "")
