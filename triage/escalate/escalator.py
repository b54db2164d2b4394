"""Escalation: turn a batch of classified mentions into flags, priorities and incidents.

Called by `triage.pipeline.Triager` inside the batch's write transaction, after the
mentions are stored (they have ids) and before their triage is recorded.  The cost per
mention is one normalisation and one regex per flag kind; the history the surge,
brigade and repeat flags need comes from three indexed queries per batch.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from triage.escalate.brigade import BrigadeSettings, detect_brigades
from triage.escalate.history import Post, fetch_authors, fetch_negative, fetch_young, shift
from triage.escalate.incidents import add_flag, open_or_extend
from triage.escalate.policy import FLAG_KINDS, Policy
from triage.escalate.priority import priority_score
from triage.escalate.repeat import detect_repeats
from triage.escalate.rules import Rules
from triage.escalate.surge import SurgeSettings, detect_surges
from triage.mention import Mention
from triage.verdict import Assessment, Flag, Verdict

_ORDER = {k: i for i, k in enumerate(FLAG_KINDS)}


@dataclass
class Escalator:
    """Applies a `Policy`; build it with `Escalator.load(policy_path)`."""

    policy: Policy = field(default_factory=Policy.load)
    rules: Rules = field(init=False)

    def __post_init__(self) -> None:
        self.rules = Rules.build(self.policy)

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
                     store: object | None = None) -> list[Assessment]:
        flags = [self.rules.check(m) for m in mentions]
        if mentions:
            extra = self._history_flags(mentions, verdicts, store)
            for i, m in enumerate(mentions):
                flags[i].extend(extra.get(m.id or -(i + 1), ()))
        return [self._finish(m, v, f) for m, v, f in zip(mentions, verdicts, flags, strict=True)]

    def _finish(self, mention: Mention, verdict: Verdict, flags: list[Flag]) -> Assessment:
        first: dict[str, Flag] = {}
        for f in flags:
            first.setdefault(f.kind, f)   # a detector's own reason beats "part of incident"
        unique = sorted(first.values(), key=lambda f: _ORDER.get(f.kind, 99))
        pol = self.policy.flags
        kinds = {f.kind for f in unique}
        notes = []
        if "distress" in kinds:
            notes.append(str(pol["distress"].params.get("guidance", "")))
        if "threat" in kinds:
            notes.append("Threat: do not reply; follow the security procedure.")
        return Assessment(
            flags=tuple(unique),
            escalated=any(pol[k].escalate for k in kinds if k in pol),
            priority=priority_score(self.policy, verdict.label, verdict.confidence, unique,
                                    mention.author_followers),
            no_auto_draft=any(pol[k].no_auto_draft for k in kinds if k in pol),
            notes=tuple(n for n in notes if n))

    def _history_flags(self, mentions: Sequence[Mention], verdicts: Sequence[Verdict],
                       store) -> dict[int, list[Flag]]:
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
        known = fetch_authors(store, posts, shift(first, hours=-hours), last) if store else []
        for pid, flag in detect_repeats(posts, known, count, hours).items():
            add(pid, flag)

        # brigade (before surge: its members are kept out of the surge count)
        bs = BrigadeSettings.from_params(self.policy.flags["brigade"].params)
        young = (fetch_young(store, shift(first, minutes=-bs.window_minutes), last,
                             bs.max_followers, ids) if store else [])
        by_id = {p.id: p for p in posts}
        brigade_hits = detect_brigades(posts, young, bs)
        for hit in brigade_hits:
            for mid in hit.member_ids:
                if mid in by_id:
                    by_id[mid].brigade = True
            add(hit.post_id, Flag("brigade", hit.reason))
        if brigade_hits and store is not None:
            self._group(store, "brigade", brigade_hits[-1].at, brigade_hits, by_id,
                        self.policy.flags["brigade"].params.get("merge_gap_minutes", 120),
                        "Brigade: near-identical posts from new accounts", add)

        # surge
        ss = SurgeSettings.from_params(self.policy.flags["surge"].params)
        span = shift(first, minutes=-ss.window_minutes)
        history = (fetch_negative(store, shift(span, hours=-ss.baseline_hours), last, ids)
                   if store else [])
        data_start = first
        if store is not None:
            oldest = store.query("SELECT MIN(created_at) FROM mentions")[0][0]
            data_start = min(oldest or first, first)
        surge_hits = detect_surges(posts, history, ss, data_start)
        for hit in surge_hits:
            add(hit.post_id, Flag("surge", hit.reason))
        if surge_hits and store is not None:
            # the surge's members: every negative mention in the window of each hit
            neg = sorted([(p.at, p.id) for p in history]
                         + [(p.at, p.id) for p in posts if p.negative and not p.brigade])
            times = [at for at, _ in neg]
            members: list[int] = []
            covered = ""   # windows overlap: walk them once, in time order
            for hit in sorted(surge_hits, key=lambda h: h.at):
                lo = max(shift(hit.at, minutes=-ss.window_minutes), covered)
                members.extend(i for _, i in neg[bisect_right(times, lo):
                                                 bisect_right(times, hit.at)])
                covered = max(covered, hit.at)
            self._group_ids(store, "surge", surge_hits[-1].at, members, by_id,
                            self.policy.flags["surge"].params.get("merge_gap_minutes", 180),
                            "Surge of negative mentions", surge_hits[-1].reason, add)
        return out

    def _group(self, store, kind, at, hits, by_id, gap, title, add) -> None:
        members = [mid for h in hits for mid in h.member_ids]
        self._group_ids(store, kind, at, members, by_id, gap, title, hits[-1].reason, add)

    def _group_ids(self, store, kind: str, at: str, members: list[int], by_id: dict,
                   gap: float, title: str, reason: str, add) -> None:
        """Open or extend the incident; flag its members that were not flagged yet."""
        real = [m for m in members if m > 0]
        incident_id, added = open_or_extend(store, kind, at, real, title, reason, gap)
        note = f"part of {kind} incident #{incident_id}: {reason}"
        earlier = [m for m in added if m not in by_id]
        add_flag(store, earlier, kind, note)
        for mid in members:
            if mid in by_id:
                add(mid, Flag(kind, note))
