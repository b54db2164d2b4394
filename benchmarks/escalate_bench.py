"""Escalation cost: mentions per second through `Escalator.assess_batch`.

Prints (1) the per-mention rules alone, (2) the full batch path with history
queries and incidents against a real SQLite store (the classifier replaced by a
constant so only escalation and storage are measured) and (3) the time inside
`assess_batch` alone, in µs per mention (median of several runs; the budget for
issue 5's ingest target is 40 µs), with the load average, since the machine is shared.
Run:
    /work/venv/bin/python benchmarks/escalate_bench.py [N] [RUNS]
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from triage.escalate import Escalator
from triage.mention import Mention
from triage.pipeline import Triager
from triage.store import Store
from triage.verdict import Assessment, Verdict

TEXTS = [
    "@northwindrail the 07:40 from Cadwell is late again, third time this week",
    "Thanks to the conductor on the 08:03, brilliant service @northwindrail.bsky.social",
    "Dana Okafor must resign. #SackOkafor",
    "I'm not going to sue, I just want my refund of £46.20 @northwindrail",
    "signal failure at Elm Park, nothing moving, no announcements",
    "Can I take a folding bike on peak services? The website is vague",
    "Reporter at the Gazette here, could your press office comment?",
    "See you in court, Northwind. I've kept every ticket.",
]


class NoEscalation:
    """The pipeline's own cost (dedup, insert, triage rows, audit) without any escalation."""

    rules = None

    def assess_batch(self, mentions, verdicts, store=None, **kw):
        return [Assessment() for _ in mentions]


class Constant:
    def predict(self, texts):
        return [Verdict("complaint", {"complaint": 0.8}, "bench") for _ in texts]


def mentions(n: int) -> list[Mention]:
    rnd = random.Random(7)
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        at = t0 + timedelta(seconds=i * 20)
        out.append(Mention("mastodon", str(i), rnd.choice(TEXTS) + f" #{i}", at,
                           author_handle=f"@u{rnd.randrange(n // 3)}",
                           author_followers=rnd.choice([3, 80, 400, 5000, 250_000]),
                           author_created_at=at - timedelta(days=rnd.choice([2, 400]))))
    return out


class TimedEscalator:
    """Wraps an escalator and adds up the wall and CPU time spent in `assess_batch`."""

    def __init__(self, escalator: Escalator) -> None:
        self.escalator = escalator
        self.rules = escalator.rules
        self.wall = 0.0
        self.cpu = 0.0

    def assess_batch(self, mentions, verdicts, store=None, **kw):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return self.escalator.assess_batch(mentions, verdicts, store, **kw)
        finally:
            self.wall += time.perf_counter() - wall
            self.cpu += time.process_time() - cpu


def escalate_only(esc: Escalator, ms: list[Mention], n: int) -> tuple[float, float]:
    """µs per mention inside `assess_batch` (wall, CPU), batches of 500."""
    timed = TimedEscalator(esc)
    with tempfile.TemporaryDirectory() as d:
        store = Store(Path(d) / "bench.db")
        triager = Triager(store, Constant(), timed)
        for i in range(0, n, 500):
            triager.ingest(ms[i:i + 500])
        store.close()
    for m in ms:
        m.id = None
    return timed.wall * 1e6 / n, timed.cpu * 1e6 / n


def main(n: int = 20_000, runs: int = 3) -> None:
    esc = Escalator.load()
    ms = mentions(n)
    verdicts = Constant().predict([m.text for m in ms])
    t = time.perf_counter()
    for m, v in zip(ms, verdicts, strict=True):
        esc.assess(m, v)
    dt = time.perf_counter() - t
    print(f"rules only:       {n / dt:10,.0f} mentions/s ({dt * 1e6 / n:.1f} µs each)")
    for name, escalator in (("store only:      ", NoEscalation()), ("store+escalate:  ", esc)):
        with tempfile.TemporaryDirectory() as d:
            store = Store(Path(d) / "bench.db")
            triager = Triager(store, Constant(), escalator)
            t = time.perf_counter()
            for i in range(0, n, 500):
                triager.ingest(ms[i:i + 500])
            dt = time.perf_counter() - t
            print(f"{name} {n / dt:10,.0f} mentions/s (batches of 500, history queries,"
                  " incidents, triage rows)")
            store.close()
        for m in ms:
            m.id = None
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = escalate_only(esc, ms, n)
        walls.append(wall)
        cpus.append(cpu)
    print(f"escalate only:    {statistics.median(walls):10.1f} µs per mention wall, "
          f"{statistics.median(cpus):.1f} µs CPU (assess_batch, batches of 500, median of "
          f"{runs}; budget 40 µs); load average {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} cores")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000,
         int(sys.argv[2]) if len(sys.argv) > 2 else 3)
