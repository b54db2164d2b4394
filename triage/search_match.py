"""The full-text query that finds the candidate rows for a substring search.

The search index (`mentions_fts`, trigram tokenizer) keeps only which rows hold each
three-character sequence (``detail=none``, migration 0013): a quarter of the size of an
index with positions, and a third less work per stored mention.  Without positions
FTS5 cannot match a phrase, so a search for ``refund pol`` asks for the rows that hold
every one of its trigrams (``"ref" AND "efu" AND ... AND "pol"``).  That is a superset of
the rows holding the text itself; the queue's LIKE condition, which every text search
carries anyway, keeps only those.
"""

from __future__ import annotations

MAX_TERMS = 32   # a pasted paragraph: a spread of its trigrams narrows as well as all


def trigrams(text: str) -> list[str]:
    """The text's distinct three-character sequences, in order of first appearance.

    Not case-folded here: the index's tokenizer folds each query term as it folded the
    stored text (folding first in Python could change a character's length and shift
    the trigrams).
    """
    return list(dict.fromkeys(text[i:i + 3] for i in range(len(text) - 2)))


def match_expression(text: str) -> str | None:
    """An FTS5 MATCH argument whose rows include every row containing `text`; None
    when the text is too short for a trigram (the caller scans instead)."""
    grams = trigrams(text)
    if not grams:
        return None
    if len(grams) > MAX_TERMS:
        step = len(grams) / MAX_TERMS
        grams = [grams[int(i * step)] for i in range(MAX_TERMS - 1)] + [grams[-1]]
    return " AND ".join('"' + g.replace('"', '""') + '"' for g in grams)
