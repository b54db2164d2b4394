"""`repeat`: the same author's Nth mention within a window (a persistent critic).

Handles are compared case-insensitively: "@GavinPD" and "@gavinpd" are one person.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence

from triage.escalate.history import Post, handle_key, shift
from triage.verdict import Flag


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def detect_repeats(batch: Sequence[Post], known: Sequence[Post], count: int,
                   window_hours: float) -> dict[int, Flag]:
    """Flags by post id for batch posts that are their author's `count`th (or later)
    mention within `window_hours`.  `known` is every post by those authors in range
    (it may include the batch itself; ids are deduplicated)."""
    by_author: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    seen: set[int] = set()
    for p in [*known, *batch]:
        if p.id in seen or not p.author:
            continue
        seen.add(p.id)
        by_author[(p.platform, handle_key(p.author))].append((p.at, p.id))
    for times in by_author.values():
        times.sort()
    flags: dict[int, Flag] = {}
    for p in batch:
        if not p.author:
            continue
        times = by_author[(p.platform, handle_key(p.author))]
        if len(times) < count:
            continue
        lo = bisect_left(times, (shift(p.at, hours=-window_hours), -1))
        hi = bisect_right(times, (p.at, p.id))
        n = hi - lo
        if n >= count:
            flags[p.id] = repeat_flag(n, p.author, window_hours)
    return flags


def repeat_flag(n: int, author: str, window_hours: float) -> Flag:
    return Flag("repeat", f"{ordinal(n)} mention from {author} in {window_hours:g} h")
