"""Mastodon: statuses search, hashtag timelines and the team account's mentions.

Every stream walks *forward* in time with ``min_id`` (results immediately newer than
the cursor), so each page's newest id is a safe cursor to commit with that page.
The first poll starts ``lookback_hours`` back: Mastodon ids are snowflakes (epoch
milliseconds shifted left 16 bits), so a time converts to a ``min_id``.

A post's identity is its ActivityPub ``uri``, the same on every instance, so one post
found by search, by hashtag and in notifications is stored once.  Its local ``id`` on
the instance stays in ``raw`` for replying.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from triage.ingest.config import SourceConfig
from triage.ingest.http import HttpClient, SourceError
from triage.ingest.json_items import decode_with_items, item_text
from triage.ingest.source import BadItem, Page
from triage.mention import Mention, MentionError, parse_time
from triage.safe_text import html_to_text
from triage.timeutil import utcnow

MEDIA_ONLY = "[media without text]"


def snowflake_for(when: datetime) -> str:
    """The smallest Mastodon id a status created at ``when`` can have."""
    return str(int(when.timestamp() * 1000) << 16)


def _id_key(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (-1, value)


def _handle(acct: str, instance_host: str) -> str:
    acct = acct.lstrip("@")
    return "@" + (acct if "@" in acct else f"{acct}@{instance_host}")


def parse_status(status: Any, *, instance_host: str, source: str) -> Mention | None:
    """A status as a Mention; None for a boost (a reblog is not a new mention).

    Raises MentionError (or KeyError/TypeError, turned into one by the caller) when a
    field the triage needs is missing or malformed.
    """
    if not isinstance(status, dict):
        raise MentionError("status is not a JSON object")
    if status.get("reblog"):
        return None
    for key in ("id", "uri", "created_at", "content", "account"):
        if key not in status or status[key] is None:
            raise MentionError(f"status is missing field '{key}'")
    account = status["account"]
    if not isinstance(account, dict) or not account.get("acct"):
        raise MentionError("status.account is missing field 'acct'")
    text = html_to_text(str(status["content"]))
    spoiler = str(status.get("spoiler_text") or "").strip()
    if spoiler:
        text = f"CW: {spoiler}\n\n{text}".strip()
    if not text and status.get("media_attachments"):
        text = MEDIA_ONLY
    if not text:
        raise MentionError("status has no text")
    followers = account.get("followers_count", 0)
    if isinstance(followers, bool) or not isinstance(followers, int) or followers < 0:
        raise MentionError(f"account.followers_count {followers!r} is not a count")
    acreated = account.get("created_at")
    return Mention(
        platform="mastodon",
        platform_id=str(status["uri"]),
        text=text,
        created_at=parse_time(status["created_at"]),
        author_handle=_handle(str(account["acct"]), instance_host),
        author_name=str(account.get("display_name") or ""),
        author_followers=followers,
        url=str(status.get("url") or status["uri"]),
        in_reply_to_id=str(status["in_reply_to_id"]) if status.get("in_reply_to_id") else None,
        language=str(status["language"]) if status.get("language") else None,
        raw=status,
        source=source,
        author_created_at=parse_time(acreated) if acreated else None,
    )


@dataclass
class MastodonStream:
    """One of: ``search`` for a term, ``tag`` timeline, or ``notifications``."""

    config: SourceConfig
    client: HttpClient
    kind: str  # "search" | "tag" | "notifications"
    value: str = ""

    @property
    def key(self) -> str:
        return f"{self.config.name}:{self.kind}:{self.value}" if self.value else \
            f"{self.config.name}:{self.kind}"

    @property
    def source(self) -> str:
        return self.config.name

    @property
    def host(self) -> str:
        return urlsplit(self.config.url).netloc

    def _request(self) -> tuple[str, dict[str, Any]]:
        base = self.config.url
        if self.kind == "search":
            return f"{base}/api/v2/search", {"type": "statuses", "q": self.value}
        if self.kind == "tag":
            return f"{base}/api/v1/timelines/tag/{quote(self.value, safe='')}", {}
        return f"{base}/api/v1/notifications", {"types[]": "mention"}

    def _headers(self) -> dict[str, str]:
        if self.config.token is None:
            if self.kind == "notifications":
                raise SourceError(f"{self.config.name}: notifications need an access token; "
                                  f"{self.config.missing_secret or 'set token_env'}")
            return {}
        return {"Authorization": f"Bearer {self.config.token.reveal()}"}

    def pages(self, cursor: str | None) -> Iterator[Page]:
        url, base_params = self._request()
        headers = self._headers()
        # Status ids are snowflakes, so a time is a valid min_id; notification ids are
        # plain sequence numbers, so a first poll of notifications takes the newest page.
        first_page_latest = cursor is None and self.kind == "notifications"
        min_id = cursor or ("0" if first_page_latest else snowflake_for(
            utcnow() - timedelta(hours=self.config.lookback_hours)))
        limit = self.config.page_limit
        for _ in range(self.config.max_pages):
            params = {**base_params, "limit": limit}
            if not first_page_latest:
                params["min_id"] = min_id
            t0 = time.perf_counter()
            resp = self.client.get(url, params=params, headers=headers)
            t1 = time.perf_counter()
            page = self._parse_page(resp.text, resp.links, min_id)
            page.fetch_seconds = t1 - t0
            page.parse_seconds = time.perf_counter() - t1
            yield page
            if first_page_latest or page.fetched < limit or page.cursor == min_id:
                return
            min_id = page.cursor or min_id

    def _parse_page(self, body: str, links: dict[str, Any], min_id: str) -> Page:
        try:
            # each status's own JSON text is kept as its raw (notifications wrap it)
            data, texts = decode_with_items(body, "statuses" if self.kind == "search" else None)
        except ValueError as exc:
            raise MalformedPage(self.key, body, f"response is not valid JSON ({exc})") from exc
        items = data.get("statuses") if self.kind == "search" and isinstance(data, dict) \
            else data
        if not isinstance(items, list):
            raise MalformedPage(self.key, body, "response is not a list of statuses")
        if self.kind == "notifications":
            texts = None
        page = Page(fetched=len(items))
        newest, newest_key = min_id, _id_key(min_id)
        host, source = self.host, f"{self.config.name}:{self.kind}"   # once a page
        for n, item in enumerate(items):
            item_id = item.get("id") if isinstance(item, dict) else None
            if isinstance(item_id, str) and _id_key(item_id) > newest_key:
                newest, newest_key = item_id, _id_key(item_id)
            try:
                status = item.get("status") if self.kind == "notifications" else item
                if self.kind == "notifications" and item.get("type") != "mention":
                    page.skipped += 1
                    continue
                mention = parse_status(status, instance_host=host, source=source)
            except (MentionError, AttributeError, TypeError, ValueError) as exc:
                raw = item_text(texts, n, item)
                page.bad.append(BadItem(raw[:20000], f"{self.key}: {exc}"))
                continue
            if mention is None:
                page.skipped += 1
            else:
                if texts is not None:
                    mention.raw = texts[n]
                page.mentions.append(mention)
        # The Link header's rel="prev" carries min_id = the newest id on this page.
        prev = (links.get("prev") or {}).get("url")
        if prev:
            linked = parse_qs(urlsplit(prev).query).get("min_id", [None])[0]
            if linked and _id_key(linked) > _id_key(newest):
                newest = linked
        page.cursor = newest
        return page


class MalformedPage(SourceError):
    """A page that is not JSON at all (e.g. truncated): quarantined whole, cursor kept."""

    def __init__(self, key: str, raw: str, error: str) -> None:
        super().__init__(f"{key}: {error}")
        self.key = key
        self.raw = raw[:20000]
        self.error = error


def streams(config: SourceConfig, client: HttpClient) -> list[MastodonStream]:
    out = [MastodonStream(config, client, "search", t) for t in config.terms]
    out += [MastodonStream(config, client, "tag", h) for h in config.hashtags]
    if config.notifications:
        out.append(MastodonStream(config, client, "notifications"))
    return out


def check(config: SourceConfig, client: HttpClient) -> str:
    """Test the source once; return a one-line summary or raise SourceError."""
    try:
        resp = client.get(f"{config.url}/api/v1/instance")
    except SourceError as exc:
        if exc.status in (404, 410):
            raise SourceError(f"{config.url} answered but is not a Mastodon instance; "
                              "check `instance`", status=exc.status) from exc
        raise
    try:
        info = resp.json()
        version = info["version"]
    except (ValueError, KeyError, TypeError) as exc:
        raise SourceError(f"{config.url} answered but is not a Mastodon instance; "
                          "check `instance`") from exc
    who = "no token (public search only)"
    if config.missing_secret:
        raise SourceError(config.missing_secret)
    if config.token is not None:
        try:
            me = client.get(f"{config.url}/api/v1/accounts/verify_credentials",
                            headers={"Authorization": f"Bearer {config.token.reveal()}"}).json()
        except SourceError as exc:
            if exc.status == 401:
                raise SourceError(f"{config.name}: the access token was refused (bad or "
                                  "revoked token); make a new one", status=401) from exc
            raise
        who = f"signed in as @{me.get('acct', '?')}"
    return f"Mastodon {version} at {config.url}, {who}"
