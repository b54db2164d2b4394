"""Export throughput and peak memory for a large database (default 1,000,000 mentions).

    python benchmarks/export_throughput.py [--n 1000000] [--repeat 3] [--db PATH] [--keep]

Builds the database once (executemany in big transactions, with a real hash-chained
audit entry per mention), then exports every format in its own subprocess and prints
mentions/s and that subprocess's peak RSS (VmHWM): the median of ``--repeat`` runs,
with the 1-minute load average before and after (other work on the machine skews it).
A constant-memory export has the same peak at 100k and at 1M mentions: run with
--n 100000 to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

BATCH = 50_000
WORDS = ("app down again", "love the new card", "worst bank ever", "payments failing",
         "thanks for the help", "my lawyer will hear", "CEO should resign", "login spins")


def build(path: Path, n: int) -> None:
    from triage.audit_chain import GENESIS, entry_hash
    from triage.store import Store
    from triage.timeutil import to_db

    Store(path).close()  # schema
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    rnd = random.Random(7)
    t0 = datetime(2026, 11, 20, tzinfo=UTC)
    prev, seq = GENESIS, 0
    conn.execute("INSERT INTO incidents (kind, title, opened_at) VALUES ('outage', 'bench', ?)",
                 (to_db(t0),))
    for start in range(1, n + 1, BATCH):
        ids = range(start, min(n, start + BATCH - 1) + 1)
        mentions, triage, flags, audit, members = [], [], [], [], []
        for i in ids:
            created = to_db(t0 + timedelta(seconds=i))
            label = ("troll", "complaint", "engagement")[i % 3]
            kinds = ["leader"] if i % 10 == 0 else []
            text = f"{rnd.choice(WORDS)} #{i} @user{i % 5000}"
            mentions.append((i, "mastodon", str(i), f"https://social.example/@u{i % 5000}/{i}",
                             f"@u{i % 5000}@social.example", f"User {i % 5000}", i % 9000,
                             text, created, json.dumps({"id": str(i), "content": text}),
                             created, "triaged", label, 0.8, ",".join(kinds), 0.8))
            triage.append((i, label, json.dumps({label: 0.8}), "bench", created))
            flags += [(i, k, "bench") for k in kinds]
            seq += 1
            entry = {"seq": seq, "at": created, "actor": "triage", "mention_id": i,
                     "action": "transition", "before": "new", "after": "triaged",
                     "detail": json.dumps({"label": label})}
            digest = entry_hash(prev, entry)
            audit.append((*entry.values(), prev, digest))
            prev = digest
            if i % 4 == 0:
                members.append((1, i))
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO mentions (id, platform, platform_id, url, author_handle, author_name,"
            " author_followers, text, created_at, raw, ingested_at, state, label, confidence,"
            " flag_kinds, priority) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", mentions)
        conn.executemany("INSERT INTO triage (mention_id, label, probabilities, model_version,"
                         " triaged_at) VALUES (?,?,?,?,?)", triage)
        conn.executemany("INSERT INTO flags (mention_id, kind, reason) VALUES (?,?,?)", flags)
        conn.executemany("INSERT INTO audit (seq, at, actor, mention_id, action, before, after,"
                         " detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)", audit)
        conn.executemany("INSERT INTO incident_mentions VALUES (?,?)", members)
        conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with Store(path) as store:   # rows written by hand: count them for the queue
        store.recount()


def child(db: str, fmt: str, out: str, redact: bool) -> None:
    """Run one export and report (n, seconds, peak RSS MiB) as JSON on stdout."""
    from triage.export import Redactor, export
    from triage.store import Store

    with Store(db) as store, open(out, "w", encoding="utf-8") as fh:
        t = time.perf_counter()
        n = export(store, fh, fmt, redactor=Redactor(b"b" * 32) if redact else None,
                   progress=True)
        secs = time.perf_counter() - t
    print(json.dumps({"n": n, "seconds": secs, "peak_mib": _peak_mib()}))


def _peak_mib() -> float:
    """This process's peak RSS.  VmHWM belongs to the exec'd image; ru_maxrss would also
    count the parent's RSS at fork time (the parent that just built a 1M database)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--db", type=Path)
    ap.add_argument("--keep", action="store_true", help="keep the database for next time")
    ap.add_argument("--repeat", type=int, default=3, help="runs per format (median printed)")
    ap.add_argument("--formats", default="jsonl,csv,markdown",
                    help="comma-separated formats to measure (default: %(default)s)")
    ap.add_argument("--child", nargs=4, metavar=("DB", "FMT", "OUT", "REDACT"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        db, fmt, out, redact = args.child
        child(db, fmt, out, redact == "1")
        return
    tmp = Path(tempfile.mkdtemp(prefix="calmreply-bench-"))
    db = args.db or tmp / f"bench-{args.n}.db"
    if not db.exists():
        t = time.perf_counter()
        build(db, args.n)
        print(f"built {args.n:,} mentions in {time.perf_counter() - t:.1f} s ({db})")
    print(f"load average before: {os.getloadavg()[0]:.2f}; median of {args.repeat} run(s)")
    print(f"{'format':<10} {'redacted':<9} {'mentions':>10} {'seconds':>8} {'mentions/s':>11}"
          f" {'min..max/s':>17} {'peak RSS MiB':>13} {'output MiB':>11}")
    for fmt in args.formats.split(","):
        for redact in (False, True) if fmt == "jsonl" else (False,):
            out = tmp / f"out.{fmt}"
            runs = []
            for _ in range(args.repeat):
                proc = subprocess.run(
                    [sys.executable, __file__, "--child", str(db), fmt, str(out),
                     "1" if redact else "0"], capture_output=True, text=True, check=True)
                runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
                size = out.stat().st_size / 2**20
                out.unlink()
            n = runs[0]["n"]
            rates = sorted(r["n"] / r["seconds"] for r in runs)
            secs = statistics.median(r["seconds"] for r in runs)
            peak = statistics.median(r["peak_mib"] for r in runs)
            print(f"{fmt:<10} {'yes' if redact else 'no':<9} {n:>10,} {secs:>8.1f} "
                  f"{statistics.median(rates):>11,.0f} "
                  f"{f'{rates[0]:,.0f}..{rates[-1]:,.0f}':>17} {peak:>13.1f} {size:>11.1f}",
                  flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if not args.keep and args.db is None:
        for p in tmp.iterdir():
            p.unlink()
        tmp.rmdir()


if __name__ == "__main__":
    main()
