"""`surge`: negative volume in the last hour far above the trailing baseline.

The statistic, for each negative (complaint or troll) mention at time t:

    n     = negative mentions in (t - W, t]              W = window_minutes (60)
    rate  = negative mentions in (t - W - B, t - W] / B  B = baseline_hours (24), per hour
    expected = max(rate, baseline_floor) * W / 60        baseline_floor = 2.0 per hour

and it is a surge when ``n >= min_count`` (12) **and** ``n >= ratio * expected``
(ratio 4).  While the data is younger than B (a fresh database), the baseline is
the hours that exist, and no verdict is given until there are `min_baseline_hours`
(6) of them: the first hour of a new feed is not a surge.  The floor stops a quiet
account (baseline ~0) from calling every handful of complaints a surge; `min_count`
is the absolute minimum an officer would call one.
Members of a detected brigade are left out of the count: a pile-on is reported as a
brigade, not as a surge.  Thresholds live in ``[flags.surge]`` of the policy.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from triage.escalate.history import US_PER_HOUR, US_PER_MINUTE, Post, minutes_between, shift
from triage.escalate.policy import FromParams


@dataclass(frozen=True)
class SurgeHit:
    post_id: int
    at: str
    count: int
    rate: float
    reason: str


@dataclass(frozen=True)
class SurgeSettings(FromParams):
    window_minutes: float = 60
    baseline_hours: float = 24
    min_count: int = 12
    ratio: float = 4.0
    baseline_floor: float = 2.0
    min_baseline_hours: float = 6

    def judge(self, post_id: int, at: str, n: int, base_count: int, hours: float
              ) -> SurgeHit | None:
        """The verdict for `n` negative mentions in the window after `base_count` in a
        baseline of `hours` hours (see the module docstring)."""
        rate = base_count / hours if hours else float(base_count)
        expected = max(rate, self.baseline_floor) * self.window_minutes / 60
        if n >= self.min_count and n >= self.ratio * expected:
            return SurgeHit(post_id, at, n, rate, (
                f"{n} negative mentions in the last {self.window_minutes:g} min vs a baseline "
                f"of {rate:.1f}/h over the previous {self.baseline_hours:g} h "
                f"({n / expected:.0f}x expected)"))
        return None


def detect_surges(batch: Sequence[Post], history: Sequence[Post], s: SurgeSettings,
                  data_start: str | None = None) -> list[SurgeHit]:
    """Surge verdicts for the batch's negative, non-brigade posts, in time order.

    `history` holds earlier negative posts (ids not in the batch); `data_start` is the
    time of the oldest mention the store knows.  A baseline shorter than
    `min_baseline_hours` (a fresh database) gives no verdict rather than a false alarm.
    """
    events = sorted([(p.at, p.id) for p in history]
                    + [(p.at, p.id) for p in batch if p.negative and not p.brigade])
    times = [e[0] for e in events]
    hits = []
    for p in sorted(batch, key=lambda p: (p.at, p.id)):
        if not p.negative or p.brigade:
            continue
        start = shift(p.at, minutes=-s.window_minutes)
        base_start = shift(start, hours=-s.baseline_hours)
        hi = bisect_right(events, (p.at, p.id))
        mid = bisect_right(times, start)
        lo = bisect_right(times, base_start)
        n = hi - mid
        hours = s.baseline_hours
        if data_start is not None and data_start > base_start:
            hours = max(0.0, minutes_between(data_start, start) / 60)
            if hours < s.min_baseline_hours:
                continue
        hit = s.judge(p.id, p.at, n, mid - lo, hours)
        if hit:
            hits.append(hit)
    return hits


def detect_counted(batch: Sequence[tuple[int, int, str]], upto, s: SurgeSettings,
                   data_start: int) -> list[SurgeHit]:
    """`detect_surges` for the batch's negative, non-brigade posts as sorted
    (time in µs, id, store time) triples, with `upto(t)`: how many negative mentions
    (stored ones and the batch's) lie at or before t — the batch's own up to and
    including the post itself, so ties in time count in id order.
    """
    w = int(s.window_minutes * US_PER_MINUTE)
    b = int(s.baseline_hours * US_PER_HOUR)
    hits = []
    for i, (t, pid, at) in enumerate(batch):
        start = t - w
        base_start = start - b
        hours = s.baseline_hours
        if data_start > base_start:
            hours = max(0.0, (start - data_start) / US_PER_HOUR)
            if hours < s.min_baseline_hours:
                continue
        at_start = upto(start)
        hit = s.judge(pid, at, upto(t, i) - at_start, at_start - upto(base_start), hours)
        if hit:
            hits.append(hit)
    return hits


def onset(times: Sequence[int], hit_at: int, hit: SurgeHit, s: SurgeSettings) -> int:
    """Where the surge began, among the sorted times of the mentions in its first window.

    The trailing window also holds the ordinary complaints that came before the burst;
    the onset is the start of the stretch whose count most exceeds the surge rate
    (`ratio` x expected, per minute) — the usual change-point estimate.
    """
    if not times:
        return hit_at
    per_us = s.ratio * max(hit.rate, s.baseline_floor) / US_PER_HOUR
    n = len(times)
    # excess of the stretch from each time on: (n - i) - per_us * (hit_at - t_i), the
    # first greatest; as arrays, since a flood's window holds thousands of times
    excess = (n - np.arange(n)) - per_us * (hit_at - np.asarray(times, dtype=np.int64))
    return times[int(np.argmax(excess))]
