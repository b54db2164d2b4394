"""Queue speed at a million mentions, beside the built-in DataTable at 100k rows.

    python benchmarks/queue_million.py [--rows 1000000] [--datatable-rows 100000]
                                       [--repeats 5] [--db PATH] [--skip-datatable]

Builds (once, cached under the temp dir keyed by schema version and row count) a
database of synthetic triaged mentions, then prints medians and maxima over repeats:
  * empty-app baseline: a bare Textual app (Header, Static, Footer) from construction to
    its first frame -- what Textual itself costs before calmreply does anything;
  * first paint: from opening the database (constructing the app, which opens the store)
    to the first frame of the queue screen;
  * per keystroke: from the key entering the app to the next frame on screen (measured
    at `App._display`, the point where a frame goes to the terminal), for cursor down,
    page down, end, home, a label filter and free-text filters (common and rare text);
  * the same first paint and cursor move for Textual's DataTable holding N rows.
Rows are inserted with plain SQL at schema 6 (the benchmark needs a million rows in
seconds, not the audited ingest path); opening the store then applies the later
migrations, so the count table and text index are built the way a real upgrade would.
Also prints the load average: the figures are only comparable on a quiet machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.app import App  # noqa: E402

from triage.store import QueueFilter, Store, latest_schema_version  # noqa: E402

LABELS = ("troll", "complaint", "engagement")
WORDS = ("train late again", "refund please", "thanks for the help", "worst service",
         "is the line open", "stuck at the station", "great staff today", "boycott them")
SIZE = (120, 40)


# ---- the database ------------------------------------------------------------------
def default_db(rows: int) -> Path:
    return Path(tempfile.gettempdir()) / f"calmreply-bench-v{latest_schema_version()}-{rows}.db"


def build(path: Path, rows: int) -> None:
    """Make `path` a database of `rows` mentions at the latest schema (reused if so)."""
    if path.exists():
        with Store(path) as store:  # migrates an older cached file forward
            if store.count() >= rows:
                return
        path.unlink()
        for suffix in ("-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    rng = random.Random(7)
    with Store(path, migrate_to=6) as store:  # before the triggers of 0008: bulk speed
        conn = store.conn
        conn.execute("BEGIN")
        batch = []
        for i in range(rows):
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
        conn.execute("INSERT INTO flags (mention_id, kind, reason) SELECT id, flag_kinds,"
                     " 'synthetic' FROM mentions WHERE flag_kinds != ''")
        conn.execute("COMMIT")
    with Store(path) as store:  # the remaining migrations, as an upgrade would run them
        store.conn.execute("ANALYZE")
        # the search index, as the first queue session after an upgrade catches it up
        # (migration 0013 starts it again from the first row); timed searches use it
        store.index_search(chunk=50_000)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _insert(conn, batch) -> None:
    conn.executemany(
        "INSERT INTO mentions (platform, platform_id, url, author_handle, author_name,"
        " author_followers, text, created_at, raw, ingested_at, state, label, confidence,"
        " uncertain, flag_kinds, escalated, priority) VALUES"
        " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", batch)


# ---- timing frames -----------------------------------------------------------------
class FrameClock:
    """Notes when each frame is handed to the terminal (headless: where it would be)."""

    def __init__(self) -> None:
        self.frames: list[tuple[float, str]] = []
        original = App._display
        clock = self

        def _display(app, screen, renderable):
            if renderable is not None:
                clock.frames.append((time.perf_counter(), type(screen).__name__))
            return original(app, screen, renderable)

        App._display = _display  # type: ignore[method-assign]

    async def next_frame_after(self, t0: float, screen: str | None = None,
                               timeout: float = 10.0) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            later = [t for t, name in self.frames if t > t0 and screen in (None, name)]
            if later:
                return later[0] - t0
            await asyncio.sleep(0.0005)
        return float("nan")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def report(name: str, values: list[float]) -> None:
    print(f"  {name:<30} median {ms(statistics.median(values))}   max {ms(max(values))}"
          f"   (n={len(values)})")


def _make_app(path: Path):
    from tests.tui_fixtures import StubPlaybook  # fixed drafts; no model needed
    from triage.ingest.config import TeamConfig
    from tui.app import CalmReplyApp

    return CalmReplyApp(path, "bench", team=TeamConfig(path=None), playbook=StubPlaybook(),
                        poll_seconds=3600)


async def first_frame(clock: FrameClock, make, screen_name: str) -> float:
    t0 = time.perf_counter()
    app = make()
    async with app.run_test(size=SIZE):
        # the first frame of the screen that matters, not of the default one
        return await clock.next_frame_after(t0, screen_name)


async def bench_empty(clock: FrameClock, repeats: int) -> None:
    from textual.screen import Screen
    from textual.widgets import Footer, Header, Static

    class Bare(Screen):
        def compose(self):
            yield Header()
            yield Static("x")
            yield Footer()

    class Empty(App):
        def on_mount(self) -> None:
            self.push_screen(Bare())

    times = [await first_frame(clock, Empty, "Bare") for _ in range(repeats)]
    print("empty Textual app (Header, Static, Footer)")
    report("first frame", times)


async def bench_queue(clock: FrameClock, path: Path, repeats: int) -> None:
    from tui.queue_table import QueueTable

    firsts = [await first_frame(clock, lambda: _make_app(path), "QueueScreen")
              for _ in range(repeats)]
    app = _make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one(QueueTable)
        print(f"virtual queue, {table.pager.total:,} mentions")
        report("first paint (open -> frame)", firsts)

        async def key(*keys: str) -> float:
            """Press all but the last key untimed; time the last one to its frame."""
            if keys[:-1]:
                await pilot.press(*keys[:-1])
                await pilot.pause()
            t0 = time.perf_counter()
            await pilot.press(keys[-1])
            frame = await clock.next_frame_after(t0)
            await pilot.pause()
            return frame

        timings: dict[str, list[float]] = {}
        for _ in range(repeats):
            timings.setdefault("cursor down", []).extend([await key("down") for _ in range(20)])
            timings.setdefault("page down", []).extend([await key("pagedown")
                                                        for _ in range(10)])
            timings.setdefault("end", []).append(await key("home", "end"))
            timings.setdefault("cursor up at the end", []).extend(
                [await key("up") for _ in range(5)])
            timings.setdefault("home", []).append(await key("home"))
            timings.setdefault("filter label=troll", []).append(await key("f", "l", "t"))
            timings.setdefault("page down (filtered)", []).extend(
                [await key("pagedown") for _ in range(5)])
            timings.setdefault("clear filter", []).append(await key("escape"))
            timings.setdefault("free text 'refund' (common)", []).append(
                await key("slash", *"refund", "enter"))
            timings.setdefault("end (common text)", []).append(await key("home", "end"))
            await key("escape")
            timings.setdefault("free text '#99999' (rare)", []).append(
                await key("slash", *"#99999", "enter"))
            await key("escape")
            timings.setdefault("filter flag=legal", []).append(await key("f", "f", "1"))
            await key("escape")
            timings.setdefault("sort (newest)", []).append(await key("o"))
            await key("o")
            await key("o")
        for name, values in timings.items():
            report(name, values)

        # The same actions called directly, plus drawing every visible line and the
        # detail pane: calmreply's own share, without Textual's key dispatch, modal
        # screens closing, footer rebuilds and frame timer.
        from triage.queue_query import QueueView, Sort
        from tui.detail_pane import DetailPane

        screen = app.screen
        pane = screen.query_one(DetailPane)

        def direct(action) -> float:
            t0 = time.perf_counter()
            action()
            for y in range(table.size.height):
                table.render_line(y)
            if table.selected is not None:  # what the Highlighted message leads to
                screen._show_detail(table.selected.id)
            pane.body.render()
            return time.perf_counter() - t0

        def set_view(flt=None, sort=Sort.PRIORITY):
            return lambda: setattr(screen, "view", QueueView(flt or QueueFilter(), sort))

        direct_times: dict[str, list[float]] = {}
        for _ in range(repeats):
            direct(set_view())
            direct(lambda: table.action_jump(0))
            for name, action in [
                ("cursor down", lambda: table.action_cursor(1)),
                ("page down", lambda: table.action_page(1)),
                ("end", lambda: table.action_jump(-1)),
                ("home", lambda: table.action_jump(0)),
                ("filter label=troll", set_view(QueueFilter(label="troll"))),
                ("clear filter", set_view()),
                ("free text 'refund' (common)", set_view(QueueFilter(text="refund"))),
                ("end (common text)", lambda: table.action_jump(-1)),
                ("free text '#99999' (rare)", set_view(QueueFilter(text="#99999"))),
                ("filter flag=legal", set_view(QueueFilter(flag="legal"))),
                ("sort (newest)", set_view(QueueFilter(), Sort.NEWEST)),
            ]:
                direct_times.setdefault(name, []).append(direct(action))
            await pilot.pause()
        print("  -- calmreply's share: the action plus drawing the visible lines --")
        for name, values in direct_times.items():
            report(name, values)


async def bench_datatable(clock: FrameClock, rows: int) -> None:
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

    first = await first_frame(clock, Plain, "Screen")
    app = Plain()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            await pilot.press("down")
            times.append(await clock.next_frame_after(t0))
        print(f"built-in DataTable, {rows:,} rows")
        report("first paint (rows -> frame)", [first])
        report("cursor down", times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--datatable-rows", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--skip-datatable", action="store_true")
    args = ap.parse_args()
    db = args.db or default_db(args.rows)
    t = time.perf_counter()
    build(db, args.rows)
    print(f"database {db} ready in {time.perf_counter() - t:.1f} s")
    with Store(db) as s:
        t = time.perf_counter()
        s.count(QueueFilter())
        print(f"count of the whole queue            {ms(time.perf_counter() - t)}")
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    clock = FrameClock()

    async def run() -> None:
        await bench_empty(clock, args.repeats)
        await bench_queue(clock, db, args.repeats)
        if not args.skip_datatable:
            await bench_datatable(clock, args.datatable_rows)

    asyncio.run(run())
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
