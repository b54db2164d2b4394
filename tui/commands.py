"""The UI's own subcommands (`demo`, `queue`), plugged into the core CLI.

The core never imports the UI; instead pyproject.toml registers this module under the
`calmreply.commands` entry-point group, and `triage.cli` loads whatever is registered.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from triage.commands.common import EXIT_OK, current_user, db_path
from triage.commands.core import demo_db_path, load_demo


def run_queue(db: Path, user: str) -> int:
    from tui.app import CalmReplyApp

    CalmReplyApp(db_path=db, user=user).run()
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    db = Path(args.db).expanduser() if args.db else demo_db_path()
    load_demo(db)
    if args.no_ui:
        return EXIT_OK
    return run_queue(db, args.user)


def cmd_queue(args: argparse.Namespace) -> int:
    return run_queue(db_path(args), args.user)


def register(sub: argparse._SubParsersAction) -> None:
    user = current_user()
    p = sub.add_parser("demo", help="load the bundled sample feed into a fresh demo "
                                    "database and open the queue")
    p.add_argument("--no-ui", action="store_true", help="load the demo data only")
    p.add_argument("--as", dest="user", default=user, help="who you are (default: %(default)s)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("queue", help="open the triage queue (terminal UI)")
    p.add_argument("--as", dest="user", default=user,
                   help="who you are; leaders named as approvers in the team config see "
                        "the approvals screen (default: %(default)s)")
    p.set_defaults(func=cmd_queue)
