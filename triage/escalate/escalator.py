"""Escalation: turn a batch of classified mentions into flags, priorities and incidents.

Called by `triage.pipeline.Triager` inside the batch's write transaction, after the
mentions are stored (they have ids) and before their triage is recorded.  Most
mentions cost a token look-up (`Prefilter`) and a priority; only posts that may match
a phrase get a `Document` and the regexes of the kinds they may match.  Surge and
repeat are counted in SQL, brigade reads the last minutes of low-reach posts.
Incidents found in one batch are opened in time order, a surge at its onset.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from triage.escalate.brigade import BrigadeSettings, detect_brigades
from triage.escalate.flood_memo import IncidentMembers, NegativeTimeline
from triage.escalate.history import (
    US_PER_HOUR,
    US_PER_MINUTE,
    NegativeCounts,
    Post,
    count_repeats,
    fetch_repeat_candidates,
    fetch_young,
    micros,
    shift,
    stamp_us,
)
from triage.escalate.incidents import add_flag, open_or_extend
from triage.escalate.policy import FLAG_KINDS, Policy
from triage.escalate.priority import flag_weight, priority_score, priority_with
from triage.escalate.repeat import detect_repeats, repeat_flag
from triage.escalate.rules import Rules
from triage.escalate.surge import SurgeSettings, detect_counted, detect_surges, onset
from triage.mention import Mention
from triage.timeutil import from_db
from triage.verdict import Assessment, Flag, Verdict

_ORDER = {k: i for i, k in enumerate(FLAG_KINDS)}


@dataclass
class Escalator:
    """Applies a `Policy`; build it with `Escalator.load(policy_path)`."""

    policy: Policy = field(default_factory=Policy.load)
    rules: Rules = field(init=False)

    def __post_init__(self) -> None:
        self.rules = Rules.build(self.policy)
        self._plain: dict[float, Assessment] = {}
        # flag kinds, in the order given -> their part of an assessment (`_shape`)
        self._shapes: dict[tuple[str, ...], tuple] = {}
        # what the batches of a flood share (checked against the store at each use)
        self._timeline = NegativeTimeline()
        self._members: dict[str, IncidentMembers] = {}   # by incident kind

    @classmethod
    def load(cls, policy_path: Path | str | None = None) -> Escalator:
        return cls(Policy.load(policy_path))

    @property
    def reach_threshold(self) -> int:
        return self.rules.reach_threshold

    # ---- one mention, no history -------------------------------------------------
    def assess(self, mention: Mention, verdict: Verdict) -> Assessment:
        """Flags that need no history (used for previews and single mentions)."""
        return self._finish(mention, verdict, self.rules.check(mention))

    # ---- a batch, with history ---------------------------------------------------
    def assess_batch(self, mentions: Sequence[Mention], verdicts: Sequence[Verdict],
                     store: object | None = None, *, stored: bool = True,
                     rule_flags: Sequence[list[Flag]] | None = None) -> list[Assessment]:
        """Flags with history.  With a store, the mentions carry their row ids; `stored`
        false means those rows are not inserted yet (ingest flags a batch first, then
        writes each row once): the history queries then add the batch themselves.
        `rule_flags` are `self.rules.check` of each mention, if already worked out
        (by the helper process, see `triage.triage_helper`)."""
        flags = ([list(f) for f in rule_flags] if rule_flags is not None
                 else [self.rules.check(m) for m in mentions])
        if mentions:
            extra = self._history_flags(mentions, verdicts, store, stored)
            for i, m in enumerate(mentions):
                flags[i].extend(extra.get(m.id or -(i + 1), ()))
        return [self._finish(m, v, f) for m, v, f in zip(mentions, verdicts, flags, strict=True)]

    def _finish(self, mention: Mention, verdict: Verdict, flags: list[Flag]) -> Assessment:
        if not flags:   # most mentions: only the priority to work out
            score = priority_score(self.policy, verdict.label, verdict.confidence, (),
                                   mention.author_followers)
            plain = self._plain.get(score)
            if plain is None:   # Assessments are immutable: one per distinct score
                if len(self._plain) > 50_000:
                    self._plain.clear()
                plain = self._plain[score] = Assessment(priority=score)
            return plain
        # by the flags' kinds: a surge's flag gives each mention its own count, but
        # what an assessment takes from its flags depends only on their kinds
        key = tuple(f.kind for f in flags)
        shape = self._shapes.get(key)
        if shape is None:
            if len(self._shapes) > 10_000:
                self._shapes.clear()
            shape = self._shapes[key] = self._shape(flags)
        kinds, escalated, no_auto_draft, notes, weight = shape
        if len(flags) == 1:
            unique: tuple[Flag, ...] = (flags[0],)
        else:
            first: dict[str, Flag] = {}
            for f in flags:
                first.setdefault(f.kind, f)   # a detector's own reason beats "part of ..."
            unique = tuple(first[k] for k in kinds)
        return Assessment(
            flags=unique, escalated=escalated,
            priority=priority_with(self.policy, verdict.label, verdict.confidence, weight,
                                   mention.author_followers),
            no_auto_draft=no_auto_draft, notes=notes)

    def _shape(self, flags: list[Flag]) -> tuple[tuple[str, ...], bool, bool,
                                                 tuple[str, ...], float]:
        """What an assessment takes from its flags' kinds: the kinds (once each, in
        order), escalated, no auto draft, notes, and their part of the priority."""
        first: dict[str, Flag] = {}
        for f in flags:
            first.setdefault(f.kind, f)
        unique = (tuple(first.values()) if len(first) == 1
                  else tuple(sorted(first.values(), key=lambda f: _ORDER.get(f.kind, 99))))
        pol = self.policy.flags
        notes = []
        if "distress" in first:
            notes.append(str(pol["distress"].params.get("guidance", "")))
        if "threat" in first:
            notes.append("Threat: do not reply; follow the security procedure.")
        return (tuple(f.kind for f in unique), any(pol[k].escalate for k in first if k in pol),
                any(pol[k].no_auto_draft for k in first if k in pol),
                tuple(n for n in notes if n), flag_weight(self.policy, unique))

    def _history_flags(self, mentions: Sequence[Mention], verdicts: Sequence[Verdict],
                       store, stored: bool = True) -> dict[int, list[Flag]]:
        posts = [Post.from_mention(m, v.label) for m, v in zip(mentions, verdicts, strict=True)]
        for i, p in enumerate(posts):
            if not p.id:
                p.id = -(i + 1)   # unsaved mentions (no store): still distinct
        ids = {p.id for p in posts}
        first = min(p.at for p in posts)
        last = max(p.at for p in posts)
        out: dict[int, list[Flag]] = {}

        def add(pid: int, flag: Flag) -> None:
            out.setdefault(pid, []).append(flag)

        # repeat
        rp = self.policy.flags["repeat"].params
        count, hours = int(rp.get("count", 3)), float(rp.get("window_hours", 24))
        us = {p.id: micros(m.created_at) for m, p in zip(mentions, posts, strict=True)}
        if store is not None and all(p.id > 0 for p in posts):
            # stored posts: SQLite counts each author's window; only the hits come back
            by_id = {p.id: p for p in posts}
            counts = count_repeats(
                store, [(p.id, p.platform, p.author, p.at, us[p.id]) for p in posts if p.author],
                int(hours * US_PER_HOUR), shift(first, hours=-hours), count, stored=stored)
            for pid, n in counts.items():
                add(pid, repeat_flag(n, by_id[pid].author, hours))
        else:
            known: list[Post] = []
            if store is not None:
                known = fetch_repeat_candidates(store, posts, shift(first, hours=-hours), last, 1)
            for pid, flag in detect_repeats(posts, known, count, hours).items():
                add(pid, flag)

        # brigade (before surge: its members are kept out of the surge count)
        bs = BrigadeSettings.from_params(self.policy.flags["brigade"].params)
        # only the batch's own suspicious posts can be flagged, and each looks back one
        # window: no history at all when there are none (most batches, even in a flood)
        suspects = [p.at for p in posts if bs.suspicious(p)]
        young = (fetch_young(store, shift(min(suspects), minutes=-bs.window_minutes),
                             max(suspects), bs.max_followers, ids, bs.max_account_age_days)
                 if store and suspects else [])
        by_id = {p.id: p for p in posts}
        brigade_hits = detect_brigades(posts, young, bs)
        for hit in brigade_hits:
            for mid in hit.member_ids:
                if mid in by_id:
                    by_id[mid].brigade = True
            add(hit.post_id, Flag("brigade", hit.reason))
        groups = []   # incidents to open or extend, opened in time order below
        if brigade_hits and store is not None:
            members = [mid for h in brigade_hits for mid in h.member_ids]
            groups.append((_first_time(store, members, by_id), "brigade",
                           brigade_hits[-1].at, members,
                           self.policy.flags["brigade"].params.get("merge_gap_minutes", 120),
                           "Brigade: near-identical posts from new accounts",
                           brigade_hits[-1].reason))

        # surge
        ss = SurgeSettings.from_params(self.policy.flags["surge"].params)
        surge_hits, members, opened = self._surges(posts, us, store, ss, ids, stored)
        for hit in surge_hits:
            add(hit.post_id, Flag("surge", hit.reason))
        if surge_hits and store is not None:
            groups.append((opened, "surge", surge_hits[-1].at, members,
                           self.policy.flags["surge"].params.get("merge_gap_minutes", 180),
                           "Surge of negative mentions", surge_hits[-1].reason))
        if store is not None:
            for opened_at, kind, at, mids, gap, title, reason in sorted(
                    groups, key=lambda g: g[0] or _first_time(store, g[3], by_id)):
                self._group_ids(store, kind, at, mids, by_id, gap, title, reason, add,
                                opened_at)
        return out

    def _surges(self, posts: list[Post], us: dict[int, int], store, ss: SurgeSettings,
                ids: set[int], stored: bool = True) -> tuple[list, list[int], str | None]:
        """Surge verdicts for the batch, the incident's members and its onset."""
        if store is None:
            # no store: the batch alone (as `detect_surges` documents)
            return detect_surges(posts, [], ss, min(p.at for p in posts)), [], None
        batch = sorted((us[p.id], p.id, p.at) for p in posts if p.negative and not p.brigade)
        try:
            return self._surges_in(batch, us, store, ss, ids, stored)
        finally:
            if not stored:   # the rows the store will hold once the batch commits
                self._timeline.stored((t, i) for t, i, _a in batch)

    def _surges_in(self, batch: list[tuple[int, int, str]], us: dict[int, int], store,
                   ss: SurgeSettings, ids: set[int], stored: bool
                   ) -> tuple[list, list[int], str | None]:
        t_first = min(us.values())
        t_last = max(us.values())
        w = int(ss.window_minutes * US_PER_MINUTE)
        b = int(ss.baseline_hours * US_PER_HOUR)
        oldest = store.query("SELECT MIN(created_at) FROM mentions")[0][0]
        data_start = min(micros(from_db(oldest)), t_first) if oldest else t_first
        if not batch or (data_start > t_last - w - b and
                         t_last - w - data_start < ss.min_baseline_hours * US_PER_HOUR):
            return [], [], None   # nothing negative, or too little history for a verdict
        hist = NegativeCounts(store, [(t_first - w - b, t_last - w - b),
                                      (t_first - w, t_last - w), (t_first, t_last)], ids)
        times = [t for t, _i, _a in batch]

        def upto(t: int, i: int | None = None) -> int:
            return hist.upto(t) + (i + 1 if i is not None else bisect_right(times, t))

        hits = detect_counted(batch, upto, ss, data_start)
        if not hits:
            return [], [], None
        # the members: every negative mention in the window of each hit, from the onset
        hit_us = {h.post_id: us[h.post_id] for h in hits}
        lo_all = min(hit_us.values()) - w
        hi_all = max(hit_us.values())
        earlier = (self._timeline.between(store, lo_all, hi_all) if not stored
                   else hist.members(store, lo_all, hi_all, ids))
        neg = sorted(earlier + [(t, i) for t, i, _a in batch])
        keys = [t for t, _ in neg]
        first_hit = min(hits, key=lambda h: (hit_us[h.post_id], h.post_id))
        t_hit = hit_us[first_hit.post_id]
        window = keys[bisect_right(keys, t_hit - w):bisect_right(keys, t_hit)]
        begin = onset(window, t_hit, first_hit, ss)
        # each hit adds its window after what the hits before it covered; in a flood
        # they run together, so they are merged into spans first and sliced once each
        spans: list[list[int]] = []
        covered = begin - 1
        for t in sorted(hit_us.values()):
            lo = max(t - w, covered)
            if spans and lo <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], t)
            else:
                spans.append([lo, t])
            covered = max(covered, t)
        members = [i for lo, hi in spans
                   for _, i in neg[bisect_right(keys, lo):bisect_right(keys, hi)]]
        return hits, members, stamp_us(begin)

    def _group_ids(self, store, kind: str, at: str, members: list[int], by_id: dict,
                   gap: float, title: str, reason: str, add, opened_at: str | None = None
                   ) -> None:
        """Open or extend the incident; flag its members that were not flagged yet."""
        real = [m for m in members if m > 0]
        memo = self._members.setdefault(kind, IncidentMembers())
        incident_id, added = open_or_extend(store, kind, at, real, title, reason, gap,
                                            opened_at=opened_at, members=memo)
        note = f"part of {kind} incident #{incident_id}: {reason}"
        earlier = [m for m in added if m not in by_id]
        add_flag(store, earlier, kind, note)
        flag = Flag(kind, note)
        for mid in members:
            if mid in by_id:
                add(mid, flag)


def _first_time(store, members: list[int], by_id: dict) -> str:
    """The earliest time among an incident's members (batch posts or stored ones)."""
    times = [by_id[m].at for m in members if m in by_id]
    older = [m for m in members if m not in by_id and m > 0]
    if older:
        row = store.query(f"SELECT MIN(created_at) FROM mentions WHERE id IN"
                          f" ({','.join('?' * len(older))})", older)[0][0]
        if row:
            times.append(row)
    return min(times) if times else ""
