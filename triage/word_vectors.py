"""Word meaning from a shipped table of word-piece vectors (see tools/build_word_vectors.py).

Our training rows are our own wording; real posts use words those rows never did.  The
table gives every word a vector from a sentence encoder trained on real text, so an unseen
"chargeback" lands near "refund".  A word's vector is the mean of its pieces' vectors
(greedy longest-match word pieces, as the encoder's own tokenizer splits a word), a post's
the mean of its words' — both linear, so a trained model folds the table into one score
per piece and class (`fold`), and the saved model carries that instead of the table.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from triage.normalise import EMOJI_PREFIX, NUM_TOKEN
from triage.paths import models_dir

TABLE_FILE = "word-vectors.npz"
CARD_FILE = "word-vectors.card.json"
_MAX_WORD = 60


class WordVectorsError(RuntimeError):
    pass


@dataclass
class WordVectors:
    """Piece -> vector, and the word-piece split that turns a word into a vector."""

    pieces: list[str]
    vectors: np.ndarray          # (pieces, dims) float32
    index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.vectors = np.asarray(self.vectors, dtype=np.float32)
        if self.vectors.ndim != 2 or len(self.vectors) != len(self.pieces):
            raise ValueError(f"{len(self.pieces)} pieces but vectors of shape "
                             f"{self.vectors.shape}")
        self.index = {p: i for i, p in enumerate(self.pieces)}

    @property
    def dims(self) -> int:
        return int(self.vectors.shape[1])

    @classmethod
    def load(cls, path: Path | None = None) -> WordVectors:
        path = path or models_dir() / TABLE_FILE
        try:
            with np.load(path, allow_pickle=False) as data:
                return cls([str(t) for t in data["tokens"]], data["vectors"])
        except (OSError, KeyError, ValueError) as exc:
            raise WordVectorsError(
                f"the word-vector table {path} is missing or damaged ({exc}); restore it "
                "from the repository (git checkout models/) or rebuild it with "
                "tools/build_word_vectors.py") from exc

    def split(self, word: str) -> list[int]:
        """The word's pieces (greedy longest match, "##" marking a continuation), or []
        when some part matches no piece."""
        if word.startswith(EMOJI_PREFIX):  # an emoji means the words of its name
            return [i for w in word[len(EMOJI_PREFIX):].split("_") if w for i in self.split(w)]
        if word == NUM_TOKEN:
            word = "number"
        if not word.isascii():
            word = "".join(c for c in unicodedata.normalize("NFD", word)
                           if not unicodedata.combining(c))
        if not word or len(word) > _MAX_WORD:
            return []
        index, out, start = self.index, [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                i = index.get(piece)
                if i is not None:
                    out.append(i)
                    break
                end -= 1
            else:
                return []
            start = end
        return out

    def vector(self, word: str) -> np.ndarray | None:
        """Mean of the word's piece vectors; None for a word with no pieces."""
        ids = self.split(word)
        if not ids:
            return None
        return self.vectors[ids].mean(axis=0)

    def fold(self, weights: np.ndarray) -> WordVectors:
        """The same pieces with vectors @ weights.T: what a linear model's rows (k, dims)
        make of each piece, so the saved model needs k numbers per piece, not dims."""
        return WordVectors(self.pieces, self.vectors @ np.asarray(weights, np.float32).T)


def table_hash(path: Path | None = None) -> str:
    return hashlib.sha256((path or models_dir() / TABLE_FILE).read_bytes()).hexdigest()


__all__ = ["WordVectors", "WordVectorsError", "TABLE_FILE", "CARD_FILE", "table_hash"]
