"""The `calmreply` command line.  Subcommands live in `triage.commands.*`."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

import triage.commands
from triage import __version__
from triage.commands.common import EXIT_ERROR, EXIT_OK, err
from triage.paths import default_db_path

# the order commands are listed in --help; modules not named here follow, sorted
_ORDER = ("core", "model", "export")


def _command_modules() -> list[str]:
    found = [m.name for m in pkgutil.iter_modules(triage.commands.__path__)
             if m.name != "common"]
    return [n for n in _ORDER if n in found] + sorted(n for n in found if n not in _ORDER)


def _plugin_modules() -> list[object]:
    """Command modules other packages register (the terminal UI registers demo/queue)."""
    from importlib.metadata import entry_points

    loaded = []
    for ep in sorted(entry_points(group="calmreply.commands"), key=lambda e: e.name):
        try:
            loaded.append(ep.load())
        except ImportError as exc:  # a broken plugin must not take the CLI down
            err(f"commands from {ep.value} are unavailable ({exc}); reinstall calmreply")
    return loaded


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="calmreply",
        description="Triage mentions of your company and its leaders, and draft calm, "
                    "approved replies.")
    parser.add_argument("--version", action="version", version=f"calmreply {__version__}")
    parser.add_argument("--db", help="database file (default: $CALMREPLY_DB or "
                                     f"{default_db_path()})")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _command_modules():
        importlib.import_module(f"triage.commands.{name}").register(sub)
    for module in _plugin_modules():
        module.register(sub)  # type: ignore[attr-defined]
    for command in sub.choices.values():  # `--db` works after the subcommand too
        _add_db_option(command)
    return parser


def _add_db_option(parser: argparse.ArgumentParser) -> None:
    if any("--db" in a.option_strings for a in parser._actions):
        return
    parser.add_argument("--db", default=argparse.SUPPRESS, help="database file")
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for nested in action.choices.values():
                _add_db_option(nested)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_OK
    from triage.store import StoreError

    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except (StoreError, PermissionError, ValueError) as exc:  # a clear line, not a traceback
        err(str(exc))
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
