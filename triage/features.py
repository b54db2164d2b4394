"""Features for the triage model: hashed word n-grams, per-word character n-grams, cues.

Hashing (instead of a learnt vocabulary) keeps the saved model small and quick to
load: there is no vocabulary to unpickle, only a weight matrix.  The hand-made cues
encode what the labelling guide says separates the classes — an insult aimed at
*you*, profanity aimed at a person rather than at a product, a concrete grievance
("still waiting", "charged twice"), praise — so the model does not have to relearn
them from a few thousand examples.

A normalised post becomes one sparse row of four blocks:

* words: hashed word 1-2-grams, sublinear counts (1 + log tf), L2-normalised; "?" is
  a word, "!" is not (only the capped `exclamations` cue counts it: as a word it let a
  punctuation habit of our training rows outweigh what a post says — "my order is
  late!!" came out engagement);
* chars: the mean over the post's words of each word's L2-normalised character
  n-gram vector (n-grams of `` word ``, i.e. char_wb).  Defined per word so that a
  linear model's char score of a post is the mean of its words' char scores — which
  a `Vocabulary` computes once per distinct word and caches (see `Vocabulary`);
* cues: counts of hand-made cues, capped, scaled to [0, 1], and word valence from
  the VADER sentiment lexicon (see `valence_lexicon`): crowd-rated sentiment of about
  7,500 social-media words, so a post in words our training data never used still
  says how negative or positive it is;
* meaning: the mean over the post's words of each word's vector from the shipped
  word-piece table (`triage.word_vectors`), so words our rows never used still carry
  what they mean.  Per word, like chars: a trained model folds it into per-class scores.

Speed: all per-word work (hashing, character n-grams, which cues a word is or may
start) happens once per distinct word in a per-process `Vocabulary`; a post then
costs one tokenising regex and a dictionary look-up per word, and everything else is
numpy over the whole batch.  Hashes are zlib.crc32 (deterministic across processes,
unlike Python's `hash()`).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from triage.normalise import (
    EMOJI_PREFIX,
    URL_TOKEN,
    USER_TOKEN,
    fold_elongated,
    normalise,
    readable_token,
)
from triage.word_vectors import WordVectors

WORD_BITS = 18
CHAR_BITS = 18
CHAR_NGRAMS = (2, 4)
# @handles and links say where a post was written, not what it means; in a small
# corpus they correlate with a class by accident (replies to a brand carry a handle),
# so the model never sees them.
_IGNORED = re.compile(rf"{USER_TOKEN}|{URL_TOKEN}")
_TOKEN = re.compile(r"\w+|[?]")   # "!" is counted by a cue, not as a word (see above)

_INSULT = (r"idiots?|morons?|clowns?|stupid|dumb(?:est)?|losers?|pathetic|scum(?:bags?)?|"
           r"imbeciles?|cretins?|fools?|retard(?:ed|s)?|liars?|frauds?|grifters?|jokes?|"
           r"disgrace|hypocrites?|cowards?|trash|garbage|sheep|snowflakes?|bitch(?:es)?|"
           r"dickheads?|assholes?|arseholes?|dicks?|twats?|wankers?|pricks?|cunts?|"
           r"braindead|clueless|incompetent|worthless|useless|ignorant|disgusting|"
           r"vile|evil|sick|psycho|nutjobs?|lunatics?|halfwits?|nitwits?|buffoons?")
_PROFANITY = (r"f+u+c+k\w*|fk+\w*|fck\w*|sh[i*]t\w*|crap\w*|damn\w*|wtf|stfu|"
              r"bs|bullshit|hell|piss\w*|ass|arse|bloody|bastards?|goddamn\w*|"
              r"joder|mierda|merde|putain|scheisse|scheiße|cazzo")
_PERSON_TARGET = (r"you|u|ya|him|her|them|yourself|ur (?:ceo|boss)|this (?:guy|woman|man|clown)|"
                  r"off|the (?:ceo|mayor|senator|president|minister|founder|chair)")
_GROUPS = (r"people|libs|liberals|leftists|lefties|conservatives|progressives|feminists|"
           r"boomers|millennials|immigrants|migrants|voters|fans|women|men")
_PRODUCTS = (r"order|flight|package|parcel|account|bill|phone|card|bag|luggage|booking|"
             r"delivery|train|internet|broadband|subscription|app|payment|money|food|meal|"
             r"refund|ticket|router|laptop|device|car|plan|claim|connection")


@dataclass(frozen=True)
class Cue:
    """A hand-made feature.

    A *word* cue counts the words that fully match `word`.  A *phrase* cue counts
    matches of `phrase` in the lowercased post, but is only searched for in posts that
    hold a word fully matching `trigger` (a word every match must contain), so most
    posts never pay for most phrase regexes.
    """

    name: str
    word: str = ""
    trigger: str = ""
    phrase: str = ""


CUE_LIST: tuple[Cue, ...] = (
    Cue("second-person insult", trigger=_INSULT, phrase=(
        rf"\b(?:you(?:'re| are| r)?|ur|u r|you're such|your (?:ceo|boss|ceo's))\s+"
        rf"(?:(?:such|a|an|the|so|just|really|total|complete|utter|absolute|fucking|"
        rf"f\w*ing|bloody|lying|little|pathetic|stupid|biggest)\s+)*(?:{_INSULT})\b")),
    Cue("insult word", word=_INSULT),
    Cue("profanity at a person", trigger=rf"{_PROFANITY}|screw|fuck|f|shut|kys", phrase=(
        rf"\b(?:{_PROFANITY})\s+(?:{_PERSON_TARGET})\b|\b(?:screw|damn|fuck|f\*+k?)\s+"
        rf"(?:you|u|them|him|her)\b|\bgo to hell\b|\bshut (?:up|it)\b|\bkys\b|\bstfu\b")),
    Cue("profanity", word=_PROFANITY),
    Cue("threat or wish of harm",
        trigger=r"kill|hang|shoot|burn|die|dead|bury|destroy|hope|wish|watch|know|find|should",
        phrase=(
            r"\b(?:kill|hang|shoot|burn|die|dead|bury|destroy)\b.{0,30}\b(?:you|him|her|them)\b|"
            r"\b(?:hope|wish) (?:you|he|she|they)\b.{0,30}\b(?:die|dies|suffer|rot|burn|fired|"
            r"lose)|\bwatch your back\b|\bwe know where\b|\bi(?:'ll| will) find you\b|"
            r"\bshould be (?:shot|hanged|jailed|locked up|fired)\b")),
    Cue("group generalisation", trigger=rf"{_GROUPS}|kind", phrase=(
        rf"\b(?:all|these|those|typical|every(?:one of these)?) (?:\w+ )?(?:{_GROUPS})\b|"
        r"\byou people\b|\byour kind\b|\bpeople like (?:you|them)\b")),
    Cue("bad-faith framing",
        trigger=r"asking|saying|research|wake|sheeple|google|knows|hiding|concerned|jan",
        phrase=(
            r"\bjust asking(?: questions)?\b|\bjust saying\b|\basking for a friend\b|"
            r"\bdo your (?:own )?research\b|\bwake up\b|\bsheeple\b|\bgoogle it\b|"
            r"\beveryone knows\b|\beverybody knows\b|\bwhat are they hiding\b|"
            r"\bconcerned\b.{0,40}\b(?:really|genuinely|honestly)\b|\bsure,? jan\b")),
    Cue("pile-on call", trigger=r"report|ratio|trend|spam|flood|tag|boycott|dox|retweet",
        phrase=(r"\b(?:everyone|everybody|let's all|let's|make) .{0,20}\b(?:report|ratio|trend|"
                r"spam|flood|tag|boycott|dox)\b|\bratio\b|\bretweet if\b")),
    Cue("grievance word", word=(r"refund\w*|cancell?ed|delayed|overbooked|lost|broken|damaged|"
                                r"missing|stuck|down|outage")),
    Cue("grievance phrase",
        trigger=(r"still|waiting|hold|charged|ignored|transferred|refund|response|reply|answer|"
                 r"signal|service|update|internet|power|work\w*|arrive\w*|load\w*|respond\w*|"
                 r"connect\w*|never|time|days|weeks|hours|months"),
        phrase=(
            r"\bstill (?:waiting|not|no|haven't|hasn't|have not|can't|cannot|broken|down)\b|"
            r"\bno (?:refund|response|reply|answer|signal|service|update|internet|power)\b|"
            r"\b(?:been|was|kept|keep) (?:waiting|on hold|charged|cut off|ignored|transferred)\b|"
            r"\bon hold\b|\bcharged (?:me )?(?:twice|again|double|for)\b|"
            r"\b(?:doesn'?t|does not|didn'?t|won'?t|isn'?t|not) (?:work|working|arrive|arrived|"
            r"load|loading|respond|connect)\w*\b|\bnever (?:arrived|came|received|got|showed)\b|"
            r"\b(?:third|second|fourth|fifth|another) time\b|"
            r"\bfor _num_ (?:days|weeks|hours|months)\b")),
    Cue("fault report",
        trigger=(r"keeps?|kept|stopped|let|letting|having|have|had|has|unable|going|gives|why|"
                 r"any|since"),
        phrase=(
            r"\b(?:keeps?|kept) (?:\w+ing|going (?:off|down)|cutting|dropping)\b|"
            r"\bstopped (?:working|charging|loading|responding|syncing|connecting)\b|"
            r"\b(?:won'?t|will not|not|isn'?t|wasn'?t) let(?:ting)? me\b|"
            r"\b(?:having|have|had|has|got) (?:an? |some |the same |this )?(?:\w+ )?"
            r"(?:issues?|problems?|trouble)\b|\bunable to\b|\bwhat'?s going on with\b|"
            r"\bwhat gives\b|\bany (?:update|news)\b|\bsince (?:_num_|yesterday|monday|"
            r"tuesday|wednesday|thursday|friday|saturday|sunday|last)\b|"
            r"\bwhy (?:is|does|has|won'?t|can'?t|isn'?t|doesn'?t|did|do) (?:my|the|your|it|i)\b")),
    Cue("broken promise",
        trigger=r"said|told|promised|supposed|guaranteed|paid|paying|point|meant|advertised",
        phrase=(
            r"\b(?:you|they|was|were|i was|we were) (?:said|told|promised)\b|\bpromised\b|"
            r"\bsupposed to\b|\bguaranteed\b|\badvertised\b|\bmeant to (?:be|arrive|come)\b|"
            r"\b(?:paid|paying|pay) (?:extra |for )|\bwhat'?s the point\b")),
    Cue("my product or account", trigger=rf"(?:{_PRODUCTS})s?", phrase=(
        rf"\b(?:my|our) (?:\w+ )?(?:{_PRODUCTS})s?\b")),
    Cue("customer service", trigger=r"customer|helpline|call|support|agents?", phrase=(
        r"\bcustomer (?:service|support|care)\b|\bhelpline\b|\bcall cent(?:er|re)\b|"
        r"\bsupport team\b|\bagents?\b")),
    Cue("negative word", word=(
        r"terrible|horrible|awful|worst|worse|bad|poor|poorly|rubbish|shocking|appalling|"
        r"unacceptable|ridiculous|disappointed|disappointing|disappointment|frustrat\w*|"
        r"annoy\w*|angry|furious|fed|sick|tired|upset|unhappy|hate|hated|hates|sucks?|"
        r"fail\w*|wrong|problems?|issues?|errors?|bugs?|glitch\w*|crash\w*|fault\w*|"
        r"faulty|defective|late|slow|cold|rude|dirty|overcharg\w*|scam\w*|ripped|"
        r"nightmare|joke|mess|useless|pointless|waste\w*|unable|impossible|nobody|"
        r"complain\w*|seriously|again|yet|hours?|wait\w*|waited|ugh|smh|sigh|wtf|"
        r"expensive|freez\w*|lag\w*|refus\w*|ignor\w*|excuses?|sorry|apolog\w*")),
    Cue("negation", word=(
        r"not|no|never|nothing|none|nowhere|can'?t|cannot|won'?t|don'?t|doesn'?t|didn'?t|"
        r"isn'?t|aren'?t|wasn'?t|weren'?t|hasn'?t|haven'?t|hadn'?t|couldn'?t|shouldn'?t|"
        r"wouldn'?t|doesn|didn|isn|aren|wasn|hasn|haven|couldn|wouldn|cant|wont|dont|"
        r"without|still")),
    Cue("question", word=r"\?"),
    Cue("praise or thanks", word=(
        r"thanks?|thx|cheers|love|loving|great|awesome|amazing|appreciate\w*|kudos|shoutout|"
        r"brilliant|excellent|fantastic|impressed|helpful|proud|congrat\w*|best|"
        r"_emo_\w*(?:heart|clapping|thumbs_up|smiling|grinning)\w*")),
    Cue("thanks for a failure",
        trigger=r"thanks?|thx|cheers|love|appreciate|shoutout|real",
        phrase=(
            r"\b(?:thanks?|thank you|thx|cheers|shoutout to|appreciate)\b"
            r".{0,40}?\b(?:for|4)\b.{0,40}?"
            r"\b(?:nothing|ruin\w*|wreck\w*|ignor\w*|losing|lost|cancel\w*|charging|delay\w*|"
            r"break\w*|broken|ripping|making me|leaving me|wasting|never|late|cold|wrong|"
            r"overcharg\w*|cutting|dropping|crash\w*)\b|"
            r"\b(?:gotta|got to|i just|just|i) love (?:how|when|that|it when)\b|"
            r"\breal (?:classy|professional|helpful|smooth)\b")),
    Cue("sarcasm marker", trigger=r"thanks|oh|s|yeah|clap|well|surprise|shock|shocker|genius",
        # "/s" last and the word phrases behind one shared \b: a branch whose every arm
        # starts with \b is tried arm by arm at each position (8x slower); no word
        # phrase can match where "/s" does, so the matches are the same
        phrase=(r"\b(?:thanks for nothing\b|oh (?:great|wonderful|brilliant|perfect)\b|"
                r"yeah right\b|slow clap\b|well done\b.{0,20}\b(?:again|genius)\b|"
                r"what a (?:surprise|shock)\b|shocker\b|genius\b)|/s\b")),
)
CUES = {c.name: c for c in CUE_LIST}
# Valence features from the VADER lexicon (Hutto & Gilbert 2014; package vaderSentiment,
# MIT licence): each word's crowd-rated valence, -4 (very negative) .. +4.  A word
# within three words after a negation has its valence flipped and damped as VADER
# does ("not good" counts as negative); sums are squashed to [0, 1) with VADER's own
# s / sqrt(s^2 + 15).
VALENCE_NAMES = ("negative words (VADER lexicon)", "positive words (VADER lexicon)")
_NEGATIONS = frozenset(
    "not no never nothing nobody none nowhere neither nor cannot t cant dont doesnt didnt "
    "isnt arent wasnt werent hasnt havent hadnt couldnt shouldnt wouldnt wont aint "
    "without".split())
_NEGATION_WINDOW = 3
_NEGATION_SCALAR = -0.74   # VADER's N_SCALAR
_VALENCE_ALPHA = 15.0      # VADER's normalisation constant
_QUESTION = list(CUES).index("question")
# A post that opens with a wh-word is a question even without "?"; one that opens with an
# auxiliary only when it has a "?" too, since a dropped leading @handle leaves statements
# such as "@brand is the worst" or "@brand does it again" opening with one.
_QUESTION_OPENERS = frozenset("how what when where why any anyone".split())
_AUX_OPENERS = frozenset("can could does do is are will would".split())
_WORD_CUES = [(i, re.compile(c.word)) for i, c in enumerate(CUE_LIST) if c.word]
_TRIGGERS = [(i, re.compile(c.trigger)) for i, c in enumerate(CUE_LIST) if c.trigger]
_PHRASES = {i: re.compile(c.phrase) for i, c in enumerate(CUE_LIST) if c.phrase}
_UPPER = bytes(range(65, 91))
_LOWER = bytes(range(97, 123))


def cue_names() -> list[str]:
    return [*CUES, "shouting", "exclamations", *VALENCE_NAMES]


@cache
def valence_lexicon() -> dict[str, float]:
    """word -> mean valence from the installed vaderSentiment package's lexicon.

    Read once per process (about 10 ms); never saved with the model.
    """
    from importlib.resources import files

    try:
        text = (files("vaderSentiment") / "vader_lexicon.txt").read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError) as exc:
        raise RuntimeError("the VADER sentiment lexicon is missing; install calmreply's "
                           "dependencies (pip install 'vaderSentiment>=3.3')") from exc
    out: dict[str, float] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0] and " " not in parts[0]:
            out[parts[0]] = float(parts[1])
    return out


def word_valence(word: str) -> float:
    """A token's lexicon valence; an emoji token scores the words of its name, as VADER
    does with emoji descriptions ("_emo_angry_face_" -> "angry face")."""
    lexicon = valence_lexicon()
    if word.startswith(EMOJI_PREFIX):
        return sum(lexicon.get(w, 0.0) for w in word[len(EMOJI_PREFIX):].split("_"))
    if word in _NEGATIONS:
        return 0.0
    return lexicon.get(word, 0.0)


def content_of(normalised: str) -> str:
    """The part of a normalised text the model reads (handles and links dropped)."""
    if "_u" not in normalised:
        return normalised
    return " ".join(_IGNORED.sub(" ", normalised).split())


def _crc(s: str) -> int:
    return zlib.crc32(s.encode("utf-8", "surrogatepass"))


_K1, _K2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9)


def _pair_hash(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Deterministic hash of two uint64 word hashes (for bigrams), vectorised."""
    with np.errstate(over="ignore"):
        x = a * _K1 + b
        x ^= x >> np.uint64(31)
        x *= _K2
        x ^= x >> np.uint64(29)
    return x


class Vocabulary:
    """Every distinct word seen in this process, with what the features need from it.

    Per word: its folded form ("sooooo" -> "soo"), crc32 hash, L2-normalised char
    n-gram vector, which word cues it counts for and which phrase cues it may start
    (bit masks), its lexicon valence and whether it is a negation, and, when built
    with a `projection` (rows of model weights over the char block), that vector's dot
    product with each row — so a post's char score is a mean of cached numbers.  With
    `meaning` (word-piece vectors), the word's meaning vector, or, with a
    `meaning_projection`, only its dot products, added to the char ones.
    Not saved with the model; rebuilt as words arrive.
    """

    LIMIT = 1_000_000

    def __init__(self, char_bits: int, char_ngrams: tuple[int, int],
                 projection: np.ndarray | None = None, meaning: WordVectors | None = None,
                 meaning_projection: np.ndarray | None = None):
        self.char_bits = char_bits
        self.char_ngrams = tuple(char_ngrams)
        self.projection = projection
        self.meaning = meaning
        # with a projection only its dot products are kept per word (see `_add`)
        self.meaning_projection = meaning_projection
        self.clear()

    def clear(self) -> None:
        self.index: dict[str, int] = {}
        self.words: list[str] = []
        self.names: dict[int, str] = {}  # readable names, filled by explanations
        self.chars: list[tuple[np.ndarray, np.ndarray]] = []
        cap = 4096
        self.hash = np.zeros(cap, np.uint64)
        self.lex = np.zeros(cap, np.int64)
        self.trig = np.zeros(cap, np.int64)
        self.valence = np.zeros(cap, np.float32)
        self.negation = np.zeros(cap, bool)
        k = next((p.shape[0] for p in (self.projection, self.meaning_projection)
                  if p is not None), 0)
        self.proj = np.zeros((cap, k), np.float32)
        d = (self.meaning.dims if self.meaning is not None and self.meaning_projection is None
             else 0)
        self.mean = np.zeros((cap, d), np.float32)

    def ids(self, tokens: list[str]) -> np.ndarray:
        get = self.index.get
        out = [get(w, -1) for w in tokens]
        if -1 in out:
            if len(self.words) + len(tokens) > self.LIMIT:
                self.clear()
                get = self.index.get
                out = [-1] * len(tokens)
            add = self._add
            out = [i if i >= 0 else (get(w) if w in self.index else add(w))
                   for i, w in zip(out, tokens, strict=True)]
        return np.asarray(out, dtype=np.int64)

    def _add(self, token: str) -> int:
        i = len(self.words)
        if i == len(self.hash):
            self._grow()
        word = fold_elongated(token)
        self.index[token] = i
        self.words.append(word)
        self.hash[i] = _crc(word)
        lo, hi = self.char_ngrams
        padded = f" {word} "
        grams = [padded[j:j + n] for n in range(lo, hi + 1)
                 for j in range(max(len(padded) - n + 1, 1))]
        mask = (1 << self.char_bits) - 1
        cols, counts = np.unique(np.fromiter((_crc(g) & mask for g in grams), np.int64,
                                             len(grams)), return_counts=True)
        vals = (counts / np.sqrt((counts * counts).sum())).astype(np.float32)
        self.chars.append((cols.astype(np.int32), vals))
        self.lex[i] = sum(1 << c for c, rx in _WORD_CUES if rx.fullmatch(word))
        self.trig[i] = sum(1 << c for c, rx in _TRIGGERS if rx.fullmatch(word))
        self.valence[i] = word_valence(word)
        self.negation[i] = word in _NEGATIONS
        if self.projection is not None:
            self.proj[i] = self.projection[:, cols] @ vals
        if self.meaning is not None:
            v = self.meaning.vector(word)
            if v is not None:
                if self.meaning_projection is not None:
                    self.proj[i] += self.meaning_projection @ v
                else:
                    self.mean[i] = v
        return i

    def _grow(self) -> None:
        cap = 2 * len(self.hash)
        for name in ("hash", "lex", "trig", "valence", "negation", "proj", "mean"):
            old = getattr(self, name)
            new = np.zeros((cap, *old.shape[1:]), old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)


@dataclass
class Batch:
    """A batch of posts tokenised against a Vocabulary, with cue values computed."""

    n: int
    ids: np.ndarray       # word id of every token, posts one after another
    row: np.ndarray       # the post of every token
    lengths: np.ndarray   # tokens per post
    cues: np.ndarray      # (n, cues) float32 in [0, 1]


def encode(texts: Sequence[str], vocab: Vocabulary) -> Batch:
    """Normalised texts -> tokens as word ids, and the cue values (see `Cue`)."""
    tokens: list[str] = []
    lengths: list[int] = []
    lows: list[str] = []
    n = len(texts)
    n_cues = len(CUE_LIST)
    cues = np.zeros((n, n_cues + 2 + len(VALENCE_NAMES)), np.float32)
    findall = _TOKEN.findall
    for r, text in enumerate(texts):
        text = content_of(text)
        low = text.lower()
        words = findall(low)
        tokens += words
        lengths.append(len(words))
        lows.append(low)
        if words and (words[0] in _QUESTION_OPENERS
                      or (words[0] in _AUX_OPENERS and "?" in low)):
            cues[r, _QUESTION] = 1
        if low != text:  # has capitals: shouting when most letters are
            raw = text.encode("utf-8", "surrogatepass")
            upper = len(raw) - len(raw.translate(None, _UPPER))
            if upper >= 8:
                letters = upper + len(raw) - len(raw.translate(None, _LOWER))
                if letters >= 12 and upper / letters > 0.5:
                    cues[r, n_cues] = upper / letters
        bangs = text.count("!")
        if bangs:
            cues[r, n_cues + 1] = min(bangs, 4) / 4.0
    ids = vocab.ids(tokens)
    lengths_a = np.asarray(lengths, dtype=np.int64)
    row = np.repeat(np.arange(n), lengths_a)
    for c, _ in _WORD_CUES:
        hits = (vocab.lex[ids] >> c) & 1
        if hits.any():
            cues[:, c] += np.bincount(row, weights=hits, minlength=n)
    trig = np.zeros(n, np.int64)
    nonempty = lengths_a > 0
    if len(ids):
        starts = np.cumsum(lengths_a) - lengths_a
        trig[nonempty] = np.bitwise_or.reduceat(vocab.trig[ids], starts[nonempty])
    for r in np.flatnonzero(trig):
        bits, low = int(trig[r]), lows[r]
        for c, rx in _PHRASES.items():
            if bits >> c & 1:
                cues[r, c] += len(rx.findall(low))
    np.minimum(cues[:, :n_cues], 3, out=cues[:, :n_cues])
    cues[:, :n_cues] /= 3.0
    if len(ids):
        cues[:, n_cues + 2:] = _valence(ids, row, n, vocab)
    return Batch(n, ids, row, lengths_a, cues)


def _valence(ids: np.ndarray, row: np.ndarray, n: int, vocab: Vocabulary) -> np.ndarray:
    """(n, 2) valence features (see VALENCE_NAMES) from the cached per-word valence."""
    v = vocab.valence[ids]
    negation = vocab.negation[ids]
    negated = np.zeros(len(ids), bool)
    for k in range(1, _NEGATION_WINDOW + 1):
        negated[k:] |= negation[:-k] & (row[k:] == row[:-k])
    v = np.where(negated, v * _NEGATION_SCALAR, v)
    out = np.zeros((n, len(VALENCE_NAMES)), np.float32)
    neg = np.bincount(row, weights=np.maximum(-v, 0), minlength=n)
    pos = np.bincount(row, weights=np.maximum(v, 0), minlength=n)
    out[:, 0] = neg / np.sqrt(neg * neg + _VALENCE_ALPHA)
    out[:, 1] = pos / np.sqrt(pos * pos + _VALENCE_ALPHA)
    return out


def word_block(batch: Batch, vocab: Vocabulary, word_bits: int, bigrams: bool = True
               ) -> tuple[sp.csr_matrix, np.ndarray]:
    """Hashed word 1-2-grams as CSR (1 + log tf, rows L2-normalised).

    Also returns, per stored entry, the token position of its first occurrence
    (positions >= len(ids) are bigrams starting at position - len(ids)), to name it.
    """
    n, ids, row = batch.n, batch.ids, batch.row
    mask = np.uint64((1 << word_bits) - 1)
    h = vocab.hash[ids]
    cols = [h & mask]
    rows = [row]
    if bigrams and len(ids) > 1:
        pos = np.flatnonzero(row[1:] == row[:-1])
        cols.append(_pair_hash(h[pos], h[pos + 1]) & mask)
        rows.append(row[pos])
        origin = np.concatenate([np.arange(len(ids)), len(ids) + pos])
    else:
        origin = np.arange(len(ids))
    key = (np.concatenate(rows).astype(np.int64) << word_bits) | \
        np.concatenate(cols).astype(np.int64)
    ukey, first, counts = np.unique(key, return_index=True, return_counts=True)
    r = ukey >> word_bits
    data = (1.0 + np.log(counts)).astype(np.float32)
    norms = np.sqrt(np.bincount(r, weights=data * data, minlength=n)).astype(np.float32)
    norms[norms == 0] = 1.0
    data /= norms[r]
    indptr = np.searchsorted(r, np.arange(n + 1))
    m = sp.csr_matrix((data, (ukey & int(mask)).astype(np.int32), indptr),
                      shape=(n, 1 << word_bits))
    return m, origin[first]


def char_block(batch: Batch, vocab: Vocabulary, char_bits: int) -> sp.csr_matrix:
    """Per post, the mean of its words' L2-normalised char n-gram vectors, as CSR."""
    n = batch.n
    if not len(batch.ids):
        return sp.csr_matrix((n, 1 << char_bits), dtype=np.float32)
    parts = [vocab.chars[i] for i in batch.ids.tolist()]
    sizes = np.fromiter((len(c) for c, _ in parts), np.int64, len(parts))
    cols = np.concatenate([c for c, _ in parts])
    vals = np.concatenate([v for _, v in parts])
    rows = np.repeat(batch.row, sizes)
    vals = vals / np.maximum(batch.lengths, 1)[rows].astype(np.float32)
    m = sp.csr_matrix((vals, (rows, cols)), shape=(n, 1 << char_bits))
    m.sum_duplicates()
    return m


def word_means(batch: Batch, per_word: np.ndarray) -> np.ndarray:
    """(n, k): each post's mean over its words of a per-word row of `per_word`."""
    out = np.zeros((batch.n, per_word.shape[1]), np.float32)
    nonempty = batch.lengths > 0
    if len(batch.ids):
        starts = np.cumsum(batch.lengths) - batch.lengths
        out[nonempty] = np.add.reduceat(per_word[batch.ids], starts[nonempty], axis=0)
        out[nonempty] /= batch.lengths[nonempty, None]
    return out


def char_scores(batch: Batch, vocab: Vocabulary) -> np.ndarray:
    """(n, k): each post's mean of its words' cached char (and meaning) projections."""
    return word_means(batch, vocab.proj)


def meaning_block(batch: Batch, vocab: Vocabulary) -> np.ndarray:
    """(n, dims): each post's mean of its words' meaning vectors."""
    return word_means(batch, vocab.mean)


class Normaliser(BaseEstimator, TransformerMixin):
    """Pipeline step: `triage.normalise.normalise` on every text.

    Letter runs ("sooooo") are folded per word by the features (cached), not here.
    """

    def fit(self, texts, y=None):  # noqa: D401 - sklearn API
        return self

    def transform(self, texts):
        return [normalise(t, elongated=False) for t in texts]


class TextFeatures(BaseEstimator, TransformerMixin):
    """Normalised texts -> sparse [word 1-2-grams | chars | cues | meaning]; see the
    module doc.

    Stateless: `fit` learns nothing.  Each block is multiplied by its weight, so the
    balance between the blocks is a hyperparameter.  With `meaning_weight` > 0 the
    meaning block reads `meaning` (the shipped word-piece table unless set: a loaded
    model sets its folded table, see `triage.word_vectors`).
    """

    def __init__(self, word_bits: int = WORD_BITS, char_bits: int = CHAR_BITS,
                 char_ngrams: tuple[int, int] = CHAR_NGRAMS, cue_weight: float = 1.0,
                 char_weight: float = 1.0, word_weight: float = 1.0, bigrams: bool = True,
                 meaning_weight: float = 0.0):
        self.word_bits = word_bits
        self.char_bits = char_bits
        self.char_ngrams = char_ngrams
        self.cue_weight = cue_weight
        self.char_weight = char_weight
        self.word_weight = word_weight
        self.bigrams = bigrams
        self.meaning_weight = meaning_weight

    @property
    def meaning(self) -> WordVectors | None:
        if not self.meaning_weight:
            return None
        vectors = self.__dict__.get("_meaning")
        if vectors is None:
            vectors = self.__dict__["_meaning"] = WordVectors.load()
        return vectors

    def with_meaning(self, vectors: WordVectors) -> TextFeatures:
        self.__dict__["_meaning"] = vectors
        self.__dict__.pop("_vocab", None)
        return self

    @property
    def n_cues(self) -> int:
        return len(cue_names())

    @property
    def meaning_dims(self) -> int:
        meaning = self.meaning
        return 0 if meaning is None else meaning.dims

    @property
    def n_features(self) -> int:
        return (1 << self.word_bits) + (1 << self.char_bits) + self.n_cues + self.meaning_dims

    def blocks(self) -> tuple[slice, slice, slice, slice]:
        """Column ranges of the words, chars, cues and meaning blocks."""
        w, c = 1 << self.word_bits, 1 << self.char_bits
        q = w + c + self.n_cues
        return slice(0, w), slice(w, w + c), slice(w + c, q), slice(q, q + self.meaning_dims)

    def vocabulary(self, projection: np.ndarray | None = None,
                   meaning_projection: np.ndarray | None = None) -> Vocabulary:
        return Vocabulary(self.char_bits, tuple(self.char_ngrams), projection, self.meaning,
                          meaning_projection)

    def fit(self, texts, y=None):
        return self

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_vocab", None)
        return state

    def transform(self, texts):
        vocab = self.__dict__.get("_vocab")
        if vocab is None:
            vocab = self.__dict__["_vocab"] = self.vocabulary()
        batch = encode(list(texts), vocab)
        words, _ = word_block(batch, vocab, self.word_bits, self.bigrams)
        chars = char_block(batch, vocab, self.char_bits)
        blocks = [words * self.word_weight, chars * self.char_weight,
                  sp.csr_matrix(batch.cues) * self.cue_weight]
        if self.meaning_dims:
            blocks.append(sp.csr_matrix(meaning_block(batch, vocab) * self.meaning_weight))
        return sp.hstack(blocks, format="csr", dtype=np.float32)


def readable(kind: str, token: str) -> str:
    if kind == "word":
        return "word '" + " ".join(readable_token(p) for p in token.split(" ")) + "'"
    return f"feature '{token}'"


def token_names(vocab: Vocabulary, ids: np.ndarray, origins: Iterable[int]) -> list[str]:
    """Readable names for word-block entries from their `word_block` origins."""
    n = len(ids)
    words = vocab.words
    out = []
    for o in origins:
        if o < n:
            out.append(readable("word", words[ids[o]]))
        else:
            p = o - n
            out.append(readable("word", f"{words[ids[p]]} {words[ids[p + 1]]}"))
    return out


__all__ = ["CUES", "VALENCE_NAMES", "Cue", "TextFeatures", "Normaliser", "Vocabulary", "Batch",
           "encode", "word_block", "char_block", "char_scores", "meaning_block", "word_means",
           "cue_names", "content_of",
           "valence_lexicon"]
