"""The store's one time format, and the cache that saves formatting a time twice."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta, timezone

from triage import timeutil
from triage.timeutil import from_db, to_db


def test_equal_instants_give_the_same_text_whatever_their_zone() -> None:
    utc = datetime(2026, 3, 2, 9, 30, 0, 120, tzinfo=UTC)
    paris = utc.astimezone(timezone(timedelta(hours=1)))
    assert to_db(paris) == "2026-03-02T09:30:00.000120Z"
    assert to_db(utc) == to_db(paris) == "2026-03-02T09:30:00.000120Z"
    assert from_db(to_db(paris)) == utc


def test_naive_times_are_local_times_and_are_not_cached() -> None:
    old = os.environ.get("TZ")
    try:
        os.environ["TZ"] = "Europe/Paris"
        time.tzset()
        assert to_db(datetime(2026, 7, 1, 12, 0)) == "2026-07-01T10:00:00.000000Z"
        os.environ["TZ"] = "UTC"
        time.tzset()
        assert to_db(datetime(2026, 7, 1, 12, 0)) == "2026-07-01T12:00:00.000000Z"
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


def test_the_cache_stays_bounded_and_right(monkeypatch) -> None:
    monkeypatch.setattr(timeutil, "_TEXT_LIMIT", 50)
    timeutil._TEXT.clear()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(500):
        at = start + timedelta(seconds=i, microseconds=i)
        assert to_db(at) == at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        assert len(timeutil._TEXT) <= 50
