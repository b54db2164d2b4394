"""The triage classifier: load the model, predict with calibrated confidence and reasons.

The model is a scikit-learn Pipeline — normalise -> hashed word/char n-grams + cues
-> one linear model with a temperature-calibrated softmax.  What is saved (with
joblib, to ``calmreply-model.joblib``) is only plain data: the weight matrix, the
calibration temperature and the feature settings; the Pipeline is rebuilt around
them on load.  That keeps the file small and quick to load.  The Pipeline is what is
fitted and what the card describes; `Classifier.predict` applies its weights through
`FastScorer` (same scores, computed batch-wise with per-word caches, explanations
vectorised), and splits batches of PARALLEL_FROM texts or more with one helper
process.  joblib files are still
pickles and unpickling can run code, so calmreply only ever loads the model it ships
or one the user trained with ``calmreply train`` — never a file from elsewhere.

Where the model is looked up (``Classifier.load()`` without a folder): in a
checkout, the checkout's ``models/``; in an installed copy, the user data folder
(``<user data dir>/models``, written by ``calmreply train``) when it holds a model,
else the model shipped with the package.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from triage.paths import models_dir, user_data_dir
from triage.verdict import LABELS, Verdict, explanation_text, probabilities_encoder

MODEL_FILE = "calmreply-model.joblib"
CARD_FILE = "calmreply-model.card.json"
CARD_MD_FILE = "calmreply-model.card.md"
FORMAT = "calmreply-linear/1"
DEFAULT_UNCERTAIN_BELOW = 0.55
EXPLAIN_TOP = 5
_CHECKOUT = Path(__file__).resolve().parent.parent


class ModelError(RuntimeError):
    """The model cannot be used; the message says how to fix it (usually `calmreply train`)."""


def in_checkout() -> bool:
    """True when running from a source checkout (models/ next to pyproject.toml)."""
    return (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "models").is_dir()


def user_models_dir() -> Path:
    return user_data_dir() / "models"


def default_train_dir() -> Path:
    """Where `calmreply train` writes: the checkout's models/, else the user data dir."""
    return _CHECKOUT / "models" if in_checkout() else user_models_dir()


def default_model_dir() -> Path:
    """Where `Classifier.load()` looks: see the module docstring."""
    if in_checkout():
        return _CHECKOUT / "models"
    user = user_models_dir()
    if (user / MODEL_FILE).is_file():
        return user
    return models_dir()


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


class CalibratedLinear(ClassifierMixin, BaseEstimator):
    """One multinomial logistic regression whose softmax is calibrated by a temperature.

    The temperature is fitted on out-of-fold scores (cross-validation with a fixed
    seed), so probabilities mean what they say without keeping an ensemble of models
    around as CalibratedClassifierCV would.  The out-of-fold predictions also give the
    cross-validated figures for the model card.
    """

    def __init__(self, C: float = 4.0, folds: int = 3, seed: int = 0, max_iter: int = 3000,
                 class_weight: str | None = "balanced", tol: float = 1e-4):
        self.C = C
        self.tol = tol
        self.folds = folds
        self.seed = seed
        self.max_iter = max_iter
        self.class_weight = class_weight

    def _linear(self):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.C, max_iter=self.max_iter, random_state=self.seed,
                                  tol=self.tol,
                                  class_weight=self.class_weight)

    def fit(self, X, y):
        from sklearn.model_selection import StratifiedKFold

        y = np.asarray(y)
        model = self._linear().fit(X, y)
        self.classes_ = model.classes_
        self.coef_ = model.coef_.astype(np.float32)
        self.intercept_ = model.intercept_.astype(np.float32)
        oof = np.zeros((X.shape[0], len(self.classes_)))
        folds = StratifiedKFold(self.folds, shuffle=True, random_state=self.seed)
        for train_idx, test_idx in folds.split(X, y):
            part = self._linear().fit(X[train_idx], y[train_idx])
            oof[test_idx] = part.decision_function(X[test_idx])
        self.temperature_ = _fit_temperature(oof, np.searchsorted(self.classes_, y))
        self.oof_predictions_ = self.classes_[oof.argmax(axis=1)]
        return self

    @classmethod
    def from_arrays(cls, classes, coef, intercept, temperature: float,
                    **params: Any) -> CalibratedLinear:
        model = cls(**params)
        model.classes_ = np.asarray(classes)
        model.coef_ = np.asarray(coef, dtype=np.float32)
        model.intercept_ = np.asarray(intercept, dtype=np.float32)
        model.temperature_ = float(temperature)
        return model

    def decision_function(self, X) -> np.ndarray:
        return np.asarray(X @ self.coef_.T, dtype=np.float64) + self.intercept_

    def predict_proba(self, X) -> np.ndarray:
        return _softmax(self.decision_function(X) / self.temperature_)

    def predict(self, X) -> np.ndarray:
        return self.classes_[self.decision_function(X).argmax(axis=1)]


def _fit_temperature(scores: np.ndarray, y_idx: np.ndarray) -> float:
    """The T minimising log-loss of softmax(scores / T): a one-parameter calibration."""
    from scipy.optimize import minimize_scalar

    rows = np.arange(len(y_idx))

    def loss(log_t: float) -> float:
        p = _softmax(scores / np.exp(log_t))
        return float(-np.log(np.clip(p[rows, y_idx], 1e-12, None)).mean())

    return float(np.exp(minimize_scalar(loss, bounds=(-3, 3), method="bounded").x))


def build_pipeline(features: dict[str, Any] | None = None,
                   model: dict[str, Any] | None = None):
    """The Pipeline used for training and prediction alike."""
    from sklearn.pipeline import Pipeline

    from triage.features import Normaliser, TextFeatures

    return Pipeline([("normalise", Normaliser()),
                     ("features", TextFeatures(**(features or {}))),
                     ("model", CalibratedLinear(**(model or {})))])


def artifact(pipeline) -> dict[str, Any]:
    """What gets saved: plain arrays and settings, no custom classes.

    The meaning block is saved folded: its weights applied to the word-piece table
    (`WordVectors.fold`), so the file holds one score per piece and class instead of
    the table, and the block's weights become the identity.  Scores are unchanged.
    """
    model: CalibratedLinear = pipeline.named_steps["model"]
    features = pipeline.named_steps["features"]
    coef = np.asarray(model.coef_, dtype=np.float32)
    saved: dict[str, Any] = {}
    if features.meaning_dims:
        meaning = features.blocks()[3]
        folded = features.meaning.fold(coef[:, meaning])
        coef = np.hstack([coef[:, : meaning.start], np.eye(len(coef), dtype=np.float32)])
        saved = {"meaning_pieces": "\n".join(folded.pieces),
                 "meaning_vectors": folded.vectors}
    return {"format": FORMAT,
            "features": features.get_params(),
            "model": model.get_params(),
            "classes": [str(c) for c in model.classes_],
            "coef": coef, "intercept": model.intercept_,
            "temperature": model.temperature_, **saved}


def pipeline_from_artifact(data: Any, path: Path):
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ModelError(f"{path} is not a calmreply model (unknown format); "
                         "run `calmreply train` to rebuild it")
    try:
        from triage.word_vectors import WordVectors

        pipeline = build_pipeline(dict(data["features"]), dict(data["model"]))
        features = pipeline.named_steps["features"]
        if features.meaning_weight:
            features.with_meaning(WordVectors(str(data["meaning_pieces"]).split("\n"),
                                              data["meaning_vectors"]))
        linear = CalibratedLinear.from_arrays(data["classes"], data["coef"], data["intercept"],
                                              data["temperature"], **dict(data["model"]))
        expected = features.n_features
        if linear.coef_.shape != (len(linear.classes_), expected):
            raise ValueError(f"weights have shape {linear.coef_.shape}, expected "
                             f"({len(linear.classes_)}, {expected})")
        if set(linear.classes_) - set(LABELS):
            raise ValueError(f"unknown labels {sorted(set(linear.classes_) - set(LABELS))}")
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"the model at {path} is damaged ({exc}); "
                         "run `calmreply train` to rebuild it") from exc
    pipeline.steps[-1] = ("model", linear)
    return pipeline


def _threshold_from_env(default: float) -> float:
    raw = os.environ.get("CALMREPLY_UNCERTAIN_BELOW")
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ModelError(f"CALMREPLY_UNCERTAIN_BELOW={raw!r} is not a number between 0 and 1"
                         ) from None
    if not 0.0 <= value <= 1.0:
        raise ModelError(f"CALMREPLY_UNCERTAIN_BELOW={raw!r} must be between 0 and 1")
    return value


@dataclass
class Classifier:
    """The loaded model; `predict` turns texts into explained Verdicts."""

    pipeline: Any
    version: str
    card: dict[str, Any] = field(default_factory=dict)
    uncertain_below: float = DEFAULT_UNCERTAIN_BELOW
    jobs: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))

    @classmethod
    def load(cls, directory: str | Path | None = None,
             uncertain_below: float | None = None) -> Classifier:
        """Load the model in `directory` (default: see the module docstring).

        `uncertain_below` (else $CALMREPLY_UNCERTAIN_BELOW, else 0.55) is the top
        probability under which a verdict is marked uncertain for a human to label.
        """
        import warnings

        import joblib
        import sklearn

        folder = Path(directory) if directory else default_model_dir()
        path, card_path = folder / MODEL_FILE, folder / CARD_FILE
        if not path.is_file():
            raise ModelError(f"no model at {path}; run `calmreply train` to build one")
        try:
            card = json.loads(card_path.read_text(encoding="utf-8"))
            if not isinstance(card, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as exc:
            raise ModelError(
                f"the model card {card_path} is missing or unreadable ({exc});"
                " run `calmreply train` to rebuild the model and its card") from exc
        trained_with = card.get("sklearn_version")
        if trained_with != sklearn.__version__:
            raise ModelError(
                f"the model at {path} was saved by scikit-learn {trained_with}, but"
                f" {sklearn.__version__} is installed; run `calmreply train` to rebuild it")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", category=UserWarning)
                data = joblib.load(path)
        except Exception as exc:  # corrupt/truncated pickles raise almost anything
            raise ModelError(
                f"the model at {path} could not be loaded ({type(exc).__name__}: {exc});"
                " run `calmreply train` to rebuild it") from exc
        pipeline = pipeline_from_artifact(data, path)
        threshold = (_threshold_from_env(DEFAULT_UNCERTAIN_BELOW) if uncertain_below is None
                     else uncertain_below)
        return cls(pipeline, str(card.get("version", "unknown")), card, threshold)

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.pipeline.named_steps["model"].classes_]

    def predict(self, texts: Sequence[str], explain: bool = True) -> list[Verdict]:
        """One Verdict per text; `explain=False` skips the reasons (bulk scoring).

        Batches of PARALLEL_FROM texts or more are split with one helper process
        (started on first use) when `jobs` > 1; smaller ones are scored here.
        """
        if not len(texts):
            return []
        texts = list(texts)
        scored = None
        if self.jobs > 1 and len(texts) >= PARALLEL_FROM:
            scored = self._try_parallel(texts, explain)
        return self.verdicts(*(scored or self.scorer().score(self.normalise(texts), explain)))

    def verdicts(self, probs: np.ndarray, reasons: list, *, calibrated: bool = False,
                 encoded: list[tuple[str, str]] | None = None) -> list[Verdict]:
        """Verdicts from decision scores (`FastScorer.score`), calibrated here unless
        `calibrated` (see `calibrate`); `encoded` carries their stored JSON when a
        helper process has worked it out (`stored_rows`)."""
        if not calibrated:
            probs = self.calibrate(probs)
        classes = self.classes
        top = probs.argmax(axis=1).tolist()
        rows = probs.tolist()
        threshold = self.uncertain_below
        version = self.version
        whys = reasons or [()] * len(rows)
        texts = encoded or [None] * len(rows)
        # positional arguments, one flat loop: a batch of a thousand is built in the
        # store loop (Verdict's fields: label, probabilities, model_version, uncertain,
        # explanation, encoded)
        return [Verdict(classes[k], dict(zip(classes, row, strict=True)), version,
                        row[k] < threshold, why, text)
                for k, row, why, text in zip(top, rows, whys, texts, strict=True)]

    def calibrate(self, scores: np.ndarray) -> np.ndarray:
        """Decision scores to calibrated probabilities (temperature, then softmax)."""
        return _softmax(scores / self.pipeline.named_steps["model"].temperature_)

    def stored_rows(self, probs: np.ndarray, reasons: list) -> list[tuple[str, str]]:
        """What `Verdict.stored_json` would give for each calibrated row (the triage
        helper process works it out so that the store loop need not)."""
        encode = probabilities_encoder(self.classes)
        rows = probs.tolist()
        whys = reasons or [()] * len(rows)
        return [(encode(row), explanation_text(why))
                for row, why in zip(rows, whys, strict=True)]

    def predict_one(self, text: str) -> Verdict:
        return self.predict([text])[0]

    def explain(self, text: str) -> tuple[tuple[str, float], ...]:
        """The features that pushed `text`'s verdict most (same as in `predict`)."""
        return self.predict([text])[0].explanation

    def normalise(self, texts: Sequence[str]) -> list[str]:
        return self.pipeline.named_steps["normalise"].transform(texts)

    def _try_parallel(self, texts: list[str], explain: bool):
        """Score with the helper process, or return None to score here.

        A helper cannot always start (a script without an `if __name__ == "__main__"`
        guard, a sandbox without process spawning); scoring in this process is slower
        but always right, so that is the fallback, and later batches skip the attempt.
        """
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self._score_in_parallel(texts, explain)
        except (RuntimeError, OSError, BrokenProcessPool):
            self.close()
            self.jobs = 1
            return None

    def _helper_pool(self):
        pool = self.__dict__.get("_pool")
        if pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # spawn, not fork: the TUI runs threads, and forking a threaded process can
            # deadlock.  The helper gets the pipeline (weights) once, at start.
            pool = self.__dict__["_pool"] = ProcessPoolExecutor(
                self.jobs - 1, mp_context=multiprocessing.get_context("spawn"),
                initializer=_helper_start, initargs=(self.pipeline,))
        return pool

    def _score_in_parallel(self, texts: list[str], explain: bool):
        pool = self._helper_pool()
        size = -(-len(texts) // self.jobs)
        parts = [texts[i:i + size] for i in range(0, len(texts), size)]
        futures = [pool.submit(_helper_score, part, explain) for part in parts[1:]]
        scored = [self.scorer().score(self.normalise(parts[0]), explain)]
        scored += [f.result() for f in futures]
        probs = np.vstack([s for s, _ in scored])
        reasons = [r for _, rs in scored for r in rs]
        return probs, reasons

    def close(self) -> None:
        """Stop the helper process, if one was started (it also stops at exit)."""
        pool = self.__dict__.pop("_pool", None)
        if pool is not None:
            pool.shutdown(cancel_futures=True)

    def scorer(self) -> FastScorer:
        """The prediction path: the Pipeline's weights applied without sklearn overhead."""
        fast = self.__dict__.get("_scorer")
        if fast is None:
            fast = self.__dict__["_scorer"] = FastScorer(
                self.pipeline.named_steps["features"], self.pipeline.named_steps["model"])
        return fast


PARALLEL_FROM = 2000
_helper: Classifier | None = None


def _helper_start(pipeline) -> None:
    global _helper
    from triage.parent_watch import exit_with_parent

    exit_with_parent()
    _helper = Classifier(pipeline, "helper", jobs=1)


def _helper_score(texts: list[str], explain: bool):
    assert _helper is not None
    return _helper.scorer().score(_helper.normalise(texts), explain)


class FastScorer:
    """Decision scores and explanations for normalised texts, computed batch-wise.

    Gives the same scores as ``pipeline[1:].decision_function`` (a test checks), but
    the char and meaning blocks are never built: each word's char and meaning scores
    are cached in a Vocabulary (see `triage.features`).  An explanation term's
    contribution is x_j * (w_kj - mean of the other classes' w_j) for the winning class
    k; a word's unigram, character and meaning contributions are summed under its name.
    """

    def __init__(self, features, model: CalibratedLinear):
        from triage.features import cue_names

        coef = np.asarray(model.coef_, dtype=np.float32)
        k = coef.shape[0]
        push = coef - (coef.sum(axis=0) - coef) / max(k - 1, 1)
        both = np.vstack([coef, push])
        words, chars, cues, meaning = features.blocks()
        self.features = features
        self.k = k
        self.word_t = np.ascontiguousarray(both[:, words].T * features.word_weight)
        self.vocab = features.vocabulary(
            np.ascontiguousarray(both[:, chars]) * features.char_weight,
            np.ascontiguousarray(both[:, meaning]) * features.meaning_weight
            if features.meaning_dims else None)
        self.cue_t = np.ascontiguousarray(both[:, cues].T * features.cue_weight)
        self.intercept = np.asarray(model.intercept_, dtype=np.float64)
        self.cue_names = [f"feature '{n}'" for n in cue_names()]

    def score(self, normalised: list[str], explain: bool
              ) -> tuple[np.ndarray, list[tuple[tuple[str, float], ...]]]:
        from triage.features import char_scores, encode, word_block

        f = self.features
        batch = encode(normalised, self.vocab)
        words, origin = word_block(batch, self.vocab, f.word_bits, f.bigrams)
        chars = char_scores(batch, self.vocab)
        both = words @ self.word_t + chars + batch.cues @ self.cue_t
        scores = both[:, : self.k].astype(np.float64) + self.intercept
        if not explain:
            return scores, []
        return scores, self._explain(batch, words, origin, chars, scores.argmax(axis=1))

    def _explain(self, batch, words, origin, chars, top) -> list[tuple[tuple[str, float], ...]]:
        from triage.features import readable, token_names

        n, k, ids = batch.n, self.k, batch.ids
        pick = top + k  # the push column of each row's winning class
        # words: unigram (deduplicated, from the CSR) + each token's char share, by word id
        entry_row = np.repeat(np.arange(n), np.diff(words.indptr))
        contrib = words.data * self.word_t[words.indices, pick[entry_row]]
        unigram = origin < len(ids)
        span = len(self.vocab.words) + 1
        keys = np.concatenate([entry_row[unigram] * span + ids[origin[unigram]],
                               batch.row * span + ids])
        char_part = self.vocab.proj[ids, pick[batch.row]] / batch.lengths[batch.row]
        ukeys, inverse = np.unique(keys, return_inverse=True)
        word_contrib = np.bincount(inverse, weights=np.concatenate(
            [contrib[unigram], char_part]), minlength=len(ukeys))
        bigram = ~unigram
        cue_rows, cue_cols = np.nonzero(batch.cues)
        cue_contrib = batch.cues[cue_rows, cue_cols] * self.cue_t[cue_cols, pick[cue_rows]]
        rows = np.concatenate([ukeys // span, entry_row[bigram], cue_rows])
        vals = np.concatenate([word_contrib, contrib[bigram], cue_contrib])
        kind = np.concatenate([np.zeros(len(ukeys), np.int8), np.ones(bigram.sum(), np.int8),
                               np.full(len(cue_rows), 2, np.int8)])
        ref = np.concatenate([ukeys % span, origin[bigram], cue_cols])
        keep = vals > 0
        rows, vals, kind, ref = rows[keep], vals[keep], kind[keep], ref[keep]
        order = np.lexsort((-vals, rows))
        rows, vals, kind, ref = rows[order], vals[order], kind[order], ref[order]
        first = np.searchsorted(rows, np.arange(n))
        rank = np.arange(len(rows)) - first[rows]
        keep = rank < EXPLAIN_TOP
        out: list[dict[str, float]] = [{} for _ in range(n)]
        kept_kind, kept_ref = kind[keep], ref[keep]
        bigram_names = iter(token_names(self.vocab, ids, kept_ref[kept_kind == 1].tolist()))
        names = self.vocab.names
        words_of = self.vocab.words
        for r, v, kd, rf in zip(rows[keep].tolist(), np.round(vals[keep], 4).tolist(),
                                kept_kind.tolist(), kept_ref.tolist(), strict=True):
            if kd == 0:
                name = names.get(rf)
                if name is None:
                    name = names[rf] = readable("word", words_of[rf])
            elif kd == 1:
                name = next(bigram_names)
            else:
                name = self.cue_names[rf]
            row = out[r]
            if name not in row:
                row[name] = v
        return [tuple(x.items()) for x in out]


__all__ = ["Classifier", "ModelError", "LABELS", "MODEL_FILE", "CARD_FILE", "CARD_MD_FILE",
           "CalibratedLinear", "FastScorer", "build_pipeline", "default_model_dir",
           "default_train_dir"]
