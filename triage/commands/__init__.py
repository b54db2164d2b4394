"""One module per group of `calmreply` subcommands.

Each module defines ``register(subparsers, common)``; `triage.cli` discovers them, so
adding a command never means editing a shared list.
"""
