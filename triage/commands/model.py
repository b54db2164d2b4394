"""train and evaluate: the triage model."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from triage.commands.common import EXIT_ERROR, EXIT_OK, db_path, err


def cmd_train(args: argparse.Namespace) -> int:
    from triage.classifier import default_train_dir
    from triage.evaluation import EvaluationFileError
    from triage.training import TrainingDataError, train
    from triage.word_vectors import WordVectorsError

    corrections: list[tuple[str, str]] = []
    db = db_path(args)
    if not args.no_corrections and db.exists():
        from triage.store import Store

        with Store(db) as store:
            corrections = store.corrections()
    out = Path(args.out) if args.out else default_train_dir()
    evaluate = [Path(p) for p in args.evaluate or []]
    missing = [p for p in evaluate if not p.is_file()]
    if missing:
        err(f"{missing[0]}: no such file (--evaluate needs a CSV with columns text,label)")
        return EXIT_ERROR
    try:
        card = train(out, corrections=corrections, evaluate=evaluate)
    except (TrainingDataError, EvaluationFileError, WordVectorsError) as exc:
        err(str(exc))
        return EXIT_ERROR
    except OSError as exc:
        err(f"cannot write the model to {out}: {exc}")
        return EXIT_ERROR
    print(f"trained model {card['version']} on {sum(card['class_counts'].values())} rows "
          f"({card['corrections_used']} corrections) -> {out}")
    cv = card["cross_validation"]
    print(f"cross-validated macro-F1 {cv['macro_f1']:.3f}")
    for name, ev in card["evaluations"].items():
        print(f"{name}: macro-F1 {ev['macro_f1']:.3f}, accuracy {ev['accuracy']:.3f}")
    return EXIT_OK


def cmd_evaluate(args: argparse.Namespace) -> int:
    from triage.classifier import Classifier, ModelError
    from triage.evaluation import EvaluationFileError, evaluate

    try:
        clf = Classifier.load(args.model)
        result = evaluate(clf, Path(args.file))
    except (ModelError, EvaluationFileError) as exc:
        err(str(exc))
        return EXIT_ERROR
    except FileNotFoundError:
        err(f"{args.file}: no such file")
        return EXIT_ERROR
    print(result.render())
    if args.json:
        Path(args.json).write_text(json.dumps(result.to_dict(), indent=2) + "\n",
                                   encoding="utf-8")
        print(f"\nwrote {args.json}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train", help="train the triage model from training_data/ and the officers' "
                      "corrections in the database",
        description="Train the triage model (deterministic, seeded) and write it with its "
                    "model card. Default folder: the checkout's models/ when run from a "
                    "checkout; in an installed copy, the user data folder "
                    "(<user data dir>/calmreply/models), which Classifier.load() then "
                    "prefers over the shipped model. The model is a joblib pickle: only "
                    "load the shipped model or one you trained yourself.")
    p.add_argument("--out", help="folder to write the model and card (default: see above)")
    p.add_argument("--evaluate", action="append", metavar="CSV",
                   help="also measure the new model on this labelled CSV (text,label"
                        "[,source]) and put the figures in the card; never trained on")
    p.add_argument("--no-corrections", action="store_true",
                   help="ignore corrections stored in the database")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="measure the model on a labelled CSV (text,label)")
    p.add_argument("file", help="CSV with columns text,label (and optionally source)")
    p.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    p.add_argument("--model", metavar="DIR",
                   help="model folder (default: a model you trained with `calmreply train`, "
                        "else the shipped one)")
    p.set_defaults(func=cmd_evaluate)
