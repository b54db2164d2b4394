"""The cheap first look: which phrase rules could possibly match this post?

`Document` (clauses, quotes, negation) costs tens of microseconds and most posts match
no phrase at all, so each post is first cut into tokens by one `bytes.translate` and
one `split`, and the tokens are looked up in a set of key words (one per phrase, chosen
to be rare; the phrase's other words must be present too).  Only the rule groups whose
phrases could match are then run on a `Document`.  No regex runs on the common path.

Why this never misses a match `Document` would find:
* the table maps every character that is not a letter or digit to a space, and maps
  the digits and symbols `Document` may read as letters ("k1ll", "$ue") to those
  letters everywhere, so each of `Document`'s words appears here as a token (or, when
  it holds "#" or "@", as the pieces around them) after the same mapping as the keys;
* `Document` only joins one-character words ("s u e", "s.u.e"); a post with three
  one-character tokens in a row always takes the full path.
False hits ("sue" in "Sue from customer services") only cost the full check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from triage.escalate.textmatch import fold, normalise

_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "$": "s", "@": "a"}


def _mapped(c: str, symbols_are_letters: bool) -> str:
    if c in _LEET and (c.isdigit() or symbols_are_letters):
        return _LEET[c]
    return c.lower() if c.isalnum() else " "


# keys and tokens: "$" and "@" read as letters, as `Document` reads them inside words
_BYTES = bytes(ord(_mapped(chr(c), True)) for c in range(128)) + bytes(128)
# one-character words: "$" and "@" are separators here, as `Document` drops a lone "$"
_BYTES_SEP = bytes(ord(_mapped(chr(c), False)) for c in range(128)) + bytes(128)
_NON_ASCII = re.compile("[^\x00-\x7f]+")
# common words make poor keys: a phrase is keyed on its rarest-looking word
_COMMON = frozenset(
    "a an the to of in on at for by and or but is are was were be been it its i im ill "
    "you your u he him his she her they them their we our us my me will would can could "
    "not no do dont this that what where when who why how with from up out into over all "
    "get got getting gonna going go come coming take taking give set find want see".split())


def tokens(raw: str, folded: str | None = None) -> tuple[list[str], bool]:
    """The post as mapped tokens, and whether `Document` may join some of its letters."""
    text = fold(raw) if folded is None else folded
    if not text.isascii():
        text = _NON_ASCII.sub(" ", text)
    data = text.encode("ascii")
    toks = data.translate(_BYTES).decode("ascii").split()
    if "$" in text or "@" in text:
        return toks, has_spaced_run(data.translate(_BYTES_SEP).split())
    return toks, has_spaced_run(toks)


def _key_of(word: str) -> str:
    """A phrase word as a token; "" if it cannot be a key (no letter, or # and @,
    which `Document` keeps inside words but the tokens split on)."""
    if "#" in word or "@" in word or not any(c.isalpha() for c in word):
        return ""
    key = word.encode("ascii", "replace").translate(_BYTES).decode("ascii")
    return key if " " not in key else ""


_SINGLE_STR = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_SINGLE_BYTES = frozenset(c.encode() for c in _SINGLE_STR)


def has_spaced_run(toks: list) -> bool:
    """Three one-character tokens in a row: `Document` may join them into a word."""
    if _SINGLE_STR.isdisjoint(toks) and _SINGLE_BYTES.isdisjoint(toks):
        return False
    run = 0
    for t in toks:
        run = run + 1 if len(t) == 1 else 0
        if run == 3:
            return True
    return False


@dataclass
class Prefilter:
    """Key words -> the rule groups (flag kinds, "leader", "cue") they may trigger."""

    # key word -> (every key word of the phrase, group); all must occur
    exact: dict[str, tuple[tuple[frozenset[str], str], ...]]
    prefix: dict[str, frozenset[str]]      # stems of "word*" phrases with no plain word
    everything: frozenset[str]
    always: frozenset[str] = frozenset()

    @classmethod
    def build(cls, groups: dict[str, Iterable[str]]) -> Prefilter:
        exact: dict[str, list[tuple[frozenset[str], str]]] = {}
        prefix: dict[str, set[str]] = {}
        always: set[str] = set()
        for group, phrases in groups.items():
            for phrase in phrases:
                plain: list[str] = []
                stems: list[str] = []
                for word in phrase.split():
                    if word == "*":
                        continue
                    parts = normalise(word.rstrip("*")).split()
                    if not parts:
                        continue
                    if word.endswith("*"):
                        plain.extend(parts[:-1])
                        stems.append(parts[-1])
                    else:
                        plain.extend(parts)
                keys = [k for k in map(_key_of, plain) if k]
                stem_keys = [k for k in map(_key_of, stems) if k]
                if keys:
                    best = max(keys, key=lambda k: (k not in _COMMON, len(k)))
                    exact.setdefault(best, []).append((frozenset(keys), group))
                elif stem_keys:
                    prefix.setdefault(max(stem_keys, key=len), set()).add(group)
                else:
                    always.add(group)   # no usable key word: always run this group
        return cls({k: tuple(v) for k, v in exact.items()},
                   {k: frozenset(v) for k, v in prefix.items()}, frozenset(groups),
                   frozenset(always))

    def candidates(self, raw: str) -> frozenset[str]:
        """The groups that may match `raw` (an empty set for most posts)."""
        return self.check(raw)[0]

    def check(self, raw: str, folded: str | None = None) -> tuple[frozenset[str], bool]:
        """(groups that may match, whether `Document` may join spaced letters)."""
        toks, spaced = tokens(raw, folded)
        if spaced:
            return self.everything, True
        found = set(self.always)
        present = set(toks)
        raw_tokens = " ".join(toks)
        for key in self.exact.keys() & present:
            for words, group in self.exact[key]:
                if group not in found and words <= present:
                    found.add(group)
        if self.prefix and any(stem in raw_tokens for stem in self.prefix):
            stems = tuple(self.prefix)
            for t in toks:
                if t.startswith(stems):
                    found.update(g for s, gs in self.prefix.items() if t.startswith(s)
                                 for g in gs)
        return frozenset(found), False
