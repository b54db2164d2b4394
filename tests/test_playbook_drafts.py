"""Drafts from the shipped playbook: topic, placeholders, voice, trolls, care cases,
holding statements."""

from datetime import UTC, datetime

import pytest

from triage.mention import Mention
from triage.playbook import Playbook, check_tone
from triage.verdict import Flag, Verdict

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def book():
    return Playbook.load()


def mention(text, platform="bluesky", followers=100, mid=1, handle="kezia.bsky.social"):
    return Mention(platform, str(mid), text, NOW, author_handle=handle,
                   author_followers=followers, id=mid)


def v(label):
    return Verdict(label, {label: 0.9}, "t")


@pytest.mark.parametrize("text, label, topic", [
    ("Still no refund for the double charge", "complaint", "billing"),
    ("Signal failure again, all trains suspended", "complaint", "outage"),
    ("The 07:40 was cancelled and I missed my meeting", "complaint", "delay"),
    ("The conductor was rude to me", "complaint", "staff"),
    ("The lift at Kingsmead is broken", "complaint", "product"),
    ("You leaked my personal data", "complaint", "privacy"),
    ("meh", "complaint", "other"),
    ("Thanks to the lovely conductor", "engagement", "praise"),
    ("Can I take a bike on the train?", "engagement", "question"),
    ("Suggestion: show carriage loading in the app", "engagement", "suggestion"),
    ("hello there", "engagement", "other"),
])
def test_topic_is_chosen_by_the_playbook_rules(book, text, label, topic):
    drafts = book.drafts_for(mention(text), v(label))
    assert drafts and all(d.topic == topic for d in drafts)
    assert 2 <= len(drafts) <= 3
    assert len({d.text for d in drafts}) == len(drafts)


def test_placeholders_are_filled_or_shown_as_missing(book):
    d = book.drafts_for(mention("refund please", mid=3), v("complaint"), topic="billing")
    for draft in d:
        assert "@kezia.bsky.social" in draft.text
        assert "northwindrail.example/help" in draft.text
        assert draft.missing == ("case_ref",) and "{case_ref}" in draft.text
        assert any(f.kind == "placeholder" for f in check_tone(draft.text, "bluesky"))
    filled = book.drafts_for(mention("refund please"), v("complaint"), topic="billing",
                             values={"case_ref": "NW-1"})
    assert all(not x.missing and "{" not in x.text for x in filled)


def test_variants_rotate_between_mentions(book):
    a = book.drafts_for(mention("late", mid=1), v("complaint"), topic="delay")[0]
    b = book.drafts_for(mention("late", mid=2), v("complaint"), topic="delay")[0]
    assert a.text != b.text


def test_channel_limit_and_leader_voice(book):
    d = book.drafts_for(mention("late", platform="bluesky"), v("complaint"),
                        voice="@danaokafor")[0]
    assert d.limit == 300 and d.voice == "danaokafor" and d.text.endswith("– Dana")
    assert not d.over_limit
    m = book.drafts_for(mention("late", platform="mastodon"), v("complaint"))[0]
    assert m.limit == 500 and m.voice == "brand"
    assert check_tone(d.text, "bluesky", voice="danaokafor") == []


def test_trolls_default_to_do_not_engage(book):
    d = book.drafts_for(mention("Okafor has never been on a train, liar", followers=50),
                        v("troll"))
    assert len(d) == 1 and not d[0].engage


def test_high_reach_troll_spreading_a_falsehood_gets_an_optional_one_liner(book):
    d = book.drafts_for(mention("Okafor has never been on a train, liar", followers=50_000),
                        v("troll"))
    assert not d[0].engage                       # the default stays first
    assert any(x.engage and x.topic == "falsehood" for x in d[1:])
    # big troll, no falsehood: still do not engage
    d = book.drafts_for(mention("you are all clowns", followers=50_000), v("troll"))
    assert [x.engage for x in d] == [False]


@pytest.mark.parametrize("kind", ["threat", "distress"])
def test_threat_and_distress_never_get_a_template(book, kind):
    d = book.drafts_for(mention("whatever"), v("complaint"), flags=[Flag(kind, "x")])
    assert len(d) == 1 and not d[0].engage and d[0].key == f"{kind}.care"


def test_without_flags_the_text_is_checked_so_threats_never_get_a_template(book):
    d = book.drafts_for(mention("I know where you live"), v("complaint"))
    assert [x.key for x in d] == ["threat.care"]
    d = book.drafts_for(mention("I know where you live"), v("complaint"), flags=[])
    assert d[0].engage     # the caller said: no flags


def test_holding_statements_are_versioned_per_phase(book):
    latest = book.holding_statement("acknowledge", channel="bluesky",
                                    values={"next_update": "09:30"})
    assert latest.key == "holding.surge.acknowledge.v2" and latest.version == 2
    assert "09:30" in latest.text and not latest.missing and len(latest.text) <= 300
    old = book.holding_statement("acknowledge", version=1)
    assert old.version == 1 and old.text != latest.text
    for phase in ("investigating", "resolved"):
        assert book.holding_statement(phase) is not None
    assert book.holding_statement("panic") is None


def test_old_single_level_playbook_still_loads(tmp_path):
    (tmp_path / "playbook.toml").write_text(
        '[drafts.complaint]\nvariants = ["Sorry {author}."]\n'
        '[drafts.troll]\nvariants = ["(Do not engage.)"]\n', encoding="utf-8")
    book = Playbook.load(tmp_path)
    assert book.drafts_for(mention("x"), v("complaint"))[0].text == "Sorry @kezia.bsky.social."
    assert not book.drafts_for(mention("x"), v("troll"))[0].engage
