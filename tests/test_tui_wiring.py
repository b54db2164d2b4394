"""Pilot tests for the UI wired to the real playbook, tone check, posting and incidents.

Each asserts on the typed Messages the screens post (`tui/messages.py`) and on what the
store recorded; posting goes over real HTTP to the fake Mastodon on 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static, TextArea

from tests.fakeapis import FakeMastodon, TeamFiles, make_triager, write_config
from tests.test_tui_flows import SIZE, Recorder, make_app, select
from tests.tui_fixtures import NOW, add, build_small_db
from triage.escalate.incidents import open_or_extend
from triage.incidents import get_incident
from triage.ingest.watch import Watcher
from triage.store import Store
from triage.timeutil import to_db
from triage.verdict import Flag
from triage.workflow import State
from tui.messages import (
    ActionRefused,
    DraftApproved,
    DraftSubmitted,
    IncidentPhaseChanged,
    PostingFailed,
    ReplyPosted,
    ToneChecked,
)


@pytest.fixture
def db(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    path = tmp_path / "q.db"
    ids = build_small_db(path)
    with Store(path) as s:
        ids["threat"] = add(s, 30, "I know where your office is, I'll burn it down",
                            "troll", escalated=True,
                            flags=(Flag("threat", "matched 'burn it down'"),))
        ids["distress"] = add(s, 31, "I can't go on after this, I want to end it all",
                              "complaint", escalated=True,
                              flags=(Flag("distress", "matched 'end it all'"),))
        ids["leader"] = add(s, 32, "Dana Okafor should answer for these delays",
                            "complaint", flags=(Flag("leader", "names Dana Okafor, CEO"),))
    return path, ids


async def open_draft(pilot, mid: int) -> None:
    await select(pilot, mid)
    await pilot.press("enter")
    await pilot.pause()
    assert type(pilot.app.screen).__name__ == "DraftScreen"


async def test_tone_findings_are_live_highlighted_and_need_an_override_reason(db):
    path, ids = db
    mid = ids["complaint"]
    rec = Recorder()
    async with make_app(path).run_test(size=SIZE, message_hook=rec) as pilot:
        await open_draft(pilot, mid)
        assert rec.of(ToneChecked)[-1].kinds == ()  # the playbook's draft is calm
        await pilot.press("end", *" Actually, CALM DOWN!!")
        await pilot.pause()
        kinds = set(rec.of(ToneChecked)[-1].kinds)
        assert {"defensive", "all-caps", "exclamation"} <= kinds
        box = pilot.app.screen.query_one("#draft-findings", Static).content
        highlighted = {box.plain[s.start:s.end] for s in box.spans
                       if "reverse" in str(s.style)}
        assert {"Actually", "CALM", "DOWN", "!!"} <= highlighted
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "PromptScreen"
        await pilot.press("escape")  # no reason: nothing is submitted
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "DraftScreen"
        assert not rec.of(DraftSubmitted)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press(*"quoting the customer", "enter")
        await pilot.pause()
    assert [m.mention_id for m in rec.of(DraftSubmitted)] == [mid]
    with Store(path) as s:
        draft = s.latest_draft(mid)
        assert draft["override_reason"] == "quoting the customer"
        assert {"defensive", "all-caps", "exclamation"} <= {f["kind"] for f in draft["findings"]}
        assert all(draft["text"][f["start"]:f["end"]] == f["words"] for f in draft["findings"])
        assert any("quoting the customer" in (e["detail"] or "") for e in s.audit_entries(mid)
                   if e["after"] == "awaiting_approval")


async def test_over_the_channel_limit_is_refused_not_overridable(db):
    path, ids = db
    mid = ids["complaint"]
    rec = Recorder()
    async with make_app(path).run_test(size=SIZE, message_hook=rec) as pilot:
        await open_draft(pilot, mid)
        pilot.app.screen.query_one(TextArea).load_text("Sorry about this. " * 30)
        await pilot.pause()
        assert "length" in rec.of(ToneChecked)[-1].kinds
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "DraftScreen"
    assert "over the mastodon limit of 500" in rec.of(ActionRefused)[-1].reason
    assert not rec.of(DraftSubmitted)


@pytest.mark.parametrize("kind, says", [("threat", "Do not reply"),
                                        ("distress", "Route to a trained person")])
async def test_threat_and_distress_get_guidance_and_no_template(db, kind, says):
    path, ids = db
    mid = ids[kind]
    rec = Recorder()
    async with make_app(path).run_test(size=SIZE, message_hook=rec) as pilot:
        await open_draft(pilot, mid)
        area = pilot.app.screen.query_one(TextArea)
        assert area.text == "" and area.read_only
        guidance = pilot.app.screen.query_one("#draft-guidance", Static).content.plain
        assert f"Flagged {kind}" in guidance and says in guidance
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert kind in rec.of(ActionRefused)[-1].reason
    assert not rec.of(DraftSubmitted)
    with Store(path) as s:
        assert s.latest_draft(mid) is None


async def test_a_troll_gets_advice_not_a_draft_and_a_reply_needs_a_reason(db):
    path, ids = db
    mid = ids["troll4"]
    rec = Recorder()
    async with make_app(path).run_test(size=SIZE, message_hook=rec) as pilot:
        await open_draft(pilot, mid)
        area = pilot.app.screen.query_one(TextArea)
        assert area.text == ""  # the instruction is advice, never reply text
        guidance = pilot.app.screen.query_one("#draft-guidance", Static).content.plain
        assert "not to engage" in guidance and "(Do not engage.)" in guidance
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "not to engage" in rec.of(ActionRefused)[-1].reason
        assert not rec.of(DraftSubmitted)
        await pilot.press(*"Here are the facts: https://example.org/facts")
        await pilot.pause()
        assert "do-not-engage" in rec.of(ToneChecked)[-1].kinds
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "PromptScreen"  # a reason is required
        await pilot.press(*"falsehood spreading to 250k followers", "enter")
        await pilot.pause()
    assert [m.mention_id for m in rec.of(DraftSubmitted)] == [mid]
    with Store(path) as s:
        draft = s.latest_draft(mid)
        assert draft["override_reason"] == "falsehood spreading to 250k followers"
        assert "do-not-engage" in {f["kind"] for f in draft["findings"]}


async def test_leader_mention_is_drafted_in_the_leaders_voice(db):
    path, ids = db
    rec = Recorder()
    async with make_app(path).run_test(size=SIZE, message_hook=rec) as pilot:
        await open_draft(pilot, ids["leader"])
        area = pilot.app.screen.query_one(TextArea)
        assert area.text.endswith("– Dana")
        await pilot.press("end", *" Frankly we tried.")
        await pilot.pause()
    assert "voice" in rec.of(ToneChecked)[-1].kinds  # "frankly" is on Dana's avoid list


@pytest.fixture
def posting(tmp_path: Path):
    """A database holding one mention fetched from the fake Mastodon, drafted and
    awaiting approval, and a team config with posting on and `lead` as the approver."""
    with FakeMastodon(token="post-token-ui") as masto:
        masto.add_status("acme my refund is late", author=5)
        text = TeamFiles(masto).toml(posting=True, timeout=0.5)
        cfg = write_config(tmp_path / "team.toml", 'approvers = ["lead"]\n' + text)
        path = tmp_path / "q.db"
        with Store(path) as store:
            Watcher.from_config(cfg, make_triager(store), sleep=lambda s: None).run_once()
            store.add_draft(1, "Sorry about the wait, we are on it.", "officer")
            store.submit_for_approval(1, "officer")
        yield masto, cfg, path


async def test_approve_then_post_over_http_when_posting_is_on(posting):
    masto, cfg, path = posting
    assert cfg.approvers == ("lead",) and cfg.may_approve("lead")
    rec = Recorder()
    async with make_app(path, "lead", team=cfg).run_test(size=SIZE,
                                                         message_hook=rec) as pilot:
        if type(pilot.app.screen).__name__ != "ApprovalsScreen":
            await pilot.press("p")
        await pilot.pause()
        await pilot.press("a")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    assert [m.mention_id for m in rec.of(DraftApproved)] == [1]
    posted = rec.of(ReplyPosted)
    assert len(posted) == 1 and posted[0].url.startswith("https://fake.social/")
    assert [r.body["status"] for r in masto.seen("/api/v1/statuses")] == [
        "Sorry about the wait, we are on it."]
    with Store(path) as s:
        assert s.state_of(1) == State.SENT
        sent = [e for e in s.audit_entries(1) if e["after"] == "sent"][0]
        assert sent["actor"] == "lead" and posted[0].url in sent["detail"]


async def test_a_failed_post_is_reported_calmly_and_stays_approved(posting):
    masto, cfg, path = posting
    masto.fault("/api/v1/statuses", "500", times=10)
    rec = Recorder()
    async with make_app(path, "lead", team=cfg).run_test(size=SIZE,
                                                         message_hook=rec) as pilot:
        if type(pilot.app.screen).__name__ != "ApprovalsScreen":
            await pilot.press("p")
        await pilot.pause()
        await pilot.press("a")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    assert not rec.of(ReplyPosted)
    failed = rec.of(PostingFailed)
    assert len(failed) == 1 and "still approved" in failed[0].reason
    assert "post-token-ui" not in failed[0].reason
    with Store(path) as s:
        assert s.state_of(1) == State.APPROVED


async def test_incident_holding_statement_follows_the_phase(db):
    path, ids = db
    trolls = [ids[f"troll{n}"] for n in range(4, 9)]
    with Store(path) as s:
        incident_id, _ = open_or_extend(s, "surge", to_db(NOW), trolls, "Outage surge",
                                        "many complaints", 60)
    rec = Recorder()
    async with make_app(path).run_test(size=SIZE, message_hook=rec) as pilot:
        await pilot.press("i")
        await pilot.pause()

        def holding() -> str:
            return pilot.app.screen.query_one("#incident-holding", Static).content.plain

        assert "We know many of you are affected" in holding()
        await pilot.press("n")
        await pilot.pause()
        assert "found the cause" in holding()
        await pilot.press("n")  # resolving closes the incident: asks first
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n")
        await pilot.pause()
        assert "found the cause" in holding()
        await pilot.press("n", "y")
        await pilot.pause()
        assert "running again" in holding()
        await pilot.press("n")  # closed: no next phase, nothing happens
        await pilot.pause()
    assert [(m.incident_id, m.before, m.after) for m in rec.of(IncidentPhaseChanged)] == [
        (incident_id, "acknowledge", "investigating"), (incident_id, "investigating",
                                                        "resolved")]
    with Store(path) as s:
        assert get_incident(s.conn, incident_id).closed
        phases = [(e["actor"], e["before"], e["after"]) for e in s.audit_entries()
                  if e["action"] == "incident-phase"]
    assert phases == [("officer", "acknowledge", "investigating"),
                      ("officer", "investigating", "resolved")]


def test_approvers_come_from_the_one_team_config(tmp_path: Path):
    from triage.ingest.config import ConfigError, load_config_or_default

    path = tmp_path / "team.toml"
    path.write_text('approvers = ["dana", "sam"]\n', encoding="utf-8")
    cfg = load_config_or_default(path)
    assert cfg.may_approve("sam") and not cfg.may_approve("officer")
    path.write_text('approvers = "dana"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="approvers must be a list of names"):
        load_config_or_default(path)
