"""Items that could not be read are kept, with their raw text and the error, not lost."""

from __future__ import annotations

from triage.store import Store
from triage.timeutil import to_db, utcnow


def quarantine(store: Store, source: str, raw: str, error: str) -> None:
    with store.write() as conn:
        conn.execute("INSERT INTO quarantine (source, raw, error, at) VALUES (?,?,?,?)",
                     (source, raw, error, to_db(utcnow())))


def quarantined(store: Store, limit: int = 100) -> list[dict]:
    return [dict(r) for r in store.query(
        "SELECT id, source, error, raw, at FROM quarantine ORDER BY id DESC LIMIT ?", (limit,))]
