"""Pages are fetched ahead on a thread; errors and early stops reach the consumer."""

import threading

import pytest

from triage.ingest.prefetch import prefetched


def test_items_arrive_in_order_and_are_fetched_ahead():
    fetched: list[int] = []
    gate = threading.Event()

    def pages():
        for i in range(10):
            fetched.append(i)
            if i == 3:
                gate.set()
            yield i

    it = prefetched(pages(), depth=2)
    first = next(it)
    assert gate.wait(5), "the thread should fetch ahead of the consumer"
    assert first == 0 and len(fetched) >= 3
    assert [first, *it] == list(range(10))


def test_a_fetch_error_comes_after_the_pages_before_it():
    def pages():
        yield "a"
        yield "b"
        raise ConnectionError("server went away")

    got = []
    with pytest.raises(ConnectionError, match="went away"):
        for p in prefetched(pages()):
            got.append(p)
    assert got == ["a", "b"]


def test_stopping_early_stops_the_fetching_thread():
    closed = threading.Event()
    produced = []

    def pages():
        try:
            for i in range(10_000):
                produced.append(i)
                yield i
        finally:
            closed.set()

    for p in prefetched(pages(), depth=3):
        if p == 2:
            break
    assert closed.is_set()   # the stream's generator was closed (its finally ran)
    assert len(produced) <= 3 + 3 + 1
    assert not [t for t in threading.enumerate() if t.name == "calmreply-prefetch"]
