"""The recent past that surge, brigade and repeat need, fetched once per batch.

Surge and repeat are counted by SQLite (`NegativeCounts`, `count_repeats`, with the
indexes of migration 0009): only the rows inside the batch's own time span, and the
posts that hit, come back to Python, so a busy day of history costs index counts, not
thousands of rows.

Detection runs on the mentions' own `created_at`, never the wall clock: imports of old
posts (the demo feed, a backfill) must find the surge where it happened.  Times are
kept as the store's fixed-width UTC strings, which sort in time order, so windows are
`bisect` lookups without parsing thousands of timestamps.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from triage.mention import Mention
from triage.timeutil import to_db

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
    """`to_db` format, except that a naive time is taken as UTC, not local time
    (`shift` and `stamp_us` work on naive ones)."""
    if dt.tzinfo is None:
        return dt.isoformat(timespec="microseconds") + "Z"
    return to_db(dt)


def shift(at: str, **delta: float) -> str:
    """A store time string moved by a timedelta (e.g. ``minutes=-60``)."""
    return stamp(datetime.fromisoformat(at[:-1]) + timedelta(**delta))


def minutes_between(a: str, b: str) -> float:
    return (datetime.fromisoformat(b[:-1])
            - datetime.fromisoformat(a[:-1])).total_seconds() / 60


def fetch_young(store, start: str, end: str, max_followers: int, exclude: set[int],
                max_age_days: float | None = None) -> list[Post]:
    """Earlier mentions by low-reach accounts with a known creation time (and, with
    `max_age_days`, about that young when they posted: SQLite drops the older ones
    first, with a second's margin, so that a flood from established accounts does
    not come back to Python only to be dropped; callers apply the exact test)."""
    young = "" if max_age_days is None else \
        " AND julianday(created_at) - julianday(author_created_at) < ?"
    rows = store.query(
        "SELECT id, created_at, platform, author_handle, author_followers,"
        " author_created_at, text, label, flag_kinds FROM mentions"
        " WHERE created_at >= ? AND created_at <= ? AND author_followers <= ?"
        f" AND author_created_at IS NOT NULL{young} ORDER BY created_at, id",
        (start, end, max_followers,
         *(() if max_age_days is None else (max_age_days + 1 / 86400,))))
    out = []
    for r in rows:
        if r[0] in exclude:
            continue
        age = minutes_between(r[5], r[1]) / 1440
        out.append(Post(r[0], r[1], r[2], r[3], r[4], age, r[7] in NEGATIVE, r[6],
                        "brigade" in (r[8] or "")))
    return out


# ---- the same, as counts and integers (what `Escalator.assess_batch` uses) -----------
# Times as integer microseconds since the epoch: exact (a window edge equal to a post's
# time behaves as with the strings) and cheap to shift.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = datetime(1970, 1, 1)
_ONE_US = timedelta(microseconds=1)
US_PER_MINUTE = 60_000_000
US_PER_HOUR = 3_600_000_000
# the store's created_at text as integer microseconds, computed by SQLite


def us_sql(column: str = "created_at") -> str:
    """SQL for a store time column as integer microseconds (exact, like `micros`)."""
    return (f"(CAST(strftime('%s', {column}) AS INTEGER) * 1000000"
            f" + CAST(substr({column}, 21, 6) AS INTEGER))")


US_SQL = us_sql()
NEGATIVE_SQL = "label IN ('complaint', 'troll') AND instr(flag_kinds, 'brigade') = 0"
# migration 0009's indexes; named, as the planner prefers mentions_label without stats
_BY_NEGATIVE = "INDEXED BY mentions_negative"
_BY_AUTHOR = "INDEXED BY mentions_author_nocase"


def micros(dt: datetime) -> int:
    """A time as integer microseconds (naive times are UTC, as `stamp` reads them)."""
    if dt.tzinfo is None:
        return (dt - _EPOCH_NAIVE) // _ONE_US
    return (dt - _EPOCH) // _ONE_US


def stamp_us(us: int) -> str:
    return stamp(_EPOCH_NAIVE + timedelta(microseconds=us))


def negative_rows(store, lo: int, hi: int) -> list[tuple[int, int]]:
    """(time, id) of the stored negative (non-brigade) mentions in (lo, hi], oldest first."""
    return store.tuples(
        f"SELECT {US_SQL}, id FROM mentions {_BY_NEGATIVE} WHERE created_at > ?"
        f" AND created_at <= ? AND {NEGATIVE_SQL} ORDER BY created_at, id",
        (stamp_us(lo), stamp_us(hi)))


def negative_summary(store, lo: int, hi: int, aggregates: str) -> tuple:
    """`aggregates` (SQL over `id`, e.g. COUNT(*)) of the same mentions, from the
    partial index alone."""
    return tuple(store.query(
        f"SELECT {aggregates} FROM mentions {_BY_NEGATIVE} WHERE created_at > ?"
        f" AND created_at <= ? AND {NEGATIVE_SQL}", (stamp_us(lo), stamp_us(hi)))[0])


def handle_key(handle: str) -> str:
    """An author handle for comparison: ASCII case folded, like SQLite's lower()."""
    if handle.isascii():
        return handle.lower()
    return "".join(c.lower() if c.isascii() else c for c in handle)


class NegativeCounts:
    """How many stored negative (non-brigade) mentions lie at or before a time.

    Answers `upto(t)` (relative to a fixed origin) for t inside the given spans, from
    one COUNT(*) per gap between spans and the times inside the spans themselves, so a
    day of baseline costs an index count instead of thousands of rows in Python.
    """

    def __init__(self, store, spans: list[tuple[int, int]], exclude: set[int]) -> None:
        merged: list[list[int]] = []
        for lo, hi in sorted(spans):
            if merged and lo <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        self._spans: list[tuple[int, int, int, list[int]]] = []   # lo, hi, base, times
        base = 0
        prev_hi: int | None = None
        for lo, hi in merged:
            if prev_hi is not None:
                base += negative_summary(store, prev_hi, lo, "COUNT(*)")[0]
            times = [r[0] for r in store.query(
                f"SELECT {US_SQL} FROM mentions {_BY_NEGATIVE} WHERE created_at > ?"
                f" AND created_at <= ? AND {NEGATIVE_SQL} ORDER BY created_at",
                (stamp_us(lo), stamp_us(hi)))]
            self._spans.append((lo, hi, base, times))
            base += len(times)
            prev_hi = hi
        # the batch itself is normally not triaged yet; if it is (assessed again), its
        # rows must not be counted twice
        self._again: list[int] = []
        if _any_stored(store, exclude):
            real = [i for i in exclude if i > 0]
            # by row id (NOT INDEXED): else SQLite may take the label index for the
            # negative labels and read every complaint and troll ever stored
            rows = store.query(f"SELECT {US_SQL}, id FROM mentions NOT INDEXED"
                               f" WHERE id BETWEEN ? AND ? AND {NEGATIVE_SQL}",
                               (min(real), max(real)))
            self._again = sorted(r[0] for r in rows if r[1] in exclude)

    def upto(self, t: int) -> int:
        for lo, hi, base, times in self._spans:
            if lo <= t <= hi:
                n = base + bisect_right(times, t)
                return n - bisect_right(self._again, t) if self._again else n
        raise ValueError(f"time {t} outside the counted spans")

    def members(self, store, lo: int, hi: int, exclude: set[int]) -> list[tuple[int, int]]:
        """(time, id) of the stored negative mentions in (lo, hi], oldest first."""
        rows = negative_rows(store, lo, hi)
        if _any_stored(store, exclude):   # assessed again: not counted twice
            rows = [r for r in rows if r[1] not in exclude]
        return rows


def _any_stored(store, ids: set[int]) -> bool:
    """Whether any of a batch's ids can be a stored row: not while ingest flags a batch
    before inserting it (its ids are the next ones); yes when it is assessed again."""
    real = [i for i in ids if i > 0]
    return bool(real) and min(real) <= store.max_mention_id()


def fetch_repeat_candidates(store, posts: Sequence[Post], start: str, end: str,
                            at_least: int) -> list[Post]:
    """Stored mentions in the window by the batch's authors who have `at_least` of them
    there (case-insensitive handles); the others cannot be anyone's Nth mention."""
    by_platform: dict[str, set[str]] = {}
    for p in posts:
        if p.author:
            by_platform.setdefault(p.platform, set()).add(handle_key(p.author))
    out: list[Post] = []
    for platform, handles in by_platform.items():
        keys = sorted(handles)
        for i in range(0, len(keys), 400):
            chunk = keys[i:i + 400]
            marks = ",".join("?" * len(chunk))
            rows = store.query(
                "WITH w AS (SELECT lower(author_handle) AS k, created_at AS at, id FROM mentions"
                f" {_BY_AUTHOR} WHERE platform = ? AND lower(author_handle) IN ({marks})"
                " AND created_at >= ? AND created_at <= ?)"
                " SELECT k, at, id FROM w WHERE k IN"
                " (SELECT k FROM w GROUP BY k HAVING COUNT(*) >= ?)",
                (platform, *chunk, start, end, at_least))
            out.extend(Post(r[2], r[1], platform, r[0], 0, None, False, "") for r in rows)
    return out


def count_repeats(store, posts: Sequence[tuple[int, str, str, str, int]], window_us: int,
                  start: str, at_least: int, *, stored: bool = True) -> dict[int, int]:
    """For posts given as (id, platform, handle, store time, time in µs): how many
    mentions their author (case-insensitive) made in the `window_us` up to and including
    each post (same-time ties in id order), for the posts where that is `at_least`.

    Counted by SQLite per post, so only the posts that reach `at_least` come back.
    With `stored` false the posts are not in the store yet (ingest escalates a batch
    before inserting it): the batch's own posts are counted here and added.
    """
    in_batch = {} if stored else batch_counts(posts, window_us)
    out: dict[int, int] = {}
    for i in range(0, len(posts), 250):
        chunk = posts[i:i + 250]
        values = ",".join(["(?,?,?,?,?)"] * len(chunk))
        args: list = []
        for pid, platform, handle, at, us in chunk:
            args += (pid, platform, handle_key(handle), at, us - window_us)
        # A count per post (a correlated subquery), not a join: for a join SQLite may
        # first build a Bloom filter over the author index, reading every stored
        # mention (once a database has statistics, even at ten rows; 0.2 s a query at a
        # million, which capped ingest at ~1,000 mentions/s).
        rows = store.query(
            f"WITH b(id, platform, k, at, lo) AS (VALUES {values})"
            f" SELECT b.id, (SELECT COUNT(*) FROM mentions m {_BY_AUTHOR}"
            " WHERE m.platform = b.platform AND lower(m.author_handle) = b.k"
            " AND m.created_at >= ? AND m.created_at <= b.at"
            f" AND (m.created_at < b.at OR m.id <= b.id) AND {us_sql('m.created_at')} >= b.lo)"
            " FROM b", (*args, start))
        for pid, n in rows:
            n += in_batch.get(pid, 0)
            if n >= at_least:
                out[pid] = n
    return out


def batch_counts(posts: Sequence[tuple[int, str, str, str, int]], window_us: int
                 ) -> dict[int, int]:
    """Per post, its author's posts within the batch in the window up to it (itself
    included), with the same window and tie rules as `count_repeats`."""
    by_author: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for pid, platform, handle, _at, us in posts:
        by_author.setdefault((platform, handle_key(handle)), []).append((us, pid))
    out: dict[int, int] = {}
    for times in by_author.values():
        if len(times) == 1:
            out[times[0][1]] = 1
            continue
        times.sort()
        for us, pid in times:
            out[pid] = (bisect_right(times, (us, pid))
                        - bisect_left(times, (us - window_us, -(1 << 62))))
    return out
