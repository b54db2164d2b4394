"""`calmreply evaluate`: figures on a labelled CSV, optionally as JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from triage.evaluation import score

PUBLIC = Path(__file__).resolve().parents[2] / "shared" / "eval" / "public_mentions.csv"


def test_score_counts_confusion_and_per_source() -> None:
    e = score(["troll", "troll", "complaint", "engagement"],
              ["troll", "complaint", "complaint", "engagement"], ["a", "a", "b", "b"])
    assert e.confusion["troll"] == {"troll": 1, "complaint": 1, "engagement": 0}
    assert e.per_class["complaint"]["precision"] == 0.5
    assert e.per_class["troll"]["recall"] == 0.5
    assert e.accuracy == 0.75
    assert e.per_source["a"]["accuracy"] == 0.5 and e.per_source["b"]["accuracy"] == 1.0


def run_evaluate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "triage.cli", "evaluate", *args],
                          capture_output=True, text=True)


def test_evaluate_cli_prints_and_writes_json(tmp_path: Path) -> None:
    data = tmp_path / "eval.csv"
    data.write_text("text,label,source\n"
                    '"you are a pathetic idiot",troll,x\n'
                    '"my order never arrived and nobody answers",complaint,y\n'
                    '"thanks, great service today!",engagement,y\n', encoding="utf-8")
    out = tmp_path / "figures.json"
    proc = run_evaluate(str(data), "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "macro-F1" in proc.stdout and "confusion" in proc.stdout
    figures = json.loads(out.read_text())
    assert figures["rows"] == 3
    assert set(figures["per_class"]) == {"troll", "complaint", "engagement"}


def test_evaluate_cli_rejects_bad_label(tmp_path: Path) -> None:
    data = tmp_path / "eval.csv"
    data.write_text("text,label\nhello,spam\n", encoding="utf-8")
    proc = run_evaluate(str(data))
    assert proc.returncode == 1 and "eval.csv:2" in proc.stderr


@pytest.mark.skipif(not PUBLIC.is_file(), reason="shared evaluation set not present")
def test_public_evaluation_runs(tmp_path: Path) -> None:
    out = tmp_path / "public.json"
    proc = run_evaluate(str(PUBLIC), "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text())["rows"] > 1000
