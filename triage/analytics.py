"""The "proof" figures: what the team handled and how calmly, from the store alone.

Every figure is computed relative to a given `now`, so a report (and a screenshot of
it) for the same database is the same whenever it is made.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from triage.store import Store
from triage.timeutil import from_db, to_db
from triage.verdict import LABELS

NEGATIVE = ("troll", "complaint")


@dataclass
class Proof:
    days: list[str]
    volume: dict[str, list[int]]  # label -> mentions per day, oldest first
    total: int
    share_negative: float
    median_first_reply_minutes: float | None
    replies_sent: int
    trolls: int
    trolls_unengaged: int
    leader_mentions: int
    top_authors: list[tuple[str, str, int, int]] = field(default_factory=list)
    # (platform, handle, followers, mentions)


def proof(store: Store, now: datetime, days: int = 14, top: int = 5) -> Proof:
    """Figures over the `days` up to `now` (volume) and the whole store (the rest)."""
    start = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0,
                                                     microsecond=0)
    day_keys = [(start + timedelta(days=i)).strftime("%Y-%m-%d") for i in range(days)]
    volume = {label: [0] * days for label in LABELS}
    index = {d: i for i, d in enumerate(day_keys)}
    for day, label, n in store.query(
            "SELECT substr(created_at, 1, 10), COALESCE(label, 'untriaged'), COUNT(*)"
            " FROM mentions WHERE created_at >= ? AND created_at <= ? GROUP BY 1, 2",
            (to_db(start), to_db(now))):
        if label in volume and day in index:
            volume[label][index[day]] = n
    by_label = {r[0]: r[1] for r in store.query(
        "SELECT label, COUNT(*) FROM mentions GROUP BY label")}
    total = sum(by_label.values())
    negative = sum(by_label.get(k, 0) for k in NEGATIVE)
    waits = []
    for created, sent in store.query(
            "SELECT m.created_at, MIN(a.at) FROM audit a JOIN mentions m ON m.id = a.mention_id"
            " WHERE a.action = 'transition' AND a.after = 'sent' GROUP BY a.mention_id"):
        c, s = from_db(created), from_db(sent)
        if c and s:
            waits.append(max(0.0, (s - c).total_seconds() / 60))
    trolls = by_label.get("troll", 0)
    unengaged = int(store.query(
        "SELECT COUNT(*) FROM mentions WHERE label = 'troll' AND state != 'sent'")[0][0])
    leader = int(store.query(
        "SELECT COUNT(DISTINCT mention_id) FROM flags WHERE kind = 'leader'")[0][0])
    authors = [(r[0], r[1], int(r[2]), int(r[3])) for r in store.query(
        "SELECT platform, author_handle, MAX(author_followers), COUNT(*) FROM mentions"
        " GROUP BY platform, author_handle ORDER BY 3 DESC, 2 LIMIT ?", (top,))]
    return Proof(
        days=day_keys, volume=volume, total=total,
        share_negative=(negative / total) if total else 0.0,
        median_first_reply_minutes=statistics.median(waits) if waits else None,
        replies_sent=len(waits), trolls=trolls, trolls_unengaged=unengaged,
        leader_mentions=leader, top_authors=authors)


@dataclass
class IncidentView:
    """One incident with what the incidents screen shows beside it."""

    id: int
    kind: str
    title: str
    phase: str
    opened_at: datetime | None
    closed_at: datetime | None
    summary: str
    mentions: int
    timeline: list[tuple[str, int]]  # (hour, mentions in that hour)


def incidents(store: Store) -> list[IncidentView]:
    """Incidents newest first, each with its per-hour timeline."""
    out = []
    for r in store.query(
            "SELECT i.*, (SELECT COUNT(*) FROM incident_mentions im WHERE im.incident_id = i.id)"
            " AS n FROM incidents i ORDER BY i.id DESC"):
        timeline = [(h, n) for h, n in store.query(
            "SELECT substr(m.created_at, 1, 13), COUNT(*) FROM incident_mentions im"
            " JOIN mentions m ON m.id = im.mention_id WHERE im.incident_id = ?"
            " GROUP BY 1 ORDER BY 1", (r["id"],))]
        out.append(IncidentView(r["id"], r["kind"], r["title"], r["phase"],
                                from_db(r["opened_at"]), from_db(r["closed_at"]),
                                r["summary"] or "", int(r["n"]), timeline))
    return out
