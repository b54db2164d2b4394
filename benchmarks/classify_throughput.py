"""Classify 100,000 mentions in batches: calmreply's model beside a plain sklearn baseline.

Prints mentions/s, model load time and model file size for both, in the same process:
calmreply in one process (batches of 1,000) and on two cores (batches of 5,000, which
`Classifier.predict` splits with its helper process), each with and without
explanations.  Figures are medians of --runs runs; the load average is printed
because other work on the machine slows every figure.  The mentions are the training
texts repeated and lightly varied (handles, numbers, case), so the vocabulary is
realistic; the first run of each kind includes filling the per-word caches.

    /work/venv/bin/python benchmarks/classify_throughput.py [--n 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from triage.classifier import MODEL_FILE, Classifier, default_model_dir  # noqa: E402
from triage.training import load_rows, training_files  # noqa: E402

BATCH = 1000
PARALLEL = 5000


def corpus(n: int) -> list[str]:
    rng = random.Random(7)
    base = [t for t, _ in load_rows(training_files())]
    out = []
    while len(out) < n:
        t = rng.choice(base)
        r = rng.random()
        if r < 0.3:
            t = f"@user{rng.randrange(1000)} {t}"
        elif r < 0.4:
            t = t.upper()
        elif r < 0.5:
            t = f"{t} {rng.randrange(100)}"
        out.append(t)
    return out


def timed_batches(fn, texts: list[str], batch: int = BATCH) -> float:
    start = time.perf_counter()
    for i in range(0, len(texts), batch):
        fn(texts[i:i + batch])
    return len(texts) / (time.perf_counter() - start)


def baseline(train_texts, train_labels, folder: Path):
    import joblib
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    pipe = Pipeline([
        ("features", FeatureUnion([
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        ])),
        ("model", LogisticRegression(C=4.0, max_iter=2000)),
    ]).fit(train_texts, train_labels)
    path = folder / "baseline.joblib"
    joblib.dump(pipe, path)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--model", help="model folder (default: the shipped model)")
    args = ap.parse_args()

    import joblib

    texts = corpus(args.n)
    model_dir = Path(args.model) if args.model else None
    loads = []
    for _ in range(args.runs):
        t = time.perf_counter()
        clf = Classifier.load(model_dir)
        loads.append(time.perf_counter() - t)
    folder = model_dir or default_model_dir()
    size = (folder / MODEL_FILE).stat().st_size
    rates = [timed_batches(lambda b: clf.predict(b, explain=False), texts)
             for _ in range(args.runs)]
    explained = [timed_batches(clf.predict, texts) for _ in range(args.runs)]
    jobs = min(2, os.cpu_count() or 1)
    clf.jobs = jobs
    clf.predict(texts[: 2 * PARALLEL], explain=False)  # start the helper process
    par = [timed_batches(lambda b: clf.predict(b, explain=False), texts, PARALLEL)
           for _ in range(args.runs)]
    par_explained = [timed_batches(clf.predict, texts, PARALLEL) for _ in range(args.runs)]
    clf.close()

    rows = load_rows(training_files())
    with tempfile.TemporaryDirectory() as tmp:
        path = baseline([t for t, _ in rows], [label for _, label in rows], Path(tmp))
        b_loads = []
        for _ in range(args.runs):
            t = time.perf_counter()
            pipe = joblib.load(path)
            b_loads.append(time.perf_counter() - t)
        b_size = path.stat().st_size
        b_rates = [timed_batches(pipe.predict_proba, texts) for _ in range(args.runs)]

    med = statistics.median
    print(f"{args.n} mentions, medians of {args.runs} runs, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f} (1 min)")
    print(f"{'model':<48}{'mentions/s':>12}{'load s':>9}{'size MB':>9}")
    print(f"{'calmreply, 1 process, no explanation':<48}{med(rates):>12,.0f}"
          f"{med(loads):>9.3f}{size / 1e6:>9.2f}")
    print(f"{'calmreply, 1 process, with explanation':<48}{med(explained):>12,.0f}")
    print(f"{f'calmreply, {jobs} processes, no explanation':<48}{med(par):>12,.0f}")
    print(f"{f'calmreply, {jobs} processes, with explanation':<48}{med(par_explained):>12,.0f}")
    print(f"{'baseline tfidf word1-2+char_wb2-5 + LR':<48}{med(b_rates):>12,.0f}"
          f"{med(b_loads):>9.3f}{b_size / 1e6:>9.2f}")
    print(f"speed-up vs baseline: {med(par) / med(b_rates):.1f}x ({jobs} processes), "
          f"{med(rates) / med(b_rates):.1f}x (1 process), "
          f"{med(par_explained) / med(b_rates):.1f}x ({jobs} processes, explained)")


if __name__ == "__main__":
    main()
