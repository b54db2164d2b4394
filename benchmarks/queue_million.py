"""Queue speed at a million mentions, beside the built-in DataTable at 100k rows.

    python benchmarks/queue_million.py [--rows 1000000] [--datatable-rows 100000] [--db PATH]

Builds (once; reused when --db exists) a database of synthetic triaged mentions, then
prints:
  * first paint: from opening the database to the queue screen's first full frame;
  * per keystroke: the handler plus rendering every visible line and the detail pane,
    for cursor moves, page down, end/home, and applying a filter;
  * the same first paint and a cursor move for Textual's DataTable holding N rows.
Rows are inserted with plain SQL (the benchmark needs a million rows in seconds, not
the audited ingest path); the schema and indexes are the store's own.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from triage.store import QueueFilter, Store  # noqa: E402

LABELS = ("troll", "complaint", "engagement")
WORDS = ("train late again", "refund please", "thanks for the help", "worst service",
         "is the line open", "stuck at the station", "great staff today", "boycott them")


def build(path: Path, rows: int) -> None:
    rng = random.Random(7)
    with Store(path) as store:
        have = store.count()
        if have >= rows:
            return
        conn = store.conn
        conn.execute("BEGIN")
        batch = []
        for i in range(have, rows):
            label = LABELS[rng.randrange(3)]
            escalated = int(rng.random() < 0.02)
            flags = "legal" if escalated else ("reach" if rng.random() < 0.01 else "")
            batch.append((
                "mastodon", f"b{i}", f"https://example.social/@u{i % 50000}/{i}",
                f"@u{i % 50000}@example.social", f"User {i % 50000}", rng.randrange(0, 200000),
                f"{WORDS[i % len(WORDS)]} #{i}",
                f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00.000000Z",
                "{}", "2026-11-29T00:00:00.000000Z", "triaged" if not escalated else "escalated",
                label, 0.5 + rng.random() / 2, int(rng.random() < 0.1), flags, escalated,
                (2.0 if escalated else 0.0) + (label == "complaint")))
            if len(batch) == 50_000:
                _insert(conn, batch)
                batch = []
        _insert(conn, batch)
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _insert(conn, batch) -> None:
    conn.executemany(
        "INSERT INTO mentions (platform, platform_id, url, author_handle, author_name,"
        " author_followers, text, created_at, raw, ingested_at, state, label, confidence,"
        " uncertain, flag_kinds, escalated, priority) VALUES"
        " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", batch)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


async def bench_queue(path: Path) -> None:
    from tests.tui_fixtures import StubPlaybook  # fixed drafts; no model needed
    from triage.approval import Team
    from tui.app import CalmReplyApp
    from tui.detail_pane import DetailPane
    from tui.queue_table import QueueTable

    t0 = time.perf_counter()
    app = CalmReplyApp(path, "bench", team=Team(), playbook=StubPlaybook(), poll_seconds=3600)
    t_open = time.perf_counter() - t0
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        first_paint = time.perf_counter() - t0
        table = app.screen.query_one(QueueTable)
        pane = app.screen.query_one(DetailPane)
        print(f"virtual queue, {table.pager.total:,} mentions")
        print(f"  open database + app init        {ms(t_open)}")
        print(f"  first paint (open -> frame)     {ms(first_paint)}")

        def render_visible() -> None:
            for y in range(table.size.height):
                table.render_line(y)
            pane.body.render()

        def timed(action) -> float:
            t = time.perf_counter()
            action()
            render_visible()
            return time.perf_counter() - t

        downs = [timed(lambda: table.action_cursor(1)) for _ in range(200)]
        pages = [timed(lambda: table.action_page(1)) for _ in range(50)]
        end = timed(lambda: table.action_jump(-1))
        up_end = [timed(lambda: table.action_cursor(-1)) for _ in range(20)]
        home = timed(lambda: table.action_jump(0))
        screen = app.screen
        t = time.perf_counter()
        screen.set_filter(label="troll")
        render_visible()
        filt = time.perf_counter() - t
        t = time.perf_counter()
        screen.set_filter(text="refund")
        render_visible()
        text_filt = time.perf_counter() - t
        t = time.perf_counter()
        screen.set_filter(label=None, text=None)
        render_visible()
        clear = time.perf_counter() - t
        t = time.perf_counter()
        await pilot.press("down")
        pilot_press = time.perf_counter() - t
        print(f"  cursor down   median {ms(statistics.median(downs))}  max {ms(max(downs))}")
        print(f"  page down     median {ms(statistics.median(pages))}  max {ms(max(pages))}")
        print(f"  end (jump to last row)          {ms(end)}")
        print(f"  cursor up at the end  max       {ms(max(up_end))}")
        print(f"  home                            {ms(home)}")
        print(f"  filter label=troll              {ms(filt)}")
        print(f"  filter text~'refund'            {ms(text_filt)}")
        print(f"  clear filters                   {ms(clear)}")
        print(f"  one key through the pilot (incl. test-harness overhead) {ms(pilot_press)}")


async def bench_datatable(rows: int) -> None:
    from textual.app import App
    from textual.widgets import DataTable

    store_rows = [(LABELS[i % 3], f"@u{i}@example.social", f"{i % 24}h",
                   f"{WORDS[i % len(WORDS)]} #{i}") for i in range(rows)]

    class Plain(App):
        def compose(self):
            yield DataTable()

        def on_mount(self):
            table = self.query_one(DataTable)
            table.add_columns("label", "author", "age", "text")
            table.add_rows(store_rows)
            table.focus()

    t0 = time.perf_counter()
    app = Plain()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        first = time.perf_counter() - t0
        table = app.query_one(DataTable)
        times = []
        for _ in range(20):
            t = time.perf_counter()
            table.action_cursor_down()
            for y in range(table.size.height):
                table.render_line(y)
            times.append(time.perf_counter() - t)
        print(f"built-in DataTable, {rows:,} rows")
        print(f"  first paint (rows -> frame)     {ms(first)}")
        print(f"  cursor down   median {ms(statistics.median(times))}  max {ms(max(times))}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--datatable-rows", type=int, default=100_000)
    ap.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "calmreply-1m.db")
    args = ap.parse_args()
    t = time.perf_counter()
    build(args.db, args.rows)
    print(f"database {args.db} ready in {time.perf_counter() - t:.1f} s")
    with Store(args.db) as s:
        t = time.perf_counter()
        s.count(QueueFilter())
        print(f"COUNT(*) over the queue           {ms(time.perf_counter() - t)}")
    asyncio.run(bench_queue(args.db))
    asyncio.run(bench_datatable(args.datatable_rows))


if __name__ == "__main__":
    main()
