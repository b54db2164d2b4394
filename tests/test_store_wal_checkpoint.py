"""While watch runs, the ingest connection leaves checkpoints to a background thread."""

import os

from tests.conftest import make_mention
from triage.store import Store
from triage.wal_checkpoint import Checkpointer


def wal_size(path) -> int:
    try:
        return os.stat(f"{path}-wal").st_size
    except OSError:
        return 0


def test_checkpoints_happen_off_the_writer(tmp_path):
    path = tmp_path / "w.db"
    store = Store(path)
    reader = Store(path)   # a reader holds no snapshot between queries
    store.set_autocheckpoint(0)
    big = "x" * 2000
    for b in range(10):
        store.add_mentions([make_mention(b * 100 + i, f"{big} {b} {i}") for i in range(100)])
    assert wal_size(path) > 2 << 20          # the writer left its pages in the log
    assert os.stat(path).st_size < 1 << 20     # and none in the database file yet
    cp = Checkpointer(path, every_seconds=0.01, min_bytes=1 << 20).start()
    cp.stop()   # stopping checkpoints once more in any case
    assert cp.error is None and cp.checkpoints >= 1
    assert os.stat(path).st_size > 2 << 20     # the log's pages are in the file now
    assert reader.count() == 1000
    store.set_autocheckpoint()
    assert store.query("PRAGMA wal_autocheckpoint")[0][0] == 1000
