"""Where each stream stopped.  Written inside the batch's own transaction, never alone.

A cursor that ran ahead of its batch would skip posts after a crash; one that lagged
behind would only re-fetch posts the store already refuses as duplicates.  So the
watch loop writes a cursor only within the ``store.write()`` that stores its batch.
"""

from __future__ import annotations

from triage.store import Store
from triage.timeutil import to_db, utcnow


def get_cursor(store: Store, key: str) -> str | None:
    rows = store.query("SELECT cursor FROM cursors WHERE source = ?", (key,))
    return str(rows[0][0]) if rows else None


def set_cursor(store: Store, key: str, cursor: str) -> None:
    with store.write() as conn:
        conn.execute(
            "INSERT INTO cursors (source, cursor, updated_at) VALUES (?,?,?)"
            " ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor,"
            " updated_at = excluded.updated_at",
            (key, cursor, to_db(utcnow())))


def all_cursors(store: Store) -> dict[str, str]:
    return {r[0]: r[1] for r in store.query("SELECT source, cursor FROM cursors ORDER BY source")}
