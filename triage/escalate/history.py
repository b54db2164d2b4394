"""The recent past that surge, brigade and repeat need, fetched once per batch.

Detection runs on the mentions' own `created_at`, never the wall clock: imports of old
posts (the demo feed, a backfill) must find the surge where it happened.  Times are
kept as the store's fixed-width UTC strings, which sort in time order, so windows are
`bisect` lookups without parsing thousands of timestamps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from triage.mention import Mention

NEGATIVE = ("complaint", "troll")


@dataclass(slots=True)
class Post:
    """What the history-based detectors know about one mention."""

    id: int
    at: str                       # to_db(created_at)
    platform: str
    author: str
    followers: int
    author_age_days: float | None  # account age when it posted; None if unknown
    negative: bool
    text: str
    brigade: bool = False         # already counted as a brigade (kept out of surges)

    @classmethod
    def from_mention(cls, m: Mention, label: str | None) -> Post:
        age = ((m.created_at - m.author_created_at).total_seconds() / 86400
               if m.author_created_at else None)
        return cls(m.id or 0, stamp(m.created_at), m.platform, m.author_handle,
                   m.author_followers, age, label in NEGATIVE, m.text)


def stamp(dt: datetime) -> str:
    """`to_db` format, faster (isoformat, not strftime): detectors make many of these."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt.isoformat(timespec="microseconds") + "Z"


def shift(at: str, **delta: float) -> str:
    """A store time string moved by a timedelta (e.g. ``minutes=-60``)."""
    return stamp(datetime.fromisoformat(at[:-1]) + timedelta(**delta))


def minutes_between(a: str, b: str) -> float:
    return (datetime.fromisoformat(b[:-1])
            - datetime.fromisoformat(a[:-1])).total_seconds() / 60


def fetch_negative(store, start: str, end: str, exclude: set[int]) -> list[Post]:
    """Earlier negative mentions (not brigade members) between two times, oldest first."""
    rows = store.query(
        "SELECT id, created_at FROM mentions WHERE created_at >= ? AND created_at <= ?"
        " AND label IN ('complaint', 'troll') AND instr(flag_kinds, 'brigade') = 0"
        " ORDER BY created_at, id", (start, end))
    return [Post(r[0], r[1], "", "", 0, None, True, "") for r in rows if r[0] not in exclude]


def fetch_young(store, start: str, end: str, max_followers: int, exclude: set[int]
                ) -> list[Post]:
    """Earlier mentions by low-reach accounts with a known creation time."""
    rows = store.query(
        "SELECT id, created_at, platform, author_handle, author_followers,"
        " author_created_at, text, label, flag_kinds FROM mentions"
        " WHERE created_at >= ? AND created_at <= ? AND author_followers <= ?"
        " AND author_created_at IS NOT NULL ORDER BY created_at, id",
        (start, end, max_followers))
    out = []
    for r in rows:
        if r[0] in exclude:
            continue
        age = minutes_between(r[5], r[1]) / 1440
        out.append(Post(r[0], r[1], r[2], r[3], r[4], age, r[7] in NEGATIVE, r[6],
                        "brigade" in (r[8] or "")))
    return out


def fetch_authors(store, posts: Sequence[Post], start: str, end: str) -> list[Post]:
    """Every stored mention by the batch's authors in the window (the batch included)."""
    authors = sorted({p.author for p in posts if p.author})
    out: list[Post] = []
    for i in range(0, len(authors), 500):
        chunk = authors[i:i + 500]
        rows = store.query(
            "SELECT id, created_at, platform, author_handle FROM mentions"
            f" WHERE created_at >= ? AND created_at <= ? AND author_handle IN"
            f" ({','.join('?' * len(chunk))})", (start, end, *chunk))
        out.extend(Post(r[0], r[1], r[2], r[3], 0, None, False, "") for r in rows)
    return out
