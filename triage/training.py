"""Train the triage model from training_data/ plus the officers' corrections.

Training is deterministic: the features are hashed (nothing learnt but weights), the
solver is deterministic and every random split uses SEED, so the same data gives
the same weights.  The model card records what the model was trained on (data hash,
class counts, corrections used), how (hyperparameters, scikit-learn version) and how
well it did (cross-validated figures and any evaluations asked for).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from triage.classifier import (
    CARD_FILE,
    CARD_MD_FILE,
    MODEL_FILE,
    artifact,
    build_pipeline,
)
from triage.paths import models_dir, training_data_dir
from triage.verdict import LABELS
from triage.word_vectors import CARD_FILE as VECTORS_CARD
from triage.word_vectors import TABLE_FILE, WordVectors, table_hash

SEED = 20261125
FEATURE_PARAMS: dict[str, Any] = {"word_bits": 18, "char_bits": 18, "char_ngrams": (2, 4),
                                  "cue_weight": 1.0, "char_weight": 1.0, "word_weight": 1.0,
                                  "bigrams": True, "meaning_weight": 0.5}
MODEL_PARAMS: dict[str, Any] = {"C": 4.0, "folds": 3, "seed": SEED, "max_iter": 3000,
                                "class_weight": "balanced", "tol": 1e-4}

INTENDED_USE = (
    "Sort public mentions of an organisation or its leaders into troll (bad-faith abuse, "
    "provocation, pile-ons), complaint (a good-faith grievance, however angry) and "
    "engagement (questions, praise, neutral talk), so a comms officer can decide what to "
    "answer first. It proposes a label for a human to check; it never replies or acts alone.")
LIMITS = [
    "Trained on a synthetic, mostly English corpus written for calmreply plus officer "
    "corrections; other languages, new slang and niche communities are handled poorly.",
    "Sarcasm, in-jokes, quotes of abuse and dog whistles it has not seen are often missed; "
    "verdicts below the uncertainty threshold are marked for a human label.",
    "It judges one post at a time, without the thread, the author's history or images.",
    "It sees words, not whom they are aimed at: a rude post about a service can read as "
    "troll, friendly hyperbole (\"you're killing it\") often does, and so does everyday "
    "chatter whose negative words are about the writer's own day (\"my mom thinks Alexa "
    "is spying on her\"; \"craving coffee, 3 hours of sleep\" reads as a complaint).",
    "Not a hate-speech, threat or legal-risk detector: escalation rules handle those.",
    "Word meaning comes from an English sentence encoder's word pieces, one vector each and "
    "out of context: it knows that words are related, not how a sentence turns them.",
    "The saved model is a joblib pickle; unpickling runs code, so calmreply loads only the "
    "model it ships or one trained locally with `calmreply train` - never a downloaded one.",
]


class TrainingDataError(ValueError):
    pass


def training_files(folder: Path | None = None) -> list[Path]:
    folder = folder or training_data_dir()
    return sorted(p for p in folder.glob("*.csv"))


def data_hash(files: Iterable[Path]) -> str:
    """sha256 over the training CSVs (name + bytes, in name order)."""
    digest = hashlib.sha256()
    for f in sorted(files, key=lambda p: p.name):
        digest.update(f.name.encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()


def current_data_hash(folder: Path | None = None) -> str:
    return data_hash(training_files(folder))


def load_rows(files: Iterable[Path]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for f in files:
        with f.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or not {"text", "label"} <= set(reader.fieldnames):
                raise TrainingDataError(f"{f}: needs a header with columns text,label")
            for rec in reader:
                label = (rec.get("label") or "").strip()
                text = (rec.get("text") or "").strip()
                if label not in LABELS or not text:
                    raise TrainingDataError(
                        f"{f}:{reader.line_num}: needs a text and a label in"
                        f" {', '.join(LABELS)}")
                rows.append((text, label))
    return rows


def merge(rows: list[tuple[str, str]],
          corrections: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Corrections win: a corrected text replaces every training row with the same text."""
    fixed = {t.strip(): label for t, label in corrections
             if t and t.strip() and label in LABELS}
    kept = [(t, label) for t, label in rows if t not in fixed]
    return kept + sorted(fixed.items())


def train(out_dir: Path, corrections: list[tuple[str, str]] | None = None,
          folder: Path | None = None, evaluate: Iterable[Path] = ()) -> dict[str, Any]:
    """Fit, save model + card (JSON and Markdown) to out_dir, and return the card.

    `evaluate` names labelled CSVs to measure the new model on; their figures go in
    the card (they are only read to measure, never trained on).
    """
    import joblib
    import sklearn

    from triage.evaluation import score

    files = training_files(folder)
    if not files:
        raise TrainingDataError(f"no training CSV files in {folder or training_data_dir()};"
                                " a clean checkout has them in training_data/")
    corrections = list(corrections or [])
    rows = merge(load_rows(files), corrections)
    texts = [t for t, _ in rows]
    labels = [label for _, label in rows]
    missing = [c for c in LABELS if c not in labels]
    if missing:
        raise TrainingDataError(f"the training data has no {', '.join(missing)} rows")
    pipeline = build_pipeline(FEATURE_PARAMS, MODEL_PARAMS)
    if FEATURE_PARAMS.get("meaning_weight"):  # fail before fitting if the table is missing
        pipeline.named_steps["features"].with_meaning(WordVectors.load())
    pipeline.fit(texts, labels)
    model = pipeline.named_steps["model"]
    cv = score(labels, [str(p) for p in model.oof_predictions_])
    when = datetime.now(UTC).replace(microsecond=0)
    card: dict[str, Any] = {
        "name": "calmreply-triage",
        "version": when.strftime("%Y%m%d%H%M%S"),
        "date": when.isoformat(),
        "sklearn_version": sklearn.__version__,
        "intended_use": INTENDED_USE,
        "limitations": LIMITS,
        "training_data": {
            "hash": data_hash(files),
            "files": [f.name for f in files],
            "rows": len(rows),
            "class_counts": dict(sorted(Counter(labels).items())),
        },
        "training_data_hash": data_hash(files),
        "class_counts": dict(sorted(Counter(labels).items())),
        "corrections_used": len(corrections),
        "seed": SEED,
        "pipeline": "normalise -> [hashed word 1-2-grams (sublinear tf, L2) | mean of "
                    "per-word hashed char_wb n-gram vectors | hand-made cues and VADER "
                    "lexicon word valence | mean of per-word meaning vectors] -> "
                    "multinomial logistic regression -> temperature-calibrated softmax",
        "lexicon": lexicon_info(),
        "word_vectors": word_vectors_info(),
        "hyperparameters": {"features": _jsonable(FEATURE_PARAMS),
                            "model": _jsonable(MODEL_PARAMS),
                            "temperature": round(float(model.temperature_), 4)},
        "cross_validation": {
            "folds": MODEL_PARAMS["folds"],
            "macro_f1": round(cv.macro_f1, 4),
            "accuracy": round(cv.accuracy, 4),
            "per_class": {c: {k: round(v, 4) for k, v in m.items()}
                          for c, m in cv.per_class.items()},
        },
        "evaluations": {},
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(artifact(pipeline), out_dir / MODEL_FILE)
    if evaluate:
        from triage.classifier import Classifier
        from triage.evaluation import evaluate as run_eval

        clf = Classifier(pipeline, card["version"], card)
        for path in evaluate:
            result = run_eval(clf, Path(path))
            card["evaluations"][Path(path).name] = result.summary()
    (out_dir / CARD_FILE).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    (out_dir / CARD_MD_FILE).write_text(card_markdown(card), encoding="utf-8")
    return card


def lexicon_info() -> dict[str, str]:
    """Where the word-valence features come from (read from the installed package)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("vaderSentiment")
    except PackageNotFoundError:
        installed = "not installed"
    return {"name": "VADER sentiment lexicon (vader_lexicon.txt; Hutto & Gilbert, 2014)",
            "package": f"vaderSentiment {installed}", "licence": "MIT",
            "use": "summed negative and positive valence of a post's words (a word within "
                   "three words after a negation flipped and damped, as VADER does), as two "
                   "features"}


def word_vectors_info() -> dict[str, Any]:
    """Which word-piece table the meaning features came from (its card and hash).

    The table is not training data: it is frozen knowledge from a public sentence
    encoder, used as a lexicon is, and the saved model holds it folded (see
    `triage.word_vectors`).  Its hash lets a stale-model check see it change.
    """
    try:
        info = json.loads((models_dir() / VECTORS_CARD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        info = {}
    return {"file": TABLE_FILE, "sha256": table_hash(),
            "source_model": info.get("source_model", "unknown"),
            "licence": info.get("licence", "unknown"), "method": info.get("method", ""),
            "use": "a word's vector is the mean of its pieces', a post's the mean of its "
                   "words'; saved folded into one score per piece and class"}


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


def card_markdown(card: dict[str, Any]) -> str:
    """A short human-readable model card (the JSON card has everything)."""
    cv = card["cross_validation"]
    lines = [f"# Model card: {card['name']} {card['version']}", "",
             f"Trained {card['date']} with scikit-learn {card['sklearn_version']}, "
             f"seed {card['seed']}.", "",
             "## Intended use", "", card["intended_use"], "",
             "## Limits", ""] + [f"- {x}" for x in card["limitations"]] + [
             "", "## Training data", "",
             f"- files: {', '.join(card['training_data']['files'])}",
             f"- sha256: `{card['training_data_hash']}`",
             f"- rows: {card['training_data']['rows']} "
             f"({', '.join(f'{k} {v}' for k, v in card['class_counts'].items())})",
             f"- officer corrections merged in: {card['corrections_used']}", "",
             "## Model", "", card["pipeline"], "",
             *([f"Word valence: {lex['name']}, from the {lex['package']} package "
                f"({lex['licence']} licence): {lex['use']}.", ""]
               if (lex := card.get("lexicon")) else []),
             *([f"Word meaning: {wv['source_model']} ({wv['licence']}), {wv['method']} "
                f"(`models/{wv['file']}`, sha256 `{wv['sha256'][:16]}…`): {wv['use']}.", ""]
               if (wv := card.get("word_vectors")) else []),
             "```json", json.dumps(card["hyperparameters"]), "```", "",
             f"## Cross-validated ({cv['folds']}-fold) on the training data", "",
             f"macro-F1 {cv['macro_f1']:.3f}, accuracy {cv['accuracy']:.3f}", "",
             "| class | precision | recall | f1 |", "|---|---|---|---|"]
    lines += [f"| {c} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} |"
              for c, m in cv["per_class"].items()]
    for name, ev in card.get("evaluations", {}).items():
        lines += ["", f"## Evaluation on {name} ({ev['rows']} rows, never trained on)", "",
                  f"macro-F1 {ev['macro_f1']:.3f}, accuracy {ev['accuracy']:.3f}", "",
                  "| class | precision | recall | f1 |", "|---|---|---|---|"]
        lines += [f"| {c} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} |"
                  for c, m in ev["per_class"].items()]
        if ev.get("per_source"):
            lines += ["", "| source | rows | accuracy |", "|---|---|---|"]
            lines += [f"| {s} | {m['rows']} | {m['accuracy']:.3f} |"
                      for s, m in sorted(ev["per_source"].items())]
    lines += ["", "## Loading safely", "",
              "The model file is a joblib pickle holding only arrays and settings, but "
              "unpickling can run code: load only this shipped model or one you trained "
              "with `calmreply train`. A model from another scikit-learn version, or a "
              "missing or damaged file, is refused with a message to run `calmreply train`.",
              ""]
    return "\n".join(lines)
