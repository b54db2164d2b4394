"""End-to-end ingest throughput: local fake Mastodon + Bluesky -> parse -> triage -> flag
-> store, in mentions per second, and where the time goes.

    python benchmarks/ingest_throughput.py [--posts 10000] [--runs 3] [--server-nice 10]
                                           [--history 0] [--history-days 7]

Uses the shipped model when there is one, else a small model trained for the tests.
The fake servers run in a process of their own, as a real server would: their CPU
time is not calmreply's, but on a two-core machine it takes turns with calmreply's.
So that they stand in for a server on another machine as well as they can while
still answering every request, they encode each post once (a real server caches
rendered posts) and run at a lower priority (`--server-nice`, default 10; 0 for the
same priority as calmreply).
The clock stops when every mention is stored, triaged, flagged and indexed for
search.  On a shared virtual machine the figure moves with the hypervisor's steal
(time its cores wait while other guests run), which each run reports; hence three
runs and their median by default.  Real APIs' rate limits (300 requests / 5 min on
Mastodon) are the real bottleneck; this shows calmreply is not.  `--fetch-thread`
fetches on threads of the main process instead of a fetch process per source (what
`watch` does when none can start).  `--history N` fills the store with N earlier
mentions first, as after weeks of watching; the servers' posts then arrive as a flood
(all within seconds), which surge detection rightly treats as one.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakeapis import FakeBluesky, FakeMastodon, TeamFiles, tiny_model_dir  # noqa: E402
from triage.classifier import Classifier, ModelError  # noqa: E402
from triage.escalate import Escalator  # noqa: E402
from triage.ingest.config import load_config  # noqa: E402
from triage.ingest.watch import Watcher  # noqa: E402
from triage.pipeline import Triager  # noqa: E402
from triage.store import Store  # noqa: E402
from triage.timeutil import to_db, utcnow  # noqa: E402
from triage.triage_helper import Judged  # noqa: E402

WORDS = ("acme order late refund support great launch clown billing broken thanks app "
         "update delivery ceo price love hate team").split()


class Timed:
    """Wraps a callable attribute to add up the seconds spent in it."""

    def __init__(self, obj, name: str) -> None:
        self.seconds = 0.0
        inner = getattr(obj, name)
        self.restore = lambda: setattr(obj, name, inner)

        def wrapper(*a, **kw):
            t0 = time.perf_counter()
            try:
                return inner(*a, **kw)
            finally:
                self.seconds += time.perf_counter() - t0

        setattr(obj, name, wrapper)


def text(i: int) -> str:
    return " ".join(WORDS[(i * k + k) % len(WORDS)] for k in range(1, 12)) + f" #{i}"


def serve(posts: int, pipe, nice: int = 0) -> None:
    """The fake Mastodon and Bluesky servers, in their own process until told to stop
    (at a lower scheduling priority with `nice`: see `--server-nice`)."""
    if nice and hasattr(os, "nice"):
        os.nice(nice)
    with FakeMastodon(token="bench-token") as masto, FakeBluesky(access_uses=10**9) as sky:
        for i in range(posts):
            masto.add_status(f"acme {text(i)}", author=i % 3000, followers=i % 5000)
            sky.add_post(f"acme {text(i + 7)}", author=i % 3000, followers=i % 5000)
        masto.freeze()   # each post encoded once, as a real server caches them
        sky.freeze()
        pipe.send(TeamFiles(masto, sky).toml(timeout=10, lookback_hours=2))
        start = time.process_time()
        pipe.recv()
        pipe.send(time.process_time() - start)


def fill_history(store: Store, rows: int, days: float, end: datetime) -> None:
    """`rows` earlier mentions, evenly over the `days` before `end`, as a store that has
    been watching for a while holds: its indexes are that much bigger, and surge's
    baseline, repeat's counts and brigade's look-back have a past to read.  Written
    with plain SQL (seconds, not the audited ingest path), then counted
    (`Store.recount`) and indexed for search, as `watch` would have left them.
    A fifth of the mentions come from a sixth of the authors (regulars), the rest from
    anyone; two in five are negative."""
    rng = random.Random(11)
    start = end - timedelta(days=days)
    step = (end - start) / max(rows, 1)
    authors = max(rows // 20, 1)
    now = to_db(end)
    with store.write() as conn:
        for lo in range(0, rows, 50_000):
            batch = []
            for i in range(lo, min(rows, lo + 50_000)):
                who = rng.randrange(authors // 6 or 1) if rng.random() < 0.2 else \
                    rng.randrange(authors)
                platform = ("mastodon", "bluesky")[who % 2]
                roll = rng.random()
                label = "complaint" if roll < 0.25 else "troll" if roll < 0.4 else "engagement"
                batch.append((
                    platform, f"history-{i}", f"https://example.social/@past{who}/{i}",
                    f"@past{who}@example.social", f"Past {who}", rng.randrange(200_000),
                    f"{WORDS[i % len(WORDS)]} {WORDS[(i * 7) % len(WORDS)]} #{i}",
                    to_db(start + step * i), now, "triaged", label, 0.5 + rng.random() / 2,
                    to_db(start - timedelta(days=400 + who % 900)),
                    round(rng.random() * 3, 3)))
            conn.executemany(
                "INSERT INTO mentions (platform, platform_id, url, author_handle, author_name,"
                " author_followers, text, created_at, ingested_at, state, label, confidence,"
                " author_created_at, priority) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", batch)
    store.recount()
    store.index_search()
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_name() -> str:
    """The processor's model name (Linux `/proc/cpuinfo`), so that figures measured on
    different days can be told apart by the machine they ran on."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "unknown processor"
    info: dict[str, str] = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        info.setdefault(key.strip(), value.strip())
    # a virtual machine's name can be as vague as "AMD EPYC": family and model say more
    return (f"{info.get('model name', 'unknown processor')} (family {info.get('cpu family', '?')},"
            f" model {info.get('model', '?')}, {info.get('cpu MHz', '?')} MHz)")


def machine_ticks() -> tuple[int, int, int] | None:
    """(all, idle, steal) clock ticks of the whole machine so far (Linux `/proc/stat`),
    or None where there is no such file.  Steal is time the hypervisor ran other guests
    while this machine's cores wanted to run: on a shared virtual machine it comes
    and goes, and moves this benchmark's figure by a quarter or more, so each run
    says how much there was."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    if fields[:1] != ["cpu"] or len(fields) < 9:
        return None
    ticks = [int(f) for f in fields[1:]]
    # guest time is counted in user time already; idle includes waiting for the disk
    return sum(ticks[:8]), ticks[3] + ticks[4], ticks[7]


def timed_events(watcher: Watcher, waited: list[float]) -> None:
    """Note how long the store loop waits for the round's events (wraps
    `Watcher._events`)."""
    inner = watcher._events

    def events():
        it = inner()
        try:
            while True:
                t0 = time.perf_counter()
                try:
                    event = next(it)
                except StopIteration:
                    return
                finally:
                    waited[0] += time.perf_counter() - t0
                yield event
        finally:
            it.close()

    watcher._events = events


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=10_000, help="posts per source")
    ap.add_argument("--fetch-thread", action="store_true",
                    help="fetch on threads of the main process, not in fetch processes")
    ap.add_argument("--server-nice", type=int, default=10,
                    help="the fake servers' niceness (0: the same priority as calmreply's"
                         " processes); a real API's CPU is not on this machine at all")
    ap.add_argument("--history", type=int, default=0,
                    help="mentions the store holds already, as after weeks of watching"
                         " (default 0: an empty store)")
    ap.add_argument("--history-days", type=float, default=7.0,
                    help="the days those earlier mentions are spread over")
    ap.add_argument("--runs", type=int, default=3,
                    help="runs, each with fresh servers and database; then the median")
    args = ap.parse_args()
    try:
        classifier = Classifier.load()
        model = "shipped model"
    except ModelError:
        classifier = Classifier.load(tiny_model_dir())
        model = "tiny test model (no shipped model found)"
    classifier.predict(["warm up the model"])
    print(f"machine: {cpu_name()}, {os.cpu_count()} cores (figures from different machines"
          " differ by half or more)")
    rates, steals = [], []
    for n in range(args.runs):
        if args.runs > 1:
            print(f"--- run {n + 1} of {args.runs}")
        rate, steal = run(args, classifier, model)
        rates.append(rate)
        steals.append(steal)
    if args.runs > 1:
        print(f"median of {args.runs} runs: {statistics.median(rates):,.0f} mentions/s"
              f" (runs: {', '.join(f'{r:,.0f}' for r in rates)}; target >= 5,000/s)")
        if all(s is not None for s in steals):
            print(f"  steal in each run: {', '.join(f'{s:.0%}' for s in steals)}")


def run(args: argparse.Namespace, classifier: Classifier, model: str
        ) -> tuple[float, float | None]:
    """One run: report where the time went; return mentions per second, and the share
    of the machine's time lost to steal (None where it cannot be read)."""
    tmp = Path(tempfile.mkdtemp(prefix="calmreply-bench-"))
    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe()
    server = ctx.Process(target=serve, args=(args.posts, theirs, args.server_nice),
                         daemon=True)
    server_cpu: list[float] = []

    def stop_server() -> None:
        ours.send("stop")
        server_cpu.append(ours.recv())

    # undone in reverse as far as set-up got: a failure shows its own error
    with ExitStack() as undo:
        undo.callback(shutil.rmtree, tmp, ignore_errors=True)   # tens of MB a run
        server.start()
        undo.callback(server.join, 10)
        cfg_path = tmp / "team.toml"
        cfg_path.write_text(ours.recv())
        undo.callback(stop_server)
        os.chmod(cfg_path, 0o600)
        cfg = load_config(cfg_path)
        for src in cfg.sources:
            src.max_pages = 10**6
        store = Store(tmp / "bench.db")
        if args.history:   # before the servers' posts (from half an hour ago on)
            fill_history(store, args.history, args.history_days,
                         utcnow() - timedelta(minutes=31))
        escalator = Escalator.load()
        triager = Triager(store, classifier, escalator)
        undo.callback(triager.close)
        helper = triager.start_helper()   # as `watch` does when it starts
        flag = Timed(escalator, "assess_batch")
        undo.callback(flag.restore)
        helper_wait = Timed(Judged, "result")
        undo.callback(helper_wait.restore)
        page_wait = [0.0]
        watcher = Watcher.from_config(cfg, triager, fetch_process=not args.fetch_thread)
        undo.callback(watcher.close)
        timed_events(watcher, page_wait)
        fetch_cpu0 = sum(process_cpu(f.pid) for f in watcher.fetchers)
        helper_cpu0 = triager.helper.cpu_seconds()
        ticks0 = machine_ticks()
        t0, cpu0 = time.perf_counter(), time.process_time()
        with watcher.upkeep():
            stats = watcher.run_once()
            stored = time.perf_counter() - t0
            indexer = watcher.indexer
        wall = time.perf_counter() - t0
        ticks1 = machine_ticks()
        cpu = time.process_time() - cpu0
        helper_cpu = triager.helper.cpu_seconds() - helper_cpu0
        fetched_apart = bool(watcher.fetchers)
        fetch_cpu = sum(process_cpu(f.pid) for f in watcher.fetchers) - fetch_cpu0
    new = sum(s.new for s in stats.values())
    fetch = sum(s.fetch_seconds for s in stats.values())
    parse = sum(s.parse_seconds for s in stats.values())
    commit = sum(s.store_seconds for s in stats.values())
    where = "fetch processes" if fetched_apart else "fetch threads"
    print(f"model: {model}; triage helper process: {'yes' if helper else 'no'};"
          f" pages fetched in the {where}, every source at once")
    if args.history:
        print(f"the store held {args.history:,} earlier mentions over the"
              f" {args.history_days:g} days before")
    for name, s in stats.items():
        print(f"  {name}: {s.pages} pages, {s.new} new, {s.duplicates} duplicates, "
              f"{s.quarantined} quarantined, errors {s.errors or 'none'}")
    print(f"ingested {new} mentions in {wall:.2f}s: {new / wall:,.0f} mentions/s, stored,"
          f" triaged, flagged and searchable (target >= 5,000/s)")
    print(f"  in the queue after {stored:.2f}s ({new / stored:,.0f}/s); the search index"
          f" ({indexer.indexed if indexer else 0} rows, on its own thread, CPU"
          f" {indexer.cpu_seconds if indexer else 0:.2f}s) caught up {wall - stored:.2f}s later")
    print(f"where the time goes (the stages overlap: pages are fetched and parsed in the"
          f" {where}\n(fetch and parse: each source's wall time, added up), and classified"
          f" and rule-checked in the\nhelper process, while the store loop flags and"
          f" stores):")
    rows = (
        (f"fetch: HTTP incl. profiles ({where})", fetch),
        (f"parse ({where})", parse),
        ("classify + phrase rules (helper CPU)", helper_cpu),
        ("flag: history, priority (store loop)", flag.seconds),
        ("store: insert, audit, cursor (store loop)",
         commit - flag.seconds - helper_wait.seconds),
        ("store loop waiting for pages", page_wait[0]),
        ("store loop waiting for the helper", helper_wait.seconds),
    )
    for label, secs in rows:
        print(f"  {label:44s} {secs:6.2f}s")
    print(f"CPU time: calmreply's main process (all its threads) {cpu:.2f}s, its helper"
          f" {helper_cpu:.2f}s, its fetch processes {fetch_cpu:.2f}s; the fake servers'"
          f" (not calmreply's) {server_cpu[0]:.2f}s")
    steal = None
    if ticks0 is not None and ticks1 is not None and ticks1[0] > ticks0[0]:
        total, idle, stolen = (b - a for a, b in zip(ticks0, ticks1, strict=True))
        steal = stolen / total
        hz = os.sysconf("SC_CLK_TCK")
        print(f"the machine's cores were idle {idle / total:.0%} of the run, and lost"
              f" {stolen / hz:.2f}s ({steal:.0%} of their time) to other guests of the"
              f" hypervisor (steal)")
    return new / wall, steal


if __name__ == "__main__":
    main()
