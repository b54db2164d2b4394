"""Fixtures for the TUI tests: small real databases built without the classifier.

Mentions are triaged with hand-written verdicts through the real `Store`, so the tests
do not depend on the shipped model's opinions.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from triage.mention import Mention
from triage.playbook import HoldingStatement, Playbook, VoiceProfile
from triage.playbook.playbook import DraftSet
from triage.store import Store
from triage.verdict import Assessment, Flag, Verdict

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LABELS = ("troll", "complaint", "engagement")


class StubPlaybook(Playbook):
    """A real `Playbook` with fixed drafts, so UI tests and snapshots do not change when
    the shipped playbook is edited.  One leader voice ("Dana Okafor") for leader mentions.
    """

    def __init__(self) -> None:
        def ds(label: str, topic: str, *variants: str, engage: bool = True) -> DraftSet:
            return DraftSet(label, topic, variants, engage=engage)

        super().__init__(
            drafts={
                "complaint": {"other": ds(
                    "complaint", "other",
                    "Hi there, sorry about this. Please send us the details at "
                    "example.org/help and we will look today.",
                    "Thank you for telling us, and sorry. Send the details to "
                    "example.org/help and we will look today.")},
                "engagement": {"other": ds(
                    "engagement", "other",
                    "Thank you for getting in touch. We will answer here today.",
                    "Thanks for asking. We will come back to you here today.")},
                "troll": {"default": ds("troll", "default", "(Do not engage.)",
                                        engage=False)},
            },
            voices={"dana": VoiceProfile("dana", "Dana Okafor", leader=True,
                                         handles=("@dana",), avoid=("frankly",),
                                         sign_off="– Dana")},
            holding={("surge", "acknowledge"): [HoldingStatement(
                         "surge", "acknowledge", 1, "We know many of you are affected. "
                         "Updates at {status_url}.")],
                     ("surge", "investigating"): [HoldingStatement(
                         "surge", "investigating", 1, "We have found the cause and are "
                         "fixing it.")],
                     ("surge", "resolved"): [HoldingStatement(
                         "surge", "resolved", 1, "Services are running again. Sorry.")]},
            values={"status_url": "example.org/status"})


def frozen_now() -> datetime:
    return NOW


def verdict(label: str, p: float = 0.9) -> Verdict:
    rest = (1 - p) / 2
    return Verdict(label, {x: (p if x == label else rest) for x in LABELS}, "test-model",
                   explanation=(("refund", 0.8), ("waiting", 0.4)))


def add(store: Store, i: int, text: str, label: str, *, escalated: bool = False,
        flags: tuple[Flag, ...] = (), followers: int = 100, author: str | None = None,
        minutes_ago: int = 0, platform: str = "mastodon", reply_to: str | None = None) -> int:
    m = Mention(platform=platform, platform_id=f"p{i}", text=text,
                created_at=NOW - timedelta(minutes=minutes_ago or i),
                author_handle=author or f"@user{i}@example.social", author_name=f"User {i}",
                author_followers=followers, url=f"https://example.social/@user{i}/{i}",
                in_reply_to_id=reply_to)
    store.add_mentions([m])
    priority = (2.0 if escalated else 0.0) + (label == "complaint")
    store.record_triage(m.id, verdict(label), Assessment(flags, escalated, priority))
    return int(m.id)


def build_small_db(path: Path) -> dict[str, int]:
    """Twelve mentions covering every class, a flag, a reply thread and a troll brigade."""
    ids: dict[str, int] = {}
    with Store(path) as s:
        ids["complaint"] = add(s, 1, "My order has been missing for two weeks, no refund yet.",
                               "complaint", followers=1200)
        ids["legal"] = add(s, 2, "I will see you in court over this.", "complaint",
                           escalated=True, flags=(Flag("legal", "matched 'see you in court'"),))
        ids["thanks"] = add(s, 3, "Thanks for sorting my problem so quickly!", "engagement")
        for n in range(4, 9):
            ids[f"troll{n}"] = add(s, n, f"worst company ever, boycott #{n}", "troll",
                                   author="@brigade@example.social")
        ids["reply"] = add(s, 9, "Same here, still waiting.", "complaint", reply_to="p1")
        ids["inject"] = add(s, 10, "[bold red]HACKED[/] [@click=app.quit]quit[/] "
                                   "\x1b[31mred\x1b[0m \x1b]8;;https://evil.example\x07link"
                                   "\x1b]8;;\x07 \u202eevil", "complaint")
        ids["big"] = add(s, 11, "Journalist here: can you comment?", "engagement",
                         followers=250_000, flags=(Flag("reach", "250,000 followers"),))
        ids["plain"] = add(s, 12, "Is the shop open on Sunday?", "engagement")
        s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return ids


class KeywordClassifier:
    """A fixed stand-in for the trained model, so screenshots do not change on retraining."""

    TROLL = ("clown", "idiot", "boycott", "scam", "pathetic", "liar", "joke", "useless")
    COMPLAINT = ("delay", "late", "cancel", "refund", "stuck", "broken", "waiting", "worst",
                 "charged", "rude", "again", "missed")

    def predict(self, texts):
        out = []
        for t in texts:
            low = t.lower()
            if any(w in low for w in self.TROLL):
                label, p = "troll", 0.8
            elif any(w in low for w in self.COMPLAINT):
                label, p = "complaint", 0.75
            else:
                label, p = "engagement", 0.6
            out.append(verdict(label, p))
        return out


def build_demo_db(path: Path) -> None:
    """The bundled demo feed, through the real store and escalation, with fixed labels."""
    from triage.escalate import Escalator
    from triage.ingest.files import BadRecord, read_mentions
    from triage.paths import demo_feed
    from triage.pipeline import Triager

    with Store(path) as store:
        triager = Triager(store, KeywordClassifier(), Escalator.load())
        batch = [m for m in read_mentions(demo_feed()) if not isinstance(m, BadRecord)]
        triager.ingest(batch, actor="demo")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
