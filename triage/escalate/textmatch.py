"""Normalise untrusted text so keyword rules see through the usual evasions.

People who want to threaten or sue without tripping a filter write "s u e", "ѕue"
(Cyrillic ѕ), "SUE!!!", "k1ll" or hide zero-width spaces inside words.  Honest posters
write "I'm not going to sue" or quote someone else ("they said \"see you in court\"").
`Document` turns a post into clauses of plain lowercase ASCII-ish tokens, remembering
for each clause whether it was inside quotation marks, so a rule can match once and
then ask: is this hit negated, or only quoted?

Cost matters (every ingested mention passes through here): one `str.translate`, a
handful of precompiled regexes, and no per-character Python loop on the common path.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

# Look-alike letters that NFKC does not fold (Cyrillic, Greek, Latin small capitals...).
_CONFUSABLES = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
    "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i",
    "ј": "j", "ԁ": "d", "ɡ": "g", "һ": "h", "ո": "n", "ս": "u", "ᴜ": "u", "ʀ": "r",
    "ɪ": "i", "ᴏ": "o", "ᴄ": "c", "ᴇ": "e", "ᴋ": "k", "ʟ": "l", "ꜱ": "s", "ᴛ": "t",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c", "ѡ": "w", "ɑ": "a",
    "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p",
    "С": "c", "Т": "t", "Х": "x", "Ѕ": "s", "І": "i", "Ј": "j", "Α": "a", "Β": "b",
    "Ε": "e", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n", "Ο": "o", "Ρ": "p",
    "Τ": "t", "Υ": "y", "Χ": "x", "Ζ": "z",
    # apostrophes join ("don't" -> "dont"); invisible characters vanish
    "'": "", "’": "", "‘": "", "`": "", "´": "",
    "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "", "\u00ad": "",
}
_FOLD = str.maketrans(_CONFUSABLES)
# digits and symbols standing in for letters, applied only inside words that mix them
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                       "$": "s", "@": "a"})
_LEET_WORD = re.compile(r"(?<![a-z0-9$@])[a-z0-9$@]*[0-9$@][a-z0-9$@]*")


def _unleet(m: re.Match[str]) -> str:
    word = m.group(0)
    if word[0] == "@" or not any("a" <= c <= "z" for c in word):
        return word  # a handle or a plain number
    return word.translate(_LEET)


# quotation: "..." “...” «...» „...“ (single quotes are too often apostrophes)
_QUOTE = re.compile(r'"[^"\n]{1,400}"|“[^”\n]{1,400}”|«[^»\n]{1,400}»|„[^“”\n]{1,400}[“”]')
# clause breaks: sentence punctuation, commas, and "but" (negation rarely crosses them)
_CLAUSE = re.compile(r"[.!?;:,\n()\[\]]+|\s(?:but|although|though|however)\s", re.I)
# single letters joined by dots, dashes or stars: "s.u.e", "k-i-l-l", "s . u . e"
_SPELLED = re.compile(r"(?<![^\W_])(?:[^\W\d_] ?[.\-_*·•/] ?){2,}[^\W\d_](?![^\W_])")
_NON_WORD = re.compile(r"[^a-z0-9#@]+")
# three or more single characters in a row: "s u e", "s.u.e", "k-i-l-l"
_SPACED = re.compile(r"(?<![a-z0-9])(?:[a-z0-9] ){2,}[a-z0-9](?![a-z0-9])")

NEGATION_CUES = frozenset({
    "not", "no", "never", "nobody", "noone", "none", "nothing", "neither", "nor",
    "dont", "doesnt", "didnt", "wont", "wouldnt", "cant", "cannot", "couldnt", "isnt",
    "arent", "wasnt", "werent", "shouldnt", "without", "hardly", "aint",
})


def fold(text: str) -> str:
    """Lowercase, NFKC, look-alikes to ASCII, accents and invisible characters removed."""
    text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text)
                       if not unicodedata.combining(c))
    return text.lower()


def normalise(text: str) -> str:
    """One clause's words: folded, de-leeted, punctuation to spaces, spaced letters joined."""
    text = fold(text)
    text = _LEET_WORD.sub(_unleet, text)
    text = _NON_WORD.sub(" ", text).strip()
    if " " in text:
        text = _SPACED.sub(lambda m: m.group(0).replace(" ", ""), text)
    return text


@dataclass(frozen=True, slots=True)
class Hit:
    """One rule match: what matched, and whether the author negated or only quoted it."""

    phrase: str
    negated: bool
    quoted: bool


class Document:
    """A post as clauses of normalised words, joined by " | " for one-pass matching."""

    __slots__ = ("text", "_starts", "_quoted", "whole_quote")

    def __init__(self, raw: str) -> None:
        if "." in raw or "-" in raw or "*" in raw or "_" in raw or not raw.isascii():
            raw = _SPELLED.sub(lambda m: re.sub(r"[\s.\-_*·•/]", "", m.group(0)), raw)
        segments: list[tuple[str, bool]] = []
        pos = 0
        outside = []
        for m in _QUOTE.finditer(raw):
            if m.start() > pos:
                segments.append((raw[pos:m.start()], False))
                outside.append(raw[pos:m.start()])
            segments.append((m.group(0)[1:-1], True))
            pos = m.end()
        if pos < len(raw):
            segments.append((raw[pos:], False))
            outside.append(raw[pos:])
        # a post that is nothing but a quotation is the author's own words
        self.whole_quote = len(normalise(" ".join(outside)).split()) < 3
        parts: list[str] = []
        starts: list[int] = []
        quoted: list[bool] = []
        offset = 0
        for seg, is_quote in segments:
            for clause in _CLAUSE.split(seg):
                words = normalise(clause)
                if not words:
                    continue
                starts.append(offset)
                quoted.append(is_quote and not self.whole_quote)
                parts.append(words)
                offset += len(words) + 3
        self.text = " | ".join(parts)
        self._starts = starts
        self._quoted = quoted

    def hit(self, match: re.Match[str], negation_window: int = 0) -> Hit:
        """Describe a match found in `self.text`."""
        i = bisect_right(self._starts, match.start()) - 1
        negated = False
        if negation_window and i >= 0:
            before = self.text[self._starts[i]:match.start()].split()[-negation_window:]
            negated = any(w in NEGATION_CUES for w in before)
        return Hit(match.group(0), negated, bool(i >= 0 and self._quoted[i]))


def phrase_regex(phrases: list[str]) -> re.Pattern[str] | None:
    """One alternation for a list of plain phrases (normalised like the text).

    A trailing ``*`` matches any word ending ("lawsuit*" also finds "lawsuits").
    Longer phrases are tried first so the reason quotes the most specific one.
    """
    alts = []
    for phrase in sorted({p for p in phrases if p.strip()}, key=len, reverse=True):
        star = phrase.rstrip().endswith("*")
        words = normalise(phrase.rstrip().rstrip("*"))
        if not words:
            continue
        alts.append(r"\s".join(map(re.escape, words.split())) + (r"[a-z0-9]*" if star else ""))
    if not alts:
        return None
    return re.compile(r"(?<![a-z0-9#@])(?:" + "|".join(alts) + r")(?![a-z0-9])")
