"""Normalisation for matching: the evasions rules must see through, and what they must not."""

import pytest

from triage.escalate.textmatch import Document, fold, normalise, phrase_regex


@pytest.mark.parametrize("raw, expected", [
    ("SUE them", "sue them"),
    ("s u e them", "sue them"),
    ("S.U.E them", "sue them"),
    ("k-i-l-l", "kill"),
    ("ѕue", "sue"),                      # Cyrillic dze
    ("Dаna Okafor", "dana okafor"),       # Cyrillic a
    ("ｓｕｅ", "sue"),                      # fullwidth
    ("s\u200bue", "sue"),                 # zero-width space
    ("k1ll", "kill"),
    ("5ue", "sue"),
    ("don't", "dont"),
    ("café", "cafe"),
])
def test_normalise_sees_through_evasions(raw, expected):
    assert Document(raw).text == expected


def test_numbers_and_handles_are_not_de_leeted():
    assert normalise("the 07:40 has 182 seats") == "the 07 40 has 182 seats"
    assert "@danaokafor" in normalise("@danaokafor hi")


def test_clauses_and_quotes_are_tracked():
    doc = Document('They said "see you in court" lol, whatever')
    m = phrase_regex(["see you in court"]).search(doc.text)
    assert doc.hit(m).quoted
    assert not Document('"see you in court"').hit(
        phrase_regex(["see you in court"]).search("see you in court")).quoted


def test_negation_window_stops_at_clause_breaks():
    rx = phrase_regex(["hurt him"])
    doc = Document("I'm not joking, I will hurt him")
    assert not doc.hit(rx.search(doc.text), 4).negated
    doc = Document("I would never hurt him")
    assert doc.hit(rx.search(doc.text), 4).negated


def test_phrase_regex_wildcards():
    rx = phrase_regex(["lawsuit*", "slash * tyres"])
    assert rx.search(Document("Lawsuits incoming").text)
    assert rx.search(Document("slash Okafor's tyres").text)
    assert not rx.search(Document("slash prices on tyres").text)


def test_fold_is_lowercase_ascii():
    assert fold("ЅUE") == "sue"
