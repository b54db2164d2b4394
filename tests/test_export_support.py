"""Shared scenario for the export and audit unit tests: a small hand-built outage.

Twelve mentions with planted personal data, a token and Markdown injection, worked
through the store and grouped into an incident directly, so each rule (redaction,
secrets, cut at close, filters) can be checked precisely.  The demo's real outage,
opened by surge detection, is ``test_export_demo_incident.py``.  The clock is fixed
so audit times are deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from triage.mention import Mention
from triage.store import Store
from triage.timeutil import to_db
from triage.verdict import Assessment, Flag, Verdict

T0 = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
WINDOW = (datetime(2026, 11, 20, 7, 10, tzinfo=UTC), datetime(2026, 11, 20, 8, 20, tzinfo=UTC))
RAW_MARKER = "rawonly-7f3a9c"
TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def at(self, hh: int, mm: int, ss: int = 0) -> None:
        self.now = datetime(2026, 11, 20, hh, mm, ss, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock(T0)
    monkeypatch.setattr("triage.store.utcnow", c)
    monkeypatch.setattr("triage.incidents.utcnow", c)
    monkeypatch.setattr("triage.escalate.incidents.utcnow", c)
    return c


# (minute, handle, label, confidence, flags, text)
POSTS = [
    (-60, "early_bird", "engagement", 0.81, (), "Loving the new app layout, nice work"),
    (10, "maria_k", "complaint", 0.93, (), "Can't log in to @AcmeBank since 7am, app just "
     "spins. Is it down?"),
    (12, "tom.h", "complaint", 0.88, (), "Payments failing for me too. Card declined at "
     "the shop and the app is down"),
    (15, "jo_w", "complaint", 0.91, (), "Outage again?? Call me on +44 7700 900123 or "
     "jo.w@example.com, I live at 221B Baker Street and need my rent paid"),
    (18, "ceo_watch", "complaint", 0.72, (Flag("leader", "names the CEO Dana Reyes"),
                                          Flag("legal", "matched 'lawyer'")),
     "@DanaReyes your bank has been down for an hour. My lawyer will hear about this"),
    (20, "xx_troll_xx", "troll", 0.95, (), "lol imagine banking with these clowns, "
     "servers run on a potato"),
    (25, "press_ana", "complaint", 0.64, (Flag("press", "matched 'reporter'"),),
     "Reporter at the Daily Ledger: is Acme confirming a nationwide outage? DMs open"),
    (31, "maria_k", "complaint", 0.9, (), "Still down. 25 minutes and no word from "
     "@AcmeBank"),
    (40, "tom.h", "complaint", 0.87, (), "Payments failing for me too. Card declined at "
     "the shop and the app is down"),
    (45, "xx_troll_xx", "troll", 0.97, (), "[click here](http://evil.example) for | the "
     "real | story <script>x</script>"),
    (58, "sam_p", "complaint", 0.83, (), f"Status page says all green, it is not. debug "
     f"token={TOKEN}"),
    (66, "lee_r", "engagement", 0.78, (), "Working again for me, thanks for the update"),
    (79, "nina", "complaint", 0.69, (), "Transfers still pending after the outage, when "
     "will they land?"),
]


@dataclass
class Outage:
    ids: list[int]
    incident_id: int
    handles: list[str]

    def id_at(self, minute: int) -> int:
        return self.ids[[p[0] for p in POSTS].index(minute)]


def verdict(label: str, p: float) -> Verdict:
    rest = round((1 - p) / 2, 4)
    probs = {x: (p if x == label else rest) for x in ("troll", "complaint", "engagement")}
    return Verdict(label, probs, "test-model-1", explanation=(("down", 0.8), ("app", 0.3)))


def build_outage(store: Store, clock: Clock) -> Outage:
    """Ingest, triage and work the outage mentions; group them into an incident."""
    mentions = [
        Mention(platform="mastodon", platform_id=f"11{i:04d}", text=text,
                created_at=T0 + timedelta(minutes=minute),
                author_handle=f"@{handle}@social.example",
                author_name=handle.title(), author_followers=100 + i * 37,
                url=f"https://social.example/@{handle}/11{i:04d}",
                raw={"id": f"11{i:04d}", "note": RAW_MARKER, "access_token": TOKEN},
                source="file:feed.jsonl")
        for i, (minute, handle, *_rest, text) in enumerate(POSTS)
    ]
    ids = []
    for m, (_minute, _h, label, conf, flags, _t) in zip(mentions, POSTS, strict=True):
        clock.now = m.created_at + timedelta(seconds=40)  # polled shortly after posting
        store.add_mentions([m], actor="import")
        escalated = any(f.kind in ("legal", "press", "leader") for f in flags)
        store.record_triage(m.id, verdict(label, conf),
                            Assessment(flags=flags, escalated=escalated,
                                       priority=2.0 if escalated else conf))
        ids.append(m.id)
    by_min = {p[0]: i for p, i in zip(POSTS, ids, strict=True)}
    # replies: drafted by alice, approved by bob, sent (times as (hh, mm))
    for minute, draft, drafted, approved, sent in [
        (10, "Sorry @maria_k, logins are failing for some customers right now. We are "
             "on it and will update here within 30 minutes.", (7, 16), (7, 19), (7, 21)),
        (12, "Sorry Tom, card payments are affected by the same outage. Declined "
             "payments are not charged.", (7, 22), (7, 26), (7, 29)),
        (18, "We are sorry for the disruption. Our team is restoring service and will "
             "contact you directly about any costs.", (7, 35), (7, 52), None),
    ]:
        mid = by_min[minute]
        clock.at(*drafted)
        store.add_draft(mid, draft, "alice", variant="outage-ack")
        store.submit_for_approval(mid, "alice")
        clock.at(*approved)
        store.approve(mid, "bob")
        if sent:
            clock.at(*sent)
            store.transition(mid, "sent", "bob")
    clock.at(8, 21)
    store.dismiss(by_min[20], "not_engaged", "alice")
    store.dismiss(by_min[45], "not_engaged", "alice")
    store.dismiss(by_min[40], "duplicate", "carol")
    clock.at(8, 24)
    store.add_draft(by_min[25], "Thanks for reaching out, our press office will reply "
                    "by email.", "carol")
    store.submit_for_approval(by_min[25], "carol")
    store.mute_author("mastodon", "@xx_troll_xx@social.example", "alice")
    with store.write() as conn:
        cur = conn.execute(
            "INSERT INTO incidents (kind, title, opened_at) VALUES ('outage',"
            " 'Login and payments outage', ?)", (to_db(WINDOW[0]),))
        incident_id = int(cur.lastrowid)
        conn.execute(
            "INSERT INTO incident_mentions (incident_id, mention_id) SELECT ?, id FROM"
            " mentions WHERE created_at >= ? AND created_at < ?",
            (incident_id, to_db(WINDOW[0]), to_db(WINDOW[1])))
    return Outage(ids=ids, incident_id=incident_id,
                  handles=[f"@{h}@social.example" for _m, h, *_r in POSTS])
