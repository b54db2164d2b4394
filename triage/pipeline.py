"""The path every mention takes on arrival: store (deduplicated), classify, flag.

Mentions are stored and triaged in one transaction per batch, so a crash mid-batch
leaves either the whole batch (stored and triaged) or none of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from triage.classifier import Classifier
from triage.escalate import Escalator
from triage.mention import Mention
from triage.store import Store


@dataclass
class BatchReport:
    new: int = 0
    duplicates: int = 0
    escalated: int = 0
    by_label: dict[str, int] = field(default_factory=dict)

    def add(self, other: BatchReport) -> None:
        self.new += other.new
        self.duplicates += other.duplicates
        self.escalated += other.escalated
        for k, v in other.by_label.items():
            self.by_label[k] = self.by_label.get(k, 0) + v


@dataclass
class Triager:
    store: Store
    classifier: Classifier
    escalator: Escalator

    @classmethod
    def open(cls, store: Store) -> Triager:
        return cls(store, Classifier.load(), Escalator.load())

    def ingest(self, mentions: Sequence[Mention], actor: str = "import") -> BatchReport:
        report = BatchReport()
        with self.store.write():
            added = self.store.add_mentions(mentions, actor=actor)
            report.duplicates = added.duplicates
            report.new = len(added.new)
            if not added.new:
                return report
            verdicts = self.classifier.predict([m.text for m in added.new])
            assessments = self.escalator.assess_batch(added.new, verdicts, self.store)
            self.store.record_triage_many(
                [(m.id, v, a) for m, v, a in zip(added.new, verdicts, assessments, strict=True)
                 if m.id is not None])
            for v, a in zip(verdicts, assessments, strict=True):
                report.by_label[v.label] = report.by_label.get(v.label, 0) + 1
                report.escalated += int(a.escalated)
        return report
