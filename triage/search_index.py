"""Keeping the free-text search index caught up, on a thread of its own.

Ingest stores mentions without indexing them (migration 0010): indexing is the most
expensive part of storing a post, and it is not needed for a mention to reach the
queue; until it is indexed, search tests it directly.  `SearchIndexer` runs
`Store.index_search` on a thread, in small chunks: SQLite indexes with Python's lock
released, on the second core, while the ingest thread fetches, classifies and flags.

Given the ingest's own `Store`, the indexer takes turns with it on the store's lock,
which hands over at once (two connections would meet at SQLite's busy handler, which
sleeps in growing steps); given a path, it opens a connection of its own.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from triage.store import Store

log = logging.getLogger("calmreply.search")

# a backlog worth a word to the officer before a command waits for it (~1 s a 100k)
LOUD_BACKLOG = 100_000


class SearchIndexer:
    """A background thread that indexes new mentions until stopped.

    `poke()` after committing new mentions wakes it; `stop()` waits until the index
    has caught up (or, with ``catch_up=False``, only for the chunk in hand).
    """

    def __init__(self, db: Store | str | Path, chunk: int = 1000, idle_seconds: float = 0.5
                 ) -> None:
        self.db = db
        self.chunk = chunk
        self.idle_seconds = idle_seconds
        self.indexed = 0
        self.cpu_seconds = 0.0  # the thread's CPU time, once stopped (for benchmarks)
        self.error: str | None = None
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._catch_up = True
        self._thread = threading.Thread(target=self._run, name="calmreply-search-index",
                                        daemon=True)

    def start(self) -> SearchIndexer:
        self._thread.start()
        return self

    def poke(self) -> None:
        self._wake.set()

    def stop(self, *, catch_up: bool = True) -> int:
        """Stop the thread (after indexing everything, by default); returns rows indexed."""
        self._catch_up = catch_up
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join()
        return self.indexed

    def __enter__(self) -> SearchIndexer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop(catch_up=exc[0] is None)

    def _run(self) -> None:
        started = time.thread_time()
        try:
            if isinstance(self.db, Store):
                self._index(self.db)
            else:
                with Store(self.db) as store:
                    self._index(store)
        except Exception as exc:  # noqa: BLE001 - search falls back to scanning; say why
            self.error = f"search indexing stopped: {exc}"
            log.warning("%s", self.error)
        finally:
            self.cpu_seconds = time.thread_time() - started

    def _index(self, store: Store) -> None:
        while True:
            n = store.index_search(self.chunk, limit=self.chunk)
            self.indexed += n
            if n and (self._catch_up or not self._stopping.is_set()):
                time.sleep(0.001)   # let a waiting writer take the lock first
                continue
            if self._stopping.is_set():
                return
            self._wake.wait(self.idle_seconds)
            self._wake.clear()
