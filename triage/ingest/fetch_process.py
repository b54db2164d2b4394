"""Fetch and parse pages in a process of its own, ahead of the store loop.

Python runs one thread at a time.  On a prefetch *thread* (`triage.ingest.prefetch`)
the HTTP round trips, JSON decoding and parsing of every page take turns with the
store loop's classifying, flagging and inserting, and the two together need more
than one core.  Here they run in a process of their own (the watch loop starts one
per source, `Watcher.from_config`): it owns the streams (their HTTP sessions,
Bluesky logins, rate-limit pauses and profile caches live there for the whole
`watch`) and sends parsed pages back, at most `depth` ahead, each mention pickled
as a flat tuple (`Mention.__reduce__`).

Nothing about commits changes: the store loop asks for a round (the source's
streams with the cursors it has stored, `triage.ingest.lanes`) and stores each batch
with its cursor as before.  A stream's failure comes back as the same exception type,
its message redacted by the fetch process's redactor (which knows the session tokens
it was given); log lines come back the same way, to be logged here under their own
logger names.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from triage.ingest.config import TeamConfig
from triage.ingest.http import Redactor, SourceError
from triage.ingest.lanes import Event, lane
from triage.ingest.mastodon import MalformedPage

log = logging.getLogger("calmreply.ingest")


class FetchProcess:
    """A process that walks streams of the team config for the watch loop (which
    gives each source's streams a process of their own)."""

    def __init__(self, cfg: TeamConfig, depth: int = 64) -> None:
        self.cfg = cfg
        self.depth = depth
        self._proc: Any = None
        self._conn: Any = None
        self._serial = 0

    def start(self) -> bool:
        """Start the process (about a quarter of a second); False if none can start."""
        if self._proc is not None and self._proc.is_alive():
            return True
        self.close()
        import multiprocessing

        try:
            # spawn, not fork: the caller runs threads (search indexing, checkpoints)
            ctx = multiprocessing.get_context("spawn")
            ours, theirs = ctx.Pipe()
            level = logging.getLogger("calmreply").getEffectiveLevel()
            proc = ctx.Process(target=_serve, args=(theirs, self.cfg, level),
                               name="calmreply-fetch", daemon=True)
            proc.start()
            theirs.close()
            if ours.recv() != ("ready",):
                raise RuntimeError("the fetch process did not start")
        except Exception:  # noqa: BLE001 - no process: the caller fetches on a thread
            self.close()
            return False
        self._proc, self._conn = proc, ours
        return True

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def round(self, lanes: Sequence[Sequence[tuple[str, str | None]]]) -> Iterator[Event]:
        """One polling round's events (`triage.ingest.lanes`), every lane walked at
        once in the process, each stream from the cursor given with it; in the order
        they arrive, at most `depth` pages per lane ahead of the caller.

        Errors of a stream come as ``failed`` events carrying the same exception
        types as fetching here would raise (messages redacted there).  If the process
        dies (or cannot start), each lane's next stream fails with a `SourceError`
        saying so, and the next round starts a new process.  Closing the iterator
        early stops every walk after the requests in flight.
        """
        walks: dict[int, list[str]] = {}   # walk (one per lane) -> its streams not ended
        if not self.start():
            yield from _lost(lanes, "could not start")
            return
        for keys in lanes:
            self._serial += 1
            walks[self._serial] = [key for key, _cursor in keys]
            self._conn.send(("walk", self._serial, list(keys), self.depth))
        try:
            while walks:
                try:
                    kind, walk, *rest = self._recv()
                except SourceError:   # the process died: its streams fail this round
                    yield from _lost([[(k, None) for k in left] for left in walks.values()],
                                     "stopped unexpectedly")
                    walks.clear()
                    return
                if walk not in walks:
                    continue   # left over from a round that was stopped
                if kind in ("done", "failed") and rest[0] in walks[walk]:
                    walks[walk].remove(rest[0])
                if kind == "end":
                    del walks[walk]
                elif kind == "page":
                    yield ("page", rest[0], rest[1])
                    if self._conn is not None:
                        self._conn.send(("more", walk))
                elif kind == "failed":
                    if not rest[0]:   # not a stream's failure: a fault in the process
                        raise _rebuild(*rest[1:])
                    yield ("failed", rest[0], _rebuild(*rest[1:]))
                else:
                    yield (kind, rest[0], None)
        finally:
            for walk in list(walks):
                self._stop(walk)

    def _recv(self) -> tuple:
        while True:
            try:
                if self._conn is None:
                    raise EOFError
                msg = self._conn.recv()
            except (EOFError, OSError) as exc:
                self.close()
                raise SourceError("the fetch process stopped unexpectedly") from exc
            if msg[0] != "log":
                return msg
            logging.getLogger(msg[1]).log(msg[2], "%s", msg[3])

    def _stop(self, walk: int) -> None:
        """Stop a walk; what it sends meanwhile is dropped by `round` (unknown id)."""
        try:
            if self._conn is not None:
                self._conn.send(("stop", walk))
        except OSError:
            pass

    def close(self) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if conn is not None:
            try:
                conn.send(("quit",))
            except OSError:
                pass
        if proc is not None:
            proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join(5)
        if conn is not None:
            conn.close()


def _lost(lanes: Sequence[Sequence[tuple[str, str | None]]], what: str) -> Iterator[Event]:
    """A failure for each lane's first stream when the process is not there (a lane
    ends at a failure that would fail its other streams too)."""
    for keys in lanes:
        if keys:
            yield ("failed", keys[0][0], SourceError(
                f"{keys[0][0]}: the fetch process {what}; it is started again next round",
                status=None))


def _rebuild(kind: str, *fields: Any) -> Exception:
    if kind == "malformed":
        return MalformedPage(*fields)
    if kind == "source":
        message, status, api_error = fields
        return SourceError(message, status=status, api_error=api_error)
    return RuntimeError(fields[0])


def _describe(exc: BaseException, redact: Redactor) -> tuple:
    """An exception as plain values (custom exceptions do not all survive pickling)."""
    if isinstance(exc, MalformedPage):
        return ("malformed", exc.key, redact(exc.raw), redact(exc.error))
    if isinstance(exc, SourceError):
        return ("source", redact(str(exc)), exc.status, exc.api_error)
    return ("other", redact(f"{type(exc).__name__}: {exc}"))


class _Outbox:
    """Everything the process sends, sent in order by a thread of its own.

    A pipe holds only a few kilobytes: sent from the fetching thread, a page would
    wait there until the watch loop asked for it, and nothing would be fetched ahead.
    """

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._send, name="calmreply-fetch-send", daemon=True).start()

    def put(self, msg: tuple) -> None:
        self._queue.put(msg)

    def _send(self) -> None:
        while True:
            try:
                self.conn.send(self._queue.get())
            except (OSError, ValueError):   # the watch loop has gone
                return


class _Forward(logging.Handler):
    """Sends the process's log lines to the watch loop, redacted."""

    def __init__(self, outbox: _Outbox, redact: Redactor) -> None:
        super().__init__()
        self.outbox = outbox
        self.redact = redact

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.outbox.put(("log", record.name, record.levelno,
                             self.redact(record.getMessage())))
        except Exception:  # noqa: BLE001 - logging must never break fetching
            pass


def _serve(conn: Any, cfg: TeamConfig, level: int) -> None:
    from triage.heap import for_backlog
    from triage.ingest.streams import build_streams
    from triage.parent_watch import exit_with_parent

    exit_with_parent()
    for_backlog()
    redact = Redactor(cfg.secrets())
    outbox = _Outbox(conn)
    root = logging.getLogger("calmreply")
    root.handlers[:] = [_Forward(outbox, redact)]
    root.setLevel(level)
    root.propagate = False
    streams = {s.key: s for group in build_streams(cfg, redact=redact).values()
               for s in group}
    walkers: dict[int, _Walker] = {}
    outbox.put(("ready",))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            msg = ("quit",)
        if msg[0] == "walk":
            _, walk, keys, depth = msg
            walkers[walk] = _Walker(outbox, redact, walk,
                                    [(streams[k], cursor) for k, cursor in keys], depth)
        elif msg[0] == "more" and msg[1] in walkers:
            walkers[msg[1]].credits.release()
        elif msg[0] == "stop" and msg[1] in walkers:
            walkers.pop(msg[1]).stop()
        elif msg[0] == "quit":
            for walker in walkers.values():
                walker.stop()
            return
        for walk in [w for w, walker in walkers.items() if walker.done]:
            del walkers[walk]


class _Walker:
    """One lane's walk (`triage.ingest.lanes.lane`), on a thread: pages go out while
    credits last."""

    def __init__(self, outbox: _Outbox, redact: Redactor, walk: int,
                 streams: list[tuple[Any, str | None]], depth: int) -> None:
        self.outbox = outbox
        self.redact = redact
        self.walk = walk
        self.credits = threading.Semaphore(depth)
        self.done = False
        self._stopping = threading.Event()
        threading.Thread(target=self._run, args=(streams,),
                         name=f"calmreply-fetch-{walk}", daemon=True).start()

    def stop(self) -> None:
        self._stopping.set()
        self.credits.release()   # wake it if it waits for one

    def _run(self, streams: list[tuple[Any, str | None]]) -> None:
        events = lane(streams)
        end: tuple = ("end", self.walk)
        try:
            for kind, key, payload in events:
                if self._stopping.is_set():
                    break
                if kind == "page":
                    self.credits.acquire()
                    if self._stopping.is_set():
                        break
                    self.outbox.put(("page", self.walk, key, payload))
                elif kind == "failed":
                    self.outbox.put(("failed", self.walk, key, *_describe(payload, self.redact)))
                else:
                    self.outbox.put((kind, self.walk, key))
        except Exception as exc:  # noqa: BLE001 - a bug, not a source failure: say so
            self.outbox.put(("failed", self.walk, "", *_describe(exc, self.redact)))
        finally:
            events.close()
            self.done = True
            self.outbox.put(end)
