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
from triage.triage_helper import Judged, TriageHelper
from triage.verdict import Flag, Verdict


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
class Prepared:
    """A batch's verdicts and rule flags on their way (see `Triager.prepare`)."""

    mentions: list[Mention]
    judged: Judged
    given: list[Mention] = field(default_factory=list)   # the batch `prepare` was given
    mark: tuple[int, int] | None = None   # `Store.change_mark()` before `mentions` were found

    def wait(self) -> None:
        """Wait for the helper's verdicts and flags.  Callers do this before opening the
        write transaction: waiting inside it would hold the store's lock (and SQLite's
        write lock) idle, while the search indexer and other writers wait for it."""
        self.judged.result()

    def results_for(self, fresh: Sequence[Mention], triager: Triager
                    ) -> tuple[list[Verdict], list[list[Flag]]]:
        """Verdicts and rule flags for `fresh` (what was prepared, less anything stored
        meanwhile; anything not prepared is worked out now)."""
        verdicts, flags = self.judged.result()
        if len(fresh) == len(self.mentions) and all(
                a is b for a, b in zip(fresh, self.mentions, strict=True)):
            return verdicts, [list(f) for f in flags]   # the usual case: nothing changed
        by_key = dict(zip([m.key for m in self.mentions], zip(verdicts, flags, strict=True),
                          strict=True))
        missing = [m for m in fresh if m.key not in by_key]
        if missing:
            more = triager.helper.submit(missing).result()
            by_key.update(zip([m.key for m in missing], zip(*more, strict=True),
                              strict=True))
        pairs = [by_key[m.key] for m in fresh]
        return [v for v, _f in pairs], [list(f) for _v, f in pairs]


@dataclass
class Triager:
    store: Store
    classifier: Classifier
    escalator: Escalator
    helper: TriageHelper = field(init=False)
    # (first id, keys) of the last batches `ingest` stored, newest last
    _stored: list[tuple[int, set[tuple[str, str]]]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.helper = TriageHelper(self.classifier, self.escalator.rules)

    def start_helper(self) -> bool:
        """Start the helper process that `prepare` uses (see `triage.triage_helper`);
        False when there is none and `prepare` works in this process."""
        return self.helper.start()

    def close(self) -> None:
        self.helper.close()

    @classmethod
    def open(cls, store: Store) -> Triager:
        return cls(store, Classifier.load(), Escalator.load())

    def prepare(self, mentions: Sequence[Mention]) -> Prepared:
        """Start classifying and rule-checking the mentions not stored yet, in the
        helper process (`start_helper`), so that `ingest(mentions, prepared=...)` of
        this batch can overlap storing the previous one.  Reads the store; writes
        nothing."""
        given = list(mentions)
        mark = self.store.change_mark()
        fresh = self.store.unseen(given)
        return Prepared(fresh, self.helper.submit(fresh), given, mark)

    def _still_unseen(self, mentions: Sequence[Mention], prepared: Prepared
                      ) -> list[Mention] | None:
        """`store.unseen(mentions)` without asking the store again, when nothing but
        this triager's own batches (whose keys it remembers) was stored since the batch
        was prepared; None when that cannot be known.  The watch loop prepares a batch
        while the one before is stored: the store would only find that one's posts."""
        if prepared.mark is None or len(prepared.given) != len(mentions) or any(
                a is not b for a, b in zip(prepared.given, mentions, strict=True)):
            return None
        version, top = self.store.change_mark()
        since, base = prepared.mark
        if version != since:
            return None   # another connection wrote to the store
        ours = [keys for first, keys in self._stored if first > base]
        if top != base + sum(len(k) for k in ours):
            return None   # mentions stored here by someone else (or forgotten)
        if not ours:
            return list(prepared.mentions)
        stored = set().union(*ours)
        return [m for m in prepared.mentions if m.key not in stored]

    def ingest(self, mentions: Sequence[Mention], actor: str = "import",
               prepared: Prepared | None = None) -> BatchReport:
        """Store, classify and flag a batch in one transaction.

        The batch is classified and flagged before it is inserted, so each row is
        written once, complete: a second write of a million-row table's queue indexes
        would cost more than the insert.  Escalation gets the row ids the insert will
        use (nobody else can take ids inside the write transaction); incidents may
        name those rows before they exist, so foreign keys are checked at commit.
        """
        report = BatchReport()
        if prepared is not None:
            prepared.wait()
        with self.store.write() as conn:
            fresh = self._still_unseen(mentions, prepared) if prepared is not None else None
            if fresh is None:
                fresh = self.store.unseen(mentions)
            report.duplicates = len(mentions) - len(fresh)
            if not fresh:
                return report
            conn.execute("PRAGMA defer_foreign_keys = ON")
            ids = self.store.next_ids(len(fresh))
            for m, i in zip(fresh, ids, strict=True):
                m.id = i
            if prepared is not None:
                verdicts, rule_flags = prepared.results_for(fresh, self)
            else:
                verdicts, rule_flags = self.classifier.predict([m.text for m in fresh]), None
            assessments = self.escalator.assess_batch(fresh, verdicts, self.store,
                                                      stored=False, rule_flags=rule_flags)
            added = self.store.add_mentions(
                fresh, actor=actor, triage=list(zip(verdicts, assessments, strict=True)),
                unseen=True)
            if [m.id for m in added.new] != list(ids):
                raise RuntimeError("ingest: the stored ids differ from the reserved ones")
            self._stored = [*self._stored[-3:], (ids[0], {m.key for m in fresh})]
            self.store.record_arrival(list(zip(fresh, verdicts, assessments, strict=True)))
            report.new = len(fresh)
            for v, a in zip(verdicts, assessments, strict=True):
                report.by_label[v.label] = report.by_label.get(v.label, 0) + 1
                report.escalated += int(a.escalated)
        return report
