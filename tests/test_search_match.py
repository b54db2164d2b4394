"""The trigram query finds every row holding the text; LIKE then keeps the exact ones."""

import pytest

from tests.conftest import make_mention
from triage.queue_query import QueueView
from triage.search_match import MAX_TERMS, match_expression, trigrams
from triage.store import QueueFilter


def found(store, text):
    return sorted(i.id for i in QueueView(QueueFilter(text=text)).page(store, limit=1000))


def candidates(store, text):
    return {r[0] for r in store.query(
        "SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH ?",
        (match_expression(text),))}


def test_short_text_has_no_trigram_query():
    assert match_expression("") is None
    assert match_expression("ab") is None
    assert trigrams("abcab") == ["abc", "bca", "cab"]


def test_quotes_and_query_syntax_in_the_text_are_only_characters(store):
    texts = ['he said "refund" AND left', "NEAR(a b) OR c*", "plain post"]
    store.add_mentions([make_mention(i, t) for i, t in enumerate(texts)])
    store.index_search()
    assert found(store, '"refund" AND') == [1]
    assert found(store, "NEAR(a b) OR c*") == [2]
    assert found(store, "OR") == [2]   # two letters: no trigram, the rows are scanned


def test_a_row_holding_every_trigram_but_not_the_text_is_not_a_match(store):
    # row 2 holds every trigram of "refund pol" ("refund " and "and pol"), not the text
    store.add_mentions([make_mention(1, "the refund policy is unclear"),
                        make_mention(2, "no refund and policy nowhere"),
                        make_mention(3, "nothing here")])
    store.index_search()
    assert candidates(store, "refund pol") == {1, 2}   # the index's superset
    assert found(store, "refund pol") == [1]           # LIKE decides
    assert found(store, "REFUND") == [1, 2]


@pytest.mark.parametrize("text", ["İstanbul", "STRASSE straße", "Ünïcödé", "日本語のテキスト"])
def test_case_and_non_ascii_text_is_found_as_before_indexing(store, text):
    store.add_mentions([make_mention(1, f"about {text} today"), make_mention(2, "other")])
    before = found(store, text)
    store.index_search()
    assert found(store, text) == before == [1]
    assert found(store, text.lower() if text.isascii() else text) == [1]


def test_a_long_search_uses_a_spread_of_its_trigrams(store):
    long = "the replacement part never arrived and support stopped answering " * 2
    assert match_expression(long).count(" AND ") == MAX_TERMS - 1
    store.add_mentions([make_mention(1, long), make_mention(2, long[:40])])
    store.index_search()
    assert found(store, long.strip()) == [1]
