"""The domain object every part of calmreply passes around: one public post."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from triage.safe_text import html_to_text, strip_controls

_RAW = json.JSONEncoder(ensure_ascii=False, default=str)

PLATFORMS = ("mastodon", "bluesky", "file", "demo", "twitter", "other")


class MentionError(ValueError):
    """A record that cannot become a Mention; the message says which field and why."""


def parse_time(value: Any) -> datetime:
    """Parse an ISO-8601 timestamp (or epoch seconds) into an aware UTC datetime.

    Naive timestamps are taken as UTC: feeds that omit the zone almost always mean it,
    and refusing them would lose the post.
    """
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        dt = datetime.fromtimestamp(value, tz=UTC)
    elif isinstance(value, str) and value.strip():
        return _parse_iso(value)
    else:
        raise MentionError(f"created_at {value!r} is missing or not a time")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


@lru_cache(maxsize=16384)
def _parse_iso(value: str) -> datetime:
    """`parse_time` of a string; cached, as an author's account time recurs with
    each of their posts (datetimes are immutable, so sharing one is safe)."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(text)
    except ValueError as exc:
        raise MentionError(f"created_at {value!r} is not an ISO-8601 time") from exc
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt if dt.tzinfo is UTC else dt.astimezone(UTC)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


@dataclass(slots=True)
class Mention:
    """A post that mentions the company or one of its leaders.

    Identity is ``(platform, platform_id)``: the store refuses to keep two rows for
    the same post however many times, or from however many sources, it is fetched.
    """

    platform: str
    platform_id: str
    text: str
    created_at: datetime
    author_handle: str = ""
    author_name: str = ""
    author_followers: int = 0
    url: str = ""
    in_reply_to_id: str | None = None
    language: str | None = None
    # the API's item; or, once encoded for the store (see `raw_json`), its JSON text
    raw: dict[str, Any] | str = field(default_factory=dict)
    source: str = ""
    author_created_at: datetime | None = None
    id: int | None = None  # store row id, once stored

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.platform_id)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickle as one flat tuple: a fetch process sends thousands of mentions a
        second, and a slotted dataclass's default pickling (a state dict, a datetime
        object and its time zone per field) costs several times as much to send and
        to rebuild.  The raw payload travels as the JSON text the store keeps."""
        return (_unpack, (self.platform, self.platform_id, self.text, _micros(self.created_at),
                          self.author_handle, self.author_name, self.author_followers,
                          self.url, self.in_reply_to_id, self.language, self.raw_json(),
                          self.source, _micros(self.author_created_at), self.id))

    def raw_json(self) -> str:
        """The raw payload as the JSON text the store keeps (encoded once: a mention
        from a fetch process arrives with it encoded, see `__reduce__`)."""
        return self.raw if isinstance(self.raw, str) else _RAW.encode(self.raw)

    @property
    def display_text(self) -> str:
        """Text that is safe to put in a terminal (escape sequences removed)."""
        return strip_controls(self.text)

    @classmethod
    def from_record(cls, record: dict[str, Any], *, default_platform: str = "file",
                    source: str = "") -> Mention:
        """Build a Mention from a plain record (file import / the documented JSON schema).

        Required: ``id`` (or ``platform_id``), ``text`` (or ``html``) and ``created_at``.
        """
        if not isinstance(record, dict):
            raise MentionError("expected a JSON object")
        pid = record.get("platform_id", record.get("id"))
        if pid is None or str(pid).strip() == "":
            raise MentionError("missing field 'id' (the post's id on its platform)")
        if "text" in record and record["text"] is not None:
            text = str(record["text"])
        elif record.get("html"):
            text = html_to_text(str(record["html"]))
        else:
            raise MentionError("missing field 'text'")
        if not text.strip():
            raise MentionError("field 'text' is empty")
        if "created_at" not in record:
            raise MentionError("missing field 'created_at'")
        created = parse_time(record["created_at"])
        author = record.get("author") if isinstance(record.get("author"), dict) else {}
        followers = record.get("author_followers", author.get("followers", 0)) or 0
        try:
            followers = int(followers)
        except (TypeError, ValueError) as exc:
            raise MentionError(f"author_followers {followers!r} is not a number") from exc
        if followers < 0:
            raise MentionError("author_followers cannot be negative")
        acreated = record.get("author_created_at", author.get("created_at"))
        reply = record.get("in_reply_to_id")
        return cls(
            platform=str(record.get("platform") or default_platform).lower(),
            platform_id=str(pid).strip(),
            text=text,
            created_at=created,
            author_handle=str(record.get("author_handle", author.get("handle", "")) or ""),
            author_name=str(record.get("author_name", author.get("name", "")) or ""),
            author_followers=followers,
            url=str(record.get("url") or ""),
            in_reply_to_id=str(reply) if reply not in (None, "") else None,
            language=(str(record["language"]) if record.get("language") else None),
            raw=dict(record.get("raw") or record),
            source=source or str(record.get("source") or ""),
            author_created_at=parse_time(acreated) if acreated else None,
        )

    def to_record(self, *, include_raw: bool = True) -> dict[str, Any]:
        """The export/interchange form: JSON-safe, times as ISO-8601 UTC."""
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        data["author_created_at"] = (
            self.author_created_at.isoformat() if self.author_created_at else None
        )
        if not include_raw:
            data.pop("raw")
        elif isinstance(self.raw, str):
            data["raw"] = json.loads(self.raw)
        return data

    def to_json(self, *, include_raw: bool = True) -> str:
        return json.dumps(self.to_record(include_raw=include_raw), ensure_ascii=False,
                          sort_keys=True)

    def redacted(self, *, handle: Callable[[str], str], post: Callable[[str], str],
                 scrub: Callable[[str], str]) -> Mention:
        """A copy for readers outside the comms team (redacted exports).

        The author becomes ``handle(author_handle)`` (a keyed pseudonym), post ids become
        ``post(...)`` so the post cannot be looked up, text goes through ``scrub``
        (personal data), and everything that identifies the person is left out: name,
        URL, account age, source and the raw payload.
        """
        return replace(
            self,
            platform_id=post(f"{self.platform}:{self.platform_id}"),
            text=scrub(self.text),
            author_handle=handle(self.author_handle) if self.author_handle else "",
            author_name="",
            url="",
            in_reply_to_id=post(f"{self.platform}:{self.in_reply_to_id}")
            if self.in_reply_to_id else None,
            raw={},
            source="",
            author_created_at=None,
        )


def _micros(dt: datetime | None) -> int | datetime | None:
    """An aware time as UTC microseconds since the epoch; naive ones (and None) as
    they are, so that they come back naive."""
    return (dt - _EPOCH) // _US if dt is not None and dt.tzinfo is not None else dt


def _time(value: int | datetime | None) -> datetime | None:
    return _EPOCH + _US * value if isinstance(value, int) else value


def _unpack(platform: str, platform_id: str, text: str, created: int | datetime,
            handle: str, name: str, followers: int, url: str, reply: str | None,
            language: str | None, raw: str, source: str, made: int | datetime | None,
            row_id: int | None) -> Mention:
    """A Mention from `Mention.__reduce__`'s tuple."""
    return Mention(platform, platform_id, text, _time(created), handle, name, followers,
                   url, reply, language, raw, source, _time(made), row_id)
