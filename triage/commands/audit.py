"""audit verify: recompute the hash chain and name any edited, deleted or moved entry."""

from __future__ import annotations

import argparse
import sqlite3

from triage.commands.common import EXIT_ERROR, EXIT_OK, db_path, err


def cmd_verify(args: argparse.Namespace) -> int:
    from triage.audit_verify import ChainHead, verify

    expected = ChainHead.parse(args.head) if args.head else None
    path = db_path(args)
    if not path.is_file():
        err(f"{path}: no such database; pass --db PATH")
        return EXIT_ERROR
    # read-only and without the Store: verification must not migrate, seal or write
    conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
    try:
        report = verify(conn, expected)
    except sqlite3.DatabaseError as exc:
        err(f"{path}: cannot read the audit log ({exc})")
        return EXIT_ERROR
    finally:
        conn.close()
    for line in report.lines():
        print(line)
    if expected is not None and report.ok:
        print(f"the export's chain head seq {expected.seq} matches the database")
    return EXIT_OK if report.ok else EXIT_ERROR


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="check the tamper-evident audit log")
    asub = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    v = asub.add_parser("verify", help="recompute the hash chain; exit 1 and name the "
                                       "entries if any was edited, deleted or reordered")
    v.add_argument("--head", metavar="SEQ:HASH",
                   help="the chain head printed in an export: also check the database "
                        "still has it")
    v.set_defaults(func=cmd_verify)
