"""Fetch the next pages while the current one is stored.

A page costs a round trip (the server's time, the network's, then decoding); storing
it costs classification, flags and a transaction.  Run one after the other, each
waits for the other.  `prefetched` walks a stream's pages on a thread of its own,
at most `depth` pages ahead, so the round trips overlap the work.  Nothing about
commits changes: a page's cursor is still stored only with the page, by the caller.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def prefetched(pages: Iterator[T], depth: int = 16) -> Iterator[T]:
    """The items of `pages`, produced on a background thread up to `depth` ahead.

    An exception raised while fetching is raised here, in the consumer, after the
    pages fetched before it.  Closing this generator early stops the fetching thread
    after the request in flight.
    """
    ahead: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for page in pages:
                if not put(page):
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            put(_Failed(exc))
            return
        put(_DONE)

    thread = threading.Thread(target=produce, name="calmreply-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = ahead.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item
    finally:
        stop.set()
        thread.join()
        close = getattr(pages, "close", None)
        if close is not None and not thread.is_alive():
            close()
