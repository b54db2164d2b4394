"""export: mentions and their triage, for people outside the tool."""

from __future__ import annotations

import argparse
import sys

from triage.commands.common import EXIT_OK, open_store


def cmd_export(args: argparse.Namespace) -> int:
    from triage.export import export

    with open_store(args) as store:
        if args.output in (None, "-"):
            n = export(store, sys.stdout, fmt=args.format)
        else:
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                n = export(store, out, fmt=args.format)
            print(f"exported {n} mentions to {args.output}", file=sys.stderr)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="export mentions and their triage")
    p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    p.add_argument("-o", "--output", help="output file (default: stdout)")
    p.set_defaults(func=cmd_export)
