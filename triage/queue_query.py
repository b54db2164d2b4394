"""Read-side queries the queue UI needs beyond `Store`: sorted keyset pages, ranks,
choices for filters, change markers for live refresh, threads.

The UI never runs SQL itself; it asks these functions.  Every page is fetched by
keyset (``WHERE key < last_key ORDER BY key LIMIT n``) so that the cost of a page does
not grow with how deep in a million-row queue the officer is.  Only a jump to an
arbitrary position (dragging the scrollbar) falls back to OFFSET.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from triage.mention import Mention
from triage.store import (
    _QUEUE_COLUMNS,
    QueueFilter,
    QueueItem,
    Store,
    _row_to_item,
    _row_to_mention,
)


class Sort(StrEnum):
    """The orders the queue can be shown in; each is backed by an index."""

    PRIORITY = "priority"  # escalated first, then priority, newest id first
    NEWEST = "newest"
    REACH = "reach"

    @property
    def columns(self) -> tuple[str, ...]:
        return _SORT_COLUMNS[self]

    def key_of(self, item: QueueItem) -> tuple[Any, ...]:
        if self is Sort.PRIORITY:
            return (int(item.escalated), item.priority, item.id)
        if self is Sort.NEWEST:
            from triage.timeutil import to_db

            return (to_db(item.created_at), item.id)
        return (item.author_followers, item.id)

    def next(self) -> Sort:
        order = list(Sort)
        return order[(order.index(self) + 1) % len(order)]


_SORT_COLUMNS = {
    Sort.PRIORITY: ("m.escalated", "m.priority", "m.id"),
    Sort.NEWEST: ("m.created_at", "m.id"),
    Sort.REACH: ("m.author_followers", "m.id"),
}


@dataclass(frozen=True, slots=True)
class QueueView:
    """A filter and an order: everything that decides which rows the officer sees."""

    flt: QueueFilter = QueueFilter()
    sort: Sort = Sort.PRIORITY

    def page(self, store: Store, *, after: tuple | None = None, before: tuple | None = None,
             offset: int | None = None, limit: int = 100,
             last: bool = False) -> list[QueueItem]:
        """One page in descending order: after a key, before a key, at an offset, or the
        `last` rows of the view."""
        where, args = self.flt.where()
        cols = self.sort.columns
        tuple_sql = "(" + ", ".join(cols) + ")"
        marks = "(" + ", ".join("?" * len(cols)) + ")"
        order = "DESC"
        if after is not None:
            where += f" AND {tuple_sql} < {marks}"
            args.extend(after)
        elif before is not None:
            where += f" AND {tuple_sql} > {marks}"
            args.extend(before)
            order = "ASC"
        elif last:
            order = "ASC"
        order_sql = ", ".join(f"{c} {order}" for c in cols)
        sql = f"SELECT {_QUEUE_COLUMNS} FROM mentions m WHERE {where} ORDER BY {order_sql} LIMIT ?"
        params: list[Any] = [*args, limit]
        if offset is not None and after is None and before is None:
            sql += " OFFSET ?"
            params.append(max(0, offset))
        items = [_row_to_item(r) for r in store.query(sql, params)]
        if order == "ASC":
            items.reverse()
        return items

    def count(self, store: Store) -> int:
        return store.count(self.flt)

    def rank(self, store: Store, item: QueueItem) -> int:
        """The row index of `item` in this view (how many rows sort before it)."""
        where, args = self.flt.where()
        cols = self.sort.columns
        key = self.sort.key_of(item)
        sql = (f"SELECT COUNT(*) FROM mentions m WHERE {where} AND "
               f"({', '.join(cols)}) > ({', '.join('?' * len(cols))})")
        return int(store.query(sql, [*args, *key])[0][0])

    def contains(self, store: Store, mention_id: int) -> QueueItem | None:
        """The queue row for a mention if it is (still) in this view."""
        where, args = self.flt.where()
        rows = store.query(f"SELECT {_QUEUE_COLUMNS} FROM mentions m WHERE {where} AND m.id = ?",
                           [*args, mention_id])
        return _row_to_item(rows[0]) if rows else None


def change_marker(store: Store) -> tuple[int, int]:
    """(newest mention id, newest audit seq): changes whenever anyone changes anything.

    Both are a single index lookup, so the UI can poll them every second cheaply.
    """
    row = store.query("SELECT (SELECT COALESCE(MAX(id), 0) FROM mentions),"
                      " (SELECT COALESCE(MAX(seq), 0) FROM audit)")[0]
    return int(row[0]), int(row[1])


def filter_choices(store: Store) -> dict[str, list[str]]:
    """Values the officer can filter by, from what is actually stored."""
    flags = [r[0] for r in store.query("SELECT DISTINCT kind FROM flags ORDER BY kind")]
    sources = [r[0] for r in store.query(
        "SELECT DISTINCT platform FROM mentions ORDER BY platform LIMIT 20")]
    incidents = [f"{r[0]}" for r in store.query("SELECT id FROM incidents ORDER BY id DESC"
                                                " LIMIT 9")]
    return {"flag": flags, "source": sources, "incident": incidents}


def replied_to(store: Store, mention: Mention) -> Mention | None:
    """The stored post this mention replies to, when we have it."""
    if not mention.in_reply_to_id:
        return None
    rows = store.query("SELECT * FROM mentions WHERE platform = ? AND platform_id = ?",
                       (mention.platform, mention.in_reply_to_id))
    return _row_to_mention(rows[0]) if rows else None


def muted(store: Store, mention: Mention) -> bool:
    return store.is_muted(mention.platform, mention.author_handle)


def incidents_of(store: Store, mention_id: int) -> list[int]:
    return [int(r[0]) for r in store.query(
        "SELECT incident_id FROM incident_mentions WHERE mention_id = ?", (mention_id,))]


class PagedQueue:
    """Random access to a view's rows, fetched a page at a time and cached.

    Row `i` lives in page ``i // page_size``.  A page next to a cached one is fetched by
    keyset from its neighbour's edge key; a page with no cached neighbour (a jump) is
    fetched by OFFSET once, and its neighbours are keyset again from there.
    """

    def __init__(self, store: Store, view: QueueView | None = None,
                 page_size: int = 100, max_pages: int = 64) -> None:
        self.store = store
        self.view = view or QueueView()
        self.page_size = page_size
        self.max_pages = max_pages
        self._pages: dict[int, list[QueueItem]] = {}
        self._total: int | None = None

    # ---- size ------------------------------------------------------------------
    @property
    def total(self) -> int:
        if self._total is None:
            self._total = self.view.count(self.store)
        return self._total

    def set_view(self, view: QueueView) -> None:
        self.view = view
        self.invalidate()

    def invalidate(self) -> None:
        """Forget everything (after a change in the database)."""
        self._pages.clear()
        self._total = None

    # ---- rows ------------------------------------------------------------------
    def item(self, index: int) -> QueueItem | None:
        if index < 0:
            return None
        page_no, slot = divmod(index, self.page_size)
        page = self._page(page_no)
        return page[slot] if slot < len(page) else None

    def _page(self, page_no: int) -> list[QueueItem]:
        page = self._pages.get(page_no)
        if page is not None:
            return page
        size = self.page_size
        prev, nxt = self._pages.get(page_no - 1), self._pages.get(page_no + 1)
        if page_no == 0:
            page = self.view.page(self.store, limit=size)
        elif prev is not None and len(prev) == size:
            page = self.view.page(self.store, after=self.view.sort.key_of(prev[-1]), limit=size)
        elif nxt:
            page = self.view.page(self.store, before=self.view.sort.key_of(nxt[0]), limit=size)
        elif page_no == (self.total - 1) // size:  # the end: read the index backwards
            page = self.view.page(self.store, last=True, limit=self.total - page_no * size)
        else:
            page = self.view.page(self.store, offset=page_no * size, limit=size)
        if len(self._pages) >= self.max_pages:  # forget the page farthest away
            far = max(self._pages, key=lambda p: abs(p - page_no))
            del self._pages[far]
        self._pages[page_no] = page
        return page

    def index_of(self, mention_id: int) -> int | None:
        """Where a mention is now, or None if it is no longer in the view."""
        for page_no, page in self._pages.items():
            for slot, item in enumerate(page):
                if item.id == mention_id:
                    return page_no * self.page_size + slot
        item = self.view.contains(self.store, mention_id)
        return None if item is None else self.view.rank(self.store, item)
