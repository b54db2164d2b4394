"""Text normalisation shared by training and prediction.

The model must see the same text at train time and at run time, otherwise a
feature learnt from "sooooo" never fires on "soooo".  Everything that varies
without changing what a post *means* is folded here:

* HTML entities (``&amp;``) are decoded;
* look-alike Unicode is folded to Latin (fullwidth and mathematical letters via
  NFKC, Cyrillic/Greek homoglyphs inside otherwise-Latin words, zero-width
  characters and combining "zalgo" marks dropped);
* links become ``_url_``, @handles ``_user_``, standalone numbers ``_num_``;
* each emoji becomes a readable token such as ``_emo_clown_face_``;
* letters repeated three or more times are cut to two ("sooooo" -> "soo"),
  punctuation runs to two ("!!!!!" -> "!!").

Case is kept: the vectorisers lowercase, while the hand-made features need to
see ALL CAPS shouting.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

URL_TOKEN = "_url_"
USER_TOKEN = "_user_"
NUM_TOKEN = "_num_"
EMOJI_PREFIX = "_emo_"

# Cyrillic and Greek letters that render like Latin ones.  Applied only to words
# that can be written entirely in Latin this way, so real Russian or Greek
# text is left alone.
_CONFUSABLES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
    "ɡ": "g", "ӏ": "l", "ո": "n", "ս": "u", "ԝ": "w",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S",
    "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    "ı": "i", "ℓ": "l",
})
_CONFUSABLE_CHARS = "".join(sorted(map(chr, _CONFUSABLES)))
_MIXED_WORD = re.compile(rf"\b\w*[{_CONFUSABLE_CHARS}]\w*\b")
_LATIN_OR_MAPPED = re.compile(rf"^[A-Za-z0-9_'{_CONFUSABLE_CHARS}]+$")

_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|io|ly|co|gl)/\S*",
                  re.IGNORECASE)
# Mastodon (@name@instance) and Bluesky (@name-with-dashes.bsky.social) handles too;
# a handle ends on a letter or digit, so "@anna." keeps its full stop.
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?"
                     r"(?:@[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)?")
_NUMBER = re.compile(r"(?<![\w])[£$€]?\d[\d,.:/]*(?:k|m|st|nd|rd|th|am|pm|h|hrs|%)?(?![\w])",
                     re.IGNORECASE)
# Emoji, pictographs, dingbats and regional indicators (flags).
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF]")
_SKIN_AND_JOINERS = re.compile("[\U0001F3FB-\U0001F3FF\uFE0E\uFE0F\u200d\u20e3]")
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")
_PUNCT_RUN = re.compile(r"([!?.*])\1{2,}")
_DIGIT = re.compile(r"\d")
_URL_PAD, _USER_PAD, _NUM_PAD = f" {URL_TOKEN} ", f" {USER_TOKEN} ", f" {NUM_TOKEN} "


@lru_cache(maxsize=4096)
def emoji_token(char: str) -> str:
    """`_emo_clown_face_` for 🤡: readable in an explanation, one token to the model."""
    name = unicodedata.name(char, "symbol").lower()
    name = re.sub(r"[^a-z]+", "_", name).strip("_")
    return f" {EMOJI_PREFIX}{name}_ "


def _fold_word(match: re.Match[str]) -> str:
    word = match.group(0)
    if _LATIN_OR_MAPPED.match(word):
        return word.translate(_CONFUSABLES)
    return word


def _fold_unicode(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():
        return text
    text = _INVISIBLE.sub("", text)
    # drop combining marks (zalgo, strike-through) but keep the base letters
    decomposed = unicodedata.normalize("NFD", text)
    if any(unicodedata.combining(c) for c in decomposed):
        text = unicodedata.normalize(
            "NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
    return _MIXED_WORD.sub(_fold_word, text)


def fold_elongated(text: str) -> str:
    """"sooooo" -> "soo" (letters repeated three or more times cut to two)."""
    return _ELONGATED.sub(r"\1\1", text)


def normalise(text: str, *, elongated: bool = True) -> str:
    """Fold surface variation out of one post; see the module docstring.

    Speed: every step is skipped when a cheap test shows it cannot apply (most posts
    are ASCII, without links, handles or digits).  `elongated=False` leaves letter
    runs alone, for callers that fold them per word and cache the result (the
    feature extractor does; see `triage.features.Vocabulary`).
    """
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        text = _fold_unicode(text)
    if "/" in text or "ww" in text or "WW" in text:
        text = _URL.sub(_URL_PAD, text)
    if "@" in text:
        text = _HANDLE.sub(_USER_PAD, text)
    if _DIGIT.search(text):
        text = _NUMBER.sub(_NUM_PAD, text)
    if not text.isascii():
        text = _SKIN_AND_JOINERS.sub("", text)
        text = _EMOJI.sub(lambda m: emoji_token(m.group(0)), text)
    if elongated:
        text = _ELONGATED.sub(r"\1\1", text)
    if "!!!" in text or "???" in text or "..." in text or "***" in text:
        text = _PUNCT_RUN.sub(r"\1\1", text)
    return " ".join(text.split())


def normalise_all(texts: list[str], *, elongated: bool = True) -> list[str]:
    return [normalise(t, elongated=elongated) for t in texts]


def readable_token(token: str) -> str:
    """How a placeholder reads in an explanation: `_emo_clown_face_` -> <emoji clown face>."""
    if token == URL_TOKEN:
        return "<link>"
    if token == USER_TOKEN:
        return "<@mention>"
    if token == NUM_TOKEN:
        return "<number>"
    if token.startswith(EMOJI_PREFIX):
        return "<emoji " + token[len(EMOJI_PREFIX):].strip("_").replace("_", " ") + ">"
    return token


__all__ = ["normalise", "normalise_all", "fold_elongated", "readable_token", "URL_TOKEN",
           "USER_TOKEN", "NUM_TOKEN"]
