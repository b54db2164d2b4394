"""Helpers every command module shares: the database path, errors, exit codes."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from triage.paths import default_db_path

EXIT_OK, EXIT_ERROR, EXIT_PARTIAL = 0, 1, 2


def db_path(args: argparse.Namespace) -> Path:
    return Path(args.db).expanduser() if getattr(args, "db", None) else default_db_path()


def open_store(args: argparse.Namespace):
    from triage.store import Store

    return Store(db_path(args))


def err(message: str) -> None:
    print(f"calmreply: {message}", file=sys.stderr)


def current_user() -> str:
    return os.environ.get("CALMREPLY_USER") or os.environ.get("USER") or "officer"
