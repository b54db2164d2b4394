"""Run Python's cycle collector less often while a backlog is ingested.

Reference counting frees almost everything ingest allocates; the cycle collector is
for the rare reference cycle.  But it runs every 700 net allocations, and a backlog
allocates in bursts that live until their batch is stored: per 20k mentions it ran
~430 times in the store loop, three of them full passes over everything loaded (the
model, the rules), ~0.45 s in all, a tenth of the store loop's time.  After 20,000
net allocations instead it runs a few times (~0.02 s); the cycles it finds later
hold a few kilobytes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

BACKLOG_THRESHOLD = 20_000   # net allocations between young-generation collections


def for_backlog() -> None:
    """For a process whose whole job is ingest (the triage helper, a fetch process)."""
    gc.set_threshold(BACKLOG_THRESHOLD, *gc.get_threshold()[1:])


@contextmanager
def backlog() -> Iterator[None]:
    """The same while `watch` polls, and the previous thresholds afterwards."""
    before = gc.get_threshold()
    for_backlog()
    try:
        yield
    finally:
        gc.set_threshold(*before)
