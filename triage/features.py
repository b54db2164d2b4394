"""Features for the triage model: hashed word and character n-grams plus hand-made cues.

Hashing (instead of a learnt vocabulary) keeps the saved model small and quick to
load: there is no vocabulary to unpickle, only a weight matrix.  The hand-made cues
encode what the labelling guide says separates the classes — an insult aimed at
*you*, profanity aimed at a person rather than at a product, a concrete grievance
("still waiting", "charged twice"), praise — so the model does not have to relearn
them from a few thousand examples.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import murmurhash3_32

from triage.normalise import URL_TOKEN, USER_TOKEN, normalise, readable_token

WORD_BITS = 18
CHAR_BITS = 18
CHAR_NGRAMS = (2, 4)
# @handles and links say where a post was written, not what it means; in a small
# corpus they correlate with a class by accident (replies to a brand carry a handle),
# so the model never sees them.
_IGNORED = re.compile(rf"{USER_TOKEN}|{URL_TOKEN}")

_INSULT = (r"idiots?|morons?|clowns?|stupid|dumb(?:est)?|losers?|pathetic|scum(?:bags?)?|"
           r"imbeciles?|cretins?|fools?|retard(?:ed|s)?|liars?|frauds?|grifters?|jokes?|"
           r"disgrace|hypocrites?|cowards?|trash|garbage|sheep|snowflakes?|bitch(?:es)?|"
           r"dickheads?|assholes?|arseholes?|dicks?|twats?|wankers?|pricks?|cunts?|"
           r"brain ?dead|clueless|incompetent|worthless|useless|ignorant|disgusting|"
           r"vile|evil|sick|psycho|nutjobs?|lunatics?|halfwits?|nitwits?|buffoons?")
_PROFANITY = (r"f+u+c+k\w*|f[*#@]+\w*|fk+\w*|fck\w*|sh[i*]t\w*|crap\w*|damn\w*|wtf|stfu|"
              r"bs|bullshit|hell|piss\w*|ass|arse|bloody|bastards?|goddamn\w*|"
              r"joder|mierda|merde|putain|scheisse|scheiße|cazzo")
_PERSON_TARGET = (r"you|u|ya|him|her|them|yourself|ur (?:ceo|boss)|this (?:guy|woman|man|clown)|"
                  r"off|the (?:ceo|mayor|senator|president|minister|founder|chair)")

CUES: dict[str, re.Pattern[str]] = {
    "second-person insult": re.compile(
        rf"\b(?:you(?:'re| are| r)?|ur|u r|you're such|your (?:ceo|boss|ceo's))\s+"
        rf"(?:(?:such|a|an|the|so|just|really|total|complete|utter|absolute|fucking|"
        rf"f\w*ing|bloody|lying|little|pathetic|stupid|biggest)\s+)*(?:{_INSULT})\b"),
    "insult word": re.compile(rf"\b(?:{_INSULT})\b"),
    "profanity at a person": re.compile(
        rf"\b(?:{_PROFANITY})\s+(?:{_PERSON_TARGET})\b|\b(?:screw|damn|fuck|f\*+k?)\s+"
        rf"(?:you|u|them|him|her)\b|\bgo to hell\b|\bshut (?:up|it)\b|\bkys\b|\bstfu\b"),
    "profanity": re.compile(rf"\b(?:{_PROFANITY})\b"),
    "threat or wish of harm": re.compile(
        r"\b(?:kill|hang|shoot|burn|die|dead|bury|destroy)\b.{0,30}\b(?:you|him|her|them)\b|"
        r"\b(?:hope|wish) (?:you|he|she|they)\b.{0,30}\b(?:die|dies|suffer|rot|burn|fired|lose)|"
        r"\bwatch your back\b|\bwe know where\b|\bi(?:'ll| will) find you\b|"
        r"\bshould be (?:shot|hanged|jailed|locked up|fired)\b"),
    "group generalisation": re.compile(
        r"\b(?:all|these|those|typical|every(?:one of these)?) "
        r"(?:\w+ )?(?:people|libs|liberals|leftists|lefties|conservatives|progressives|"
        r"feminists|boomers|millennials|immigrants|migrants|voters|fans|women|men)\b|"
        r"\byou people\b|\byour kind\b|\bpeople like (?:you|them)\b"),
    "bad-faith framing": re.compile(
        r"\bjust asking(?: questions)?\b|\bjust saying\b|\basking for a friend\b|"
        r"\bdo your (?:own )?research\b|\bwake up\b|\bsheeple\b|\bgoogle it\b|"
        r"\beveryone knows\b|\beverybody knows\b|\bwhat are they hiding\b|"
        r"\bconcerned\b.{0,40}\b(?:really|genuinely|honestly)\b|\bsure,? jan\b"),
    "pile-on call": re.compile(
        r"\b(?:everyone|everybody|let's all|let's|make) .{0,20}\b(?:report|ratio|trend|spam|"
        r"flood|tag|boycott|dox)\b|\bratio\b|\bretweet if\b"),
    "grievance cue": re.compile(
        r"\bstill (?:waiting|not|no|haven't|hasn't|have not|can't|cannot|broken|down)\b|"
        r"\bno (?:refund|response|reply|answer|one|signal|service|update|internet|power)\b|"
        r"\b(?:been|was|kept|keep) (?:waiting|on hold|charged|cut off|ignored|transferred)\b|"
        r"\bon hold\b|\bcharged (?:me )?(?:twice|again|double|for)\b|\brefund\w*\b|"
        r"\b(?:cancell?ed|delayed|overbooked|lost|broken|damaged|missing|stuck|down|outage)\b|"
        r"\b(?:doesn'?t|does not|didn'?t|won'?t|isn'?t|not) (?:work|working|arrive|arrived|"
        r"load|loading|respond|connect)\w*\b|\bnever (?:arrived|came|received|got|showed)\b|"
        r"\b(?:third|second|fourth|fifth|another) time\b|"
        r"\bfor _num_ (?:days|weeks|hours|months)\b"),
    "my product or account": re.compile(
        r"\b(?:my|our) (?:\w+ )?(?:order|flight|package|parcel|account|bill|phone|card|"
        r"bag|luggage|booking|delivery|train|internet|broadband|subscription|app|payment|"
        r"money|food|meal|refund|ticket|router|laptop|device|car|plan|claim|connection)s?\b"),
    "customer service": re.compile(r"\bcustomer (?:service|support|care)\b|\bhelpline\b|"
                                   r"\bcall cent(?:er|re)\b|\bsupport team\b|\bagents?\b"),
    "question": re.compile(r"\?|^(?:how|what|when|where|why|can|could|does|do|is|are|will|"
                           r"would|any|anyone)\b"),
    "praise or thanks": re.compile(
        r"\bthanks?\b|\bthank you\b|\bthx\b|\bcheers\b|\blove\b|\bloving\b|\bgreat\b|"
        r"\bawesome\b|\bamazing\b|\bappreciate\w*\b|\bkudos\b|\bshout ?out\b|\bwell done\b|"
        r"\bbrilliant\b|\bexcellent\b|\bfantastic\b|\bimpressed\b|\bhelpful\b|\bproud\b|"
        r"\bcongrat\w*\b|\bbest\b|_emo_\w*(?:heart|clapping|thumbs_up|smiling|grinning)\w*"),
    "sarcasm marker": re.compile(
        r"\bthanks for nothing\b|\boh (?:great|wonderful|brilliant|perfect)\b|/s\b|"
        r"\byeah right\b|\bslow clap\b|\bwell done\b.{0,20}\b(?:again|genius)\b|"
        r"\bwhat a (?:surprise|shock)\b|\bshocker\b|\bgenius\b"),
}


def cue_names() -> list[str]:
    return [*CUES, "shouting", "exclamations"]


# Speed: scanning a post once per cue costs more than everything else together, so the
# cues are scanned by two combined patterns (lexical cues, then phrase cues).  Within one
# scan, matches do not overlap, which only matters for counts and is the same in
# training and prediction.
_LEXICAL = ("insult word", "profanity", "grievance cue", "question", "praise or thanks")


def _combined(names: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?P<c{list(CUES).index(n)}>{CUES[n].pattern})"
                               for n in names), re.MULTILINE)


_SCANS = (_combined([n for n in CUES if n in _LEXICAL]),
          _combined([n for n in CUES if n not in _LEXICAL]))
_UPPER = re.compile(r"[A-Z]")
_LETTER = re.compile(r"[^\W\d_]")


def cue_matrix(texts: Iterable[str]) -> sp.csr_matrix:
    """One row per normalised text, one column per cue; values in [0, 1]."""
    n_cues = len(CUES)
    data: list[float] = []
    cols: list[int] = []
    ptr = [0]
    for text in texts:
        low = text.lower()
        counts: dict[int, int] = {}
        for scan in _SCANS:
            for m in scan.finditer(low):
                key = int(m.lastgroup[1:])
                counts[key] = counts.get(key, 0) + 1
        for key, count in counts.items():
            cols.append(key)
            data.append(min(count, 3) / 3.0)
        upper = len(_UPPER.findall(text))
        if upper >= 8:
            letters = len(_LETTER.findall(text))
            if letters >= 12 and upper / letters > 0.5:
                cols.append(n_cues)
                data.append(upper / letters)
        bangs = text.count("!")
        if bangs:
            cols.append(n_cues + 1)
            data.append(min(bangs, 4) / 4.0)
        ptr.append(len(cols))
    m = sp.csr_matrix((np.asarray(data, dtype=np.float32), np.asarray(cols, dtype=np.int32),
                       np.asarray(ptr, dtype=np.int32)), shape=(len(ptr) - 1, n_cues + 2))
    m.sort_indices()
    return m


class Normaliser(BaseEstimator, TransformerMixin):
    """Pipeline step: apply `triage.normalise.normalise` to every text."""

    def fit(self, texts, y=None):  # noqa: D401 - sklearn API
        return self

    def transform(self, texts):
        return [normalise(t) for t in texts]


class TextFeatures(BaseEstimator, TransformerMixin):
    """Normalised texts -> sparse [word 1-2-grams | char_wb n-grams | cues], hashed.

    Word and char blocks each get sublinear counts (1 + log tf) and L2 norm, so a long
    rant does not outweigh a short insult.  Stateless: `fit` learns nothing.

    Speed: posts reuse the same words, so each word's hashed columns (its unigram and
    its padded character n-grams) are computed once and cached; a post then costs a
    few dictionary look-ups per word instead of re-slicing and re-hashing n-grams.
    """

    def __init__(self, word_bits: int = WORD_BITS, char_bits: int = CHAR_BITS,
                 char_ngrams: tuple[int, int] = CHAR_NGRAMS, cue_weight: float = 1.0):
        self.word_bits = word_bits
        self.char_bits = char_bits
        self.char_ngrams = char_ngrams
        self.cue_weight = cue_weight

    @property
    def n_cues(self) -> int:
        return len(cue_names())

    @property
    def n_features(self) -> int:
        return (1 << self.word_bits) + (1 << self.char_bits) + self.n_cues

    def fit(self, texts, y=None):
        return self

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_cache", None)
        return state

    def _word_entry(self, word: str) -> tuple[int, list[int], list[str]]:
        """(word column, char columns, char n-grams) for one lowercase word, cached."""
        cache = self.__dict__.setdefault("_cache", {})
        entry = cache.get(word)
        if entry is None:
            if len(cache) > 500_000:
                cache.clear()
            lo, hi = self.char_ngrams
            padded = f" {word} "
            grams = [padded[i:i + n] for n in range(lo, hi + 1)
                     for i in range(max(len(padded) - n + 1, 1))]
            offset = 1 << self.word_bits
            mask = (1 << self.char_bits) - 1
            entry = (_hash(word) & ((1 << self.word_bits) - 1),
                     [offset + (_hash(g) & mask) for g in grams], grams)
            cache[word] = entry
        return entry

    def _bigram_column(self, a: str, b: str) -> int:
        cache = self.__dict__.setdefault("_bigrams", {})
        key = f"{a} {b}"
        col = cache.get(key)
        if col is None:
            if len(cache) > 500_000:
                cache.clear()
            col = cache[key] = _hash(key) & ((1 << self.word_bits) - 1)
        return col

    def transform(self, texts):
        texts = [content_of(t) for t in texts]
        word_cols: list[int] = []
        char_cols: list[int] = []
        word_ptr, char_ptr = [0], [0]
        entry = self._word_entry
        bigram = self._bigram_column
        for text in texts:
            words = _TOKEN.findall(text.lower())
            for w in words:
                col, chars, _ = entry(w)
                word_cols.append(col)
                char_cols.extend(chars)
            word_cols.extend(bigram(a, b) for a, b in zip(words, words[1:], strict=False))
            word_ptr.append(len(word_cols))
            char_ptr.append(len(char_cols))
        n = len(texts)
        blocks = [_counts(word_cols, word_ptr, n, self.n_features),
                  _counts(char_cols, char_ptr, n, self.n_features)]
        cues = cue_matrix(texts)
        width = (1 << self.word_bits) + (1 << self.char_bits)
        cues = sp.csr_matrix((cues.data * self.cue_weight, cues.indices + width, cues.indptr),
                             shape=(n, self.n_features))
        return (blocks[0] + blocks[1] + cues).astype(np.float32)

    # -- explanation support -------------------------------------------------------
    def feature_names_in(self, text: str, columns: Iterable[int] | None = None
                         ) -> dict[int, str]:
        """Column -> readable name for the features the (normalised) text fires.

        With `columns`, only those are named (cheaper).
        """
        wanted = set(columns) if columns is not None else None
        text = content_of(text)
        names: dict[int, str] = {}
        words = _TOKEN.findall(text.lower())
        for w in words:
            col, chars, grams = self._word_entry(w)
            if wanted is None or col in wanted:
                names.setdefault(col, _readable("word", w))
            for c, g in zip(chars, grams, strict=True):
                if wanted is None or c in wanted:
                    names.setdefault(c, _readable("char", g))
        for a, b in zip(words, words[1:], strict=False):
            col = self._bigram_column(a, b)
            if wanted is None or col in wanted:
                names.setdefault(col, _readable("word", f"{a} {b}"))
        start = (1 << self.word_bits) + (1 << self.char_bits)
        for i, name in enumerate(cue_names()):
            names[start + i] = f"feature '{name}'"
        return names


_TOKEN = re.compile(r"(?u)\b\w+\b|[!?]")


def _hash(token: str) -> int:
    return murmurhash3_32(token, seed=0, positive=True)


def _counts(cols: list[int], ptr: list[int], rows: int, width: int) -> sp.csr_matrix:
    """Rows of hashed columns -> CSR with 1 + log(count), each row L2-normalised."""
    m = sp.csr_matrix((np.ones(len(cols), dtype=np.float32), np.asarray(cols, dtype=np.int32),
                       np.asarray(ptr, dtype=np.int32)), shape=(rows, width))
    m.sum_duplicates()
    m.data = 1.0 + np.log(m.data)
    sq = m.data * m.data
    lengths = np.diff(m.indptr)
    norms = np.zeros(rows, dtype=np.float32)
    nonempty = lengths > 0
    norms[nonempty] = np.sqrt(np.add.reduceat(sq, m.indptr[:-1][nonempty]))
    norms[norms == 0] = 1.0
    m.data /= np.repeat(norms, lengths)
    return m


def content_of(normalised: str) -> str:
    """The part of a normalised text the model reads (handles and links dropped)."""
    if "_u" not in normalised:
        return normalised
    return " ".join(_IGNORED.sub(" ", normalised).split())


def _readable(kind: str, token: str) -> str:
    if kind == "word":
        return "word '" + " ".join(readable_token(p) for p in token.split(" ")) + "'"
    return f"char '{token.strip() or token}'"


__all__ = ["CUES", "TextFeatures", "Normaliser", "cue_names", "cue_matrix", "content_of"]
