"""Keeping the free-text search index caught up, on a thread of its own.

Ingest stores mentions without indexing them (migration 0010): indexing is the most
expensive part of storing a post, and it is not needed for a mention to reach the
queue; until it is indexed, search tests it directly.  `SearchIndexer` runs
`Store.index_search` on its own connection, so SQLite does the indexing on the second
core while the ingest thread fetches, classifies and flags the next batch.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from triage.store import Store

log = logging.getLogger("calmreply.search")


class SearchIndexer:
    """A background thread that indexes new mentions until stopped.

    `poke()` after committing new mentions wakes it; `stop()` waits until the index
    has caught up (or, with ``catch_up=False``, only for the chunk in hand).
    """

    def __init__(self, db_path: str | Path, chunk: int = 1000, idle_seconds: float = 0.5
                 ) -> None:
        self.db_path = Path(db_path)
        self.chunk = chunk
        self.idle_seconds = idle_seconds
        self.indexed = 0
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
        try:
            with Store(self.db_path) as store:
                while True:
                    n = store.index_search(self.chunk, limit=self.chunk)
                    self.indexed += n
                    if self._stopping.is_set():
                        if n and self._catch_up:
                            continue   # stopping: catch up without pausing
                        return
                    # one chunk per poke (or per idle pause): the writer, not the
                    # indexer, gets the database lock whenever it wants it
                    self._wake.wait(self.idle_seconds)
                    self._wake.clear()
        except Exception as exc:  # noqa: BLE001 - search falls back to scanning; say why
            self.error = f"search indexing stopped: {exc}"
            log.warning("%s", self.error)
