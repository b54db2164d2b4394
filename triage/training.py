"""Train the triage model from training_data/ plus the officers' corrections."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from triage.classifier import CARD_FILE, MODEL_FILE
from triage.paths import training_data_dir
from triage.verdict import LABELS

SEED = 20261125


class TrainingDataError(ValueError):
    pass


def training_files(folder: Path | None = None) -> list[Path]:
    folder = folder or training_data_dir()
    return sorted(p for p in folder.glob("*.csv"))


def data_hash(files: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for f in sorted(files, key=lambda p: p.name):
        digest.update(f.name.encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()


def load_rows(files: Iterable[Path]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for f in files:
        with f.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            for lineno, rec in enumerate(reader, start=2):
                label = (rec.get("label") or "").strip()
                text = (rec.get("text") or "").strip()
                if label not in LABELS or not text:
                    raise TrainingDataError(
                        f"{f}:{lineno}: needs a text and a label in {', '.join(LABELS)}")
                rows.append((text, label))
    return rows


def build_pipeline() -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    return Pipeline([
        ("features", FeatureUnion([
            ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True,
                                      lowercase=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                                      sublinear_tf=True)),
        ])),
        ("model", CalibratedClassifierCV(LogisticRegression(C=4.0, max_iter=2000),
                                         method="sigmoid", cv=3)),
    ])


def train(out_dir: Path, corrections: list[tuple[str, str]] | None = None,
          folder: Path | None = None) -> dict[str, Any]:
    """Fit, save model + card to out_dir, and return the card."""
    import joblib
    import sklearn

    files = training_files(folder)
    if not files:
        raise TrainingDataError(f"no training CSV files in {folder or training_data_dir()}")
    rows = load_rows(files)
    corrections = corrections or []
    texts = [t for t, _ in rows] + [t for t, _ in corrections]
    labels = [label for _, label in rows] + [label for _, label in corrections]
    pipeline = build_pipeline()
    pipeline.fit(texts, labels)
    when = datetime.now(UTC).replace(microsecond=0)
    card = {
        "name": "calmreply-triage",
        "version": when.strftime("%Y%m%d%H%M%S"),
        "date": when.isoformat(),
        "sklearn_version": sklearn.__version__,
        "training_data_hash": data_hash(files),
        "class_counts": dict(Counter(labels)),
        "corrections_used": len(corrections),
        "seed": SEED,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline, out_dir / MODEL_FILE, compress=3)
    (out_dir / CARD_FILE).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return card
