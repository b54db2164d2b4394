"""Fake Mastodon and Bluesky servers on 127.0.0.1, shaped like the real APIs.

Real HTTP (``http.server`` in a thread), real JSON bodies with the real field names,
``Link`` paging headers, rate-limit headers and error bodies.  Tests script faults
(429 with Retry-After, 500, slow answers, truncated bodies, expired sessions) with
:meth:`FakeServer.fault`.  Used by the ingest tests and ``benchmarks/ingest_throughput``.
"""

from __future__ import annotations

import bisect
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class Fault:
    path: str  # prefix of the request path this fault applies to
    kind: str  # "429", "500", "503", "slow", "truncated", "expired"
    seconds: float = 0.0  # Retry-After for 429, delay for slow
    times: int = 1


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


class FakeServer:
    """Base: a threaded HTTP server with scripted faults and a request log."""

    def __init__(self) -> None:
        self.faults: deque[Fault] = deque()
        self.requests: list[Seen] = []
        self.delay = 0.0  # added to every answer (to let a test kill a client mid-run)
        self.lock = threading.RLock()
        self.rate_remaining: int | None = None
        self.frozen = False   # see `freeze`
        self._encoded: dict[int, tuple[Any, str]] = {}   # id -> (post, its JSON)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else keep-alive + delayed ACK stalls 40 ms

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def _handle(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                seen = Seen(method, parts.path, parse_qs(parts.query), dict(self.headers), body)
                with fake.lock:
                    fake.requests.append(seen)
                status, headers, payload = fake.answer(seen)
                if fake.delay:
                    time.sleep(fake.delay)
                data = payload if isinstance(payload, bytes) else \
                    fake.encode(payload).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                self._handle("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._handle("POST")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def freeze(self) -> None:
        """Promise that no post will be added or changed from now on: each is encoded
        now, once, and pages are put together from those texts, as a real server
        caches rendered posts (the benchmark's server shares calmreply's cores; its
        time spent encoding the same post again is not calmreply's).  The bytes sent
        are the same as `json.dumps` would give."""
        self._encoded = {id(item): (item, json.dumps(item)) for item in self.held()}
        self.frozen = True

    def held(self) -> list[Any]:
        """The posts this server keeps (what `freeze` encodes)."""
        return []

    def still_open(self) -> None:
        if self.frozen:
            raise RuntimeError("this fake server is frozen: no posts can be added")

    def encode(self, payload: Any) -> str:
        """`json.dumps(payload)`; once frozen, held posts come from their encoded text."""
        if not self.frozen:
            return json.dumps(payload)
        if isinstance(payload, list):
            return "[" + ", ".join(self._item(p) for p in payload) + "]"
        if isinstance(payload, dict):
            return "{" + ", ".join(f"{json.dumps(k)}: {self.encode(v)}"
                                   for k, v in payload.items()) + "}"
        return json.dumps(payload)

    def _item(self, item: Any) -> str:
        held = self._encoded.get(id(item))
        return held[1] if held is not None and held[0] is item else json.dumps(item)

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def fault(self, path: str, kind: str, seconds: float = 0.0, times: int = 1) -> None:
        with self.lock:
            self.faults.append(Fault(path, kind, seconds, times))

    def _take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for f in list(self.faults):
                if path.startswith(f.path):
                    f.times -= 1
                    if f.times <= 0:
                        self.faults.remove(f)
                    return f
        return None

    def answer(self, req: Seen) -> tuple[int, dict[str, str], Any]:
        fault = self._take_fault(req.path)
        if fault is not None:
            if fault.kind == "429":
                return 429, {"Retry-After": f"{fault.seconds:g}"}, self.error_body(
                    "RateLimitExceeded", "Too many requests")
            if fault.kind in ("500", "502", "503"):
                return int(fault.kind), {}, self.error_body("InternalServerError",
                                                            "Internal Server Error")
            if fault.kind == "slow":
                time.sleep(fault.seconds)
            if fault.kind == "truncated":
                status, headers, payload = self.route(req)
                return status, headers, json.dumps(payload).encode()[:-25]
            if fault.kind == "expired":
                return 400, {}, self.error_body("ExpiredToken", "Token has expired")
            if fault.kind == "leaky401":  # a careless server echoing the credential back
                return 401, {}, self.error_body(
                    "AuthenticationRequired",
                    f"bad credentials: {req.headers.get('Authorization', '')}")
        return self.route(req)

    def error_body(self, code: str, message: str) -> dict[str, Any]:
        return {"error": message}

    def route(self, req: Seen) -> tuple[int, dict[str, str], Any]:
        raise NotImplementedError

    def seen(self, prefix: str) -> list[Seen]:
        with self.lock:
            return [r for r in self.requests if r.path.startswith(prefix)]


# ---------------------------------------------------------------------------- Mastodon

class FakeMastodon(FakeServer):
    """A Mastodon instance: search, tag timelines, notifications, posting."""

    version = "4.3.2"

    def __init__(self, host: str = "fake.social", token: str | None = None) -> None:
        super().__init__()
        self.host = host
        self.token = token
        self.statuses: list[dict[str, Any]] = []  # ascending id
        self._keys: list[int] = []
        self.notifications: list[dict[str, Any]] = []
        self.posted: dict[str, dict[str, Any]] = {}  # Idempotency-Key -> status
        self._seq = 0
        self._start = datetime.now(UTC) - timedelta(minutes=30)

    def _next_id(self, when: datetime) -> str:
        self._seq += 1
        return str((int(when.timestamp() * 1000) << 16) + self._seq % 65536)

    def account(self, n: int, followers: int = 12) -> dict[str, Any]:
        local = n % 3 == 0
        acct = f"user{n}" if local else f"user{n}@remote.example"
        return {
            "id": str(1000 + n), "username": f"user{n}", "acct": acct,
            "display_name": f"User {n}", "locked": False, "bot": False,
            "created_at": "2024-03-01T00:00:00.000Z", "note": "<p>hi</p>",
            "url": f"https://{self.host}/@user{n}", "avatar": "", "header": "",
            "followers_count": followers, "following_count": 5, "statuses_count": 40,
            "last_status_at": "2026-11-20", "emojis": [], "fields": [],
        }

    def add_status(self, text: str, *, author: int = 1, tags: tuple[str, ...] = (),
                   followers: int = 12, reblog: dict[str, Any] | None = None,
                   when: datetime | None = None, html: str | None = None,
                   **overrides: Any) -> dict[str, Any]:
        with self.lock:
            when = when or (self._start + timedelta(milliseconds=len(self.statuses) + 1))
            sid = self._next_id(when)
            status = {
                "id": sid, "created_at": iso(when), "in_reply_to_id": None,
                "in_reply_to_account_id": None, "sensitive": False, "spoiler_text": "",
                "visibility": "public", "language": "en",
                "uri": f"https://{self.host}/users/user{author}/statuses/{sid}",
                "url": f"https://{self.host}/@user{author}/{sid}",
                "replies_count": 0, "reblogs_count": 0, "favourites_count": 0,
                "edited_at": None,
                "content": html if html is not None else
                f"<p>{text}</p>",
                "reblog": reblog, "application": None, "account": self.account(author, followers),
                "media_attachments": [], "mentions": [],
                "tags": [{"name": t, "url": f"https://{self.host}/tags/{t}"} for t in tags],
                "emojis": [], "card": None, "poll": None,
            }
            status.update(overrides)
            self._insert(status)
            return status

    def _insert(self, item: Any) -> None:
        self.still_open()
        key = self._key(item)
        at = bisect.bisect_right(self._keys, key)
        self._keys.insert(at, key)
        self.statuses.insert(at, item)

    def add_raw(self, item: Any, tags: tuple[str, ...] = ()) -> None:
        """A malformed item; it is served by search (matching everything) and tag feeds."""
        with self.lock:
            when = self._start + timedelta(milliseconds=len(self.statuses) + 1)
            sid = self._next_id(when)
            if isinstance(item, dict):
                item = {"id": sid, **item, "_tags": list(tags), "_raw": True}
            self._insert(item)

    def add_notification(self, status: dict[str, Any], kind: str = "mention") -> None:
        self.still_open()
        with self.lock:
            when = datetime.fromisoformat(status["created_at"].replace("Z", "+00:00"))
            self.notifications.append({"id": str(len(self.notifications) + 100), "type": kind,
                                       "created_at": iso(when),
                                       "account": status["account"], "status": status})

    def error_body(self, code: str, message: str) -> dict[str, Any]:
        return {"error": message}

    def held(self) -> list[Any]:
        return [*self.statuses, *self.notifications]

    def _authorised(self, req: Seen) -> bool:
        return self.token is not None and \
            req.headers.get("Authorization") == f"Bearer {self.token}"

    @staticmethod
    def _key(item: Any) -> int:
        return int(item["id"]) if isinstance(item, dict) and str(item.get("id", "")).isdigit() \
            else 0

    def _page(self, items: list[Any], keys: list[int], match: Any, q: dict[str, list[str]],
              path: str, extra: dict[str, str]) -> tuple[list[Any], dict[str, str]]:
        """Mastodon paging over ``items`` (ascending ``keys``): max_id/since_id/min_id."""
        limit = min(int(q.get("limit", ["20"])[0]), 40)
        max_id = q.get("max_id", [None])[0]
        since_id = q.get("since_id", [None])[0]
        min_id = q.get("min_id", [None])[0]
        lower = int(min_id or since_id or -1)
        lo = bisect.bisect_right(keys, lower)
        hi = bisect.bisect_left(keys, int(max_id)) if max_id else len(items)
        picked: list[Any] = []
        # min_id: the results immediately newer than it; otherwise the newest ones
        order = range(lo, hi) if min_id else range(hi - 1, lo - 1, -1)
        for i in order:
            if match(items[i]):
                picked.append(items[i])
                if len(picked) >= limit:
                    break
        page = list(reversed(picked)) if min_id else picked
        headers: dict[str, str] = {}
        if page:
            base = f"{self.url}{path}"
            nxt = urlencode({**extra, "limit": limit, "max_id": page[-1]["id"]})
            prv = urlencode({**extra, "limit": limit, "min_id": page[0]["id"]})
            headers["Link"] = f'<{base}?{nxt}>; rel="next", <{base}?{prv}>; rel="prev"'
        return page, headers

    def _ratelimit(self) -> dict[str, str]:
        reset = iso(datetime.now(UTC) + timedelta(seconds=1))
        remaining = 299 if self.rate_remaining is None else self.rate_remaining
        return {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset": reset}

    def route(self, req: Seen) -> tuple[int, dict[str, str], Any]:
        q, path = req.query, req.path
        rl = self._ratelimit()
        with self.lock:
            statuses, keys = list(self.statuses), list(self._keys)
            notifications = list(self.notifications)
        if path == "/api/v1/instance":
            return 200, rl, {"uri": self.host, "title": "Fake", "version": self.version}
        if path == "/api/v1/accounts/verify_credentials":
            if not self._authorised(req):
                return 401, rl, {"error": "The access token is invalid"}
            return 200, rl, self.account(0)
        if path == "/api/v2/search":
            term = q.get("q", [""])[0].lower()
            if q.get("resolve") == ["true"] and term.startswith("http"):
                found = [s for s in statuses if isinstance(s, dict) and s.get("uri") == term]
                return 200, rl, {"accounts": [], "statuses": found, "hashtags": []}
            if q.get("type", [""])[0] != "statuses":
                return 200, rl, {"accounts": [], "statuses": [], "hashtags": []}

            def hit(s: Any) -> bool:
                return not isinstance(s, dict) or bool(s.get("_raw")) \
                    or term in str(s.get("content", "")).lower()

            page, _ = self._page(statuses, keys, hit, q, path, {"q": term, "type": "statuses"})
            return 200, rl, {"accounts": [], "statuses": page, "hashtags": []}
        if path.startswith("/api/v1/timelines/tag/"):
            tag = path.rsplit("/", 1)[-1].lower()

            def tagged(s: Any) -> bool:
                return isinstance(s, dict) and (
                    tag in [t.get("name") for t in s.get("tags", []) if isinstance(t, dict)]
                    or tag in s.get("_tags", []))

            page, headers = self._page(statuses, keys, tagged, q, path, {})
            return 200, {**rl, **headers}, page
        if path == "/api/v1/notifications":
            if not self._authorised(req):
                return 401, rl, {"error": "The access token is invalid"}
            types = q.get("types[]", [])
            page, headers = self._page(
                notifications, [int(n["id"]) for n in notifications],
                lambda n: not types or n["type"] in types, q, path, {"types[]": "mention"})
            return 200, {**rl, **headers}, page
        if path == "/api/v1/statuses" and req.method == "POST":
            if not self._authorised(req):
                return 401, rl, {"error": "The access token is invalid"}
            key = req.headers.get("Idempotency-Key", "")
            body = req.body if isinstance(req.body, dict) else {}
            if not body.get("status"):
                return 422, rl, {"error": "Validation failed: Text can't be blank"}
            with self.lock:
                if key and key in self.posted:
                    return 200, rl, self.posted[key]
                status = self.add_status(str(body["status"]), author=0,
                                         in_reply_to_id=body.get("in_reply_to_id"),
                                         visibility=body.get("visibility", "public"))
                if key:
                    self.posted[key] = status
            return 200, rl, status
        return 404, rl, {"error": "Record not found"}


# ----------------------------------------------------------------------------- Bluesky

@dataclass
class _Session:
    access: str
    refresh: str
    uses_left: int


class FakeBluesky(FakeServer):
    """A Bluesky PDS/AppView: sessions, searchPosts with cursors, getProfiles."""

    def __init__(self, handle: str = "team.bsky.social", password: str = "app-pass-1234",
                 access_uses: int = 1000) -> None:
        super().__init__()
        self.handle, self.password = handle, password
        self.access_uses = access_uses  # requests an access token survives
        self.sessions: list[_Session] = []
        self.posts: list[dict[str, Any]] = []  # any order; served newest first
        self._sorted: list[Any] | None = None
        self._hits: dict[tuple[str, str], list[Any]] = {}  # search hits per (term, since)
        self.followers: dict[str, int] = {}
        self._n = 0
        self._start = datetime.now(UTC) - timedelta(minutes=30)

    def error_body(self, code: str, message: str) -> dict[str, Any]:
        return {"error": code, "message": message}

    def held(self) -> list[Any]:
        return list(self.posts)

    def _new_session(self) -> dict[str, Any]:
        self._n += 1
        s = _Session(f"eyJ.access-{self._n}-secretsig", f"eyJ.refresh-{self._n}-secretsig",
                     self.access_uses)
        self.sessions.append(s)
        return {"accessJwt": s.access, "refreshJwt": s.refresh, "handle": self.handle,
                "did": "did:plc:teamteamteam", "active": True}

    def expire_all(self) -> None:
        with self.lock:
            for s in self.sessions:
                s.uses_left = 0

    def add_post(self, text: str, *, author: int = 1, followers: int = 30,
                 when: datetime | None = None, **record_extra: Any) -> dict[str, Any]:
        self.still_open()
        with self.lock:
            when = when or (self._start + timedelta(milliseconds=len(self.posts) + 1))
            did = f"did:plc:author{author:04d}"
            self.followers[did] = followers
            rkey = f"3k{len(self.posts):08d}"
            post = {
                "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
                "cid": f"bafyrei{len(self.posts):010d}",
                "author": {"did": did, "handle": f"author{author}.bsky.social",
                           "displayName": f"Author {author}", "avatar": "",
                           "labels": [], "createdAt": "2023-05-01T00:00:00.000Z"},
                "record": {"$type": "app.bsky.feed.post", "text": text,
                           "createdAt": iso(when), "langs": ["en"], **record_extra},
                "replyCount": 0, "repostCount": 0, "likeCount": 0, "quoteCount": 0,
                "indexedAt": iso(when), "labels": [],
            }
            self.posts.append(post)
            return post

    def add_raw(self, item: Any, when: datetime | None = None) -> None:
        self.still_open()
        with self.lock:
            when = when or (self._start + timedelta(milliseconds=len(self.posts) + 1))
            if isinstance(item, dict):
                item = {**item, "_sort": iso(when)}
            self.posts.append(item)

    @staticmethod
    def _sort_at(p: Any) -> str:
        if not isinstance(p, dict):
            return ""
        if "_sort" in p:
            return p["_sort"]
        return min(p["record"]["createdAt"], p["indexedAt"])

    def _session_for(self, req: Seen, kind: str) -> _Session | None | str:
        auth = req.headers.get("Authorization", "")
        with self.lock:
            for s in self.sessions:
                token = s.access if kind == "access" else s.refresh
                if auth == f"Bearer {token}":
                    if kind == "access":
                        if s.uses_left <= 0:
                            return "expired"
                        s.uses_left -= 1
                    return s
        return None

    def _ratelimit(self) -> dict[str, str]:
        return {"RateLimit-Limit": "3000", "RateLimit-Remaining": "2999",
                "RateLimit-Reset": str(int(time.time()) + 300), "RateLimit-Policy": "3000;w=300"}

    def route(self, req: Seen) -> tuple[int, dict[str, str], Any]:
        q, path, rl = req.query, req.path, self._ratelimit()
        if not path.startswith("/xrpc/"):
            return 404, {}, b"Not Found"
        if path == "/xrpc/com.atproto.server.createSession":
            body = req.body if isinstance(req.body, dict) else {}
            if body.get("identifier") != self.handle or body.get("password") != self.password:
                return 401, rl, self.error_body("AuthenticationRequired",
                                                "Invalid identifier or password")
            with self.lock:
                return 200, rl, self._new_session()
        if path == "/xrpc/com.atproto.server.refreshSession":
            s = self._session_for(req, "refresh")
            if not isinstance(s, _Session):
                return 400, rl, self.error_body("ExpiredToken", "Token has expired")
            with self.lock:
                self.sessions.remove(s)
                return 200, rl, self._new_session()
        s = self._session_for(req, "access")
        if s == "expired":
            return 400, rl, self.error_body("ExpiredToken", "Token has expired")
        if s is None:
            return 401, rl, self.error_body("AuthenticationRequired", "Invalid token")
        if path == "/xrpc/app.bsky.feed.searchPosts":
            term = q.get("q", [""])[0].lower()
            since = q.get("since", [""])[0]
            limit = min(int(q.get("limit", ["25"])[0]), 100)
            offset = int(q.get("cursor", ["0"])[0])
            with self.lock:
                if self._sorted is None or len(self._sorted) != len(self.posts):
                    self._sorted = sorted(self.posts, key=self._sort_at, reverse=True)
                    self._hits = {}
                ordered = self._sorted
                hits = self._hits.get((term, since))
            if hits is None:   # a search's hits, kept while no post is added (fast paging)
                hits = []
                for p in ordered:
                    if self._sort_at(p) < since:
                        break
                    if not isinstance(p, dict) or "_sort" in p \
                            or term in p["record"]["text"].lower():
                        hits.append(p)
                with self.lock:
                    if self._sorted is ordered:
                        self._hits[(term, since)] = hits
            page = [{k: v for k, v in p.items() if k != "_sort"}
                    if isinstance(p, dict) and "_sort" in p else p
                    for p in hits[offset:offset + limit]]
            body: dict[str, Any] = {"posts": page, "hitsTotal": len(hits)}
            if offset + limit < len(hits):
                body["cursor"] = str(offset + limit)
            return 200, rl, body
        if path == "/xrpc/app.bsky.actor.getProfiles":
            actors = q.get("actors", [])
            if len(actors) > 25:
                return 400, rl, self.error_body("InvalidRequest",
                                                "Array too long: actors (max 25)")
            with self.lock:
                profiles = [{"did": a, "handle": f"{a.rsplit(':', 1)[-1]}.bsky.social",
                             "displayName": "", "followersCount": self.followers.get(a, 0),
                             "followsCount": 3, "postsCount": 10,
                             "createdAt": "2023-05-01T00:00:00.000Z", "labels": []}
                            for a in actors if a in self.followers]
            return 200, rl, {"profiles": profiles}
        return 404, rl, self.error_body("MethodNotImplemented", "Method Not Implemented")


@dataclass
class TeamFiles:
    """Writes a team config pointing at the fakes (secrets inline, file 0600)."""

    mastodon: FakeMastodon | None = None
    bluesky: FakeBluesky | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def toml(self, *, terms: tuple[str, ...] = ("acme",), hashtags: tuple[str, ...] = (),
             notifications: bool = False, posting: bool = False, attempts: int = 3,
             timeout: float = 0.5, lookback_hours: float = 2.0, page_limit: int | None = None,
             inline_secrets: bool = True) -> str:
        lines = ["[watch]", "interval = 0.05", "", "[http]", f"attempts = {attempts}",
                 "backoff_base = 0.01", "backoff_max = 0.05", f"timeout = {timeout}",
                 "connect_timeout = 0.5", "max_wait = 2", ""]
        if self.mastodon is not None:
            lines += ["[[sources]]", 'name = "masto"', 'kind = "mastodon"',
                      f'instance = "{self.mastodon.url}"',
                      f"terms = {json.dumps(list(terms))}",
                      f"hashtags = {json.dumps(list(hashtags))}",
                      f"notifications = {str(notifications).lower()}",
                      f"lookback_hours = {lookback_hours}"]
            if page_limit:
                lines.append(f"page_limit = {page_limit}")
            if self.mastodon.token:
                lines.append(f'token = "{self.mastodon.token}"' if inline_secrets
                             else 'token_env = "FAKE_MASTODON_TOKEN"')
            lines.append("")
        if self.bluesky is not None:
            lines += ["[[sources]]", 'name = "sky"', 'kind = "bluesky"',
                      f'service = "{self.bluesky.url}"', f'handle = "{self.bluesky.handle}"',
                      f"terms = {json.dumps(list(terms))}",
                      f"lookback_hours = {lookback_hours}",
                      f'app_password = "{self.bluesky.password}"' if inline_secrets
                      else 'app_password_env = "FAKE_BSKY_PASSWORD"']
            if page_limit:
                lines.append(f"page_limit = {page_limit}")
            lines.append("")
        if posting:
            lines += ["[posting]", "enabled = true", 'source = "masto"',
                      'visibility = "unlisted"', ""]
        return "\n".join(lines)


# ------------------------------------------------------------------------- a tiny model

_TINY_ROWS = {
    "troll": ["you are a clown and your company is a joke", "lol what a pathetic ceo",
              "nobody cares about your garbage brand", "ratio + L + you fell off",
              "imagine being this stupid", "what a bunch of idiots running this",
              "clown show as usual", "your ceo is a fraud and a loser"],
    "complaint": ["my order never arrived and support ignores me", "I was charged twice",
                  "the app crashes every time I log in", "refund still not processed",
                  "waited 3 weeks for delivery, nothing", "your support line hung up on me",
                  "the product broke after two days", "billing error on my account again"],
    "engagement": ["love the new release, great work team", "when is the next update?",
                   "thanks for the quick help yesterday", "congrats on the launch!",
                   "is there a student discount?", "great talk at the conference",
                   "how do I export my data?", "really enjoying the new feature"],
}


def tiny_model_dir() -> str:
    """A small real model, trained once per version of the training code and kept in the
    temp dir (training is slow-ish; the ingest tests only need *a* real model)."""
    import csv
    import hashlib
    import os
    import shutil
    import tempfile
    from pathlib import Path

    import sklearn

    import triage
    from triage.training import train

    digest = hashlib.sha256(sklearn.__version__.encode())
    for name in ("training.py", "classifier.py", "features.py", "normalise.py"):
        f = Path(triage.__file__).parent / name
        if f.is_file():
            digest.update(f.read_bytes())
    final = Path(tempfile.gettempdir()) / f"calmreply-tiny-model-{digest.hexdigest()[:16]}"
    if (final / "model").is_dir() and any((final / "model").glob("*.json")):
        return str(final / "model")
    work = Path(tempfile.mkdtemp(prefix="calmreply-tiny-model-build-"))
    data = work / "data"
    data.mkdir()
    with (data / "tiny.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label"])
        for label, texts in _TINY_ROWS.items():
            for t in texts:
                w.writerow([t, label])
    train(work / "model", folder=data)
    try:
        os.rename(work, final)
    except OSError:  # another process won the race; use its copy
        shutil.rmtree(work, ignore_errors=True)
    return str(final / "model")


def make_triager(store):
    """A real Triager (tiny real model, the default escalator) over ``store``."""
    from triage.classifier import Classifier
    from triage.escalate import Escalator
    from triage.pipeline import Triager

    return Triager(store, Classifier.load(tiny_model_dir()), Escalator.load())


def write_config(path, text: str, mode: int = 0o600):
    """Write a team config with ``mode`` and load it."""
    import os

    from triage.ingest.config import load_config

    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return load_config(path)
