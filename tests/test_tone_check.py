"""The calm-tone check on calm and heated drafts; overrides are recorded."""

import pytest

from triage.escalate import Policy
from triage.playbook import Playbook, check_tone
from triage.playbook.voice import VoiceProfile

CALM = [
    "Hi @kezia, I'm sorry about your journey today. You can claim Delay Repay at "
    "northwindrail.example/help, and we are looking into what went wrong.",
    "Thank you, @jo. I'll pass this on to the team; it means a lot to them.",
    "For anyone following this: the current facts are at northwindrail.example/status.",
    "Please contact help@northwindrail.example and quote NW-48213; the ORR guidance is "
    "on our site.",
]


@pytest.mark.parametrize("text", CALM)
def test_calm_drafts_have_no_findings(text):
    assert check_tone(text, "bluesky") == []


HEATED = [
    ("Actually, the train was on time.", "defensive", "Actually"),
    ("To be clear, we never said that.", "defensive", "To be clear"),
    ("With respect, as we said yesterday, it's running.", "defensive", "With respect"),
    ("You should have checked the app before travelling.", "blame", "You should have"),
    ("If you had read the terms you'd know.", "blame", "If you had"),
    ("Good luck with that.", "sarcasm", "Good luck with that"),
    ("Sure thing 🙄", "sarcasm", "Sure thing"),
    ("We are NOT responsible for the weather.", "all-caps", "NOT"),
    ("Please calm down!!!", "exclamation", "!!!"),
    ("That's not true and you know it.", "argue", "That's not true"),
    ("It was our fault and we will compensate you.", "forbidden", "our fault"),
    ("We'll refund £50 today.", "amount", "£50"),
    ("Call Dana directly on 07700 900123.", "private-data", "07700 900123"),
    ("Email dana.okafor@gmail.com about it.", "private-data", "dana.okafor@gmail.com"),
    ("Sorry, ref {case_ref}.", "placeholder", "{case_ref}"),
]


@pytest.mark.parametrize("text, kind, words", HEATED)
def test_heated_drafts_point_at_the_words(text, kind, words):
    findings = [f for f in check_tone(text, "bluesky") if f.kind == kind]
    assert findings, text
    f = findings[0]
    assert text[f.start:f.end] == words == f.words
    assert words.lower() in f.message.lower() or kind in ("length",)


def test_length_over_the_channel_limit():
    text = "We are sorry. " * 25                  # 350 characters
    (f,) = [x for x in check_tone(text, "bluesky") if x.kind == "length"]
    assert (f.start, f.end) == (300, 350) and "over the bluesky limit of 300" in f.message
    assert not [x for x in check_tone(text, "mastodon") if x.kind == "length"]


def test_arguing_with_a_troll_says_so():
    (f,) = check_tone("You're wrong about that.", label="troll")
    assert f.kind == "argue" and "troll" in f.message


def test_voice_profile_words_emoji_and_exclamations():
    dana = Playbook.load().voice("danaokafor")
    text = "Unfortunately the trolls are loud today! Thanks 👍"
    kinds = [(f.kind, f.words) for f in check_tone(text, "mastodon", voice=dana)]
    assert ("voice", "Unfortunately") in kinds and ("voice", "trolls") in kinds
    assert ("exclamation", "!") in kinds and ("emoji", "👍") in kinds
    relaxed = VoiceProfile("x", "X", emoji=True, exclamations=True)
    assert check_tone("Great news! Thanks 👍", voice=relaxed) == []


def test_a_heated_draft_collects_every_finding_in_text_order():
    text = ("Actually, as we said, you should have read the terms!!! We are NOT liable. "
            "Call 07700 900123. Refund of £50 🙄")
    found = check_tone(text, "bluesky", voice="danaokafor", label="troll")
    kinds = {f.kind for f in found}
    assert {"defensive", "blame", "exclamation", "all-caps", "private-data", "amount",
            "sarcasm", "emoji"} <= kinds
    assert [f.start for f in found] == sorted(f.start for f in found)


def test_policy_phrases_are_configurable(tmp_path):
    over = tmp_path / "p.toml"
    over.write_text('[tone]\ndefensive = ["per my last"]\n', encoding="utf-8")
    policy = Policy.load(over)
    assert [f.kind for f in check_tone("Per my last message.", policy=policy)] == ["defensive"]
    assert check_tone("Actually fine.", policy=policy) == []


def test_findings_and_override_are_recorded_with_the_draft(store):
    from tests.conftest import make_mention
    from triage.verdict import Assessment, Verdict

    (m,) = store.add_mentions([make_mention(1, "late again")]).new
    store.record_triage(m.id, Verdict("complaint", {"complaint": 0.9}, "t"), Assessment())
    text = "Actually, you should have checked."
    findings = check_tone(text, "mastodon")
    draft_id = store.add_draft(m.id, text, "officer", variant="complaint.delay.1",
                               findings=[f.to_dict() for f in findings],
                               override_reason="customer asked for a blunt answer")
    saved = store.latest_draft(m.id)
    assert saved["id"] == draft_id and saved["override_reason"]
    assert [f["kind"] for f in saved["findings"]] == ["defensive", "blame"]
    assert saved["findings"][0]["start"] == 0
    store.submit_for_approval(m.id, "officer", override_reason=saved["override_reason"])
    assert any("blunt answer" in (e["detail"] or "") for e in store.audit_entries(m.id))
