"""watch, sources check, quarantine, post: listening to the networks and answering."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from triage.commands.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_PARTIAL,
    current_user,
    err,
    open_store,
)


class _RedactingFilter(logging.Filter):
    """Scrub secret values from every log line, whatever logged it."""

    def __init__(self, redact) -> None:
        super().__init__()
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        return True


def _setup_logging(verbose: bool, redact) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("calmreply: %(message)s"))
    handler.addFilter(_RedactingFilter(redact))
    root = logging.getLogger("calmreply")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    root.propagate = False


def _load(args: argparse.Namespace):
    from triage.ingest.config import load_config

    return load_config(args.config)


def cmd_watch(args: argparse.Namespace) -> int:
    from triage.classifier import Classifier, ModelError
    from triage.escalate import Escalator
    from triage.ingest.config import ConfigError
    from triage.ingest.http import Redactor
    from triage.ingest.watch import Watcher
    from triage.pipeline import Triager

    try:
        cfg = _load(args)
    except ConfigError as exc:
        err(str(exc))
        return EXIT_ERROR
    if not cfg.sources:
        err(f"{cfg.path} has no [[sources]]; add one (see the README, 'Sources')")
        return EXIT_ERROR
    redact = Redactor(cfg.secrets())  # shared: learns session tokens as they arrive
    _setup_logging(args.verbose, redact)
    try:
        classifier = Classifier.load(args.model_dir)
    except ModelError as exc:
        err(str(exc))
        return EXIT_ERROR
    cycles = 1 if args.once else args.cycles
    interval = cfg.interval if args.interval is None else args.interval
    with open_store(args) as store:
        triager = Triager(store, classifier, Escalator.load())
        triager.start_helper()   # classifies the next batch while one is stored
        # pages are fetched in a process of their own too, while this one stores
        watcher = Watcher.from_config(cfg, triager, redact=redact, fetch_process=True)
        try:
            totals = watcher.run(interval, cycles=cycles,
                                 echo=lambda line: print(line, flush=True))
        finally:
            watcher.close()
            triager.close()
    failed = [name for name, s in totals.items() if s.errors]
    return EXIT_PARTIAL if failed else EXIT_OK


def cmd_sources_check(args: argparse.Namespace) -> int:
    from triage.ingest import bluesky, mastodon
    from triage.ingest.config import ConfigError
    from triage.ingest.http import HttpClient, Redactor, RetryPolicy, SourceError

    try:
        cfg = _load(args)
    except ConfigError as exc:
        err(str(exc))
        return EXIT_ERROR
    redact = Redactor(cfg.secrets())
    # one quick try each: a check should answer in seconds, not back off for minutes
    policy = RetryPolicy(attempts=1, timeout=min(cfg.http.timeout, 10.0),
                         connect_timeout=min(cfg.http.connect_timeout, 5.0), max_wait=0)
    bad = 0
    for src in cfg.sources:
        client = HttpClient(policy=policy, redact=Redactor(cfg.secrets()))
        module = mastodon if src.kind == "mastodon" else bluesky
        try:
            print(f"ok    {src.name}: {module.check(src, client)}")
        except SourceError as exc:
            bad += 1
            print(f"FAIL  {src.name}: {redact(str(exc))}")
        finally:
            client.close()
    if not cfg.sources:
        print(f"{cfg.path} has no [[sources]]")
    return EXIT_ERROR if bad else EXIT_OK


def cmd_quarantine(args: argparse.Namespace) -> int:
    from triage.ingest.quarantine import quarantined
    from triage.safe_text import one_line, strip_controls

    with open_store(args) as store:
        rows = quarantined(store, limit=args.limit)
    if args.json:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False))
        return EXIT_OK
    if not rows:
        print("quarantine is empty")
        return EXIT_OK
    for r in rows:
        print(f"#{r['id']}  {r['at'][:19]}  {strip_controls(r['source'])}")
        print(f"    error: {one_line(r['error'], 200)}")
        if args.raw:
            print(f"    raw:   {one_line(r['raw'], 400)}")
    return EXIT_OK


def cmd_post(args: argparse.Namespace) -> int:
    from triage.ingest.config import ConfigError
    from triage.ingest.posting import PostingError, post_reply

    try:
        cfg = _load(args)
    except ConfigError as exc:
        err(str(exc))
        return EXIT_ERROR
    with open_store(args) as store:
        try:
            posted = post_reply(store, cfg, args.mention_id, args.user)
        except PostingError as exc:
            err(str(exc))
            return EXIT_ERROR
    print(f"posted reply to mention {args.mention_id}: status {posted.status_id} {posted.url}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    config_help = "team config TOML (default: $CALMREPLY_CONFIG or the user config dir)"

    p = sub.add_parser("watch", help="poll the configured sources; triage and store new "
                                     "mentions")
    p.add_argument("--config", help=config_help)
    p.add_argument("--once", action="store_true", help="poll each source once and stop")
    p.add_argument("--cycles", type=int, default=None, help="stop after N polls")
    p.add_argument("--interval", type=float, default=None,
                   help="seconds between polls (default: [watch] interval in the config)")
    p.add_argument("--model-dir", default=None, help="use the model in this folder")
    p.add_argument("-v", "--verbose", action="store_true", help="log retries and waits")
    p.set_defaults(func=cmd_watch)

    p = sub.add_parser("sources", help="test the configured sources")
    ssub = p.add_subparsers(dest="sources_command", metavar="ACTION", required=True)
    c = ssub.add_parser("check", help="try each source once and say what is wrong")
    c.add_argument("--config", help=config_help)
    c.set_defaults(func=cmd_sources_check)

    p = sub.add_parser("quarantine", help="list items that could not be read")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--raw", action="store_true", help="show the start of each raw item")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(func=cmd_quarantine)

    p = sub.add_parser("post", help="post an approved reply to Mastodon (if the team "
                                    "config turns posting on)")
    p.add_argument("mention_id", type=int)
    p.add_argument("--config", help=config_help)
    p.add_argument("--as", dest="user", default=current_user(),
                   help="who is posting (audited)")
    p.set_defaults(func=cmd_post)
