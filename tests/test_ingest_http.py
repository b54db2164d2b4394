"""The HTTP client against a real local server: 429, 5xx, timeouts, give-up."""

from __future__ import annotations

import time

import pytest

from tests.fakeapis import FakeMastodon
from triage.ingest.http import (
    HttpClient,
    Redactor,
    RetryPolicy,
    SourceError,
    parse_reset,
    parse_retry_after,
)

FAST = RetryPolicy(attempts=3, backoff_base=0.01, backoff_max=0.02, timeout=0.3,
                   connect_timeout=0.3, max_wait=1.0)


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        time.sleep(min(seconds, 0.05))


@pytest.fixture
def masto():
    with FakeMastodon() as m:
        yield m


def test_429_waits_for_retry_after_then_succeeds(masto):
    masto.fault("/api/v1/instance", "429", seconds=0.4)
    sleeps = Sleeps()
    client = HttpClient(policy=FAST, sleep=sleeps)
    resp = client.get(masto.url + "/api/v1/instance")
    assert resp.json()["version"] == masto.version
    assert sleeps == [0.4]  # exactly the server's Retry-After, not our backoff
    assert len(masto.seen("/api/v1/instance")) == 2


def test_429_longer_than_max_wait_gives_up_without_sleeping(masto):
    masto.fault("/api/v1/instance", "429", seconds=120)
    sleeps = Sleeps()
    with pytest.raises(SourceError, match="rate limited for 120s") as info:
        HttpClient(policy=FAST, sleep=sleeps).get(masto.url + "/api/v1/instance")
    assert info.value.status == 429
    assert sleeps == []


def test_500s_are_retried_with_capped_backoff(masto):
    masto.fault("/api/v1/instance", "500", times=2)
    sleeps = Sleeps()
    client = HttpClient(policy=FAST, sleep=sleeps)
    assert client.get(masto.url + "/api/v1/instance").status_code == 200
    assert len(sleeps) == 2 and all(0 < s <= FAST.backoff_max for s in sleeps)
    assert client.retries == 2


def test_slow_answer_past_the_timeout_is_retried(masto):
    masto.fault("/api/v1/instance", "slow", seconds=0.8)
    client = HttpClient(policy=FAST, sleep=Sleeps())
    assert client.get(masto.url + "/api/v1/instance").json()["uri"] == masto.host
    assert len(masto.seen("/api/v1/instance")) == 2


def test_gives_up_after_the_configured_attempts(masto):
    masto.fault("/api/v1/instance", "503", times=10)
    with pytest.raises(SourceError, match="gave up after 3 tries .*HTTP 503"):
        HttpClient(policy=FAST, sleep=Sleeps()).get(masto.url + "/api/v1/instance")
    assert len(masto.seen("/api/v1/instance")) == 3


def test_client_errors_are_not_retried_and_carry_the_api_message(masto):
    with pytest.raises(SourceError, match="HTTP 401 — The access token is invalid") as info:
        HttpClient(policy=FAST, sleep=Sleeps()).get(
            masto.url + "/api/v1/notifications", headers={"Authorization": "Bearer nope-nope"})
    assert info.value.status == 401
    assert len(masto.seen("/api/v1/notifications")) == 1


def test_unreachable_host_says_to_check_the_address():
    policy = RetryPolicy(attempts=2, backoff_base=0.0, timeout=0.2, connect_timeout=0.2)
    with pytest.raises(SourceError, match="cannot connect"):
        HttpClient(policy=policy).get("http://127.0.0.1:9/api/v1/instance")


def test_exhausted_rate_limit_pauses_before_the_next_call(masto):
    masto.rate_remaining = 0
    sleeps = Sleeps()
    client = HttpClient(policy=FAST, sleep=sleeps)
    client.get(masto.url + "/api/v1/instance")
    assert sleeps == []
    client.get(masto.url + "/api/v1/instance")
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 1.0


def test_header_parsing():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_reset({"RateLimit-Reset": "1700000030"}, now=1700000000.0) == 30.0
    assert parse_reset({"X-RateLimit-Reset": "2026-01-01T00:00:10.000Z"},
                       now=1767225600.0) == 10.0


def test_backoff_is_capped_and_jittered():
    client = HttpClient(policy=RetryPolicy(backoff_base=1.0, backoff_max=8.0))
    values = [client.backoff(10) for _ in range(50)]
    assert all(4.0 <= v <= 8.0 for v in values)
    assert len(set(values)) > 1


def test_redactor_scrubs_known_secrets():
    r = Redactor(["s3cret-token"])
    assert r("Authorization: Bearer s3cret-token!") == "Authorization: Bearer [redacted]!"
