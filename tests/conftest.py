"""Shared fixtures: real SQLite files in tmp_path, the demo feed loaded once."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from triage.mention import Mention
from triage.store import Store

REPO = Path(__file__).resolve().parent.parent


def make_mention(i: int, text: str = "hello", **kw) -> Mention:
    base = dict(platform="mastodon", platform_id=str(i), text=text,
                created_at=datetime(2026, 11, 20, 7, 0, tzinfo=UTC),
                author_handle=f"@user{i}@example.social", author_followers=10)
    base.update(kw)
    return Mention(**base)


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "test.db")
    yield s
    s.close()


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory) -> Path:
    """The demo feed imported once per session; tests copy it."""
    from triage.commands.core import load_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    load_demo(path)
    with Store(path) as s:  # fold the WAL into the main file so a plain copy is complete
        s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def demo_db(demo_db_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    shutil.copy(demo_db_template, path)
    return path


def incidents_of(store, include_closed=True):
    """Incidents as the core lists them (`triage.incidents`), in id order."""
    from triage.incidents import list_incidents

    return sorted(list_incidents(store.conn, include_closed=include_closed),
                  key=lambda i: i.id)


def incident_members(store, incident_id):
    """An incident's mention ids, as the core reads them."""
    from triage.incidents import mention_ids

    return mention_ids(store.conn, incident_id)


def vm_steps(store, fn) -> int:
    """SQLite virtual-machine steps (in hundreds) that `fn` makes the store run: a
    measure of how much a query reads that, unlike time, does not vary run to run."""
    n = [0]

    def tick() -> int:
        n[0] += 1
        return 0

    store.conn.set_progress_handler(tick, 100)
    try:
        fn()
    finally:
        store.conn.set_progress_handler(None, 0)
    return n[0]
