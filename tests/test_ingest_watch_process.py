"""`calmreply watch` as a real process: kill -9 mid-run, restart, nothing lost or doubled;
and no secret reaches its output, the database or an export."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fakeapis import FakeBluesky, FakeMastodon, TeamFiles, tiny_model_dir

REPO = Path(__file__).resolve().parent.parent
TOKEN = "masto-secret-token-5f1e2d"


def calmreply(db: Path, *args: str, **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "triage.cli", "--db", str(db), *args],
                            cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def stored(db: Path) -> list[tuple[str, str]]:
    if not db.exists():
        return []
    conn = sqlite3.connect(db, timeout=10)
    try:
        return conn.execute("SELECT platform, platform_id FROM mentions").fetchall()
    except sqlite3.OperationalError:  # not migrated yet
        return []
    finally:
        conn.close()


def children(pid: int) -> list[int]:
    """Direct child processes of `pid` (from /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def model_dir() -> str:
    return tiny_model_dir()


def test_kill_9_mid_run_then_restart_stores_every_post_exactly_once(tmp_path, model_dir):
    with FakeMastodon(token=TOKEN) as masto, FakeBluesky() as sky:
        expected: set[tuple[str, str]] = set()

        def publish(n: int, start: int) -> None:
            for i in range(start, start + n):
                s = masto.add_status(f"acme post {i} #acme", author=i % 50, tags=("acme",))
                expected.add(("mastodon", s["uri"]))
                p = sky.add_post(f"acme sky post {i}", author=i % 40)
                expected.add(("bluesky", p["uri"]))

        publish(400, 0)
        masto.delay = sky.delay = 0.02  # slow enough to be killed mid-run
        cfg = tmp_path / "team.toml"
        cfg.write_text(TeamFiles(masto, sky).toml(hashtags=("acme",), page_limit=20))
        cfg.chmod(0o600)
        db = tmp_path / "watch.db"
        args = ("watch", "--config", str(cfg), "--model-dir", model_dir, "--interval", "0.05")

        proc = calmreply(db, *args, "--cycles", "50")
        deadline = time.monotonic() + 90
        while len(stored(db)) < 100 and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.02)
        helpers = children(proc.pid)
        assert helpers, "watch should run a helper process (classification, rules)"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        gone = time.monotonic() + 15   # helpers notice their parent has gone, and end
        while any(alive(pid) for pid in helpers) and time.monotonic() < gone:
            time.sleep(0.1)
        assert not [pid for pid in helpers if alive(pid)], "helper processes outlived watch"
        killed_at = len(stored(db))
        assert 0 < killed_at < len(expected), "the kill did not land mid-run"

        publish(30, 400)  # more posts arrive while the watcher is down
        masto.delay = sky.delay = 0.0
        proc = calmreply(db, *args, "--cycles", "2")
        out, errors = proc.communicate(timeout=120)
        assert proc.returncode == 0, errors

    rows = stored(db)
    assert len(rows) == len(set(rows)) == len(expected)
    assert set(rows) == expected
    assert "masto: fetched" in out and "sky: fetched" in out


def test_no_secret_reaches_output_database_or_export(tmp_path, model_dir):
    password = "sky-app-password-77aa"
    with FakeMastodon(token=TOKEN) as masto, FakeBluesky(password=password) as sky:
        s = masto.add_status("acme is great", tags=("acme",))
        masto.add_notification(s)
        sky.add_post("acme sky")
        masto.add_raw({"content": f"<p>acme {TOKEN}</p>", "created_at": "nope"})
        sky.fault("/xrpc/app.bsky.feed.searchPosts", "expired")
        masto.fault("/api/v1/timelines/tag", "500")
        masto.fault("/api/v1/notifications", "leaky401")
        cfg = tmp_path / "team.toml"
        cfg.write_text(TeamFiles(masto, sky).toml(hashtags=("acme",), notifications=True))
        cfg.chmod(0o600)
        db = tmp_path / "s.db"
        watch = calmreply(db, "watch", "--config", str(cfg), "--model-dir", model_dir,
                          "--once", "-v")
        out, errs = watch.communicate(timeout=120)
        access_tokens = [x.access for x in sky.sessions] + [x.refresh for x in sky.sessions]
        # the tokens really were used, and the leaky 401 really echoed one
        assert masto.seen("/api/v1/notifications")[0].headers["Authorization"].endswith(TOKEN)
        assert len(sky.seen("/xrpc/com.atproto.server.refreshSession")) == 1
        assert "bad credentials: Bearer [redacted]" in errs
        check = calmreply(db, "sources", "check", "--config", str(cfg))
        check_out, check_err = check.communicate(timeout=60)
    export = calmreply(db, "export", "--format", "jsonl")
    exp_out, exp_err = export.communicate(timeout=60)
    quarantine = calmreply(db, "quarantine", "--raw", "--json")
    q_out, _ = quarantine.communicate(timeout=60)
    assert export.returncode == 0, exp_err
    assert "acme is great" in exp_out and "[redacted]" in q_out

    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    blobs = {"watch output": out + errs, "sources check": check_out + check_err,
             "export": exp_out + exp_err, "quarantine": q_out}
    for f in tmp_path.glob("s.db*"):
        blobs[f.name] = f.read_bytes().decode("latin-1")
    for secret in [TOKEN, password, *access_tokens]:
        for where, text in blobs.items():
            assert secret not in text, f"a secret leaked into {where}"
