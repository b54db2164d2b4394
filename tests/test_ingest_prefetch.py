"""Lanes are fetched ahead on threads of their own; items arrive as they come, each
lane in order; errors and early stops reach the consumer."""

import threading

import pytest

from triage.ingest.prefetch import merged


def test_items_arrive_in_order_and_are_fetched_ahead():
    fetched: list[int] = []
    gate = threading.Event()

    def pages():
        for i in range(10):
            fetched.append(i)
            if i == 3:
                gate.set()
            yield i

    it = merged([pages()], depth=2)
    first = next(it)
    assert gate.wait(5), "the thread should fetch ahead of the consumer"
    assert first == 0 and len(fetched) >= 3
    assert [first, *it] == list(range(10))


def test_a_slow_lane_does_not_hold_up_the_others():
    slow_may_go = threading.Event()

    def slow():
        slow_may_go.wait(10)
        yield "slow"

    def fast():
        yield from ("a", "b", "c")

    got = []
    for item in merged([slow(), fast()]):
        got.append(item)
        if item == "c":
            slow_may_go.set()
    assert got == ["a", "b", "c", "slow"]


def test_uncounted_items_do_not_use_up_the_lane_depth():
    def lane():
        for i in range(5):
            yield ("page", i)
            yield ("note", i)

    it = merged([lane()], depth=1, counts=lambda item: item[0] == "page")
    assert [next(it) for _ in range(10)] == [(k, i) for i in range(5) for k in ("page", "note")]


def test_a_fetch_error_comes_after_the_pages_before_it():
    def pages():
        yield "a"
        yield "b"
        raise ConnectionError("server went away")

    got = []
    with pytest.raises(ConnectionError, match="went away"):
        for p in merged([pages()]):
            got.append(p)
    assert got == ["a", "b"]


def test_stopping_early_stops_every_fetching_thread():
    closed = [threading.Event(), threading.Event()]
    produced = []

    def pages(n):
        try:
            for i in range(10_000):
                produced.append(i)
                yield i
        finally:
            closed[n].set()

    for p in merged([pages(0), pages(1)], depth=3):
        if p == 2:
            break
    assert all(c.is_set() for c in closed)   # each lane's generator was closed
    assert len(produced) <= 2 * (3 + 3 + 1)
    assert not [t for t in threading.enumerate() if t.name.startswith("calmreply-prefetch")]
