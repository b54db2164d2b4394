"""What every network source hands the watch loop: pages of mentions plus a cursor."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from triage.mention import Mention


@dataclass
class BadItem:
    """An item that could not become a Mention; quarantined with its raw text."""

    raw: str
    error: str


@dataclass
class Page:
    """One API page: commit its mentions, its bad items and its cursor together."""

    mentions: list[Mention] = field(default_factory=list)
    bad: list[BadItem] = field(default_factory=list)
    cursor: str | None = None  # the stream's cursor once this page is stored
    fetched: int = 0  # items the API returned
    skipped: int = 0  # items that are not mentions (boosts)
    fetch_seconds: float = 0.0
    parse_seconds: float = 0.0


class Stream(Protocol):
    """One pollable feed of a source: a search term, a hashtag, the notifications."""

    key: str  # cursor key, unique across the team config
    source: str  # source name, for progress and errors

    def pages(self, cursor: str | None) -> Iterator[Page]: ...
