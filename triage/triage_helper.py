"""The second core: classify the next batch, and check its text rules, in a helper
process while this one stores the current batch (and encode the verdicts as the
store keeps them).

Python runs one thread at a time, so the watch loop's threads share one core; a
process of its own gives the classifier (and the phrase rules of escalation, which
read only a post's text, author and reach) the machine's second core.  The helper
gets the model and the rules once, when it starts; a batch costs pickling its texts
there and its scores and flags back.  When no helper can start (one core, a sandbox
without process spawning, a script without a main guard) everything runs here.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from triage.classifier import Classifier
from triage.escalate.rules import Rules
from triage.mention import Mention
from triage.verdict import Flag, Verdict

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def rule_inputs(mentions: Sequence[Mention]) -> list[tuple[str, str, int]]:
    """What the text rules read of a mention: text, author handle, followers."""
    return [(m.text, m.author_handle, m.author_followers) for m in mentions]


def check_rules(rules: Rules, inputs: Sequence[tuple[str, str, int]]) -> list[list[Flag]]:
    return [rules.check(Mention("other", "", text, _EPOCH, author_handle=handle,
                                author_followers=followers))
            for text, handle, followers in inputs]


@dataclass
class Judged:
    """A batch's verdicts and rule flags, worked out here or on their way back."""

    classifier: Classifier
    rules: Rules
    texts: list[str]
    inputs: list[tuple[str, str, int]]
    future: Any = None
    _done: tuple[list[Verdict], list[list[Flag]]] | None = None

    def result(self) -> tuple[list[Verdict], list[list[Flag]]]:
        if self._done is None:
            if self.future is not None:
                try:
                    probs, reasons, encoded, flags = self.future.result()
                    self._done = (self.classifier.verdicts(probs, reasons, calibrated=True,
                                                           encoded=encoded), flags)
                except Exception:  # noqa: BLE001 - a broken helper: do the work here
                    self.future = None
            if self._done is None:
                self._done = (self.classifier.predict(self.texts),
                              check_rules(self.rules, self.inputs))
        return self._done


@dataclass
class TriageHelper:
    """One helper process for `Triager.prepare` (started with `start`)."""

    classifier: Classifier
    rules: Rules
    enabled: bool = field(default_factory=lambda: (os.cpu_count() or 1) > 1)
    _pool: Any = None

    def start(self) -> bool:
        """Start the process (a second or two) and check it answers; False if none."""
        if not self.enabled:
            return False
        if self._pool is not None:
            return True
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        try:
            # spawn, not fork: the caller may run threads (prefetch, search indexing)
            self._pool = ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start, initargs=(self.classifier.pipeline, self.rules))
            self._pool.submit(_work, ["warm up"], [("warm up", "", 0)]).result()
            return True
        except Exception:  # noqa: BLE001 - any failure: work in this process instead
            self.close()
            self.enabled = False
            return False

    def submit(self, mentions: Sequence[Mention]) -> Judged:
        texts = [m.text for m in mentions]
        inputs = rule_inputs(mentions)
        future = None
        if self._pool is not None and texts:
            try:
                future = self._pool.submit(_work, texts, inputs)
            except Exception:  # noqa: BLE001 - broken or shut down: work here
                self.close()
        return Judged(self.classifier, self.rules, texts, inputs, future)

    def cpu_seconds(self) -> float:
        """CPU time the helper process has used so far (0 without one)."""
        return self._pool.submit(_cpu).result() if self._pool is not None else 0.0

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(cancel_futures=True)


_state: tuple[Classifier, Rules] | None = None


def _start(pipeline, rules: Rules) -> None:
    global _state
    from triage.heap import for_backlog
    from triage.parent_watch import exit_with_parent

    exit_with_parent()
    for_backlog()
    _state = (Classifier(pipeline, "helper", jobs=1), rules)


def _work(texts: list[str], inputs: list[tuple[str, str, int]]):
    assert _state is not None
    classifier, rules = _state
    scores, reasons = classifier.scorer().score(classifier.normalise(texts), True)
    probs = classifier.calibrate(scores)
    return probs, reasons, classifier.stored_rows(probs, reasons), check_rules(rules, inputs)


def _cpu() -> float:
    import time

    return time.process_time()
