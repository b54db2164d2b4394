"""Snapshots of the main screens on the demo feed (fixed labels, frozen clock, fixed size).

Update after an intended change with `pytest tests/test_tui_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.tui_fixtures import StubPlaybook, build_demo_db
from triage.ingest.config import TeamConfig
from triage.store import QueueFilter, Store
from tui.app import CalmReplyApp

DEMO_NOW = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
SIZE = (100, 30)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tui-demo") / "demo.db"
    build_demo_db(path)
    return path


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    return path


def app_for(path: Path, user: str = "officer") -> CalmReplyApp:
    # the stub playbook keeps drafts fixed while the real playbook evolves
    return CalmReplyApp(path, user, clock=lambda: DEMO_NOW, team=TeamConfig(None),
                        playbook=StubPlaybook(), poll_seconds=3600)


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    for widget in pilot.app.screen.query("TextArea, Input"):
        widget.cursor_blink = False
    await pilot.pause()


def first_complaint(path: Path) -> int:
    with Store(path) as s:
        return s.queue_page(QueueFilter(label="complaint", state="triaged"), limit=1)[0].id


def test_queue_screen(demo, snap_compare):
    assert snap_compare(app_for(demo), run_before=settle, terminal_size=SIZE)


def test_queue_at_80x24_light_theme(demo, snap_compare):
    async def run_before(pilot):
        pilot.app.theme = "textual-light"
        await settle(pilot)

    assert snap_compare(app_for(demo), run_before=run_before, terminal_size=(80, 24))


def test_detail_of_an_escalated_mention(demo, snap_compare):
    async def run_before(pilot):
        await pilot.press("down", "down")
        await settle(pilot)

    assert snap_compare(app_for(demo), run_before=run_before, terminal_size=(120, 36))


def test_drafting_screen(demo, snap_compare):
    mid = first_complaint(demo)

    async def run_before(pilot):
        pilot.app.screen.selected_id = mid
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app_for(demo), run_before=run_before, terminal_size=SIZE)


def test_approvals_screen(demo, snap_compare):
    mid = first_complaint(demo)
    with Store(demo) as s:
        s.add_draft(mid, "Hi there, sorry about the delay. We are looking into it now.",
                    "officer", variant="complaint.1")
        s.submit_for_approval(mid, "officer")

    async def run_before(pilot):
        await pilot.press("p")
        await settle(pilot)

    assert snap_compare(app_for(demo, "lead"), run_before=run_before, terminal_size=SIZE)


def test_incidents_screen(demo, snap_compare):
    async def run_before(pilot):
        await pilot.press("i")
        await settle(pilot)

    assert snap_compare(app_for(demo), run_before=run_before, terminal_size=SIZE)


def test_analytics_screen(demo, snap_compare):
    async def run_before(pilot):
        await pilot.press("t")
        await settle(pilot)

    assert snap_compare(app_for(demo), run_before=run_before, terminal_size=SIZE)


def test_help_screen(demo, snap_compare):
    async def run_before(pilot):
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(app_for(demo), run_before=run_before, terminal_size=(80, 24))
