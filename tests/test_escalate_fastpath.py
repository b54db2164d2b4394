"""The fast paths give the same answers as the full ones.

`Rules.check` skips `Document` when the `Prefilter` finds no phrase that could match;
`Document(may_join=False)` skips the joining of spaced letters when the prefilter saw
none; surge and repeat are counted in SQL.  Each must agree with the slow path on the
demo feed, the training texts and adversarial spellings.
"""

import csv
import dataclasses
import itertools
import random
from datetime import UTC, datetime

import pytest

from triage.escalate import Escalator
from triage.escalate.prefilter import Prefilter
from triage.escalate.textmatch import Document
from triage.ingest.files import BadRecord, read_mentions
from triage.mention import Mention
from triage.paths import demo_feed, training_data_dir

ADVERSARIAL = [
    "I will s u e you", "I will ѕue you", "see you in C.O.U.R.T", "k1ll you", "$ue them",
    "L a w y e r s are involved now", "passenger I N J U R E D", "I know where yоu live",
    '"I know where you live" — think about it', "slash Okafor's tyres", "Lawsuits incoming",
    "s $$ u $$ e them", "#s.u.e them", "Dana.Okafor must go", "D a n a Okafor", "k-i-l-l",
    "I'm not going to sue, I just want a refund", "sue, u b c", "call her on 07700 900123",
    "ｓｕｅ", "s\u200bue them", "kill@you", "@k1ll you", "5ue", "her address is 12 Elm Road",
    "orr", "sorry, tomorrow", "“see you in court” he said", "her number: +44 7700 900123",
]


def texts() -> list[str]:
    out = list(ADVERSARIAL)
    if demo_feed().is_file():
        out += [m.text for m in read_mentions(demo_feed()) if not isinstance(m, BadRecord)]
    for path in sorted(training_data_dir().glob("*.csv"))[:3]:
        with path.open(encoding="utf-8") as f:
            out += [r.get("text", "") for r in itertools.islice(csv.DictReader(f), 400)]
    rnd = random.Random(5)
    alphabet = list("sueklioaytr 013457$@#.-_*/,;:!?\"'“”’ ѕаоéü\u200b|")
    out += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 30)))
            for _ in range(1500)]
    return out


@pytest.fixture(scope="module")
def esc():
    return Escalator.load()


def test_rules_with_prefilter_match_the_full_check(esc):
    full = dataclasses.replace(esc.rules, prefilter=None)
    at = datetime(2026, 11, 20, tzinfo=UTC)
    skipped = 0
    for i, text in enumerate(texts()):
        for handle in ("someone.bsky.social", "@RailNewsDesk"):
            m = Mention("bluesky", str(i), text, at, author_handle=handle,
                        author_followers=150_000 if i % 7 == 0 else 10)
            assert esc.rules.check(m) == full.check(m), text
        skipped += not esc.rules.prefilter.candidates(text)
    assert skipped > 100   # the fast path is taken, not just correct


def test_prefilter_never_misses_a_phrase_rule(esc):
    rules = esc.rules
    named = {r.policy.kind: r.regex for r in rules.keyword if r.regex is not None}
    named["leader"] = rules.leader_names
    named["cue"] = rules.personal.cues
    for text in texts():
        groups = rules.prefilter.candidates(text)
        doc = Document(text)
        for group, regex in named.items():
            if regex.search(doc.text):
                assert group in groups, (group, text)


def test_document_without_joining_is_the_same_when_nothing_is_spaced(esc):
    for text in texts():
        _groups, may_join = esc.rules.prefilter.check(text)
        if not may_join:
            fast, slow = Document(text, may_join=False), Document(text)
            assert (fast.text, fast._starts, fast._quoted) == \
                (slow.text, slow._starts, slow._quoted), text


def test_prefilter_keys_are_rare_words_and_need_the_whole_phrase():
    pf = Prefilter.build({"legal": ["see you in court", "take you to court", "lawsuit*"]})
    assert pf.candidates("court was adjourned") == frozenset()   # "see you in" missing
    assert pf.candidates("see you in COURT!") == {"legal"}
    assert pf.candidates("the lawsuits pile up") == {"legal"}
    assert pf.candidates("see you on the train") == frozenset()
    assert pf.candidates("s e e you in court") == {"legal"}      # spaced: full check


def test_assessments_of_recurring_flags_match_fresh_ones():
    """Flags of the same kinds (a flood's surge flags differ only in their counts) reuse
    what an assessment takes from the kinds; the answer is the same as working it out
    afresh, and each mention keeps its own reasons."""
    from triage.escalate.policy import FLAG_KINDS
    from triage.escalate.priority import priority_score
    from triage.verdict import LABELS, Flag, Verdict

    shared, fresh = Escalator.load(), Escalator.load()
    rng = random.Random(5)
    sets = [[rng.choice(FLAG_KINDS) for _ in range(rng.randrange(1, 4))] for _ in range(30)]
    for i in range(600):
        flags = [Flag(kind, f"reason {i}.{j}")
                 for j, kind in enumerate(sets[rng.randrange(len(sets))])]
        m = Mention("mastodon", str(i), "t", datetime(2026, 11, 26, tzinfo=UTC),
                    author_followers=rng.randrange(10**6))
        label = rng.choice(LABELS)
        v = Verdict(label, {label: rng.random()}, "test")
        fresh._shapes.clear()
        expected = fresh._finish(m, v, list(flags))
        assert shared._finish(m, v, list(flags)) == expected
        assert expected.priority == priority_score(shared.policy, label, v.confidence,
                                                   expected.flags, m.author_followers)
        assert [f.kind for f in expected.flags] == sorted(
            {f.kind for f in flags}, key=FLAG_KINDS.index)
        # each kind's first flag, with this mention's own reason
        assert all(f is next(g for g in flags if g.kind == f.kind) for f in expected.flags)
    assert len(shared._shapes) == len({tuple(s) for s in sets})
