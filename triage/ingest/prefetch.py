"""Fetch the next pages while the current ones are stored, every source at once.

A page costs a round trip (the server's time, the network's, then decoding); storing
it costs classification, flags and a transaction.  Run one after the other, each
waits for the other; and a slow source would hold up every source polled after it.
`merged` walks each lane (one source's streams, `triage.ingest.lanes`) on a thread
of its own, at most `depth` pages ahead, and hands over whatever arrives first.
Nothing about commits changes: a page's cursor is still stored only with the page,
by the caller.  (Fetch processes do the same in processes of their own:
`triage.ingest.fetch_process`.)
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from typing import Any

_DONE = object()


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def merged(lanes: Sequence[Iterator[Any]], depth: int = 16,
           counts: Any = lambda item: True) -> Iterator[Any]:
    """The items of every lane, each lane produced on a thread of its own, in the
    order they arrive; each lane in its own order, at most `depth` counted items
    (`counts(item)`, e.g. pages but not end-of-stream notes) ahead of the consumer.

    An exception raised by a lane is raised here, after the items that lane produced
    before it; the other lanes are stopped.  Closing this generator early stops every
    lane's thread after the request it has in flight.
    """
    arrived: queue.Queue = queue.Queue()
    stop = threading.Event()
    credits = [threading.Semaphore(depth) for _ in lanes]

    def produce(i: int, lane: Iterator[Any]) -> None:
        try:
            for item in lane:
                if counts(item):
                    while not credits[i].acquire(timeout=0.1):
                        if stop.is_set():
                            return
                if stop.is_set():
                    return
                arrived.put((i, item))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            arrived.put((i, _Failed(exc)))
            return
        arrived.put((i, _DONE))

    threads = [threading.Thread(target=produce, args=(i, lane), daemon=True,
                                name=f"calmreply-prefetch-{i}")
               for i, lane in enumerate(lanes)]
    for thread in threads:
        thread.start()
    try:
        running = len(threads)
        while running:
            i, item = arrived.get()
            if item is _DONE:
                running -= 1
                continue
            if isinstance(item, _Failed):
                raise item.exc
            if counts(item):
                credits[i].release()
            yield item
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        for lane in lanes:
            close = getattr(lane, "close", None)
            if close is not None:
                close()
