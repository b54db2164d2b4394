"""`brigade`: a coordinated pile-on — many young, low-reach accounts posting
near-identical text in a short window.

For a mention by a *young* account (created less than `max_account_age_days` before
the post) with at most `max_followers` followers, we look at the other such posts in
the previous `window_minutes` and count the distinct accounts whose text is
near-identical: Jaccard similarity of the normalised word sets >= `similarity`
(handles, links and one-letter words dropped, look-alikes folded).  `min_accounts`
or more (the poster included) is a brigade.  Thresholds live in ``[flags.brigade]``.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from triage.escalate.history import Post, minutes_between, stamp
from triage.escalate.policy import FromParams
from triage.escalate.textmatch import normalise

_LINK = re.compile(r"https?://\S+|www\.\S+|[@#]?\b[\w.-]+\.(?:social|com|org|net)\b")


@dataclass(frozen=True)
class BrigadeSettings(FromParams):
    window_minutes: float = 20
    min_accounts: int = 5
    max_account_age_days: float = 7
    max_followers: int = 200
    similarity: float = 0.6

    def suspicious(self, p: Post) -> bool:
        return (p.author_age_days is not None and p.author_age_days < self.max_account_age_days
                and p.followers <= self.max_followers)


@dataclass(frozen=True)
class BrigadeHit:
    post_id: int
    at: str
    member_ids: tuple[int, ...]   # the near-identical posts, this one included
    accounts: int
    reason: str


@lru_cache(maxsize=4096)
def words(text: str) -> frozenset[str]:
    """The word set compared by Jaccard (cached: a brigade repeats its text, and the
    previous batch's posts come round again as history)."""
    if ("http" in text or "www." in text or ".social" in text or ".com" in text
            or ".org" in text or ".net" in text):   # what _LINK needs to match at all
        text = _LINK.sub(" ", text)
    return frozenset(w for w in normalise(text).split()
                     if len(w) > 1 and not w.startswith("@"))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def detect_brigades(batch: Sequence[Post], history: Sequence[Post],
                    s: BrigadeSettings) -> list[BrigadeHit]:
    """Brigade verdicts for the batch's suspicious posts (history: earlier ones)."""
    age, most = s.max_account_age_days, s.max_followers
    mine_batch = [p for p in batch if p.author_age_days is not None
                  and p.author_age_days < age and p.followers <= most]   # s.suspicious
    if not mine_batch:
        return []
    pool = sorted({p.id: p for p in [*history, *mine_batch] if s.suspicious(p)}.values(),
                  key=lambda p: (p.at, p.id))
    keys = [(p.at, p.id) for p in pool]
    back = timedelta(minutes=s.window_minutes)
    hits = []
    for p in sorted(mine_batch, key=lambda p: (p.at, p.id)):
        lo = bisect_left(keys, (stamp(datetime.fromisoformat(p.at[:-1]) - back), -1))
        hi = bisect_right(keys, (p.at, p.id))
        if len({(q.platform, q.author) for q in pool[lo:hi]}) < s.min_accounts:
            continue   # too few accounts in the window to be a brigade at all
        mine = words(p.text)
        members = [q for q in pool[lo:hi]
                   if q.id == p.id or jaccard(mine, words(q.text)) >= s.similarity]
        accounts = {(q.platform, q.author) for q in members}
        if len(accounts) >= s.min_accounts:
            span = max(1, math.ceil(minutes_between(members[0].at, p.at)))
            hits.append(BrigadeHit(p.id, p.at, tuple(q.id for q in members), len(accounts), (
                f"{len(accounts)} accounts under {s.max_account_age_days:g} days old posted "
                f"near-identical text in {span} min")))
    return hits
