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
# digits and symbols standing in for letters, applied only inside words that mix them
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                       "$": "s", "@": "a"})
_HAS_LEET = re.compile(r"[a-z][0-9$@]|[0-9$][a-z]")
_LEET_WORD = re.compile(r"(?<![a-z0-9$@])[a-z0-9$@]*[0-9$@][a-z0-9$@]*")


def _unleet(m: re.Match[str]) -> str:
    word = m.group(0)
    if word[0] == "@" or not any("a" <= c <= "z" for c in word):
        return word  # a handle or a plain number
    return word.translate(_LEET)


# quotation: "..." “...” «...» „...“ (single quotes are too often apostrophes)
_QUOTE = re.compile(r'"[^"\n]{1,400}"|“[^”\n]{1,400}”|«[^»\n]{1,400}»|„[^“”\n]{1,400}[“”]')
# clause breaks: sentence punctuation, commas, and "but" (negation rarely crosses them)
_CLAUSE = re.compile(r"[.!?;:,\n()\[\]]+|\s(?:but|although|though|however)\s")
# single letters joined by dots, dashes or stars: "s.u.e", "k-i-l-l", "s . u . e"
_SPELLED = re.compile(r"(?<![a-z0-9])(?:[a-z] ?[.\-_*/] ?){2,}[a-z](?![a-z0-9])")
_CLAUSE_BYTES = bytes(ord("|") if chr(c) in ".!?;:,\n()[]" else c for c in range(256))
_NON_WORD = re.compile("[^a-z0-9#@|\ue000\ue001]+")
_Q_OPEN, _Q_CLOSE = "\ue000", "\ue001"   # quotation markers that survive normalising
_PIECES = re.compile("\\s*([|\ue000\ue001])\\s*")
# three or more single characters in a row: "s u e", "s.u.e", "k-i-l-l"
_SPACED = re.compile(r"(?<![a-z0-9])(?:[a-z0-9] ){2,}[a-z0-9](?![a-z0-9])")

NEGATION_CUES = frozenset({
    "not", "no", "never", "nobody", "noone", "none", "nothing", "neither", "nor",
    "dont", "doesnt", "didnt", "wont", "wouldnt", "cant", "cannot", "couldnt", "isnt",
    "arent", "wasnt", "werent", "shouldnt", "without", "hardly", "aint",
})


_POSSESSIVE = re.compile(r"['’]s\b", re.I)


def fold(text: str) -> str:
    """Lowercase, NFKC, look-alikes to ASCII, accents and invisible characters removed.

    A possessive "'s" is dropped ("Okafor's" matches "okafor"); other apostrophes join.
    """
    if text.isascii():   # the common case, kept cheap
        if "'" in text or "`" in text:
            text = _POSSESSIVE.sub("", text).replace("'", "").replace("`", "")
        return text.lower()
    # per distinct character, not per character: most posts hold a handful of them
    text = unicodedata.normalize("NFKC", text)
    if "'" in text or "’" in text:
        text = _POSSESSIVE.sub("", text)
    for c in set(text):
        if c in _CONFUSABLES:
            text = text.replace(c, _CONFUSABLES[c])
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        for c in set(text):
            if not c.isascii() and unicodedata.combining(c):
                text = text.replace(c, "")
    return text.lower()


def normalise(text: str) -> str:
    """Words only: folded, de-leeted, punctuation to spaces, spaced letters joined.

    Clause bars and quotation markers put in by `Document` survive it.
    """
    return _words(fold(text))


# `_NON_WORD.sub(" ", text).strip()` for ASCII text, as a table and a split
_NON_WORD_BYTES = bytes(c if (97 <= c <= 122 or 48 <= c <= 57 or c in b"#@|") else 32
                        for c in range(128)) + bytes(128)


def _words(text: str, may_join: bool = True) -> str:
    """`normalise` for text that is already folded.

    `may_join=False` is the caller's promise that the text has no run of one-character
    words for `_SPACED` to join (see `triage.escalate.prefilter`)."""
    if _HAS_LEET.search(text):
        text = _LEET_WORD.sub(_unleet, text)
    if text.isascii():
        text = " ".join(text.encode("ascii").translate(_NON_WORD_BYTES).decode("ascii").split())
    else:
        text = _NON_WORD.sub(" ", text).strip()
    if may_join and " " in text:
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

    def __init__(self, raw: str, *, may_join: bool = True, folded: str | None = None) -> None:
        """`may_join=False`: the caller knows the text has no spaced or dotted-out
        letters to join (a `Prefilter` found no run of one-character tokens);
        `folded`: `fold(raw)`, if the caller has it already."""
        if '"' in raw or (not raw.isascii() and ("“" in raw or "«" in raw or "„" in raw)):
            raw = _QUOTE.sub(lambda m: f" {_Q_OPEN} {m.group(0)[1:-1]} {_Q_CLOSE} ", raw)
            folded = None
        text = fold(raw) if folded is None else folded
        if may_join and ("." in text or "-" in text or "*" in text or "_" in text
                         or "/" in text):
            text = _SPELLED.sub(lambda m: re.sub(r"[\s.\-_*/]", "", m.group(0)), text)
        if text.isascii() and not ("but" in text or "though" in text or "however" in text):
            # no clause word: each clause mark becomes a bar; runs of bars only make
            # empty pieces, which are dropped below (the same clauses as _CLAUSE.sub)
            text = text.encode("ascii").translate(_CLAUSE_BYTES).decode("ascii")
        else:
            text = _CLAUSE.sub(" | ", text)
        words = _words(text, may_join)
        if _Q_OPEN in words or _Q_CLOSE in words:
            pieces = _PIECES.split(words)
        else:   # no quotation: the same pieces, without the regex
            pieces = [p.strip() for p in words.split("|")]
        clauses: list[tuple[str, bool]] = []
        inside = False
        outside_words = 0
        for piece in pieces:
            if piece == _Q_OPEN:
                inside = True
            elif piece == _Q_CLOSE:
                inside = False
            elif piece and piece != "|":
                clauses.append((piece, inside))
                if not inside:
                    outside_words += piece.count(" ") + 1
        # a post that is nothing but a quotation is the author's own words
        self.whole_quote = outside_words < 3
        starts: list[int] = []
        quoted: list[bool] = []
        offset = 0
        for words, is_quote in clauses:
            starts.append(offset)
            quoted.append(is_quote and not self.whole_quote)
            offset += len(words) + 3
        self.text = " | ".join(words for words, _ in clauses)
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


def _atoms(phrase: str) -> list[str]:
    """A phrase as regex atoms (one per character, word gaps and wildcards)."""
    atoms: list[str] = []
    for word in phrase.split():
        if atoms:
            atoms.append(r"\s")
        if word == "*":
            atoms.append(r"[a-z0-9#]+")
            continue
        star = word.endswith("*")
        norm = normalise(word.rstrip("*"))
        for i, part in enumerate(norm.split()):
            if i:
                atoms.append(r"\s")
            atoms.extend(re.escape(c) for c in part)
        if star:
            atoms.append(r"[a-z0-9]*")
    while atoms and atoms[-1] == r"\s":
        atoms.pop()
    return atoms


def _trie(seqs: list[list[str]]) -> str:
    """One regex for many phrases, factored by common prefix.

    A flat alternation of 100 phrases makes the engine try each at every word; the
    trie tries one branch per distinct next character, which keeps matching cost
    nearly independent of the list's length.
    """
    root: dict = {}
    for seq in seqs:
        node = root
        for atom in seq:
            node = node.setdefault(atom, {})
        node[""] = {}

    def emit(node: dict) -> str:
        end = "" in node
        alts = [atom + emit(child) for atom, child in node.items() if atom != ""]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and not end else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if end and len(alts) == 1 else body + ("?" if end else "")

    return emit(root)


def phrase_regex(phrases: list[str]) -> re.Pattern[str] | None:
    """One regex for a list of plain phrases (normalised like the text).

    A trailing ``*`` matches any word ending ("lawsuit*" also finds "lawsuits"); a lone
    ``*`` matches any one word ("slash * tyres").  Longer matches win, so the reason
    quotes the most specific phrase.
    """
    seqs = [a for a in (_atoms(p) for p in phrases if p.strip()) if a]
    if not seqs:
        return None
    return re.compile(r"(?<![a-z0-9#@])" + "(?:" + _trie(seqs) + r")(?![a-z0-9])")
