"""Every per-mention flag kind: positive, negative and adversarial cases, readable reasons."""

from datetime import UTC, datetime

import pytest

from triage.escalate import Escalator
from triage.mention import Mention
from triage.verdict import Verdict

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def esc():
    return Escalator.load()


def assess(esc, text, followers=100, label="complaint", handle="someone.bsky.social"):
    m = Mention("bluesky", "1", text, NOW, author_handle=handle, author_followers=followers)
    return esc.assess(m, Verdict(label, {label: 0.9}, "test"))


def kinds(a):
    return {f.kind for f in a.flags}


def reason(a, kind):
    return next(f.reason for f in a.flags if f.kind == kind)


CASES = {
    # kind: (positives, negatives, adversarial positives)
    "threat": (
        ["I know where you live", "Someone should slash Okafor's tyres", "I will hurt him"],
        ["This delay is killing my mood", "I hurt my back carrying the bag up the stairs"],
        ["I'm not joking, I will hurt him",             # negation cue in another clause
         "i know where y o u live",                     # spacing
         "I know where yоu live",                       # Cyrillic o
         '"I know where you live" — think about it'],   # whole post quoted
    ),
    "legal": (
        ["See you in court, @northwindrail", "My solicitor will be in touch", "Reporting you to "
         "the regulator", "We are starting a class action"],
        ["I'm not going to sue, I just want a refund",
         "I'm not taking legal action and I'm not sending a solicitor",
         'People keep asking "will you sue them?" No.',      # quoted: reported speech
         "Sue from customer services was lovely"],
        ["I will s u e you", "I will ѕue you", "see you in C.O.U.R.T", "L a w y e r s are "
         "involved now", '"see you in court"'],
    ),
    "safety": (
        ["There's smoke coming from under the seats", "Someone fainted in the crush",
         "Platform is dangerously overcrowded"],
        ["No one was injured, thankfully", "Northwind control room must be on fire",
         "The app keeps crashing"],
        ["passenger I N J U R E D at Elm Park", "ѕmoke in coach C"],
    ),
    "press": (
        ["I'm a reporter at the Daily Courier working on a story",
         "Could your press office comment?", "cc @railnewsdesk"],
        ["Not a journalist, just a commuter with a spreadsheet", "Great story, thanks"],
        ["R e p o r t e r here, can you comment", "rероrter at the Gazette"],
    ),
    "distress": (
        ["I can't take this anymore, I don't see the point of going on",
         "I just want to end it all"],
        ["The delay made me want to scream", "I can't take the 07:40 anymore, too full"],
        ["I want to e n d it all", "I'm not ok, I want to end it all"],
    ),
    "leader": (
        ["@danaokafor resign", "Dana Okafor should apologise", "Okafor is useless"],
        ["Dana Scully would fix this", "Northwind should apologise"],
        ["Dаna Okаfor (Cyrillic a) resign", "O k a f o r out", "@DanaOkafor.bsky.social hi"],
    ),
    "personal-data": (
        ["This is the personal mobile of the station manager: 07700 900123",
         "Found where that conductor lives. 12 Example Road, Elmford",
         "Dana Okafor's email is dana.okafor@gmail.com"],
        ["Call me on 07700 900123 about my refund", "Email help@northwindrail.example",
         "The 12:05 from Riverside Road was late"],
        ["her number is ０７７００ ９００１２３", "his email: dana [at] gmail dot com",
         "her number is 0 7 7 0 0 9 0 0 1 2 3"],
    ),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_positive(esc, kind):
    for text in CASES[kind][0]:
        a = assess(esc, text)
        assert kind in kinds(a), text
        assert reason(a, kind)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_negative(esc, kind):
    for text in CASES[kind][1]:
        assert kind not in kinds(assess(esc, text)), text


@pytest.mark.parametrize("kind", sorted(CASES))
def test_adversarial(esc, kind):
    for text in CASES[kind][2]:
        assert kind in kinds(assess(esc, text)), text


def test_reasons_quote_what_matched(esc):
    assert reason(assess(esc, "See you in court!"), "legal") == "matched 'see you in court'"
    assert reason(assess(esc, "@danaokafor hi"), "leader") == \
        "tags @danaokafor (Dana Okafor, CEO)"
    assert "(inside a quotation)" in reason(
        assess(esc, 'He wrote "I know where you live" to my friend'), "threat")


def test_reach(esc):
    a = assess(esc, "Two hours late again", followers=182_000)
    assert reason(a, "reach") == "author has 182k followers (threshold 100k)"
    assert a.escalated
    assert "reach" not in kinds(assess(esc, "Two hours late again", followers=99_999))
    # adversarial: a big account that is also a press handle still gets both flags
    a = assess(esc, "late again", followers=1_200_000, handle="@railnewsdesk")
    assert {"reach", "press"} <= kinds(a)
    assert reason(a, "reach").startswith("author has 1.2M followers")


def test_threat_and_distress_are_never_auto_drafted(esc):
    assert assess(esc, "I know where you live").no_auto_draft
    a = assess(esc, "I want to end it all")
    assert a.no_auto_draft and a.escalated and a.notes
    assert not assess(esc, "See you in court").no_auto_draft


def test_leader_alone_is_tracked_not_escalated(esc):
    a = assess(esc, "Dana Okafor was on the radio", label="engagement")
    assert kinds(a) == {"leader"} and not a.escalated


def test_priority_orders_threat_over_complaint_and_reach_breaks_ties(esc):
    threat = assess(esc, "I know where you live", label="troll")
    legal = assess(esc, "See you in court")
    plain = assess(esc, "late again")
    plain_big = assess(esc, "late again", followers=50_000)
    praise = assess(esc, "thanks, lovely trip", label="engagement")
    assert threat.priority > legal.priority > plain_big.priority > plain.priority
    assert plain.priority > praise.priority


def test_configurable_leaders_and_reach(tmp_path):
    over = tmp_path / "team.toml"
    over.write_text('[[leaders]]\nname = "Sam Lee"\nhandles = ["@samlee"]\n'
                    '[flags.reach]\nthreshold = 5000\n'
                    '[flags.legal]\nphrases = ["ombudsman"]\n', encoding="utf-8")
    esc = Escalator.load(over)
    assert "leader" in kinds(assess(esc, "@samlee answer us"))
    assert "leader" not in kinds(assess(esc, "@danaokafor answer us"))
    assert "reach" in kinds(assess(esc, "meh", followers=6000))
    assert "legal" in kinds(assess(esc, "going to the ombudsman"))
    assert "legal" not in kinds(assess(esc, "see you in court"))
