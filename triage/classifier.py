"""The triage classifier: load the shipped model, predict with calibrated confidence.

The model is a scikit-learn Pipeline saved with joblib.  joblib files are pickles and
unpickling runs code, so calmreply only ever loads the model it ships or one the user
trained with `calmreply train` — never a file from elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage.paths import models_dir
from triage.verdict import LABELS, Verdict

MODEL_FILE = "calmreply-model.joblib"
CARD_FILE = "calmreply-model.card.json"
DEFAULT_UNCERTAIN_BELOW = 0.55


class ModelError(RuntimeError):
    """The model cannot be used; the message says how to fix it (usually `calmreply train`)."""


@dataclass
class Classifier:
    pipeline: Any
    version: str
    card: dict[str, Any] = field(default_factory=dict)
    uncertain_below: float = DEFAULT_UNCERTAIN_BELOW

    @classmethod
    def load(cls, directory: str | Path | None = None,
             uncertain_below: float = DEFAULT_UNCERTAIN_BELOW) -> Classifier:
        import warnings

        import joblib

        folder = Path(directory) if directory else models_dir()
        path = folder / MODEL_FILE
        card_path = folder / CARD_FILE
        if not path.is_file():
            raise ModelError(f"no model at {path}; run `calmreply train` to build one")
        try:
            card = json.loads(card_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelError(
                f"the model card {card_path} is missing or unreadable ({exc});"
                " run `calmreply train` to rebuild the model and its card") from exc
        import sklearn

        trained_with = card.get("sklearn_version")
        if trained_with and trained_with != sklearn.__version__:
            raise ModelError(
                f"the model at {path} was saved by scikit-learn {trained_with}, but"
                f" {sklearn.__version__} is installed; run `calmreply train` to rebuild it")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", category=UserWarning)
                pipeline = joblib.load(path)
        except Exception as exc:  # corrupt/truncated pickles raise almost anything
            raise ModelError(
                f"the model at {path} could not be loaded ({type(exc).__name__}: {exc});"
                " run `calmreply train` to rebuild it") from exc
        if not hasattr(pipeline, "predict_proba"):
            raise ModelError(f"{path} is not a calmreply model; run `calmreply train`")
        return cls(pipeline, card.get("version", "unknown"), card, uncertain_below)

    def predict(self, texts: Sequence[str]) -> list[Verdict]:
        if not texts:
            return []
        probs = self.pipeline.predict_proba(list(texts))
        classes = list(self.pipeline.classes_)
        verdicts = []
        for row in probs:
            p = {c: float(row[i]) for i, c in enumerate(classes)}
            label = max(p, key=p.__getitem__)
            verdicts.append(Verdict(label=label, probabilities=p, model_version=self.version,
                                    uncertain=p[label] < self.uncertain_below))
        return verdicts

    def predict_one(self, text: str) -> Verdict:
        return self.predict([text])[0]


__all__ = ["Classifier", "ModelError", "LABELS", "MODEL_FILE", "CARD_FILE"]
