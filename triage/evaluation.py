"""Measure a model on a labelled CSV (columns text,label[,source])."""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from triage.classifier import Classifier
from triage.verdict import LABELS


@dataclass
class Evaluation:
    rows: int
    accuracy: float
    macro_f1: float
    per_class: dict[str, dict[str, float]]
    confusion: dict[str, dict[str, int]]  # true label -> predicted label -> count
    per_source: dict[str, dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> dict[str, Any]:
        """The figures rounded for a model card."""
        def r(m: dict[str, Any]) -> dict[str, Any]:
            return {k: round(v, 4) if isinstance(v, float) else v for k, v in m.items()}

        return {"rows": self.rows, "accuracy": round(self.accuracy, 4),
                "macro_f1": round(self.macro_f1, 4),
                "per_class": {c: r(m) for c, m in self.per_class.items()},
                "confusion": self.confusion,
                "per_source": {s: r(m) for s, m in self.per_source.items()}}

    def render(self) -> str:
        lines = [f"rows: {self.rows}", f"accuracy: {self.accuracy:.3f}",
                 f"macro-F1: {self.macro_f1:.3f}", "",
                 f"{'class':<12}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}"]
        for label, m in self.per_class.items():
            lines.append(f"{label:<12}{m['precision']:>10.3f}{m['recall']:>10.3f}"
                         f"{m['f1']:>10.3f}{int(m['support']):>10}")
        lines += ["", "confusion (rows: true, columns: predicted)",
                  " " * 12 + "".join(f"{p:>12}" for p in LABELS)]
        for t in LABELS:
            lines.append(f"{t:<12}" + "".join(f"{self.confusion[t][p]:>12}" for p in LABELS))
        if len(self.per_source) > 1:
            lines += ["", f"{'source':<36}{'rows':>6}{'accuracy':>10}  predicted as"]
            for src, m in sorted(self.per_source.items()):
                spread = ", ".join(f"{c} {m['predicted'].get(c, 0)}" for c in LABELS)
                lines.append(f"{src[:35]:<36}{m['rows']:>6}{m['accuracy']:>10.3f}  {spread}")
        return "\n".join(lines)


class EvaluationFileError(ValueError):
    pass


def read_labelled(path: Path) -> tuple[list[str], list[str], list[str]]:
    texts, labels, sources = [], [], []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or not {"text", "label"} <= set(reader.fieldnames):
            raise EvaluationFileError(f"{path}: needs a header with columns text,label")
        for rec in reader:
            label = (rec.get("label") or "").strip()
            if label not in LABELS:
                raise EvaluationFileError(
                    f"{path}:{reader.line_num}: label {label!r} is not one of {', '.join(LABELS)}")
            texts.append(rec["text"] or "")
            labels.append(label)
            sources.append(rec.get("source") or "")
    return texts, labels, sources


def evaluate(classifier: Classifier, path: Path) -> Evaluation:
    texts, truth, sources = read_labelled(path)
    predicted = [v.label for v in classifier.predict(texts, explain=False)]
    return score(truth, predicted, sources)


def score(truth: list[str], predicted: list[str], sources: list[str] | None = None) -> Evaluation:
    confusion = {t: {p: 0 for p in LABELS} for t in LABELS}
    for t, p in zip(truth, predicted, strict=True):
        confusion[t][p] += 1
    per_class = {}
    for c in LABELS:
        tp = confusion[c][c]
        fp = sum(confusion[t][c] for t in LABELS if t != c)
        fn = sum(confusion[c][p] for p in LABELS if p != c)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per_class[c] = {"precision": prec, "recall": rec, "f1": f1, "support": tp + fn}
    n = len(truth)
    accuracy = sum(t == p for t, p in zip(truth, predicted, strict=True)) / n if n else 0.0
    present = [c for c in LABELS if per_class[c]["support"]]
    macro = sum(per_class[c]["f1"] for c in present) / len(present) if present else 0.0
    per_source: dict[str, dict[str, Any]] = {}
    for t, p, s in zip(truth, predicted, sources or [""] * n, strict=True):
        m = per_source.setdefault(s or "-", {"rows": 0, "correct": 0, "predicted": {}})
        m["rows"] += 1
        m["correct"] += int(t == p)
        m["predicted"][p] = m["predicted"].get(p, 0) + 1
    for m in per_source.values():
        m["accuracy"] = m["correct"] / m["rows"]
    return Evaluation(n, accuracy, macro, per_class, confusion, per_source)
