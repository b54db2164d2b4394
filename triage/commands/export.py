"""export: incident logs for leadership (Markdown), spreadsheets (CSV), the record (JSONL)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from triage.commands.common import EXIT_OK, db_path, open_store

_SUFFIX_FORMAT = {".md": "markdown", ".markdown": "markdown", ".csv": "csv",
                  ".jsonl": "jsonl", ".json": "jsonl"}


def _time(value: str) -> datetime:
    from triage.mention import MentionError, parse_time

    try:
        return parse_time(value)
    except MentionError as exc:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a time; use ISO-8601, e.g. 2026-11-20T07:10Z") from exc


def cmd_export(args: argparse.Namespace) -> int:
    from triage.export import ExportFilter, Redactor, export
    from triage.export.redact import key_path_for, load_or_create_key

    fmt = args.format
    if fmt is None:
        suffix = "" if args.output in (None, "-") else "." + args.output.rsplit(".", 1)[-1]
        fmt = _SUFFIX_FORMAT.get(suffix.lower(), "jsonl")
    flt = ExportFilter(incident_id=args.incident, since=args.since, until=args.until,
                       state=args.state, flag=args.flag, label=args.label,
                       leader=args.leader)
    redactor = None
    if args.redact:
        from pathlib import Path

        key_file = Path(args.redact_key) if args.redact_key else key_path_for(db_path(args))
        redactor = Redactor(load_or_create_key(key_file))
    with open_store(args) as store:
        if args.output in (None, "-"):
            n = export(store, sys.stdout, fmt, flt=flt, redactor=redactor,
                       progress=not args.quiet)
        else:
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                n = export(store, out, fmt, flt=flt, redactor=redactor,
                           progress=not args.quiet)
            print(f"exported {n} mentions to {args.output} ({fmt}"
                  + (", redacted" if redactor else "") + ")", file=sys.stderr)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    from triage.export import FORMATS

    p = sub.add_parser(
        "export", help="export an incident log (Markdown, CSV or JSONL)",
        description="Export mentions with their triage, replies, approvals and audit trail. "
                    "Every export names the audit chain head and the command that "
                    "verifies it.")
    p.add_argument("--format", choices=FORMATS,
                   help="default: from the --output suffix (.md, .csv, .jsonl), else jsonl")
    p.add_argument("-o", "--output", help="output file (default: stdout)")
    p.add_argument("--incident", type=int, metavar="ID", help="only this incident")
    p.add_argument("--since", type=_time, metavar="TIME",
                   help="posted at or after TIME (ISO-8601, UTC if no zone)")
    p.add_argument("--until", type=_time, metavar="TIME", help="posted before TIME")
    p.add_argument("--state", help="only mentions in this workflow state")
    p.add_argument("--flag", help="only mentions with this flag (e.g. legal, threat)")
    p.add_argument("--label", help="only this class: troll, complaint or engagement")
    p.add_argument("--leader", action="store_true",
                   help="only mentions that name a leader (flag 'leader')")
    p.add_argument("--redact", action="store_true",
                   help="for readers outside the comms team: pseudonymise authors, leave "
                        "out raw payloads and personal data")
    p.add_argument("--redact-key", metavar="FILE",
                   help="pseudonym key file (default: beside the database; created once)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=cmd_export)
