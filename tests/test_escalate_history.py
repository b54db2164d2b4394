"""Surge, brigade and repeat on synthetic timelines, through a real store and pipeline.

Timelines are in the past (2026-03) and imported in arbitrary batch sizes: detection
must run on the mentions' own created_at, never on the wall clock.
"""

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import incident_members as incident_mention_ids
from tests.conftest import incidents_of as list_incidents
from tests.conftest import vm_steps
from triage.escalate import Escalator
from triage.escalate.brigade import BrigadeSettings, detect_brigades
from triage.escalate.history import Post
from triage.escalate.incidents import set_phase
from triage.escalate.surge import SurgeSettings, detect_surges
from triage.mention import Mention
from triage.pipeline import Triager
from triage.store import Store
from triage.timeutil import to_db
from triage.verdict import Verdict

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)


class LabelFromText:
    """Test classifier: the label is the text's first word (complaint/troll/engagement)."""

    def predict(self, texts):
        out = []
        for t in texts:
            label = t.split()[0].lower()
            label = label if label in ("complaint", "troll", "engagement") else "complaint"
            out.append(Verdict(label, {label: 0.8}, "test"))
        return out


_seq = iter(range(1, 10**6))


def post(minutes, text, author=None, followers=300, age_days=900, platform="mastodon"):
    n = next(_seq)
    at = T0 + timedelta(minutes=minutes)
    return Mention(platform, f"p{n}", text, at, author_handle=author or f"@user{n}",
                   author_followers=followers, author_created_at=at - timedelta(days=age_days))


def ingest(tmp_path, mentions, batch=50):
    store = Store(tmp_path / "t.db")
    tr = Triager(store, LabelFromText(), Escalator.load())
    mentions = sorted(mentions, key=lambda m: m.created_at)
    for i in range(0, len(mentions), batch):
        tr.ingest(mentions[i:i + batch])
    return store


def flagged(store, kind):
    return {r[0] for r in store.query("SELECT mention_id FROM flags WHERE kind = ?", (kind,))}


def by_text(store, pattern):
    return {r[0] for r in store.query("SELECT id FROM mentions WHERE text LIKE ?", (pattern,))}


def quiet_day(hours=24, every=30):
    """A normal day: one complaint and one praise an hour."""
    out = []
    for m in range(0, hours * 60, every):
        word = "complaint slow train" if (m // every) % 2 else "engagement nice trip"
        out.append(post(m, f"{word} {m}"))
    return out


def outage(start_min, n=40, spread=60):
    return [post(start_min + i * spread / n, f"complaint outage signal failure at station {i}")
            for i in range(n)]


@pytest.mark.parametrize("batch", [7, 500])
def test_outage_surge_is_flagged_and_forms_one_incident(tmp_path, batch):
    store = ingest(tmp_path, quiet_day() + outage(24 * 60 + 30), batch=batch)
    surge = flagged(store, "surge")
    outage_ids = by_text(store, "%outage%")
    assert outage_ids <= surge  # every outage post, the earliest ones included
    assert not (by_text(store, "engagement%") & surge)
    incidents = [i for i in list_incidents(store) if i.kind == "surge"]
    assert len(incidents) == 1
    assert outage_ids <= set(incident_mention_ids(store, incidents[0].id))
    assert incidents[0].opened_at <= T0 + timedelta(hours=24, minutes=31)
    reason = store.query("SELECT reason FROM flags WHERE kind='surge' AND reason NOT LIKE"
                         " 'part of%' LIMIT 1")[0][0]
    assert "negative mentions in the last 60 min vs a baseline of" in reason
    actions = [e["action"] for e in store.audit_entries()]
    assert actions.count("incident-open") == 1


def test_no_surge_on_a_steady_busy_day(tmp_path):
    # 20 complaints an hour all day: busy, but that is the baseline
    steady = [post(m * 3, f"complaint busy {m}") for m in range(26 * 20)]
    store = ingest(tmp_path, steady, batch=100)
    assert not flagged(store, "surge")
    assert not list_incidents(store)


def test_small_bump_on_a_quiet_account_is_not_a_surge(tmp_path):
    store = ingest(tmp_path, quiet_day() + outage(24 * 60 + 30, n=8))
    assert not flagged(store, "surge")


def test_two_surges_far_apart_are_two_incidents(tmp_path):
    day2 = [post(24 * 60 + m, f"engagement ok {m}") for m in range(0, 24 * 60, 30)]
    store = ingest(tmp_path, quiet_day() + outage(24 * 60 + 30) + day2
                   + outage(40 * 60, n=40), batch=60)
    assert len([i for i in list_incidents(store) if i.kind == "surge"]) == 2


def test_surge_statistic_on_synthetic_posts():
    s = SurgeSettings(window_minutes=60, baseline_hours=24, min_count=12, ratio=4,
                      baseline_floor=2)

    def p(i, minutes, negative=True):
        return Post(i, to_db(T0 + timedelta(minutes=minutes)), "x", f"a{i}", 0, None,
                    negative, "")

    history = [p(i, i * 60) for i in range(24)]          # 1/h baseline
    burst = [p(100 + i, 24 * 60 + i) for i in range(12)]  # 12 in 12 minutes
    hits = detect_surges(burst, history, s)
    assert [h.post_id for h in hits] == [111]             # the 12th crosses min_count
    assert hits[0].count == 12 and hits[0].rate == pytest.approx(1.0)
    # the same burst over a busy baseline (10/h) is not 4x expected
    busy = [p(i, i * 6) for i in range(240)]
    assert not detect_surges(burst, busy, s)


def brigade_posts(start, n=12, text="Dana Okafor must resign. #SackOkafor"):
    variants = [text, text.upper(), text.replace(".", "!"), "@danaokafor " + text.split(" ", 2)[2],
                text + " Enough.", text.replace("must", "MUST")]
    return [post(start + i * 1.5, "troll " + variants[i % len(variants)], followers=5 + i,
                 age_days=1 + i % 6) for i in range(n)]


def test_brigade_is_flagged_with_a_readable_reason(tmp_path):
    bystander = post(24 * 60 + 5, "troll Dana Okafor must resign. #SackOkafor",
                     followers=50_000, age_days=3000)
    store = ingest(tmp_path, quiet_day() + brigade_posts(24 * 60) + [bystander], batch=9)
    members = by_text(store, "troll%resign%") - {bystander.id}
    assert members <= flagged(store, "brigade")
    assert bystander.id not in flagged(store, "brigade")   # old, big account
    reasons = [r[0] for r in store.query("SELECT reason FROM flags WHERE kind='brigade'")]
    assert any(r.startswith("12 accounts under 30 days old posted near-identical text in")
               for r in reasons)
    incidents = [i for i in list_incidents(store) if i.kind == "brigade"]
    assert len(incidents) == 1
    # the pile-on is a brigade, not also a surge
    assert not flagged(store, "surge")


def test_brigade_needs_similar_text_and_young_accounts(tmp_path):
    different = [post(24 * 60 + i, f"troll thing number {i} about {'xyz' * i} {i * 7}",
                      followers=3, age_days=2) for i in range(10)]
    old = [post(24 * 60 + i, "troll Dana Okafor must resign. #SackOkafor", followers=3,
                age_days=400) for i in range(10)]
    store = ingest(tmp_path, quiet_day() + different + old)
    assert not flagged(store, "brigade")


@pytest.mark.parametrize("fifth_age, expected", [
    (timedelta(days=30) - timedelta(microseconds=1), True),   # still under 30 days
    (timedelta(days=30), False),                               # 30 days: not young
])
def test_brigade_from_history_keeps_the_exact_age_boundary(tmp_path, fifth_age, expected):
    """One post per batch, so four of the five accounts come back from the store;
    SQLite's coarse age filter must not change the exact rule."""
    ages = [timedelta(days=30) - timedelta(seconds=1)] * 4 + [fifth_age]
    pile = []
    for i, age in enumerate(ages):
        m = post(24 * 60 + i, "troll Dana Okafor must resign. #SackOkafor", followers=3)
        m.author_created_at = m.created_at - age
        pile.append(m)
    pile.insert(0, pile.pop())   # the boundary account posts first: it is history
    for i, m in enumerate(pile):
        m.created_at = T0 + timedelta(days=1, minutes=i)
        m.author_created_at = m.created_at - ages[(i - 1) % 5]
    store = ingest(tmp_path, quiet_day() + pile, batch=1)
    assert bool(flagged(store, "brigade")) is expected


def test_brigade_history_is_read_around_the_batch_own_suspects(tmp_path):
    """A batch reads the low-reach history only before its own young, low-reach posts:
    one that opens hours earlier with established accounts still finds the brigade
    in the store, and batches with no such post read none."""
    pile = brigade_posts(24 * 60, n=6)
    early = [post(24 * 60 - 180 + i, f"engagement hello {i}") for i in range(4)]
    store = ingest(tmp_path, quiet_day() + pile[:5], batch=50)
    assert not flagged(store, "brigade")          # five posts by five accounts: below six
    reads = []
    store.conn.set_trace_callback(lambda sql: reads.append(sql))
    tr = Triager(store, LabelFromText(), Escalator.load())
    tr.ingest(early)                              # established accounts only
    assert not [q for q in reads if "author_created_at IS NOT NULL" in q]
    tr.ingest([post(24 * 60 - 170, "engagement hi again"), pile[5]])
    assert pile[5].id in flagged(store, "brigade")
    assert [q for q in reads if "author_created_at IS NOT NULL" in q]


def test_brigade_adversarial_lookalikes_and_spacing_still_cluster():
    s = BrigadeSettings()
    texts = ["Dana Okafor must resign", "Dаna Okаfor must resign",  # Cyrillic a
             "D a n a Okafor must resign", "dana okafor MUST RESIGN!!!",
             "Dana Okafor must r e s i g n", "dana.okafor must resign"]
    posts = [Post(i + 1, to_db(T0 + timedelta(minutes=i)), "x", f"a{i}", 3, 2.0, True, t)
             for i, t in enumerate(texts)]
    hits = detect_brigades(posts, [], s)
    assert hits and hits[-1].accounts == 6


def test_repeat_counts_the_authors_nth_mention_in_the_window(tmp_path):
    same = [post(m, f"complaint still late {m}", author="@persistent") for m in (0, 60, 120, 2000)]
    store = ingest(tmp_path, same + quiet_day(), batch=3)
    rows = store.query("SELECT m.text, f.reason FROM flags f JOIN mentions m ON m.id ="
                       " f.mention_id WHERE f.kind = 'repeat'")
    assert [r[1] for r in rows] == ["3rd mention from @persistent in 24 h"]
    assert rows[0][0] == "complaint still late 120"


def test_repeat_is_per_platform(tmp_path):
    ms = [post(m, f"complaint x {m}", author="sam", platform=p)
          for m, p in ((0, "mastodon"), (1, "bluesky"), (2, "mastodon"))]
    store = ingest(tmp_path, ms)
    assert not flagged(store, "repeat")


def test_incident_phase_changes_are_audited(tmp_path):
    store = ingest(tmp_path, quiet_day() + outage(24 * 60 + 30))
    inc = list_incidents(store)[0]
    set_phase(store, inc.id, "investigating", "officer")
    assert list_incidents(store)[0].phase == "investigating"
    set_phase(store, inc.id, "resolved", "officer")
    assert list_incidents(store, include_closed=False) == []
    with pytest.raises(ValueError, match="unknown phase"):
        set_phase(store, inc.id, "panic", "officer")
    assert any(e["action"] == "incident-phase" for e in store.audit_entries())


def test_assess_batch_without_a_store_uses_the_batch_alone():
    ms = [post(i, "complaint outage everywhere", author="@same") for i in range(15)]
    for i, m in enumerate(ms):
        m.id = i + 1
    verdicts = LabelFromText().predict([m.text for m in ms])
    out = Escalator.load().assess_batch(ms, verdicts, None)
    assert [any(f.kind == "repeat" for f in a.flags) for a in out[:3]] == [False, False, True]
    # fifteen minutes of data is no baseline: no surge verdict on a fresh feed
    assert not any(f.kind == "surge" for a in out for f in a.flags)


@pytest.mark.parametrize("batch", [1, 50])
def test_repeat_ignores_the_case_of_handles(tmp_path, batch):
    same = [post(m, f"complaint still late {m}", author=a)
            for m, a in ((0, "@Persistent"), (60, "@persistent"), (120, "@PERSISTENT"))]
    store = ingest(tmp_path, same + quiet_day(hours=3), batch=batch)
    rows = store.query("SELECT m.text, f.reason FROM flags f JOIN mentions m ON m.id ="
                       " f.mention_id WHERE f.kind = 'repeat'")
    assert [(r[0], r[1]) for r in rows] == [("complaint still late 120",
                                              "3rd mention from @PERSISTENT in 24 h")]


def test_repeat_ignores_case_without_a_store():
    ms = [post(i, "complaint late", author=a) for i, a in enumerate(["@Sam", "@sam", "@SAM"])]
    for i, m in enumerate(ms):
        m.id = i + 1
    out = Escalator.load().assess_batch(ms, LabelFromText().predict([m.text for m in ms]))
    assert [any(f.kind == "repeat" for f in a.flags) for a in out] == [False, False, True]


@pytest.mark.parametrize("batch", [7, 500])
def test_surge_opens_at_its_onset_not_at_the_start_of_the_trailing_window(tmp_path, batch):
    # complaints 40 and 20 minutes before the outage sit in the first hit's window
    before = [post(24 * 60 + 30 - m, f"complaint slow today {m}") for m in (40, 20)]
    store = ingest(tmp_path, quiet_day() + before + outage(24 * 60 + 30), batch=batch)
    [incident] = [i for i in list_incidents(store) if i.kind == "surge"]
    assert incident.opened_at == T0 + timedelta(hours=24, minutes=30)   # first outage post
    members = set(incident_mention_ids(store, incident.id))
    assert by_text(store, "%outage%") <= members
    assert not by_text(store, "complaint slow today%") & members


def test_incidents_in_one_batch_are_numbered_in_time_order(tmp_path):
    # one batch holds an outage and, hours later, a brigade: the surge is incident #1
    brigade = brigade_posts(24 * 60 + 300)
    store = ingest(tmp_path, quiet_day() + outage(24 * 60 + 30) + brigade, batch=1000)
    incidents = list_incidents(store)
    assert [i.kind for i in incidents] == ["surge", "brigade"]
    assert incidents[0].opened_at < incidents[1].opened_at



def test_repeat_counts_do_not_read_the_whole_history(tmp_path):
    """Once a database has statistics (ANALYZE, `PRAGMA optimize`), a join of the batch
    with the author index let SQLite build a Bloom filter over every stored mention
    first: a query per 250 posts then cost a scan of the store (0.2 s at a million)."""
    from triage.escalate.history import US_PER_HOUR, count_repeats, micros, shift, stamp

    store = Store(tmp_path / "h.db")
    # a full chunk of the query (250 posts): SQLite weighs a Bloom filter by its size
    batch = [post(2000 + i / 5, f"complaint late {i}", author=f"@regular{i % 7}")
             for i in range(250)]
    posts = [(10**6 + i, m.platform, m.author_handle, stamp(m.created_at),
              micros(m.created_at)) for i, m in enumerate(batch)]
    start = shift(min(p[3] for p in posts), hours=-24)

    def counts() -> dict[int, int]:
        return count_repeats(store, posts, 24 * US_PER_HOUR, start, 3, stored=False)

    steps = []
    for size in (2_000, 20_000):   # other authors' mentions, long before
        old = [post(-10**5 + i / 10, f"engagement {i}", author=f"@other{i}")
               for i in range(size - store.count())]
        store.add_mentions(old)
        store.conn.execute("ANALYZE")
        assert counts() == {10**6 + i: i // 7 + 1 for i in range(14, 250)}
        steps.append(vm_steps(store, counts))
    assert steps[1] < 2 * steps[0], steps   # ten times the history, not ten times the work


def test_extending_an_incident_reads_the_new_members_only(tmp_path):
    """A flood extends one incident batch after batch: finding it, and which of the
    batch's members are new to it, must not read every member it has so far."""
    from triage.escalate.history import stamp
    from triage.escalate.incidents import open_or_extend

    store = Store(tmp_path / "i.db")
    steps, added = [], []
    for size in (2_000, 20_000):
        have = store.count()
        ms = [post(3000 + i / 100, f"complaint flood {i}") for i in range(size + 100 - have)]
        store.add_mentions(ms)
        ids = [r[0] for r in store.query("SELECT id FROM mentions ORDER BY id")]
        at = stamp(ms[-1].created_at)
        with store.write():   # the members so far, as earlier batches left them
            open_or_extend(store, "surge", at, ids[:size], "Surge", "s", 180)
        batch = ids[size - 50:size + 100]   # 50 known members, 100 new ones

        def extend(batch=batch, at=at):
            with store.write():
                added.append(open_or_extend(store, "surge", at, batch, "Surge", "s", 180))

        steps.append(vm_steps(store, extend))
    assert [len(a[1]) for a in added] == [100, 100]
    assert added[0][0] == added[1][0]   # one incident, extended
    assert steps[1] < 2 * steps[0], steps


@pytest.mark.parametrize("again", [False, True])
def test_surge_counts_do_not_read_every_negative_mention(tmp_path, again):
    """The batch's own rows are looked up by row id; as a label filter, SQLite took the
    label index and read every complaint and troll ever stored, once per batch."""
    from triage.escalate.history import NEGATIVE_SQL, US_SQL, NegativeCounts, micros

    store = Store(tmp_path / "n.db")
    tr = Triager(store, LabelFromText(), Escalator.load())
    steps = []
    for size in (2_000, 20_000):
        old = [post(-10**5 + i / 10, f"complaint old {i}") for i in range(size - store.count())]
        store.add_mentions(old)
        store.conn.execute("UPDATE mentions SET label = 'complaint', state = 'triaged'")
        batch = [post(10**5 + i, f"complaint new {i}") for i in range(20)]
        tr.ingest(batch)
        top = store.max_mention_id()
        # the batch as ingest sees it (ids not stored yet) or assessed again (stored)
        ids = set(range(top - 19, top + 1)) if again else set(range(top + 1, top + 21))
        t = micros(batch[0].created_at)
        spans = [(t - 10**9, t), (t, t + 10**8)]
        counts = NegativeCounts(store, spans, ids)
        stored = store.query(f"SELECT {US_SQL}, id FROM mentions WHERE {NEGATIVE_SQL}")
        assert counts.upto(t + 10**8) == sum(1 for us, i in stored
                                             if t - 10**9 < us <= t + 10**8 and i not in ids)
        steps.append(vm_steps(store, lambda s=spans, i=ids: NegativeCounts(store, s, i)))
    assert steps[1] < 2 * steps[0], steps


def test_add_flag_flags_each_mention_once_and_says_how_many(tmp_path):
    from triage.escalate.incidents import add_flag

    store = Store(tmp_path / "f.db")
    store.add_mentions([post(i, f"complaint {i}") for i in range(6)])
    ids = [r[0] for r in store.query("SELECT id FROM mentions ORDER BY id")]
    with store.write():
        assert add_flag(store, [ids[4]], "repeat", "3rd mention") == 1
        assert add_flag(store, ids[:2], "surge", "first") == 2
        # repeated ids, two already flagged, one flagged with another kind before
        assert add_flag(store, [ids[1], ids[0], ids[3], ids[3], ids[4]], "surge", "again") == 2
        assert add_flag(store, [], "surge", "none") == 0
    rows = {r[0]: (r[1], r[2]) for r in store.query(
        "SELECT m.id, m.flag_kinds, f.reason FROM mentions m LEFT JOIN flags f"
        " ON f.mention_id = m.id AND f.kind = 'surge'")}
    assert rows == {ids[0]: ("surge", "first"), ids[1]: ("surge", "first"),
                    ids[2]: ("", None), ids[3]: ("surge", "again"),
                    ids[4]: ("repeat,surge", "again"), ids[5]: ("", None)}
    counts = [e["detail"] for e in store.audit_entries() if e["action"] == "flag-added"]
    assert [json.loads(d)["count"] for d in counts] == [1, 2, 2]


def test_onset_is_the_start_of_the_first_greatest_excess():
    """`onset` against the change-point rule written out in full, on random windows
    with runs of equal times and exact ties in the excess."""
    import random

    from triage.escalate.history import US_PER_MINUTE
    from triage.escalate.surge import SurgeHit, onset

    def rule(times, hit_at, per_us):
        best, best_i = None, 0
        for i, t in enumerate(times):
            excess = (len(times) - i) - per_us * (hit_at - t)
            if best is None or excess > best:
                best, best_i = excess, i
        return times[best_i]

    rng = random.Random(5)
    s = SurgeSettings()
    for _ in range(300):
        hit_at = 1_780_000_000_000_000 + rng.randrange(10**9)
        n = rng.randrange(1, 400)
        step = rng.choice([1, US_PER_MINUTE // 4, US_PER_MINUTE])
        times = sorted(hit_at - rng.randrange(60) * step for _ in range(n))
        hit = SurgeHit(1, "", n, rng.choice([0.0, 2.0, 7.5, 40.0]), "")
        per_us = s.ratio * max(hit.rate, s.baseline_floor) / 3_600_000_000
        assert onset(times, hit_at, hit, s) == rule(times, hit_at, per_us)
    assert onset([], 123, SurgeHit(1, "", 0, 0.0, ""), s) == 123
