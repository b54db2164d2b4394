"""The first-cut queue, driven through Textual's pilot on the demo data."""

from __future__ import annotations

import json

from textual.message import Message

from triage.store import Store
from triage.workflow import State
from tui.app import CalmReplyApp
from tui.messages import DraftSubmitted, MentionDismissed, MentionRelabelled


def _first_queue_id(db) -> int:
    with Store(db) as s:
        return s.queue_page(limit=1)[0].id


async def test_demo_queue_shows_rows_and_dismisses_with_a_key(demo_db):
    seen: list[Message] = []
    app = CalmReplyApp(db_path=demo_db, user="alice")
    async with app.run_test(size=(140, 40), message_hook=seen.append) as pilot:
        await pilot.pause()
        with Store(demo_db) as s:
            total = s.count()
            top = s.queue_page(limit=3)
        assert total >= 300
        screen = screen_lines(app)
        for item in top:  # the highest-priority rows are on screen, in order
            assert item.text[:20] in screen
        positions = [screen.index(item.text[:20]) for item in top]
        assert positions == sorted(positions)
        first = _first_queue_id(demo_db)
        await pilot.press("d", "n")
        await pilot.pause()
    dismissed = [m for m in seen if isinstance(m, MentionDismissed)]
    assert [(m.mention_id, m.reason) for m in dismissed] == [(first, "not_engaged")]
    with Store(demo_db) as s:
        assert s.state_of(first) == State.DISMISSED
        assert s.audit_entries(first)[-1]["actor"] == "alice"


async def test_a_key_submits_the_suggested_draft_for_approval(demo_db):
    with Store(demo_db) as s:
        # pick a complaint (drafts are offered; trolls are not engaged)
        target = next(i for i in s.queue_page(limit=500)
                      if i.label == "complaint" and i.state == "triaged")
    seen: list[Message] = []
    app = CalmReplyApp(db_path=demo_db, user="alice")
    async with app.run_test(size=(140, 40), message_hook=seen.append) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.selected_id = target.id
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
    refused = [m.reason for m in seen if type(m).__name__ == "ActionRefused"]
    assert refused == []
    submitted = [m for m in seen if isinstance(m, DraftSubmitted)]
    assert [m.mention_id for m in submitted] == [target.id]
    with Store(demo_db) as s:
        assert s.state_of(target.id) == State.AWAITING_APPROVAL
        assert s.latest_draft(target.id)["author"] == "alice"


async def test_relabel_key_records_a_correction(demo_db):
    first = _first_queue_id(demo_db)
    seen: list[Message] = []
    app = CalmReplyApp(db_path=demo_db, user="alice")
    async with app.run_test(size=(140, 40), message_hook=seen.append) as pilot:
        await pilot.pause()
        await pilot.press("l", "e")
        await pilot.pause()
    assert [(m.mention_id, m.label) for m in seen if isinstance(m, MentionRelabelled)] == [
        (first, "engagement")]
    with Store(demo_db) as s:
        assert any(label == "engagement" for _t, label in s.corrections())


async def test_markup_in_a_post_is_shown_literally(tmp_path):
    from triage.commands.core import import_file

    feed = tmp_path / "hostile.jsonl"
    feed.write_text(json.dumps({
        "id": "evil-1", "created_at": "2026-11-20T07:00:00Z",
        "text": "[bold red]FREE TICKETS[/bold red] \x1b[31mred\x1b[0m [@click=app.quit]x[/]",
        "author": {"handle": "@[link=https://evil.example]mallory[/link]", "followers": 5},
    }) + "\n", encoding="utf-8")
    db = tmp_path / "t.db"
    with Store(db) as s:
        import_file(s, feed)
    app = CalmReplyApp(db_path=db, user="alice")
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        screen_text = screen_lines(app)
        assert "[bold red]FREE TICKETS[/bold red]" in screen_text
        assert "\x1b" not in screen_text
        assert app.is_running  # the [@click=app.quit] did nothing


def screen_lines(app) -> str:
    """The screen exactly as the terminal would show it, as plain text."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


async def test_notifications_never_parse_markup(demo_db):
    """Refusals and server errors are shown in notifications; they must stay literal."""
    app = CalmReplyApp(db_path=demo_db, user="alice")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        app.screen.notify("[@click=app.quit]boom[/] from a server", severity="warning")
        await pilot.pause()
        shown = list(app._notifications)
        assert shown and all(not n.markup for n in shown)
        assert app.is_running
