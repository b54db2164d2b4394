"""Behaviour the shipped model must keep, whatever it is retrained on: minimal pairs
where a change that does not change what a post says must not change its verdict.

(In the spirit of CheckList's invariance tests.  Written after "my order is late!!"
came out engagement: the exclamation mark had become a word feature that outweighed
the grievance.)
"""

import pytest

from triage.classifier import Classifier


@pytest.fixture(scope="module")
def model() -> Classifier:
    return Classifier.load()


@pytest.mark.parametrize("text,label", [
    ("my order is late", "complaint"),
    ("third time this month the app logged me out and deleted my basket", "complaint"),
    ("you are an idiot and so is your ceo", "troll"),
    ("thanks for sorting my refund so fast", "engagement"),
])
def test_exclamation_marks_do_not_change_the_verdict(model, text, label):
    for variant in (text, text + "!", text + "!!", text + "!!!!", text.upper() + "!!"):
        assert model.predict_one(variant).label == label, variant


@pytest.mark.parametrize("text,label", [
    ("my order is late", "complaint"),
    ("you are an idiot and so is your ceo", "troll"),
    ("thanks for sorting my refund so fast", "engagement"),
])
def test_handles_and_links_do_not_change_the_verdict(model, text, label):
    for variant in (f"@acme {text}", f"{text} https://t.co/x1y2z3", f"@a @b {text} @c"):
        assert model.predict_one(variant).label == label, variant


@pytest.mark.parametrize("text,label", [
    ("@ayesha-nurse.bsky.social she's ok, paramedics have her now. Thanks everyone who helped",
     "engagement"),
    ("the guard was lovely to my dad, he helped him with his bags", "engagement"),
    ("the lady at the desk was so kind, she sorted it in 5 minutes", "engagement"),
    ("the engineer never turned up, he didn't even call", "complaint"),
    ("my nan waited 3 hours on hold, she is 84", "complaint"),
    ("she is a disgrace and a liar", "troll"),
    ("he should be locked up, pathetic clown", "troll"),
])
def test_talking_about_a_person_is_not_trolling(model, text, label):
    """Third-person words ("she", "him") once all but meant troll: our troll rows were
    the only ones that talked about a person (see training_data/README.md, third round).
    A post about staff or family takes its label from what it says about them."""
    assert model.predict_one(text).label == label


@pytest.mark.parametrize("text", [
    "your ceo said refunds were done, they are not",
    "will the ceo be at the shareholder meeting?",
    "the ceo promised compensation in march and we still have nothing",
    "great interview with your ceo this morning, good to hear about the new trains",
    "the minister announced new funding for the line today, good news",
])
def test_naming_a_leader_in_good_faith_is_not_trolling(model, text):
    """Leader words ("ceo", "mayor") were once almost only in our troll rows, so a
    question for the CEO came out troll (see training_data/README.md, third round)."""
    assert model.predict_one(text).label != "troll"


@pytest.mark.parametrize("text", [
    "your ceo is a clown and should resign",
    "the minister is a spineless liar",
    "Dana Okafor must resign. #SackOkafor",
])
def test_abuse_of_a_leader_is_still_trolling(model, text):
    assert model.predict_one(text).label == "troll"


@pytest.mark.parametrize("text", [
    "@brand worst. airline. ever.",
    "@brand y'all are thieves, charged me twice",
    "@brand your app is absolute garbage, 3rd crash today",
    "@brand you lot are useless, 3 weeks and no refund",
    "@brand great job losing my bag again 👏",
    "@brand absolute shambles, the site has been down all morning",
    "@brand who approved this update? half my photos are gone",
])
def test_rude_or_sarcastic_at_a_company_is_a_complaint(model, text):
    """Insults aimed at a service, not a person, are a grievance however rude (the
    fourth round of training data, training_data/README.md): answering them as a
    troll would ignore a customer with a real problem."""
    assert model.predict_one(text).label == "complaint"
