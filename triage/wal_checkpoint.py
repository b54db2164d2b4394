"""Moving the write-ahead log into the database file off the ingest's path.

In WAL mode every commit appends to the log, and by default the commit that takes the
log past 1,000 pages copies it into the database file and syncs it (a checkpoint).
During a backlog nearly every batch paid for one: a third of the store's time.  While
`watch` runs, its connection does not checkpoint; `Checkpointer` does, from a thread
with a connection of its own, in PASSIVE mode (it never blocks the writer or the
readers; SQLite's C code runs without Python's lock, on the other core).  When it stops
it checkpoints once more, so the log does not outlive the run.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger("calmreply.store")


class Checkpointer:
    """A background thread that checkpoints the WAL of `db_path` when it has grown."""

    def __init__(self, db_path: str | Path, every_seconds: float = 0.5,
                 min_bytes: int = 8 << 20) -> None:
        self.db_path = Path(db_path)
        self.wal = Path(f"{db_path}-wal")
        self.every_seconds = every_seconds
        self.min_bytes = min_bytes
        self.checkpoints = 0
        self.error: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="calmreply-checkpoint",
                                        daemon=True)

    def start(self) -> Checkpointer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _size(self) -> int:
        try:
            return os.stat(self.wal).st_size
        except OSError:
            return 0

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(str(self.db_path), timeout=30.0, isolation_level=None,
                                   check_same_thread=False)
        except sqlite3.Error as exc:
            self.error = f"no checkpoints: {exc}"
            log.warning("%s", self.error)
            return
        try:
            while not self._stop.wait(self.every_seconds):
                if self._size() >= self.min_bytes:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                    self.checkpoints += 1
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            self.checkpoints += 1
        except sqlite3.Error as exc:   # the writer's own checkpoints resume after stop
            self.error = f"checkpoint failed: {exc}"
            log.warning("%s", self.error)
        finally:
            conn.close()
