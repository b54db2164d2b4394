"""A polling round as events: each source's streams one after another (they share
the source's HTTP client and login), every source at the same time (`prefetch.merged`
or a fetch process per source), so that one slow or failing source never holds up the
others.

A lane yields ``(kind, stream key, payload)``: ``("page", key, Page)`` for each page,
then ``("done", key, None)`` when the stream is walked to its end, or ``("failed",
key, exc)`` when it failed (`MalformedPage` or `SourceError`) after the pages before.
A failure that will fail every stream of the source as well (a refused token, a host
that does not answer) ends the lane.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from triage.ingest.http import SourceError
from triage.ingest.mastodon import MalformedPage
from triage.ingest.source import Stream

Event = tuple[str, str, Any]


def ends_the_source(exc: BaseException) -> bool:
    """The same token or host would fail every other stream of this source too."""
    return isinstance(exc, SourceError) and (exc.status in (401, 403) or "gave up" in str(exc))


def lane(walks: Sequence[tuple[Stream, str | None]]) -> Iterator[Event]:
    """The events of one source's streams, each walked from its stored cursor."""
    for stream, cursor in walks:
        pages = stream.pages(cursor)
        try:
            for page in pages:
                yield ("page", stream.key, page)
        except (MalformedPage, SourceError) as exc:
            yield ("failed", stream.key, exc)
            if ends_the_source(exc):
                return
            continue
        finally:
            close = getattr(pages, "close", None)
            if close is not None:
                close()
        yield ("done", stream.key, None)


def is_page(event: Event) -> bool:
    return event[0] == "page"
