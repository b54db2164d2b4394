"""import: getting mentions in from files; and the demo data loader."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from triage.commands.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_PARTIAL,
    current_user,
    err,
    open_store,
)
from triage.paths import demo_feed, user_data_dir


def import_file(store, path: str | Path, actor: str = "import",
                batch_size: int = 500, echo: Callable[[str], None] | None = None):
    """Import a file into the store; returns (BatchReport, bad records)."""
    from triage.ingest.files import BadRecord, read_mentions
    from triage.ingest.quarantine import quarantine
    from triage.pipeline import BatchReport, Triager
    from triage.search_index import LOUD_BACKLOG

    triager = Triager.open(store)
    total = BatchReport()
    bad: list[BadRecord] = []
    batch = []
    for item in read_mentions(path):
        if isinstance(item, BadRecord):
            bad.append(item)
            quarantine(store, f"file:{path}", item.raw, f"{item.where}: {item.error}")
            if echo:
                echo(str(item))
            continue
        batch.append(item)
        if len(batch) >= batch_size:
            total.add(triager.ingest(batch, actor=actor))
            batch = []
    if batch:
        total.add(triager.ingest(batch, actor=actor))
    left = store.search_backlog()
    if echo and left >= LOUD_BACKLOG:
        echo(f"making {left:,} mentions searchable (once, after an upgrade or a large"
             " import); Ctrl-C leaves them for later, and search finds them meanwhile,"
             " only slower")
    store.index_search()   # the file's mentions are searchable when the import returns
    return total, bad


def cmd_import(args: argparse.Namespace) -> int:
    from triage.classifier import ModelError

    try:
        with open_store(args) as store:
            report, bad = import_file(store, args.file, actor=args.actor, echo=err)
    except FileNotFoundError:
        err(f"{args.file}: no such file")
        return EXIT_ERROR
    except ModelError as exc:
        err(str(exc))
        return EXIT_ERROR
    labels = ", ".join(f"{k} {v}" for k, v in sorted(report.by_label.items()))
    print(f"imported {report.new} new, {report.duplicates} already stored, "
          f"{len(bad)} bad (quarantined), {report.escalated} escalated"
          + (f" — {labels}" if labels else ""))
    return EXIT_PARTIAL if bad else EXIT_OK


def demo_db_path() -> Path:
    return user_data_dir() / "demo.db"


def load_demo(db: Path) -> None:
    """Make a fresh demo database from the bundled sample feed."""
    from triage.store import Store

    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    with Store(db) as store:
        report, _bad = import_file(store, demo_feed(), actor="demo")
    print(f"demo database {db}: {report.new} mentions, {report.escalated} escalated")


def register(sub: argparse._SubParsersAction) -> None:
    user = current_user()
    p = sub.add_parser("import", help="import mentions from a JSONL or CSV file ('-' = stdin)")
    p.add_argument("file", help="path to a .jsonl or .csv file, or - for stdin")
    p.add_argument("--actor", default=user, help="name recorded in the audit log")
    p.set_defaults(func=cmd_import)
