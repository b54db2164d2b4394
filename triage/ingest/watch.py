"""The watch loop: poll every stream, triage and store each page with its cursor.

Each page is one transaction: the mentions (deduplicated, classified, flagged), its
quarantined items and the stream's new cursor commit together or not at all.  A
``kill -9`` between pages loses nothing acknowledged; one inside a page rolls the
whole page back, cursor included, and the next run fetches it again.  A source that
fails is reported and skipped for this round; the others go on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from triage.heap import backlog
from triage.ingest.config import TeamConfig
from triage.ingest.cursors import get_cursor, set_cursor
from triage.ingest.fetch_process import FetchProcess
from triage.ingest.http import Redactor
from triage.ingest.lanes import Event, is_page, lane
from triage.ingest.mastodon import MalformedPage
from triage.ingest.prefetch import merged
from triage.ingest.quarantine import quarantine
from triage.ingest.source import Page, Stream
from triage.ingest.streams import build_streams
from triage.pipeline import Prepared, Triager
from triage.search_index import LOUD_BACKLOG, SearchIndexer
from triage.wal_checkpoint import Checkpointer

log = logging.getLogger("calmreply.ingest")


@dataclass
class SourceStats:
    fetched: int = 0
    new: int = 0
    duplicates: int = 0
    quarantined: int = 0
    skipped: int = 0
    escalated: int = 0
    pages: int = 0
    errors: list[str] = field(default_factory=list)
    fetch_seconds: float = 0.0
    parse_seconds: float = 0.0
    store_seconds: float = 0.0

    def line(self, name: str) -> str:
        text = (f"{name}: fetched {self.fetched}, new {self.new}, duplicates "
                f"{self.duplicates}, quarantined {self.quarantined}, escalated "
                f"{self.escalated}")
        if self.skipped:
            text += f", skipped {self.skipped} (boosts/non-mentions)"
        if self.errors:
            text += f" — FAILED: {self.errors[-1]}"
        return text


@dataclass
class Watcher:
    triager: Triager
    streams: dict[str, list[Stream]]
    redact: Redactor = field(default_factory=Redactor)
    actor: str = "watch"
    batch_size: int = 1000  # mentions per transaction (pages are never split)
    indexer: SearchIndexer | None = None  # set while a round or `run` is going
    # one fetch process per source when set (see `from_config`); else fetch threads
    fetchers: list[FetchProcess] = field(default_factory=list)

    @classmethod
    def from_config(cls, cfg: TeamConfig, triager: Triager,
                    sleep: Callable[[float], None] = time.sleep,
                    redact: Redactor | None = None,
                    fetch_process: bool = False) -> Watcher:
        """`fetch_process`: fetch and parse each source's pages in a process of its
        own (`triage.ingest.fetch_process`), as `calmreply watch` does: one process
        for all of them would run one source's parsing at a time, and the store loop
        would wait for pages.  It falls back to threads when no process can start.
        Those processes' streams sleep with `time.sleep`."""
        redact = redact or Redactor(cfg.secrets())
        watcher = cls(triager, build_streams(cfg, sleep, redact), redact,
                      batch_size=cfg.batch_size)
        if fetch_process:
            # each process gets only its source's config: it builds those streams only,
            # and holds no other source's secrets
            watcher.fetchers = [FetchProcess(replace(cfg, sources=[cfg.source(name)]))
                                for name, group in watcher.streams.items() if group]
            if not all(f.start() for f in watcher.fetchers):
                watcher.close()
        return watcher

    def close(self) -> None:
        """Stop the fetch processes, if there are any."""
        fetchers, self.fetchers = self.fetchers, []
        for fetcher in fetchers:
            fetcher.close()

    def _events(self) -> Iterator[Event]:
        """This round's events: every source at once, each stream from its cursor."""
        walks = [[(s, get_cursor(self.store, s.key)) for s in group]
                 for group in self.streams.values() if group]
        if self.fetchers:
            return merged([f.round([[(s.key, c) for s, c in w]])
                           for f, w in zip(self.fetchers, walks, strict=True)], counts=is_page)
        return merged([lane(w) for w in walks], counts=is_page)

    @property
    def store(self):
        return self.triager.store

    def poll(self) -> dict[str, SourceStats]:
        """Fetch every stream and commit its pages in batches of about ``batch_size``.

        Several small pages share one transaction (the classifier and the store work
        best on hundreds at a time); a batch holds one stream's pages and its cursor
        is its last page's.  Pages fetched before a failure are still committed.
        Sources are fetched at the same time (`triage.ingest.lanes`) and their batches
        stored as they fill, so a slow source does not hold up the others.  Three
        things overlap: the next pages are fetched (on threads, or in a fetch process
        per source) and the next batch is classified (in the classifier's helper
        process) while the current batch is flagged and stored.  Batches commit one
        after another.
        """
        stats = {name: SourceStats() for name in self.streams}
        by_key = {s.key: (name, s) for name, group in self.streams.items() for s in group}
        pending: dict[str, list[Page]] = {}
        targets: dict[str, int] = {}   # a small first batch starts the work sooner
        waiting: tuple[Stream, list[Page], Prepared, SourceStats] | None = None

        def flush(key: str) -> None:
            """Classify the stream's pending pages; store the batch before them."""
            nonlocal waiting
            pages = pending.pop(key, [])
            if not pages:
                return
            name, stream = by_key[key]
            ready = (stream, pages, self._prepare(pages), stats[name])
            if waiting is not None:
                self._commit(*waiting)
            waiting = ready

        events = self._events()
        try:
            for kind, key, payload in events:
                if kind == "page":
                    pages = pending.setdefault(key, [])
                    pages.append(payload)
                    target = targets.setdefault(key, min(self.batch_size, 200))
                    if sum(len(p.mentions) for p in pages) >= target:
                        flush(key)
                        targets[key] = min(self.batch_size, target * 2)
                    continue
                # the stream's end: its last pages are classified in the helper while
                # the batch before is stored, like every other batch
                flush(key)
                if kind == "failed":
                    self._failed(payload, stats[by_key[key][0]])
        finally:
            events.close()   # stops the fetching if a commit failed
            for key in list(pending):
                flush(key)
            if waiting is not None:
                self._commit(*waiting)
        return stats

    def _failed(self, exc: BaseException, stats: SourceStats) -> None:
        if isinstance(exc, MalformedPage):
            # not JSON at all: keep the evidence, leave the cursor where it was
            self._quarantine_once(exc.key, exc.raw, exc.error)
            stats.quarantined += 1
            stats.errors.append(self.redact(str(exc)))
        else:
            stats.errors.append(self.redact(str(exc)))
            log.warning("%s", self.redact(str(exc)))

    def _prepare(self, pages: list[Page]) -> Prepared:
        return self.triager.prepare([m for p in pages for m in p.mentions])

    def _commit(self, stream: Stream, pages: list[Page], prepared: Prepared | None,
                stats: SourceStats) -> None:
        t0 = time.perf_counter()
        if prepared is not None:
            prepared.wait()   # not inside the transaction (see `Prepared.wait`)
        with self.store.write():
            report = self.triager.ingest([m for p in pages for m in p.mentions],
                                         actor=self.actor, prepared=prepared)
            for page in pages:
                for bad in page.bad:
                    self._quarantine_once(stream.key, bad.raw, bad.error)
            cursor = next((p.cursor for p in reversed(pages) if p.cursor is not None), None)
            if cursor is not None:
                set_cursor(self.store, stream.key, cursor)
        stats.store_seconds += time.perf_counter() - t0
        if report.new and self.indexer is not None:
            self.indexer.poke()
        stats.new += report.new
        stats.duplicates += report.duplicates
        stats.escalated += report.escalated
        for page in pages:
            stats.fetch_seconds += page.fetch_seconds
            stats.parse_seconds += page.parse_seconds
            stats.pages += 1
            stats.fetched += page.fetched
            stats.skipped += page.skipped
            stats.quarantined += len(page.bad)

    def _quarantine_once(self, key: str, raw: str, error: str) -> None:
        """Quarantine an item unless this stream already did (boundary items recur)."""
        raw, error = self.redact(raw), self.redact(error)
        seen = self.store.query("SELECT 1 FROM quarantine WHERE source = ? AND raw = ?",
                                (key, raw))
        if not seen:
            quarantine(self.store, key, raw, error)

    def run_once(self) -> dict[str, SourceStats]:
        """Poll every source once; new mentions are searchable when it returns."""
        if self.indexer is not None:
            return self.poll()
        with self.upkeep():
            return self.poll()

    @contextmanager
    def upkeep(self) -> Iterator[None]:
        """While polling goes on, two threads keep the store in shape off the ingest's
        path: one indexes new mentions for search (`triage.search_index`), one moves
        the write-ahead log into the database file (`triage.wal_checkpoint`).  On the
        way out, the search index has caught up.  Meanwhile Python's cycle collector
        runs less often (`triage.heap`)."""
        with backlog(), self._store_upkeep():
            yield

    @contextmanager
    def _store_upkeep(self) -> Iterator[None]:
        if str(self.store.path) == ":memory:":   # no second connection: index here
            try:
                yield
            finally:
                self.store.index_search()
            return
        self.store.set_autocheckpoint(0)
        checkpointer = Checkpointer(self.store.path).start()
        self.indexer = SearchIndexer(self.store).start()
        finished = False
        try:
            yield
            finished = True
            left = self.store.search_backlog()
            if left >= LOUD_BACKLOG:
                log.warning("making %s mentions searchable before stopping (once, after an"
                            " upgrade or a large import); Ctrl-C leaves them for the next"
                            " run, and search finds them meanwhile, only slower", f"{left:,}")
        finally:
            indexer, self.indexer = self.indexer, None
            # stopped by Ctrl-C or an error: search is complete without the index, so
            # the rest waits for the next run rather than holding up the exit
            indexer.stop(catch_up=finished)
            checkpointer.stop()
            self.store.set_autocheckpoint()
            for error in (indexer.error, checkpointer.error):
                if error:
                    log.warning("%s", error)

    def run(self, interval: float, cycles: int | None = None,
            echo: Callable[[str], None] = print,
            sleep: Callable[[float], None] = time.sleep) -> dict[str, SourceStats]:
        """Poll until interrupted (or for ``cycles`` rounds); print progress per source."""
        with self.upkeep():
            return self._run(interval, cycles, echo, sleep)

    def _run(self, interval: float, cycles: int | None, echo: Callable[[str], None],
             sleep: Callable[[float], None]) -> dict[str, SourceStats]:
        totals: dict[str, SourceStats] = {}
        n = 0
        while cycles is None or n < cycles:
            started = time.monotonic()
            for name, stats in self.run_once().items():
                echo(stats.line(name))
                total = totals.setdefault(name, SourceStats())
                for attr in ("fetched", "new", "duplicates", "quarantined", "skipped",
                             "escalated", "pages"):
                    setattr(total, attr, getattr(total, attr) + getattr(stats, attr))
                total.errors.extend(stats.errors)
            n += 1
            if cycles is not None and n >= cycles:
                break
            sleep(max(0.0, interval - (time.monotonic() - started)))
        return totals
