"""HTTP for network sources: timeouts, retries with capped backoff and jitter, rate limits.

Real APIs fail in ordinary ways (429, 5xx, resets, slow replies).  One client per
source absorbs those so the source code reads as if the network were reliable, and
gives up with a clear :class:`SourceError` when it is not.  Secrets travel only in
headers and are scrubbed from every message this module produces.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests

log = logging.getLogger("calmreply.ingest")

USER_AGENT = "calmreply (reputation triage; +https://example.invalid/calmreply)"


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try.  Tests use tiny values so they never sleep long."""

    attempts: int = 5  # total tries per request
    backoff_base: float = 0.5  # first backoff, seconds; doubles each retry
    backoff_max: float = 30.0  # cap for one backoff
    timeout: float = 15.0  # read timeout, seconds
    connect_timeout: float = 5.0
    max_wait: float = 300.0  # longest Retry-After / rate-limit wait honoured in-line


class SourceError(RuntimeError):
    """A source failed in a way retrying did not fix; the message says what to check."""

    def __init__(self, message: str, *, status: int | None = None,
                 api_error: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.api_error = api_error


class Redactor:
    """Replaces known secret values in text; a second line of defence after headers."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = {s for s in secrets if s}

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 4:
            self._secrets.add(secret)

    def __call__(self, text: str) -> str:
        for s in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(s, "[redacted]")
        return text


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


def parse_reset(headers: Any, now: float | None = None) -> float | None:
    """Seconds until the rate-limit window resets, from Mastodon or Bluesky headers.

    Mastodon sends ``X-RateLimit-Reset`` as an ISO-8601 time; Bluesky (and many
    others) send ``RateLimit-Reset`` as epoch seconds.
    """
    now = now if now is not None else time.time()
    raw = headers.get("X-RateLimit-Reset") or headers.get("RateLimit-Reset")
    if not raw:
        return None
    raw = raw.strip()
    try:
        number = float(raw)
    except ValueError:
        try:
            text = raw[:-1] + "+00:00" if raw.endswith("Z") else raw
            when = datetime.fromisoformat(text)
        except ValueError:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, when.timestamp() - now)
    # epoch seconds, or (some servers) seconds from now
    return max(0.0, number - now) if number > 1e9 else max(0.0, number)


def _remaining(headers: Any) -> int | None:
    raw = headers.get("X-RateLimit-Remaining") or headers.get("RateLimit-Remaining")
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def api_error_of(resp: requests.Response) -> tuple[str | None, str]:
    """(error code, human message) from a Mastodon or Bluesky error body."""
    try:
        body = resp.json()
    except ValueError:
        return None, (resp.text or "").strip()[:200]
    if not isinstance(body, dict):
        return None, ""
    # Mastodon: {"error": "The access token is invalid", "error_description": ...}
    # Bluesky:  {"error": "ExpiredToken", "message": "Token has expired"}
    code = body.get("error")
    message = body.get("message") or body.get("error_description") or code or ""
    return (str(code) if code is not None else None), str(message)[:300]


RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass
class HttpClient:
    """A requests session with the retry policy; one per source."""

    policy: RetryPolicy = field(default_factory=RetryPolicy)
    redact: Redactor = field(default_factory=Redactor)
    sleep: Callable[[float], None] = time.sleep
    session: requests.Session = field(default_factory=requests.Session)
    rng: random.Random = field(default_factory=random.Random)
    # host -> monotonic time before which we should not call it (rate-limit exhausted)
    _not_before: dict[str, float] = field(default_factory=dict)
    retries: int = 0  # how many retries this client made (progress / benchmarks)

    def __post_init__(self) -> None:
        self.session.headers["User-Agent"] = USER_AGENT
        # The environment (proxies, CA bundle) is read once per host, not on every
        # request: requests would scan os.environ and look for ~/.netrc each time.
        self.session.trust_env = False
        self._env: dict[str, dict[str, Any]] = {}

    def _environment(self, url: str, host: str) -> dict[str, Any]:
        found = self._env.get(host)
        if found is None:
            probe = requests.Session()   # trust_env on: what requests would use
            merged = probe.merge_environment_settings(url, {}, None, None, None)
            probe.close()
            found = self._env[host] = {k: merged[k] for k in ("proxies", "verify", "cert")}
        return found

    def backoff(self, attempt: int) -> float:
        """Capped exponential backoff with jitter (half fixed, half random)."""
        ceiling = min(self.policy.backoff_max, self.policy.backoff_base * (2 ** attempt))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def _wait(self, seconds: float, why: str) -> None:
        if seconds <= 0:
            return
        log.info("waiting %.2fs (%s)", seconds, why)
        self.sleep(seconds)

    def request(self, method: str, url: str, *, params: Any = None, json: Any = None,
                headers: dict[str, str] | None = None,
                ok: Callable[[requests.Response], bool] | None = None) -> requests.Response:
        """Send a request, retrying what is worth retrying; raise SourceError otherwise.

        ``ok`` lets a caller accept a non-2xx answer it handles itself (for example
        Bluesky's ExpiredToken, which needs a session refresh, not a retry).
        """
        host = urlsplit(url).netloc
        path = urlsplit(url).path
        where = f"{method} {host}{path}"
        last_problem = "no attempt made"
        for attempt in range(max(1, self.policy.attempts)):
            pause = self._not_before.get(host, 0.0) - time.monotonic()
            if pause > 0:
                self._wait(min(pause, self.policy.max_wait), f"rate limit on {host}")
            if attempt:
                self.retries += 1
            try:
                resp = self.session.request(
                    method, url, params=params, json=json, headers=headers,
                    timeout=(self.policy.connect_timeout, self.policy.timeout),
                    **self._environment(url, host))
            except requests.Timeout:
                last_problem = f"no answer within {self.policy.timeout:g}s"
            except requests.ConnectionError as exc:
                last_problem = f"cannot connect ({type(exc).__name__}); check the address " \
                               "and the network"
            else:
                self._note_rate_limit(host, resp)
                if ok is not None and ok(resp):
                    return resp
                if resp.status_code < 400:
                    return resp
                code, message = api_error_of(resp)
                detail = f"HTTP {resp.status_code}" + (f" — {message}" if message else "")
                if resp.status_code not in RETRY_STATUSES:
                    raise SourceError(self.redact(f"{where}: {detail}"),
                                      status=resp.status_code, api_error=code)
                last_problem = detail
                if resp.status_code == 429:
                    wait = parse_retry_after(resp.headers.get("Retry-After"))
                    if wait is None:
                        wait = parse_reset(resp.headers)
                    if wait is None:
                        wait = self.backoff(attempt)
                    if wait > self.policy.max_wait:
                        raise SourceError(self.redact(
                            f"{where}: rate limited for {wait:.0f}s (more than the"
                            f" {self.policy.max_wait:g}s we wait); trying again next round"),
                            status=429, api_error=code)
                    if attempt + 1 < self.policy.attempts:
                        self._wait(wait, f"429 from {host}")
                    continue
            if attempt + 1 < self.policy.attempts:
                self._wait(self.backoff(attempt), self.redact(f"{where}: {last_problem}"))
        raise SourceError(self.redact(
            f"{where}: gave up after {self.policy.attempts} tries ({last_problem})"))

    def _note_rate_limit(self, host: str, resp: requests.Response) -> None:
        remaining = _remaining(resp.headers)
        if remaining is not None and remaining <= 0 and resp.status_code != 429:
            reset = parse_reset(resp.headers)
            if reset:
                self._not_before[host] = time.monotonic() + reset

    def get(self, url: str, **kw: Any) -> requests.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> requests.Response:
        return self.request("POST", url, **kw)

    def close(self) -> None:
        self.session.close()
