"""Bluesky: ``app.bsky.feed.searchPosts`` with an app-password session.

searchPosts pages run newest -> oldest with an opaque ``cursor``, so a poll is a
*walk*: from now back to the high-water mark of the previous poll (``since``).  The
stored cursor is JSON ``{"since": T}`` between polls and ``{"since": T, "walk":
{"cursor": C, "top": T2}}`` during one; a restart resumes the walk at ``C``, and only
a finished walk moves ``since`` to ``top``.  ``since`` is inclusive and compares with
the post's sort time (the earlier of createdAt and indexedAt), so the boundary post
is fetched again and dropped by the store's dedupe.

Reach comes from ``app.bsky.actor.getProfiles`` (at most 25 actors a call), cached.
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from triage.ingest.config import SourceConfig
from triage.ingest.http import HttpClient, SourceError, api_error_of
from triage.ingest.json_items import decode_with_items, item_text
from triage.ingest.mastodon import MalformedPage
from triage.ingest.source import BadItem, Page
from triage.mention import Mention, MentionError, parse_time
from triage.timeutil import utcnow

log = logging.getLogger("calmreply.ingest")

PROFILES_PER_CALL = 25
_EXPIRED = {"ExpiredToken", "InvalidToken"}


@dataclass
class Profile:
    followers: int
    created_at: str | None
    fetched_at: float


@dataclass
class BlueskySession:
    """createSession once, refreshSession when the access token expires."""

    config: SourceConfig
    client: HttpClient
    access: str | None = None
    refresh: str | None = None
    refreshes: int = 0

    def _xrpc(self, nsid: str) -> str:
        return f"{self.config.url}/xrpc/{nsid}"

    def login(self) -> None:
        if self.config.app_password is None:
            raise SourceError(f"{self.config.name}: no app password; "
                              f"{self.config.missing_secret or 'set app_password_env'}")
        try:
            resp = self.client.post(self._xrpc("com.atproto.server.createSession"), json={
                "identifier": self.config.handle,
                "password": self.config.app_password.reveal()})
        except SourceError as exc:
            if exc.status in (400, 401):
                raise SourceError(
                    f"{self.config.name}: Bluesky refused handle {self.config.handle!r} with "
                    f"this app password ({exc.api_error or exc.status}); check both",
                    status=exc.status, api_error=exc.api_error) from exc
            raise
        self._take(resp.json())

    def _take(self, body: Any) -> None:
        try:
            self.access, self.refresh = str(body["accessJwt"]), str(body["refreshJwt"])
        except (KeyError, TypeError) as exc:
            raise SourceError(f"{self.config.name}: the session answer has no tokens") from exc
        self.client.redact.add(self.access)
        self.client.redact.add(self.refresh)

    def _refresh(self) -> None:
        self.refreshes += 1
        try:
            resp = self.client.post(self._xrpc("com.atproto.server.refreshSession"),
                                    headers={"Authorization": f"Bearer {self.refresh}"})
        except SourceError as exc:
            if exc.status in (400, 401):  # the refresh token has expired too: log in again
                self.login()
                return
            raise
        self._take(resp.json())

    def get(self, nsid: str, params: Any) -> Any:
        """GET an XRPC query, refreshing the session once if the token expired."""
        if self.access is None:
            self.login()

        def expired(resp: Any) -> bool:
            return resp.status_code in (400, 401) and api_error_of(resp)[0] in _EXPIRED

        for _ in range(2):
            resp = self.client.get(self._xrpc(nsid), params=params, ok=expired,
                                   headers={"Authorization": f"Bearer {self.access}"})
            if not expired(resp):
                return resp
            log.info("%s: session expired, refreshing", self.config.name)
            self._refresh()
        raise SourceError(f"{self.config.name}: the session kept expiring; check the clock")


@dataclass
class ProfileCache:
    """followersCount and createdAt per DID, fetched 25 at a time and kept a while."""

    session: BlueskySession
    ttl: float = 3600.0
    size: int = 50_000
    _cache: OrderedDict[str, Profile] = field(default_factory=OrderedDict)
    calls: int = 0

    def fill(self, dids: list[str]) -> dict[str, Profile]:
        now = time.monotonic()
        wanted = [d for d in dict.fromkeys(dids)
                  if d not in self._cache or now - self._cache[d].fetched_at > self.ttl]
        for i in range(0, len(wanted), PROFILES_PER_CALL):
            chunk = wanted[i:i + PROFILES_PER_CALL]
            self.calls += 1
            try:
                body = self.session.get("app.bsky.actor.getProfiles",
                                        [("actors", d) for d in chunk]).json()
                profiles = body.get("profiles", [])
            except (SourceError, ValueError, AttributeError) as exc:
                log.warning("%s: could not fetch profiles (%s); reach left at 0",
                            self.session.config.name, exc)
                continue
            for p in profiles:
                if isinstance(p, dict) and isinstance(p.get("did"), str):
                    count = p.get("followersCount", 0)
                    self._cache[p["did"]] = Profile(
                        count if isinstance(count, int) and count >= 0 else 0,
                        p.get("createdAt"), now)
        while len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return {d: self._cache[d] for d in dids if d in self._cache}


def post_url(uri: str, handle: str) -> str:
    # at://did:plc:xyz/app.bsky.feed.post/3kabc -> https://bsky.app/profile/handle/post/3kabc
    rkey = uri.rsplit("/", 1)[-1]
    return f"https://bsky.app/profile/{handle}/post/{rkey}"


def parse_post(post: Any, *, source: str) -> tuple[Mention, datetime]:
    """A postView as a Mention, plus its sort time (`sort_text` gives it as the API
    takes it: a page formats only its newest); raises MentionError if malformed."""
    if not isinstance(post, dict):
        raise MentionError("post is not a JSON object")
    for key in ("uri", "author", "record", "indexedAt"):
        if not post.get(key):
            raise MentionError(f"post is missing field '{key}'")
    record, author = post["record"], post["author"]
    if not isinstance(record, dict) or not isinstance(author, dict):
        raise MentionError("post.record and post.author must be objects")
    if not isinstance(author.get("did"), str) or not author.get("handle"):
        raise MentionError("post.author is missing 'did' or 'handle'")
    text = record.get("text")
    if not isinstance(text, str):
        raise MentionError("post.record is missing field 'text'")
    if not text.strip():
        text = "[media without text]" if record.get("embed") else ""
    if not text:
        raise MentionError("post has no text")
    if "createdAt" not in record:
        raise MentionError("post.record is missing field 'createdAt'")
    created = parse_time(record["createdAt"])
    indexed = parse_time(post["indexedAt"])
    reply = record.get("reply") if isinstance(record.get("reply"), dict) else {}
    parent = reply.get("parent") if isinstance(reply.get("parent"), dict) else {}
    langs = record.get("langs") if isinstance(record.get("langs"), list) else []
    mention = Mention(
        platform="bluesky", platform_id=str(post["uri"]), text=text, created_at=created,
        author_handle="@" + str(author["handle"]),
        author_name=str(author.get("displayName") or ""),
        url=post_url(str(post["uri"]), str(author["handle"])),
        in_reply_to_id=str(parent["uri"]) if parent.get("uri") else None,
        language=str(langs[0]) if langs else None,
        raw=post, source=source,
    )
    return mention, min(created, indexed)


def sort_text(at: datetime) -> str:
    """A sort time as searchPosts' `since` takes it (milliseconds, Z)."""
    return at.isoformat(timespec="milliseconds")[:-6] + "Z"


@dataclass
class BlueskySearch:
    config: SourceConfig
    session: BlueskySession
    profiles: ProfileCache
    term: str

    @property
    def key(self) -> str:
        return f"{self.config.name}:search:{self.term}"

    @property
    def source(self) -> str:
        return self.config.name

    def pages(self, cursor: str | None) -> Iterator[Page]:
        state = _load_state(cursor, self.config.lookback_hours)
        since = state["since"]
        walk = state.get("walk") or {}
        api_cursor, top = walk.get("cursor"), walk.get("top", since)
        for _ in range(self.config.max_pages):
            params: dict[str, Any] = {"q": self.term, "sort": "latest", "since": since,
                                      "limit": self.config.page_limit}
            if api_cursor:
                params["cursor"] = api_cursor
            t0 = time.perf_counter()
            resp = self.session.get("app.bsky.feed.searchPosts", params)
            t1 = time.perf_counter()
            page, next_cursor, page_top, dids = self._parse(resp.text)
            top = max(top, page_top)
            fetch_more = bool(next_cursor) and page.fetched > 0
            if fetch_more:
                page.cursor = json.dumps({"since": since,
                                          "walk": {"cursor": next_cursor, "top": top}})
            else:
                page.cursor = json.dumps({"since": top})
            t2 = time.perf_counter()
            self._add_reach(page, dids)
            t3 = time.perf_counter()
            page.fetch_seconds = (t1 - t0) + (t3 - t2)
            page.parse_seconds = t2 - t1
            yield page
            if not fetch_more:
                return
            api_cursor = next_cursor

    def _parse(self, body: str) -> tuple[Page, str | None, str, list[str]]:
        try:
            data, texts = decode_with_items(body, "posts")   # each post's text: its raw
            posts = data["posts"]
            if not isinstance(posts, list):
                raise TypeError("posts is not a list")
        except (ValueError, KeyError, TypeError) as exc:
            raise MalformedPage(self.key, body, f"searchPosts answer is malformed ({exc})") \
                from exc
        page = Page(fetched=len(posts))
        newest: datetime | None = None
        dids = []
        source = f"{self.config.name}:search"
        for n, post in enumerate(posts):
            try:
                mention, sort_at = parse_post(post, source=source)
            except (MentionError, AttributeError, TypeError, ValueError) as exc:
                raw = item_text(texts, n, post)
                page.bad.append(BadItem(raw[:20000], f"{self.key}: {exc}"))
                continue
            if newest is None or sort_at > newest:
                newest = sort_at
            if texts is not None:
                mention.raw = texts[n]
            page.mentions.append(mention)
            dids.append(post["author"]["did"])
        cursor = data.get("cursor")
        top = sort_text(newest) if newest is not None else ""
        return page, (str(cursor) if cursor else None), top, dids

    def _add_reach(self, page: Page, dids: list[str]) -> None:
        """Followers and account age from the authors' profiles (`dids`: each
        mention's author)."""
        found = self.profiles.fill(dids)
        for m, did in zip(page.mentions, dids, strict=True):
            prof = found.get(did)
            if prof is None:
                continue
            m.author_followers = prof.followers
            if prof.created_at:
                try:
                    m.author_created_at = parse_time(prof.created_at)
                except MentionError:
                    pass


def _load_state(cursor: str | None, lookback_hours: float) -> dict[str, Any]:
    if cursor:
        try:
            state = json.loads(cursor)
            if isinstance(state, dict) and isinstance(state.get("since"), str):
                return state
        except ValueError:
            pass
        log.warning("ignoring an unreadable Bluesky cursor; starting from the lookback window")
    start = utcnow() - timedelta(hours=lookback_hours)
    return {"since": start.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"}


def streams(config: SourceConfig, client: HttpClient) -> list[BlueskySearch]:
    session = BlueskySession(config, client)
    cache = ProfileCache(session)
    return [BlueskySearch(config, session, cache, t) for t in config.terms]


def check(config: SourceConfig, client: HttpClient) -> str:
    if config.missing_secret:
        raise SourceError(config.missing_secret)
    session = BlueskySession(config, client)
    session.login()
    session.get("app.bsky.feed.searchPosts", {"q": config.terms[0], "limit": 1})
    return f"Bluesky at {config.url}, signed in as {config.handle}"
